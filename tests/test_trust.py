"""Audit log of every write, `audit` for admins, and support retention by the clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.errors import NotFound
from storage.audit import AuditEntry
from storage.support import SupportEvent, SupportRequest
from tests.conftest import london, run_tick

ADMIN = "alex@learnsheffield.co.uk"
JO = "jo@hillside.sch.uk"


async def audit_rows(ask) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    async with ask.ctx.db.session() as session:
        return list(await session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


async def test_every_successful_write_is_audited_with_who_door_command_object(ask) -> None:
    reply = await ask.ok(
        JO, 'action add "Circulate PA figures" owner:@jo due:12/01/2024', door="slack"
    )
    assert "#1" in reply.text
    await ask.ok(JO, "action done 1", door="teams")
    rows = await audit_rows(ask)
    assert [(r.command, r.door, r.object) for r in rows] == [
        ("action add", "slack", "action #1"),
        ("action done", "teams", "action #1"),
    ]
    assert rows[0].at == london(2023, 12, 1, 9, 0)


async def test_reads_failures_and_forms_leave_no_audit_entry(ask) -> None:
    await ask.ok(JO, "actions")
    await ask.ok(JO, "help")
    assert (await ask(JO, "action done 99")).error  # failed write: rolled back, not audited
    await ask.ok(JO, "action add")  # a writes=True command that only shows its form
    assert await audit_rows(ask) == []


async def test_commands_that_write_only_sometimes_are_audited_when_they_do(ask) -> None:
    # `group <name> reminders:` and `calendar reset` change data from a command that also reads
    await ask.ok("dan@sheffield.gov.uk", "group attendance reminders:7d,1d")
    await ask.ok(JO, "calendar reset")
    await ask.ok(JO, "group attendance")  # reading the same command: no entry
    rows = await audit_rows(ask)
    assert [r.command for r in rows] == ["group", "calendar"]
    assert rows[0].actor_id is not None and rows[0].door == "cli"


async def test_audit_entries_hold_no_command_text(ask) -> None:
    secret = "Head unexpectedly absent; interim leadership advice needed today"
    await ask.ok(JO, f'support crisis "{secret}"')
    rows = await audit_rows(ask)
    assert [(r.command, r.object) for r in rows] == [("support", "support #1")]
    reply = await ask.ok(ADMIN, "audit")
    assert "Head unexpectedly" not in str(reply.to_dict())


async def test_audit_is_for_admins_and_filters_by_object_and_person(ask) -> None:
    await ask.ok(JO, 'action add "One" owner:@jo due:12/01/2024')
    await ask.ok(JO, 'action add "Two" owner:@jo due:12/01/2024')
    await ask.ok("sam@learnsheffield.co.uk", "action done 2")
    denied = await ask("sam@learnsheffield.co.uk", "audit")
    assert denied.error and "admins" in denied.text
    whole = await ask.ok(ADMIN, "audit")
    assert "(3, newest first)" in whole.text
    one = await ask.ok(ADMIN, "audit action 2")
    table = one.to_dict()["elements"][0]
    assert [row[3] for row in table["rows"]] == ["action done", "action add"]
    by_sam = await ask.ok(ADMIN, "audit @sam")
    assert [row[1] for row in by_sam.to_dict()["elements"][0]["rows"]] == ["Sam Patel"]
    assert "none recorded" in (await ask.ok(ADMIN, "audit meeting 5")).text


async def test_audit_of_a_person_by_number_including_an_erased_one(ask) -> None:
    await ask.ok(JO, 'action add "One" owner:@jo due:12/01/2024')
    jo_id = (await audit_rows(ask))[0].actor_id
    await ask.ok(ADMIN, "privacy erase @jo confirm:yes")
    reply = await ask.ok(ADMIN, f"audit #{jo_id}")
    assert f"person #{jo_id}" in reply.text
    rows = reply.to_dict()["elements"][0]["rows"]
    assert [row[3] for row in rows] == ["privacy erase", "action add"]
    assert (await ask(ADMIN, "audit #99999")).error
    assert (await ask(ADMIN, "audit 7")).error  # a bare number still asks what kind


async def test_audit_by_kind_finds_what_those_commands_wrote(ask, tmp_path) -> None:  # type: ignore[no-untyped-def]
    csv = tmp_path / "terms.csv"
    csv.write_text(
        "name,start,end,kind\nAutumn 2023,2023-09-04,2023-12-15,term\n"
        "Summer 2024,2024-04-15,2024-07-23,term\n"
    )
    await ask.ok("sam@learnsheffield.co.uk", f"terms import {csv}")
    await ask.ok(
        "sam@learnsheffield.co.uk",
        'meeting add "Attendance working group" group:attendance on:"15/12/2023 10:00"',
    )
    await ask.ok("sam@learnsheffield.co.uk", 'minutes 1 "Agreed the PA plan"')
    await ask.ok(JO, 'apologies 1 "Ofsted visit"')

    def commands(reply) -> list[str]:  # type: ignore[no-untyped-def]
        return [row[3] for row in reply.to_dict()["elements"][0]["rows"]]

    for word in ("terms", "term"):
        reply = await ask.ok(ADMIN, f"audit {word}")
        assert commands(reply) == ["terms import"] and "Changes to terms (" in reply.text
    for word in ("minutes", "apologies", "meeting", "meetings"):
        assert commands(await ask.ok(ADMIN, f"audit {word}")) == [
            "apologies",
            "minutes",
            "meeting add",
        ], word
    assert commands(await ask.ok(ADMIN, "audit minutes 1"))[0] == "apologies"


async def test_retention_purges_closed_support_details_after_the_set_months(ask) -> None:
    text = "Safeguarding concern about a named pupil"
    await ask.ok(JO, f'support crisis "{text}"')
    await ask.ok("sam@learnsheffield.co.uk", 'triage resolve 1 "Adviser visited the pupil"')
    await ask.ok(JO, 'support advocacy "Still open, keep me"')
    ctx = ask.ctx
    await run_tick(ctx, london(2025, 11, 30, 9, 0))  # 23 months on: kept
    async with ctx.db.session() as session:
        first = await session.get(SupportRequest, 1)
        assert first is not None and first.details == text
    await run_tick(ctx, london(2025, 12, 2, 9, 0))  # past 24 months: purged
    async with ctx.db.session() as session:
        first, second = await session.get(SupportRequest, 1), await session.get(SupportRequest, 2)
        assert first is not None and second is not None
        assert text not in first.details and first.kind == "crisis" and first.status == "resolved"
        assert second.details == "Still open, keep me"
        notes = await session.scalars(select(SupportEvent.note).where(SupportEvent.request_id == 1))
        assert not any(n and "Adviser" in n for n in notes)
    from tests.conftest import outbox_rows

    for row in await outbox_rows(ctx, prefix="support:1:"):
        assert text not in row.text and text not in str(row.payload)
    stats = await ask.ok("sam@learnsheffield.co.uk", "triage stats")
    assert "crisis" in str(stats.to_dict())  # still counted


def test_months_before_takes_a_short_months_last_day() -> None:
    from scheduled.retention import months_before

    assert months_before(datetime(2024, 3, 31, tzinfo=UTC), 1) == datetime(2024, 2, 29, tzinfo=UTC)
    assert months_before(datetime(2025, 12, 1, tzinfo=UTC), 24) == datetime(2023, 12, 1, tzinfo=UTC)


async def test_the_audit_records_the_subject_the_reply_names_not_its_text(ask) -> None:
    """A reply's wording never decides the audit entry: `Reply.subject` does."""
    from bot.registry import Command
    from bot.reply import Reply
    from storage.directory import Group

    async def probe(req, svc):  # type: ignore[no-untyped-def]
        svc.session.add(Group(name="probe", title="Probe"))
        return Reply(text="Made group #999 (and person #5)", subject=("group", 42))

    ask.ctx.router.registry.add(
        Command("probe write", probe, "", "probe write", "directory", writes=True)
    )
    reply = await ask.ok(ADMIN, "probe write")
    assert [(r.command, r.object) for r in await audit_rows(ask)] == [
        ("probe write", f"{reply.subject[0]} #{reply.subject[1]}")
    ]
    assert (
        "group #42"
        in (await ask.ok(ADMIN, "audit group 42")).to_dict()["elements"][0]["rows"][0][4]
    )


async def test_the_writes_of_directory_terms_schedules_and_trust_name_their_subject(
    ask, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    sam = "sam@learnsheffield.co.uk"
    csv = tmp_path / "terms.csv"
    csv.write_text(
        "name,start,end,kind\nAutumn 2023,2023-09-04,2023-12-15,term\n"
        "Summer 2024,2024-04-15,2024-07-23,term\n"
    )
    replies = [
        await ask.ok(ADMIN, 'person add "Pat Jones" email:pat@hillside.sch.uk role:head'),
        await ask.ok("dan@sheffield.gov.uk", "group attendance reminders:7d,1d"),
        await ask.ok(sam, f"terms import {csv}"),
        await ask.ok(sam, 'schedule add "Papers" channel:board on:"Mon 09:00" every:week'),
        await ask.ok(sam, "schedule edit 1 every:none"),
        await ask.ok(sam, "schedule cancel 1 confirm:yes"),
        await ask.ok(ADMIN, "privacy erase @pat confirm:yes"),
    ]
    rows = await audit_rows(ask)
    assert [(r.object_kind, r.object_id) for r in rows] == [r.subject for r in replies]
    assert [r.object_kind for r in rows] == [
        "person",
        "group",
        "terms",
        "schedule",
        "schedule",
        "schedule",
        "person",
    ]


async def test_a_write_by_a_command_not_declared_writes_is_refused_and_nothing_saved(ask) -> None:
    from bot.registry import Command
    from bot.reply import Reply
    from storage.directory import Group, group_by_name

    async def sneaky(req, svc):  # type: ignore[no-untyped-def]
        svc.session.add(Group(name="sneaky", title="Sneaky"))
        return Reply(text="Only reading, honest", subject=("group", 1))

    ask.ctx.router.registry.add(Command("sneaky read", sneaky, "", "sneaky read", "directory"))
    reply = await ask(ADMIN, "sneaky read")
    assert reply.error and "nothing was saved" in reply.text
    assert await audit_rows(ask) == []
    async with ask.ctx.db.session() as session:
        with pytest.raises(NotFound):
            await group_by_name(session, "sneaky")


async def test_each_domains_writes_are_audited_with_the_subject_their_reply_names(ask) -> None:
    sam, stella = "sam@learnsheffield.co.uk", "stella@learnsheffield.co.uk"
    replies = [
        await ask.ok(stella, 'meeting add "Board" group:attendance on:"15/12/2023 10:00"'),
        await ask.ok(JO, 'agenda 1 add "Persistent absence"'),
        await ask.ok(JO, "rsvp 1 yes"),
        await ask.ok(stella, 'minutes 1 "Agreed the plan"'),
        await ask.ok(JO, 'action add "Circulate figures" owner:@jo due:12/01/2024'),
        await ask.ok(JO, "action snooze 1 1w"),
        await ask.ok(JO, 'support crisis "Probe request"'),
        await ask.ok(sam, "triage ack 1"),
        await ask.ok(sam, 'opp add "NPQ" closes:31/01/2024 phase:all link:https://example.org/n'),
        await ask.ok(sam, 'consultation add "Design" closes:12/01/2024 audience:board'),
    ]
    rows = await audit_rows(ask)
    assert [(r.object_kind, r.object_id) for r in rows] == [r.subject for r in replies]
    assert [r.object for r in rows] == [
        "meeting #1",
        "meeting #1",
        "meeting #1",
        "meeting #1",
        "action #1",
        "action #1",
        "support #1",
        "support #1",
        "opportunity #1",
        "consultation #1",
    ]
