"""CSV imports for the directory. A file is checked whole before anything is saved."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from bot import csvfile
from bot.csvfile import CsvFile
from bot.errors import UserError
from bot.language.knowledge import forget as forget_names
from bot.parsing import yes_no_word
from storage import directory as repo
from storage import group_kinds, org_kinds

PEOPLE_HEADER = ["name", "email", "role", "organisation", "groups"]
T = TypeVar("T")
ORG_HEADER = ["name", "kind", "phase", "subscriber", "category", "maintained"]
GROUPS_EXAMPLE = "Jo Bloggs,jo@hillside.sch.uk,head,Hillside Primary,board;attendance:vice-chair"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    groups_created: int = 0

    def __str__(self) -> str:
        extra = f", {self.groups_created} groups created" if self.groups_created else ""
        return f"{self.created} created, {self.updated} updated{extra}"


def _rows(source: CsvFile | Path, header: list[str]) -> list[tuple[int, dict[str, str]]]:
    example = ",".join(header)
    file = source if isinstance(source, CsvFile) else csvfile.read_file(source, example=example)
    return csvfile.rows(file, required=header, example=example)


def _flag(value: str, *, line: int, column: str) -> bool | None:
    """A yes/no cell (the chat's words, bot.parsing); an empty cell is None."""
    if not value.strip():
        return None
    found = yes_no_word(value)
    if found is not None:
        return found
    raise UserError(f"Line {line}: {column} must be yes or no, not {value!r}.")


def _cell(parse: Callable[..., T], *args: Any, line: int) -> T:
    """`parse(*args)`, its UserError prefixed with the file's line number."""
    try:
        return parse(*args)
    except UserError as err:
        raise UserError(f"Line {line}: {err.message}", example=err.example, hint=err.hint) from None


async def import_organisations(session: AsyncSession, source: CsvFile | Path) -> ImportReport:
    """`name,kind,phase,subscriber,category,maintained`; re-importing updates by name.

    `source` is a file read with `bot.csvfile` or a path to read with it; UserError (nothing
    saved) for an unreadable file or any bad row."""
    rows = _rows(source, ORG_HEADER)
    parsed = []
    for line, row in rows:
        if not row["name"]:
            raise UserError(f"Line {line}: name is empty.")
        kind = _cell(org_kinds.normalise_org_kind, row["kind"], line=line)
        phase = _cell(org_kinds.normalise_org_phase, row["phase"], repo.ORG_PHASES, line=line)
        category = row["category"].lower() or None
        if category and category not in repo.CATEGORIES:
            raise UserError(
                f"Line {line}: category {row['category']!r} is not one of {', '.join(repo.CATEGORIES)}."
            )
        maintained_raw = row["maintained"].lower()
        if maintained_raw in ("academy", "maintained"):
            maintained: bool | None = maintained_raw == "maintained"
        else:
            maintained = _flag(maintained_raw, line=line, column="maintained")
        parsed.append(
            dict(
                name=row["name"],
                kind=kind,
                phase=phase,
                subscriber=bool(_flag(row["subscriber"], line=line, column="subscriber")),
                category=category,
                maintained=maintained,
            )
        )
    report = ImportReport()
    known = {o.name for o in await repo.all_organisations(session)}
    for values in parsed:
        await repo.upsert_organisation(session, **values)
        if values["name"] in known:
            report.updated += 1
        else:
            report.created += 1
    forget_names(session)  # the directory changed: plain English reads it afresh
    return report


async def import_people(
    session: AsyncSession,
    source: CsvFile | Path,
    *,
    channel_groups: Collection[str] = ("triage", "bulletin"),
) -> ImportReport:
    """`name,email,role,organisation,groups` (groups `a;b`, optionally `a:chair`, any role in
    storage.group_kinds). A group it creates gets its kind from its name (a `board` is the
    board); `channel_groups` (the TRIAGE_CHANNEL and BULLETIN_CHANNEL settings) are channels.

    `source` is a file read with `bot.csvfile` or a path to read with it; UserError (nothing
    saved) for an unreadable file or any bad row."""
    rows = _rows(source, PEOPLE_HEADER)
    seen: set[str] = set()
    checked = []
    missing: dict[str, tuple[str, list[int]]] = {}  # lower-case name -> (as written, lines)
    orgs = {o.name.lower(): o for o in await repo.all_organisations(session)}
    for line, row in rows:
        email = row["email"].lower()
        if not row["name"]:
            raise UserError(
                f"Line {line}: name is empty.",
                example="Jo Bloggs,jo@hillside.sch.uk,head,Hillside Primary,attendance",
            )
        if "@" not in email or "." not in email.split("@")[-1] or " " in email:
            raise UserError(f"Line {line}: {row['email']!r} is not an email address.")
        if email in seen:
            raise UserError(f"Line {line}: {email} appears twice in the file.")
        seen.add(email)
        role = row["role"].lower() or "member"
        if role not in repo.ROLES:
            raise UserError(
                f"Line {line}: role {row['role']!r} is not one of {', '.join(repo.ROLES)}."
            )
        org = orgs.get(row["organisation"].lower()) if row["organisation"] else None
        if row["organisation"] and org is None:
            missing.setdefault(row["organisation"].lower(), (row["organisation"], []))[1].append(
                line
            )
        groups = []
        for item in [g.strip() for g in row["groups"].split(";") if g.strip()]:
            gname, _, grole = item.partition(":")
            grole = _cell(group_kinds.normalise_membership_role, grole, GROUPS_EXAMPLE, line=line)
            groups.append((gname.strip().lower(), grole))
        checked.append((email, row["name"], role, org, groups))
    if missing:
        raise _missing_organisations(missing)
    report = ImportReport()
    known_groups = {g.name: g for g in await repo.all_groups(session)}
    for email, name, role, org, groups in checked:
        existed = await repo.person_by_email(session, email)
        person = await repo.upsert_person(
            session, email=email, name=name, role=role, organisation=org
        )
        report.updated += bool(existed)
        report.created += not existed
        for gname, grole in groups:
            if gname not in known_groups:
                known_groups[gname] = await repo.upsert_group(
                    session,
                    name=gname,
                    title=gname.title(),
                    kind="channel"
                    if gname in {c.lower() for c in channel_groups}
                    else group_kinds.kind_for_name(gname),
                )
                report.groups_created += 1
            await repo.set_membership(session, group=known_groups[gname], person=person, role=grole)
    forget_names(session)  # the directory changed: plain English reads it afresh
    return report


def _missing_organisations(missing: dict[str, tuple[str, list[int]]]) -> UserError:
    """Every organisation the people file names that the directory lacks, in one answer."""
    hint = "Import organisations first: partnership-bot import organisations orgs.csv"
    if len(missing) == 1:
        ((name, lines),) = missing.values()
        where = f"Line {lines[0]}" if len(lines) == 1 else f"Lines {', '.join(map(str, lines))}"
        return UserError(f"{where}: organisation {name!r} is not in the directory.", hint=hint)
    listed = "; ".join(
        f"{name!r} (line{'s' if len(lines) > 1 else ''} {', '.join(map(str, lines))})"
        for name, lines in missing.values()
    )
    return UserError(
        f"{len(missing)} organisations are not in the directory: {listed}.",
        example="name,kind,phase,subscriber,category,maintained",
        hint=hint,
    )
