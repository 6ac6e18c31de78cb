"""UK GDPR: export everything held about a person; erase it; export shows only what is kept."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.reply import File, Reply
from storage.actions import Action, ActionEvent
from storage.directory import Identity, link_identity, person_by_email
from storage.support import SupportRequest
from tests.conftest import london, outbox_rows, run_tick

ADMIN = "alex@learnsheffield.co.uk"
JO = "jo@hillside.sch.uk"
SECRET = "Head unexpectedly absent; interim leadership advice needed today"


def exported(reply: Reply) -> dict:
    files = [e for e in reply.elements if isinstance(e, File)]
    assert len(files) == 1 and files[0].mime == "application/json"
    return json.loads(files[0].content)


async def jo_everywhere(ask) -> int:  # type: ignore[no-untyped-def]
    """Jo leaves a trace in every domain: identity, RSVP, actions, support, consultation..."""
    async with ask.ctx.db.session() as session:
        jo = await person_by_email(session, JO)
        assert jo is not None
        await link_identity(session, person=jo, platform="slack", external_id="U0JO")
        jo_id = jo.id
    await ask.ok(
        "sam@learnsheffield.co.uk",
        'meeting add "Attendance working group" group:attendance on:"15/12/2023 10:00"',
    )
    await ask.ok(JO, 'apologies 1 "Ofsted visit"')
    await ask.ok(JO, 'action add "Circulate PA figures" owner:@jo due:12/01/2024 group:attendance')
    await ask.ok(JO, 'action add "Book the hall" owner:@jo due:12/01/2024')
    await ask.ok("dan@sheffield.gov.uk", 'action note 1 "Chased in the meeting"')
    await ask.ok(
        "dan@sheffield.gov.uk",
        'action add "Chase figures" owner:@jo due:19/01/2024 group:attendance',
    )  # tells Jo through the outbox
    await ask.ok(JO, f'support crisis "{SECRET}" contact:"07700 900123"')
    await ask.ok(
        "stella@learnsheffield.co.uk",
        'consultation add "Partnership design" closes:12/01/2024 audience:board',
    )
    await ask.ok(JO, "consultation responded 1")
    await ask.ok(JO, "bulletin unsubscribe")
    await run_tick(ask.ctx, london(2023, 12, 1, 9, 5))
    return jo_id


async def test_export_then_erase_then_export_leaves_only_what_must_be_kept(ask) -> None:
    jo_id = await jo_everywhere(ask)
    before = exported(await ask.ok(JO, "privacy export"))
    assert before["person"]["email"] == JO and "calendar_token" not in before["person"]
    held = before["held"]
    for table in (
        "identities",
        "memberships",
        "meeting_rsvps",
        "actions",
        "action_events",
        "support_requests",
        "consultation_responses",
        "bulletin_subscriptions",
        "outbox",
        "audit_log",
    ):
        assert held.get(table), f"export misses {table}"
    assert SECRET in json.dumps(held["support_requests"])  # their own request, in full
    assert "Chased in the meeting" in json.dumps(held["action_events"])  # history included
    assert exported(await ask.ok(ADMIN, "privacy export @jo"))["held"].keys() == held.keys()

    ask_first = await ask.ok(ADMIN, "privacy erase @jo")
    assert "cannot be undone" in ask_first.text
    assert ask_first.buttons[0].command == f"privacy erase #{jo_id} confirm:yes"
    assert await ask.ok(ADMIN, "privacy export @jo")  # nothing erased without confirm:yes

    done = await ask.ok(ADMIN, "privacy erase @jo confirm:yes")
    assert f"Erased person #{jo_id}" in done.text
    after = exported(await ask.ok(ADMIN, f"privacy export #{jo_id}"))
    text = json.dumps(after)
    assert JO not in text and "Jo Bloggs" not in text and "U0JO" not in text
    assert SECRET not in text and "07700" not in text
    assert set(after["held"]) <= {"audit_log"}, after["held"].keys()
    assert after["person"]["active"] is False

    async with ask.ctx.db.session() as session:
        assert not list(await session.scalars(select(Identity).where(Identity.person_id == jo_id)))
        actions = list(await session.scalars(select(Action).order_by(Action.id)))
        dan = await person_by_email(session, "dan@sheffield.gov.uk")
        alex = await person_by_email(session, ADMIN)
        assert dan is not None and alex is not None
        # the group's action goes to its chair; the one with no group to the admin who erased
        assert [a.owner_id for a in actions] == [dan.id, alex.id, dan.id]
        notes = list(
            await session.scalars(select(ActionEvent.detail).where(ActionEvent.kind == "note"))
        )
        assert sum("erased" in n for n in notes) == 3
        request = await session.get(SupportRequest, 1)
        assert request is not None and request.requester_id is None
        assert request.kind == "crisis" and request.organisation_id is not None
        assert SECRET not in request.details
    assert all(r.target != f"person:{jo_id}" for r in await outbox_rows(ask.ctx))
    copies = await outbox_rows(ask.ctx, prefix="support:")
    assert any(r.target == "group:triage" for r in copies)  # the triage channel's copy is kept
    for row in copies:  # ...but says nothing about the request or who raised it
        for said in (SECRET, "07700", JO, "Jo Bloggs"):
            assert said not in row.text and said not in json.dumps(row.payload), row.key
    assert "crisis" in str((await ask.ok("sam@learnsheffield.co.uk", "triage stats")).to_dict())


async def test_erase_twice_is_fine_and_the_erased_person_cannot_sign_in(ask) -> None:
    jo_id = await jo_everywhere(ask)
    await ask.ok(ADMIN, "privacy erase @jo confirm:yes")
    again = await ask.ok(ADMIN, f"privacy erase #{jo_id} confirm:yes")
    assert "already been erased" in again.text
    gone = await ask(ADMIN, "privacy erase @jo confirm:yes")
    assert gone.error and "No one called @jo" in gone.text
    async with ask.ctx.db.session() as session:
        assert (await session.scalar(select(Identity).where(Identity.person_id == jo_id))) is None
    reply = await ask.ctx.router.handle("whoami", actor_id=jo_id, door="cli")
    assert reply.error


async def test_only_admins_export_others_and_erase(ask) -> None:
    mine = exported(await ask.ok("amy@hillside.sch.uk", "privacy export"))
    assert mine["person"]["email"] == "amy@hillside.sch.uk"
    other = await ask("amy@hillside.sch.uk", "privacy export @jo")
    assert other.error and "only your own" in other.text
    staff = await ask("sam@learnsheffield.co.uk", "privacy export @jo")
    assert staff.error
    erase = await ask("sam@learnsheffield.co.uk", "privacy erase @jo confirm:yes")
    assert erase.error and "admins" in erase.text
    self_erase = await ask(ADMIN, "privacy erase @alex confirm:yes")
    assert self_erase.error


async def test_erase_before_the_triage_copy_is_sent_cancels_it_blank(ask) -> None:
    await ask.ok(JO, f'support crisis "{SECRET}" contact:"07700 900123"')
    [pending] = await outbox_rows(ask.ctx, prefix="support:1:new")
    assert pending.state == "pending" and SECRET in pending.text
    await ask.ok(ADMIN, "privacy erase @jo confirm:yes")
    [row] = await outbox_rows(ask.ctx, prefix="support:1:new")
    assert row.state == "cancelled"
    assert SECRET not in row.text and "07700" not in row.text and JO not in row.text
    assert SECRET not in json.dumps(row.payload)
