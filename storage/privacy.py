"""UK GDPR: everything held about a person (right of access) and erasing it (right to erasure).

Both walk every table with a column pointing at `people.id`, so a domain added later is
covered without changes here; the few tables whose rows must be treated specially (support
requests, actions, the audit log) are named below.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Table, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import Base
from storage.directory import Person
from storage.outbox import person_target

ERASED_DOMAIN = "erased.invalid"
ERASED_TEXT = "(erased)"
ERASED_NOTE = "Reassigned from a person whose data was erased (UK GDPR); was theirs."
# kept after erasure: who did what stays accountable, pointing at the anonymised person row
KEPT = {("audit_log", "actor_id")}
# person references that show what someone did to others' records, not data about them
SUPPORT_DETAIL_COLUMNS = ("details", "contact")
HIDDEN_COLUMNS = {("people", "calendar_token")}


def _tables() -> list[Table]:
    import storage.models  # noqa: F401  (every domain's tables)

    return list(Base.metadata.sorted_tables)


def person_columns() -> list[tuple[Table, Column[Any]]]:
    """Every (table, column) holding a person's id, other than `people.id` itself."""
    found = []
    for table in _tables():
        for column in table.columns:
            if any(fk.column.table.name == "people" for fk in column.foreign_keys):
                found.append((table, column))
    return found


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return f"<{len(bytes(value))} bytes>"
    return value


def _row(table: Table, row: Any, *, hide: tuple[str, ...] = ()) -> dict[str, Any]:
    out = {}
    for column in table.columns:
        if (table.name, column.name) in HIDDEN_COLUMNS:
            continue
        out[column.name] = "(withheld)" if column.name in hide else _plain(row._mapping[column])
    return out


async def export(session: AsyncSession, person: Person) -> dict[str, Any]:
    """A JSON-ready record of everything held about `person`, table by table."""
    tables: dict[str, list[dict[str, Any]]] = {}

    def add(name: str, rows: list[dict[str, Any]]) -> None:
        for r in rows:
            if r not in tables.setdefault(name, []):
                tables[name].append(r)

    for table, column in person_columns():
        rows = (await session.execute(select(table).where(column == person.id))).all()
        hide: tuple[str, ...] = ()
        if table.name == "support_requests" and column.name != "requester_id":
            hide = SUPPORT_DETAIL_COLUMNS  # a request assigned to them is another school's
        add(table.name, [_row(table, r, hide=hide) for r in rows])
    meta = {t.name: t for t in _tables()}
    target = person_target(person.id)
    for name in ("outbox", "bulletin_deliveries"):
        if name in meta:
            table = meta[name]
            rows = (await session.execute(select(table).where(table.c.target == target))).all()
            add(name, [_row(table, r) for r in rows])
    if "actions" in meta and "action_events" in meta:
        ids = [a["id"] for a in tables.get("actions", [])]
        if ids:
            events = meta["action_events"]
            rows = (await session.execute(select(events).where(events.c.action_id.in_(ids)))).all()
            add("action_events", [_row(events, r) for r in rows])
    people = meta["people"]
    me = (await session.execute(select(people).where(people.c.id == person.id))).one()
    return {
        "person": _row(people, me),
        "organisation": person.organisation.name if person.organisation else None,
        "held": {k: v for k, v in sorted(tables.items()) if v},
    }


def is_erased(person: Person) -> bool:
    return not person.active and person.email.endswith("@" + ERASED_DOMAIN)


async def erase(
    session: AsyncSession, person: Person, *, by: Person, at: datetime
) -> dict[str, int]:
    """Remove or anonymise everything about `person`; running it again changes nothing more.

    Actions move to their group's chair (or to `by`) with a note; support requests lose their
    text and requester but stay for counts; the audit log keeps its entries.
    """
    from storage import actions as actions_repo
    from storage.directory import chairs_of
    from storage.support import SupportRequest, forget_request_text

    counts: dict[str, int] = {}
    meta = {t.name: t for t in _tables()}

    owned = await session.scalars(
        select(actions_repo.Action).where(actions_repo.Action.owner_id == person.id)
    )
    for action in list(owned):
        heir = by
        if action.group_id is not None:
            chairs = [c for c in await chairs_of(session, action.group_id) if c.id != person.id]
            heir = chairs[0] if chairs else by
        action.owner_id = heir.id
        await actions_repo.record(
            session, action=action, actor=None, at=at, kind="note", detail=ERASED_NOTE
        )
        counts["actions reassigned"] = counts.get("actions reassigned", 0) + 1

    raised = await session.scalars(
        select(SupportRequest).where(SupportRequest.requester_id == person.id)
    )
    for request in list(raised):
        await forget_request_text(session, request, replacement=ERASED_TEXT)
        counts["support requests anonymised"] = counts.get("support requests anonymised", 0) + 1

    for table, column in person_columns():
        if (table.name, column.name) in KEPT:
            continue
        if column.nullable:
            result = await session.execute(
                update(table).where(column == person.id).values({column.name: None})
            )
        else:
            result = await session.execute(delete(table).where(column == person.id))
        if result.rowcount:
            counts[table.name] = counts.get(table.name, 0) + result.rowcount
    target = person_target(person.id)
    for name in ("outbox", "bulletin_deliveries"):
        if name in meta:
            table = meta[name]
            result = await session.execute(delete(table).where(table.c.target == target))
            if result.rowcount:
                counts[name] = counts.get(name, 0) + result.rowcount

    if not is_erased(person):
        person.name = f"Erased person #{person.id}"
        person.email = f"erased-{person.id}@{ERASED_DOMAIN}"
        person.role = "member"
        person.organisation_id = None
        person.active = False
        person.calendar_token = secrets.token_urlsafe(24)
        counts["person anonymised"] = 1
    await session.flush()
    return counts
