"""The directory as a real partnership runs it (issue 21), on SQLite and PostgreSQL: seed 000's
membership (one organisation of every kind) imported into an empty database, then the new
commands through the router: linked accounts on `whoami` and `person`, `people` by name,
organisation and group, `group add/remove` by admins and a group's own chair, `person edit`,
`person deactivate` (no reminders, cannot act, history kept) and task-and-finish groups whose
reminders stop after their end date."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.context import BotContext
from bot.importers import import_organisations, import_people
from bot.render.text import render_text
from storage import audit
from storage import directory as repo
from storage.outbox import enqueue, person_target
from tests.conftest import Asker, london, outbox_rows, run_tick
from tests.test_membership import MEMBERSHIP

# One person at (nearly) every kind of partner, in the groups seed 000 and 004 describe, with
# the roles minutes use. Written as an admin would: "Vice Chair", "co-opted".
PEOPLE = """name,email,role,organisation,groups
Alex Morgan,alex@learnsheffield.co.uk,admin,Learn Sheffield,
Sam Patel,sam@learnsheffield.co.uk,staff,Learn Sheffield,board:officer;attendance:officer
Jo Bloggs,jo@hillside.sch.uk,head,Hillside Primary,board;attendance:Vice Chair;transition
Andrew Jones,andrew@sheffield.gov.uk,member,Sheffield City Council,board;attendance:chair
Kate Dunn,kate@steelcity.org.uk,member,Steel City Trust,board:chair;transition:chair
Lucy Hall,lucy@sheffcol.ac.uk,member,Sheffield College,board
Priya Nair,priya@shu.ac.uk,member,Sheffield Hallam University,board:co-opted
Ruth Sims,ruth@sunflower.org.uk,head,Sunflower Nursery,transition
Father Tom,tom@hallamdiocese.org.uk,member,RC Diocese of Hallam,board
Nadia Rahman,nadia@nhs.net,member,NHS South Yorkshire,board;attendance
Olu Ade,olu@southyorkshire-ca.gov.uk,member,South Yorkshire Mayoral Combined Authority,board
Dee Evans,dee@education.gov.uk,member,DfE,board
Vic Lane,vic@vas.org.uk,member,Voluntary Action Sheffield,transition:co-opted
Isla Chair,isla@partnership.org.uk,member,Independent Chair,board
"""

ALEX, SAM, JO = "alex@learnsheffield.co.uk", "sam@learnsheffield.co.uk", "jo@hillside.sch.uk"
ANDREW, KATE, LUCY = "andrew@sheffield.gov.uk", "kate@steelcity.org.uk", "lucy@sheffcol.ac.uk"


@pytest.fixture
async def members(ctx: BotContext, tmp_path: Path) -> Asker:
    """An empty database with seed 000's membership imported, as docs/slack.md step 3 does."""
    (tmp_path / "organisations.csv").write_text(MEMBERSHIP)
    (tmp_path / "people.csv").write_text(PEOPLE)
    async with ctx.db.session() as session:
        await import_organisations(session, tmp_path / "organisations.csv")
        report = await import_people(session, tmp_path / "people.csv")
    assert str(report) == "14 created, 0 updated, 3 groups created"
    return Asker(ctx)


async def text_of(ask: Asker, email: str, command: str) -> str:
    return render_text(await ask.ok(email, command))


async def refused(ask: Asker, email: str, command: str) -> str:
    reply = await ask(email, command)
    assert reply.error, f"{command!r} as {email} should be refused"
    return render_text(reply)


async def test_groups_from_the_import_have_kinds_and_roles(members: Asker) -> None:
    groups = await text_of(members, JO, "groups")
    assert "board  " in groups and "Board" in groups
    async with members.ctx.db.session() as session:
        kinds = {g.name: g.kind for g in await repo.all_groups(session)}
        jo = await repo.person_by_email(session, JO)
        roles = {g.name: r for g, r in await repo.roles_of(session, jo.id)}
    assert kinds == {"board": "board", "attendance": "sub-group", "transition": "sub-group"}
    assert roles == {"board": "member", "attendance": "vice-chair", "transition": "member"}
    board = await text_of(members, JO, "group board")
    # chair first, then officer, members, co-opted
    order = [line.split("  ")[0] for line in board.splitlines() if "  " in line]
    assert order.index("Kate Dunn") < order.index("Sam Patel") < order.index("Jo Bloggs")
    assert order.index("Jo Bloggs") < order.index("Priya Nair")
    assert "co-opted" in board


async def test_whoami_and_person_show_the_linked_slack_and_teams_accounts(
    members: Asker,
) -> None:
    before = await text_of(members, JO, "whoami")
    assert "Slack: not linked yet" in before and "Teams: not linked yet" in before
    assert "Groups: board, attendance (vice-chair), transition" in before
    assert "Hillside Primary (school, primary, subscriber" in before
    async with members.ctx.db.session() as session:
        jo = await repo.person_by_email(session, JO)
        await repo.link_identity(
            session, person=jo, platform="slack", external_id="U0JO1", data={"team_id": "T0CSP"}
        )
        await repo.link_identity(
            session,
            person=jo,
            platform="teams",
            external_id="9f1c2d3e-aad-object-id",
            data={"name": "Jo Bloggs (Hillside)"},
        )
    mine = await text_of(members, JO, "whoami")
    assert "Slack: U0JO1 (workspace T0CSP), linked" in mine
    assert "Teams: 9f1c2d3e-aad-object-id (Jo Bloggs (Hillside)), linked" in mine
    card = await text_of(members, LUCY, "person @jo")
    assert "Jo Bloggs (@jo)" in card and "Slack: U0JO1" in card and "Teams: 9f1c2d3e" in card
    # by full name too, and a clear answer for no one
    assert "Slack: not linked yet" in await text_of(members, JO, 'person "Lucy Hall"')
    nobody = await refused(members, JO, "person @zed")
    assert "No one called @zed" in nobody


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("people hillside", {"Jo Bloggs"}),  # organisation
        ("people hilside", {"Jo Bloggs"}),  # a typo of it
        ("people diocese", {"Father Tom"}),
        ("people transition", {"Jo Bloggs", "Kate Dunn", "Ruth Sims", "Vic Lane"}),  # group
        ("people jo", {"Jo Bloggs", "Andrew Jones"}),  # a name, or the start of one
        ("people attendance role:head", {"Jo Bloggs"}),
        ("people group:board role:staff", {"Sam Patel"}),
        ("people sheffield college", {"Lucy Hall"}),
    ],
)
async def test_people_finds_by_name_organisation_or_group(
    members: Asker, words: str, expected: set[str]
) -> None:
    reply = await members.ok(LUCY, words)
    (table,) = [e for e in reply.elements if hasattr(e, "rows")]
    assert {row[0] for row in table.rows} == expected
    if words == "people jo":
        assert table.rows[0][0] == "Jo Bloggs"  # the whole word first


async def test_people_with_nothing_to_find_says_how(members: Asker) -> None:
    assert "Example: people hillside" in await refused(members, JO, "people")
    assert "No one in the directory matches zzzz" in await refused(members, JO, "people zzzz")
    assert "role:boss is not a directory role" in await refused(members, JO, "people role:boss")


async def test_group_add_and_remove_by_admins_and_the_groups_own_chair_audited(
    members: Asker,
) -> None:
    # Andrew chairs attendance: he may add to it and change a role, not touch the board
    added = await text_of(members, ANDREW, "group add attendance @lucy role:co-opted")
    assert added == "Added Lucy Hall to attendance as co-opted."
    changed = await text_of(members, ANDREW, "group add attendance @lucy role:member")
    assert changed == "Lucy Hall is now a member of attendance (was co-opted)."
    assert "Only board's chair or a partnership admin" in await refused(
        members, ANDREW, "group add board @ruth"
    )
    # a vice-chair, an officer (staff) and a plain member may not
    for who in (JO, SAM, LUCY):
        await refused(members, who, "group remove attendance @lucy")
    removed = await text_of(members, ANDREW, "group remove attendance @lucy")
    assert removed.startswith("Removed Lucy Hall from attendance.")
    # the admin may change any group
    await members.ok(ALEX, "group add board @ruth role:vice-chair")
    assert "Ruth Sims" in await text_of(members, JO, "people group:board")
    # bad input: saying what was wrong, with an example
    assert "group role 'boss' is not one of chair, vice-chair" in await refused(
        members, ALEX, "group add board @ruth role:boss"
    )
    asked = await members(ALEX, "group add board")  # no one named: the form asks who
    assert asked.form is not None and "Still needed: Who" in asked.text
    assert "is not on attendance" in await refused(members, ALEX, "group remove attendance @lucy")
    async with members.ctx.db.session() as session:
        attendance = await repo.group_by_name(session, "attendance")
        logged = await audit.entries(session, object_kind="group", object_id=attendance.id)
    assert [e.command for e in logged] == ["group remove", "group add", "group add"]


async def test_person_edit_checks_every_value_before_saving_and_is_for_admins(
    members: Asker,
) -> None:
    assert "`person edit` is for admins" in await refused(
        members, KATE, "person edit @lucy role:head"
    )
    taken = await refused(members, ALEX, "person edit @lucy name:Lucinda email:jo@hillside.sch.uk")
    assert "jo@hillside.sch.uk is already Jo Bloggs's email" in taken
    assert "Lucy Hall (@lucy)" in await text_of(members, ALEX, "person @lucy")  # nothing saved
    assert "There is no organisation called 'Nowhere'" in await refused(
        members, ALEX, 'person edit @lucy org:"Nowhere"'
    )
    done = await text_of(
        members, ALEX, 'person edit @lucy name:"Lucy Hall-Smith" role:head org:"DfE"'
    )
    assert done.startswith("Updated person #6 (name, role, organisation): Lucy Hall-Smith")
    assert done.endswith("head at DfE.")
    assert "Take away your own admin" not in done
    assert "cannot take away your own admin role" in await refused(
        members, ALEX, "person edit @alex role:staff"
    )
    async with members.ctx.db.session() as session:
        lucy = await repo.person_by_email(session, LUCY)
        logged = await audit.entries(session, object_kind="person", object_id=lucy.id)
    assert [e.command for e in logged] == ["person edit"]


async def test_a_deactivated_person_cannot_act_gets_nothing_and_keeps_their_history(
    members: Asker,
) -> None:
    ctx = members.ctx
    await members.ok(SAM, 'meeting add "Attendance" group:attendance on:"15/12/2023 10:00"')
    await members.ok(SAM, 'action add "Share PA figures" owner:@nadia due:08/12/2023')
    async with ctx.db.session() as session:
        nadia = await repo.person_by_email(session, "nadia@nhs.net")
        # a row some planner queued before she left: the dispatcher must not send it
        await enqueue(
            session,
            key=f"test:{nadia.id}:queued-before",
            target=person_target(nadia.id),
            reply=(await members.ok(SAM, "help")),
            due_at=london(2023, 12, 1, 9, 0),
        )
    assert "`person deactivate` is for admins" in await refused(
        members, ANDREW, "person deactivate @nadia"
    )
    reply = await members.ok(ALEX, "person deactivate @nadia")
    text = render_text(reply)
    assert text.startswith("Deactivated Nadia Rahman")
    assert "1 open action still names Nadia as owner" in text
    # she cannot act, through any door
    no = await members("nadia@nhs.net", "whoami")
    assert no.error and "deactivated" in no.text
    # nothing reaches her: the queued row, the meeting reminders, the action's nudges
    await run_tick(ctx, london(2023, 12, 1, 9, 5))
    (queued,) = await outbox_rows(ctx, prefix="test:")
    assert queued.state == "cancelled" and "deactivated" in (queued.error or "")
    await run_tick(ctx, london(2023, 12, 8, 10, 0))
    await run_tick(ctx, london(2023, 12, 14, 10, 0))
    reminded = {r.target for r in await outbox_rows(ctx, prefix="meeting:1:remind:")}
    assert reminded and person_target(nadia.id) not in reminded
    assert not await outbox_rows(ctx, prefix="action:1:nudge:")
    # nor can new work be given to her; her history stays
    assert "Nadia Rahman is deactivated" in await refused(
        members, SAM, 'action add "More" owner:@nadia due:12/01/2024'
    )
    assert "Nadia Rahman" in await text_of(members, SAM, "actions @nadia")
    assert "Nadia Rahman (deactivated)" in await text_of(members, SAM, "group attendance")
    assert "Nadia" not in await text_of(members, SAM, "people attendance")
    # reactivated, she is back
    await members.ok(ALEX, "person reactivate @nadia")
    assert "You are Nadia Rahman" in await text_of(members, "nadia@nhs.net", "whoami")
    async with ctx.db.session() as session:
        logged = await audit.entries(session, object_kind="person", object_id=nadia.id)
    assert [e.command for e in logged] == ["person reactivate", "person deactivate"]


async def test_a_task_and_finish_groups_reminders_stop_after_its_end_date(
    members: Asker,
) -> None:
    ctx = members.ctx
    # Kate chairs transition; staff may set its kind too (group settings: chair, officer, staff)
    set_kind = await text_of(
        members, KATE, 'group transition kind:"task and finish" ends:"22/12/2023"'
    )
    assert "kind: task-and-finish group; ends: Fri 22 Dec 2023" in set_kind
    assert "Runs until: Fri 22 Dec 2023" in await text_of(members, JO, "group transition")
    assert "Only a task-and-finish group has an end date" in await refused(
        members, ALEX, "group board ends:31/07/2024"
    )
    assert "needs its end date" in await refused(
        members, ALEX, 'group attendance kind:"task-and-finish group"'
    )
    assert "'committee' is not a kind of group" in await refused(
        members, ALEX, "group attendance kind:committee"
    )
    await members.ok(SAM, 'meeting add "Before" group:transition on:"15/12/2023 10:00"')
    await members.ok(SAM, 'meeting add "After" group:transition on:"12/01/2024 10:00"')
    await members.ok(SAM, 'action add "Late" owner:@ruth due:10/01/2024 group:transition')
    await run_tick(ctx, london(2023, 12, 14, 10, 0))
    assert len(await outbox_rows(ctx, prefix="meeting:1:remind:P1D:")) == 4
    for day in (8, 9, 10, 11):
        await run_tick(ctx, london(2024, 1, day, 10, 0))
    assert not await outbox_rows(ctx, prefix="meeting:2:")
    assert not await outbox_rows(ctx, prefix="action:1:nudge:")
    assert not await outbox_rows(ctx, prefix="action-digest:")
    ended = await text_of(members, JO, "group transition")
    assert "Ended: Fri 22 Dec 2023" in ended
    # set back to no end date, the next reminder is planned again
    await members.ok(KATE, "group transition ends:none")
    await run_tick(ctx, london(2024, 1, 11, 10, 5))
    assert len(await outbox_rows(ctx, prefix="meeting:2:remind:P1D:")) == 4


async def test_who_is_the_head_of_hillside_in_plain_english(members: Asker) -> None:
    reply = await members.ok(LUCY, "who is the head of Hillside?")
    text = render_text(reply)
    assert "people hillside role:head" in text  # the reply says how it was read
    (table,) = [e for e in reply.elements if hasattr(e, "rows")]
    assert [row[0] for row in table.rows] == ["Jo Bloggs"]
    works = await members.ok(JO, "who works at Sheffield Hallam University?")
    (table,) = [e for e in works.elements if hasattr(e, "rows")]
    assert [row[0] for row in table.rows] == ["Priya Nair"]


async def test_adding_someone_to_a_group_in_plain_english_is_only_proposed(
    members: Asker,
) -> None:
    reply = await members.ok(ANDREW, "add Lucy to the attendance group as vice chair")
    text = render_text(reply)
    assert "group add attendance @lucy role:vice-chair" in str(reply.to_dict())
    assert "Lucy Hall" not in await text_of(members, JO, "people group:attendance")  # not yet
    assert "group add attendance @lucy" in text  # the proposal names the command
    # saying yes (the button's command) adds her as vice-chair
    done = await text_of(members, ANDREW, "group add attendance @lucy role:vice-chair")
    assert done == "Added Lucy Hall to attendance as vice-chair."
