"""Action commands as people use them: the DESIGN.md examples, lists, history, export, and
who may change what."""

from __future__ import annotations

import csv
import io
import re

from bot.render.text import render_text
from bot.reply import File, Form
from storage.actions import history
from tests.conftest import Asker, outbox_rows

DAN = "dan@sheffield.gov.uk"  # chair of attendance
JO = "jo@hillside.sch.uk"  # head, member of attendance
SAM = "sam@learnsheffield.co.uk"  # staff (officer of attendance)
ALEX = "alex@learnsheffield.co.uk"  # admin
PRIYA = "priya@parkwood.sch.uk"  # member of attendance
TOM = "tom@riverside.sch.uk"  # head, not in attendance
ADD = 'action add "Circulate PA figures to heads" owner:@jo due:12/01/2024 group:attendance'


async def add(ask: Asker, text: str = ADD, who: str = DAN) -> int:
    reply = await ask.ok(who, text)
    assert "#" in reply.text
    return int(reply.text.split("#", 1)[1].split()[0])


async def test_design_examples_work_as_written(ask: Asker) -> None:
    for _ in range(6):
        await add(ask, 'action add "Warm-up" owner:@jo due:15/12/2023 group:attendance')
    added = await ask.ok(DAN, ADD)
    assert added.text.startswith("Added action #7 for Jo Bloggs, due Fri 12 Jan 2024")
    mine = render_text(await ask.ok(JO, "actions"))
    assert "Circulate PA figures to heads" in mine and "#7" in mine
    group = render_text(await ask.ok(PRIYA, "actions group:attendance"))
    assert "#7" in group and "Jo Bloggs" in group
    assert "snoozed" in (await ask.ok(JO, "action snooze 7 1w")).text
    assert "Sam Patel" in (await ask.ok(JO, "action reassign 7 @sam")).text
    assert "done" in (await ask.ok(SAM, "action done 7")).text
    assert "#7" not in render_text(await ask.ok(SAM, "actions"))  # done drops off the open list


async def test_my_actions_put_overdue_first(ask: Asker) -> None:
    later = await add(ask, 'action add "Later" owner:@jo due:20/12/2023 group:attendance')
    late = await add(ask, 'action add "Late" owner:@jo due:28/11/2023 group:attendance')
    soon = await add(ask, 'action add "Soon" owner:@jo due:04/12/2023 group:attendance')
    reply = await ask.ok(JO, "actions")
    table = next(e for e in reply.elements if hasattr(e, "rows"))
    assert [row[0] for row in table.rows] == [f"#{late}", f"#{soon}", f"#{later}"]
    assert table.rows[0][-1] == "overdue 3 days"
    assert "1 overdue" in reply.text
    overdue = render_text(await ask.ok(PRIYA, "actions overdue"))
    assert "Late" in overdue and "Soon" not in overdue


async def test_action_shows_history_with_who_and_notes(ask: Asker) -> None:
    action_id = await add(ask)
    await ask.ok(JO, f'action note {action_id} "Primary figures sent"')
    await ask.ok(DAN, f"action snooze {action_id} 3d")
    text = render_text(await ask.ok(PRIYA, f"action {action_id}"))
    assert "Dan Cooper  added it" in text
    assert "Jo Bloggs   note: Primary figures sent" in text
    assert "snoozed it: until Mon 4 Dec 2023" in text
    # when each change happened, in UK style with the weekday ("Fri 1 Dec 2023, 09:00")
    assert re.search(
        r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2} 20\d\d, \d\d:\d\d", text
    )


async def test_note_without_text_offers_a_form(ask: Asker) -> None:
    action_id = await add(ask)
    reply = await ask.ok(JO, f"action note {action_id}")
    form = reply.form
    assert isinstance(form, Form)
    assert form.to_command({"note": "On track"}) == f'action note {action_id} "On track"'


async def test_drop_and_reopen_keep_the_history(ask: Asker) -> None:
    action_id = await add(ask)
    await ask.ok(JO, f'action drop {action_id} "Superseded"')
    again = await ask(JO, f"action done {action_id}")
    assert again.error and "already dropped" in again.text
    await ask.ok(DAN, f"action reopen {action_id}")
    text = render_text(await ask.ok(JO, f"action {action_id}"))
    assert "dropped it: Superseded" in text and "reopened it" in text


async def test_moving_the_due_date_into_the_past_is_kept_but_said(ask: Asker) -> None:
    """Clock: Fri 1 Dec 2023. A late date may be recorded, but the owner is told it is past."""
    action_id = await add(ask)
    past = await ask.ok(JO, f"action due {action_id} 20/11/2023")
    assert "now due Mon 20 Nov 2023" in past.text and "already past" in past.text
    assert "overdue" in render_text(await ask.ok(JO, "actions"))
    ahead = await ask.ok(JO, f"action due {action_id} 19/01/2024")
    assert "now due Fri 19 Jan 2024" in ahead.text and "past" not in ahead.text


async def test_bad_input_is_explained_and_nothing_is_saved(ask: Asker) -> None:
    cases = [
        ('action add "X" owner:@nobody due:12/01/2024 group:attendance', "No one called"),
        ('action add "X" owner:@jo due:31/02/2024 group:attendance', "February 2024 has 29"),
        ('action add "X" owner:@jo due:12/01/2024 group:atendance', "attendance"),
        ("action snooze 1 soon", "soon"),
        ("action done seven", "not an action number"),
        ("action frob 1", "action done"),
    ]
    await add(ask)
    for text, expected in cases:
        reply = await ask(DAN, text)
        assert reply.error, text
        assert expected in reply.text, (text, reply.text)
        assert "Example:" in reply.text, text
    # a missing due date is asked for: the form, with what was typed kept
    asked = await ask(DAN, 'action add "X" owner:@jo group:attendance')
    assert asked.form is not None and not asked.error and "Still needed: Due" in asked.text
    kept = {f.name: f.value for f in asked.form.fields}
    assert kept["text"] == "X" and kept["group"] == "attendance" and kept["due"] is None
    assert kept["owner"] == JO  # @jo, as the people picker's value
    listed = render_text(await ask.ok(DAN, "actions group:attendance"))
    assert listed.count("Circulate") == 1


async def test_adding_for_someone_else_tells_them_through_the_outbox(ask: Asker) -> None:
    action_id = await add(ask)
    rows = await outbox_rows(ask.ctx, prefix=f"action:{action_id}:assigned:")
    assert len(rows) == 1 and rows[0].target.startswith("person:")
    await ask.ok(DAN, f"action reassign {action_id} @priya")
    assert len(await outbox_rows(ask.ctx, prefix=f"action:{action_id}:assigned:")) == 2


async def test_export_is_a_csv_safe_for_spreadsheets(ask: Asker) -> None:
    await add(ask)
    await add(
        ask, 'action add "=HYPERLINK(\\"http://x\\")" owner:@jo due:12/01/2024 group:attendance'
    )
    await add(ask, 'action add "-1 pupils" owner:@jo due:12/01/2024 group:attendance')
    reply = await ask.ok(JO, "actions group:attendance export")
    file = next(e for e in reply.elements if isinstance(e, File))
    assert file.mime == "text/csv" and file.name.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(file.content)))
    assert [r["action"] for r in rows] == [
        "Circulate PA figures to heads",
        '\'=HYPERLINK("http://x")',
        "'-1 pupils",
    ]
    assert rows[0]["owner"] == "Jo Bloggs" and rows[0]["due"] == "2024-01-12"


async def test_group_lists_and_reads_are_for_members(ask: Asker) -> None:
    action_id = await add(ask)
    assert (await ask(TOM, "actions group:attendance")).error
    hidden = await ask(TOM, f"action {action_id}")
    assert hidden.error and "that you can see" in hidden.text
    assert not (await ask(PRIYA, f"action {action_id}")).error
    assert not (await ask(ALEX, f"action {action_id}")).error
    outsider = await ask(TOM, 'action add "X" owner:@jo due:12/01/2024 group:attendance')
    assert outsider.error
    assert "Circulate" in render_text(await ask.ok(PRIYA, "actions @jo"))
    assert "Circulate" not in render_text(await ask.ok(TOM, "actions @jo"))


CHANGES = [
    "action done {id}",
    "action snooze {id} 1w",
    "action reassign {id} @omar",
    'action note {id} "progress"',
    'action drop {id} "Not needed"',
    "action due {id} 19/01/2024",
]
# who tries, and whether they may: owner, chair, staff, admin may; members only read
MATRIX = [(JO, True), (DAN, True), (SAM, True), (ALEX, True), (PRIYA, False), (TOM, False)]


async def test_permission_matrix_for_changes(ask: Asker) -> None:
    for command in CHANGES:
        shared = await add(ask)  # denied attempts must leave it untouched, so they can share it
        for email, allowed in MATRIX:
            action_id = await add(ask) if allowed else shared
            reply = await ask(email, command.format(id=action_id))
            assert reply.error is not allowed, (email, command, reply.text)
            async with ask.ctx.db.session() as session:
                kinds = [e.kind for e in await history(session, action_id)]
            assert (len(kinds) > 1) is allowed, (email, command, kinds)


async def test_an_action_for_a_meeting_that_does_not_exist_is_refused(ask: Asker) -> None:
    missing = await ask(JO, 'action add "Xylophone" due:12/01/2027 meeting:99999')
    assert missing.error and "no meeting #99999" in missing.text and "Example:" in missing.text
    assert missing.error_field == "meeting"
    assert "Xylophone" not in render_text(await ask.ok(JO, "actions"))  # nothing saved
    await ask.ok(
        SAM, 'meeting add "Attendance working group" group:attendance on:"15/12/2023 10:00"'
    )
    added = await ask.ok(JO, 'action add "Xylophone" due:12/01/2027 meeting:1')
    assert "Added action #1" in added.text
