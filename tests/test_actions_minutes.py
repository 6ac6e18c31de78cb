"""Minutes as people write them, through the router: every action line style (ACTION:, Action -
SB/AJ:, Actions agreed: with bullets or numbers, several in one paragraph, "Jo to ..." and
"Priya will ..." in the prose, seed 001's own wording and its whole page), owners by handle,
email, full name, first name or initials among the meeting's group, due dates in every form
and "ahead of the next meeting"; what is created, what is reported unread, and that nothing is
saved before the organiser confirms.
"""

from __future__ import annotations

import html
import json
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.render.text import render_text
from bot.reply import quote
from storage.actions import Action
from storage.directory import person_by_email
from storage.meeting_record import MinutesDraft
from storage.meetings import Meeting
from storage.outbox import OutboxMessage
from tests.conftest import Asker, web_client

STELLA = "stella@learnsheffield.co.uk"  # chairs the design working group
ADMIN = "alex@learnsheffield.co.uk"
# seed 001 (the working group's notes of 23 Nov 2023), copied from the design's source documents
SEED_001 = Path(__file__).parent / "data" / "seed_001_working_group_notes.txt"

JO, PRIYA, MARK = "jo@hillside.sch.uk", "priya@parkwood.sch.uk", "mark@northernlights.org.uk"
LUCY, KATE, BEN = "lucy@sheffcol.ac.uk", "kate@northernlights.org.uk", "ben@crookesvalley.sch.uk"
RACHEL, EVIE, ANDREW = (
    "rachel@sheffield.gov.uk",
    "evie@learnsheffield.co.uk",
    "andrew@sheffield.gov.uk",
)

# The meeting is Thu 23 Nov 2023 (seed 001's date), the group's next one Fri 15 Dec 2023; the
# design group's default for an action with no date is 2w after the meeting: Thu 7 Dec 2023.
DEFAULT = date(2023, 12, 7)
AHEAD = date(2023, 12, 14)  # "ahead of the next meeting": the working day before it
TERM_END = date(2023, 12, 22)  # Sheffield's autumn term 2023 ends Fri 22 Dec

# minutes, then either the actions created [(owner, text, due)] or the problem reported
CASES: list[tuple[str, list[tuple[str, str, date]] | str]] = [
    (
        "ACTION: @jo circulate PA figures by 12/01/2024",
        [(JO, "Circulate PA figures", date(2024, 1, 12))],
    ),
    (
        "Action - SB/AJ: draft paper (end of Nov)",
        [(STELLA, "Draft paper", date(2023, 11, 30)), (ANDREW, "Draft paper", date(2023, 11, 30))],
    ),
    (
        "Action \u2013 SB: bring the consultation back ahead of the next meeting",
        [(STELLA, "Bring the consultation back", AHEAD)],
    ),
    (  # seed 001's own action, as it is written there
        "SB will share a draft consultation ahead of the next meeting so that colleagues can "
        "consider and feedback at the meeting in December.",
        [
            (
                STELLA,
                "Share a draft consultation so that colleagues can consider and feedback at "
                "the meeting in December",
                AHEAD,
            )
        ],
    ),
    ("Jo to circulate the letter by Friday.", [(JO, "Circulate the letter", date(2023, 11, 24))]),
    (
        "Priya will chase the core cities data by end of term",
        [(PRIYA, "Chase the core cities data", TERM_END)],
    ),
    (
        "ACTION: Priya Shah to send the figures by the next meeting",
        [(PRIYA, "Send the figures", date(2023, 12, 15))],
    ),
    (
        "ACTION: Stella Barnes and Jo Bloggs to meet the LA by end of next week",
        [(STELLA, "Meet the LA", date(2023, 12, 1)), (JO, "Meet the LA", date(2023, 12, 1))],
    ),
    (
        "ACTION: write to heads about due dates - @mark by the end of term",
        [(MARK, "Write to heads about due dates", TERM_END)],
    ),
    ("ACTION: @kate map the trust data", [(KATE, "Map the trust data", DEFAULT)]),
    (
        "Action: draft the terms of reference (EP) before half term",
        [(EVIE, "Draft the terms of reference", TERM_END)],
    ),
    (
        "ACTION: Lucy: contact Sheffield College by 08/12/2023",
        [(LUCY, "Contact Sheffield College", date(2023, 12, 8))],
    ),
    (
        "ACTION: Rachel - share LA attendance team contacts by 2023-12-04",
        [(RACHEL, "Share LA attendance team contacts", date(2023, 12, 4))],
    ),
    (
        "ACTION: mark@northernlights.org.uk to brief trust CEOs by 1 December",
        [(MARK, "Brief trust CEOs", date(2023, 12, 1))],
    ),
    (
        "ACTION: Kate will circulate the slides by end of November",
        [(KATE, "Circulate the slides", date(2023, 11, 30))],
    ),
    (
        "Actions agreed:\n- Jo to share the figures by 18/12/2026\n- Priya \u2013 visit Parkwood",
        [(JO, "Share the figures", date(2026, 12, 18)), (PRIYA, "Visit Parkwood", DEFAULT)],
    ),
    (
        "Actions:\n1. Mark to brief the board by 15/12/2023\n2) Lucy will ask the college",
        [(MARK, "Brief the board", date(2023, 12, 15)), (LUCY, "Ask the college", DEFAULT)],
    ),
    (
        "Actions: Jo to share the figures by 18/12/2026. Priya to visit Parkwood.",
        [(JO, "Share the figures", date(2026, 12, 18)), (PRIYA, "Visit Parkwood", DEFAULT)],
    ),
    (
        "Actions agreed:\nKate to draft the MoU by end of term\nBen to check the data by "
        "8/12/2023\n\nDate of next meeting: Friday 15 December",
        [(KATE, "Draft the MoU", TERM_END), (BEN, "Check the data", date(2023, 12, 8))],
    ),
    (
        "Actions agreed:\n\n* SB/AJ: draft paper (end of Nov)\n\n* Rachel to book Albion House",
        [
            (STELLA, "Draft paper", date(2023, 11, 30)),
            (ANDREW, "Draft paper", date(2023, 11, 30)),
            (RACHEL, "Book Albion House", DEFAULT),
        ],
    ),
    (
        "Discussed PA. ACTION: @jo circulate PA figures by 12/01/2024. ACTION: @stella draft "
        "the letter by 08/12/2023",
        [
            (JO, "Circulate PA figures", date(2024, 1, 12)),
            (STELLA, "Draft the letter", date(2023, 12, 8)),
        ],
    ),
    (
        "ACTION: @jo circulate the figures by Friday. Include the core cities.",
        [(JO, "Circulate the figures. Include the core cities", date(2023, 11, 24))],
    ),
    (
        "It was agreed that Jo would circulate the figures by Friday.",
        [(JO, "Circulate the figures", date(2023, 11, 24))],
    ),
    (
        "The group agreed that SB/AJ will draft the consultation by end of term.",
        [
            (STELLA, "Draft the consultation", TERM_END),
            (ANDREW, "Draft the consultation", TERM_END),
        ],
    ),
    ("SB would like to bring something back to the working group.", []),  # seed 001: a wish
    ("SB welcomed all to the meeting, introductions were made.", []),
    ("The presentation will be shared with the circulation of the minutes.", []),
    ("Colleagues will look at the data by Friday.", []),
    ("ACTION: @nobody circulate PA figures by 12/01/2024", "No one called @nobody"),
    ("ACTION: circulate PA figures by 12/01/2024", "no owner"),
    ("ACTION: @jo circulate PA figures by 31/02/2024", "February 2024 has 29 days"),
    ("ACTION: @jo by 12/01/2024", "what should Jo do"),
    ("ACTION: @jo circulate PA figures by the twelfth of never", "can't read"),
    ("ACTION: LH to book the room", "LH could be Laura Hughes (@laura) or Lucy Hall (@lucy)"),
    ("LH will book the room by Friday.", "LH could be"),  # asked about in prose too
    ("ACTION: ZZ to phone the DfE by Friday", "initials ZZ"),
    # Helen is in the attendance sub-group, not this working group: not guessed
    ("ACTION: Helen to share the figures by 18/12/2026", "No one called Helen"),
    (
        "Actions agreed:\n- Jo to share the figures by 18/12/2026\n- Omar to visit Parkwood",
        "No one called Omar",  # one unread line: nothing is saved, not even Jo's
    ),
]


@pytest.fixture
async def meeting(ask: Asker) -> Asker:
    """Meeting #1 of the design working group on 23 Nov 2023 (seed 001's), #2 its next one;
    Andrew Jones (AJ) and Laura Hughes (a second LH beside Lucy Hall) join the group."""
    await ask.ok(
        ADMIN,
        'person add "Andrew Jones" email:andrew@sheffield.gov.uk role:member '
        'org:"Sheffield City Council" groups:design',
    )
    await ask.ok(
        ADMIN,
        'person add "Laura Hughes" email:laura@sheffield.gov.uk role:member '
        'org:"Sheffield City Council" groups:design',
    )
    await ask.ok(
        STELLA,
        'meeting add "Strategic Partnership Working Group" group:design '
        'on:"23/11/2023 11:00" until:13:00 place:"Albion House"',
    )
    await ask.ok(
        STELLA,
        'meeting add "Strategic Partnership Working Group" group:design '
        'on:"15/12/2023 10:00" until:12:00 place:"Albion House"',
    )
    return ask


async def _created(ask: Asker) -> list[tuple[str, str, date]]:
    async with ask.ctx.db.session() as session:
        rows = await session.scalars(select(Action).order_by(Action.id))
        return [(a.owner.email, a.text, a.due_on) for a in rows if a.meeting_id == 1]


async def test_minute_lines_table(meeting: Asker) -> None:
    assert len(CASES) >= 30
    wrong = []
    for text, expected in CASES:
        before = await _created(meeting)
        reply = await meeting(STELLA, f"minutes 1 {quote(text)} confirm:yes")
        made = (await _created(meeting))[len(before) :]
        shown = render_text(reply)
        if isinstance(expected, str):
            if not reply.error or expected not in shown or made:
                wrong.append(f"{text!r}: wanted unread {expected!r}, got {made} / {shown}")
        elif reply.error or made != expected:
            wrong.append(f"{text!r}:\n  created {made}\n  wanted  {expected}\n  {shown}")
    assert not wrong, "\n".join(wrong)


async def test_seed_001_whole_page_gives_its_one_action(meeting: Asker) -> None:
    """The whole page of minutes: its one action (SB, ahead of the next meeting) and no
    sentence of its prose mistaken for an action or reported as unread."""
    page = SEED_001.read_text(encoding="utf-8")
    preview = await meeting.ok(STELLA, f"minutes 1 {quote(page)}")
    text = render_text(preview)
    assert "Will create 1 action" in text and "could not read" not in text
    assert "Stella Barnes: Share a draft consultation" in text
    assert "due Thu 14 Dec 2023 (ahead of the next meeting, #2 on Fri 15 Dec 2023)" in text
    await meeting.ok(STELLA, preview.buttons[0].command)
    assert [(o, d) for o, _, d in await _created(meeting)] == [(STELLA, AHEAD)]


async def test_nothing_is_saved_before_the_organiser_confirms(meeting: Asker) -> None:
    minutes = "Actions agreed:\n- Jo to share the figures by 18/12/2026\n- Omar to visit Parkwood"
    preview = await meeting.ok(STELLA, f"minutes 1 {quote(minutes)}")

    async def counts() -> tuple[str | None, int, int, int]:
        async with meeting.ctx.db.session() as session:
            held = await session.get(Meeting, 1)
            actions = await session.scalar(select(func.count()).select_from(Action))
            sent = await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.key.like("action:%"))
            )
            drafts = await session.scalar(select(func.count()).select_from(MinutesDraft))
            return held.minutes if held else "gone", actions or 0, sent or 0, drafts or 0

    assert await counts() == (None, 0, 0, 1)  # only the draft the preview shows
    shown = render_text(preview)
    assert "Line 2: Jo Bloggs: Share the figures, due Fri 18 Dec 2026" in shown
    assert "Line 3: - Omar to visit Parkwood\n  No one called Omar" in shown
    assert [b.command for b in preview.buttons] == ["minutes 1 draft:1 fix", "meeting 1"]
    form = (await meeting.ok(STELLA, preview.buttons[0].command)).form  # Fix the lines
    assert form is not None and [f.name for f in form.fields] == ["line3"]
    assert form.fields[0].value == "- Omar to visit Parkwood"
    assert await counts() == (None, 0, 0, 1)
    # a fix that still does not read is refused by its field, and nothing changes
    still = await meeting(STELLA, form.to_command({"line3": "Omar to visit Parkwood"}))
    assert still.error and still.error_field == "line3" and "No one called Omar" in still.text
    # the form's submission, with the line fixed: Omar is not in the group, Priya is
    fixed = await meeting.ok(STELLA, form.to_command({"line3": "Priya to visit Parkwood"}))
    assert "Saved minutes for meeting #1" in fixed.text, render_text(fixed)
    saved, actions, sent, drafts = await counts()
    assert saved is not None and "- Priya to visit Parkwood" in saved
    assert (actions, sent, drafts) == (2, 2, 0)  # Jo and Priya are each told
    assert "Actions created (2)" in render_text(fixed)
    again = await meeting(STELLA, form.to_command({"line3": "x"}))
    assert again.error and "no draft 1" in again.text  # confirmed once only


async def test_confirm_yes_saves_at_once_only_when_every_line_was_read(meeting: Asker) -> None:
    bad = await meeting(
        STELLA, 'minutes 1 "ACTION: @jo circulate PA figures by 31/02/2024" confirm:yes'
    )
    assert bad.error and "Nothing saved: 1 action line(s)" in bad.text
    assert "February 2024 has 29 days" in bad.text
    good = await meeting.ok(STELLA, 'minutes 1 "ACTION: @jo circulate PA figures" confirm:yes')
    assert "Actions created (1)" in render_text(good)
    assert await _created(meeting) == [(JO, "Circulate PA figures", DEFAULT)]


async def test_no_date_uses_the_groups_default_and_says_so(meeting: Asker) -> None:
    await meeting.ok(STELLA, "group design action-due:3w")
    preview = render_text(await meeting.ok(STELLA, 'minutes 1 "ACTION: @jo map the data"'))
    assert (
        "Jo Bloggs: Map the data, due Thu 14 Dec 2023 (no date given: 3w after the meeting, the "
        "design group's default)" in preview
    )


async def test_the_next_meeting_must_be_booked_for_words_that_name_it(ask: Asker) -> None:
    await ask.ok(
        STELLA, 'meeting add "Working group" group:design on:"23/11/2023 11:00" until:13:00'
    )
    reply = render_text(
        await ask.ok(STELLA, 'minutes 1 "ACTION: @jo share the paper by the next meeting"')
    )
    assert "has no next meeting booked" in reply and "Fix the lines" in reply


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
async def test_the_web_chat_previews_fixes_and_saves_minutes(meeting: Asker) -> None:
    """The web door: the preview's HTML lists what will be created and the unread line; the
    Fix button's form, submitted as the page does, saves the minutes."""
    async with meeting.ctx.db.session() as session:
        stella = await person_by_email(session, STELLA)
    assert stella is not None
    async with web_client(meeting.ctx) as client:
        minutes = "Actions agreed:\n- Jo to share the figures by 18/12/2026\n- ZZ to book a room"
        preview = await (
            await client.post(
                "/api/web/command",
                json={"person_id": stella.id, "text": f"minutes 1 {quote(minutes)}"},
            )
        ).json()
        assert "Jo Bloggs: Share the figures, due Fri 18 Dec 2026" in preview["html"]
        assert "initials ZZ" in preview["html"] and "Fix the lines" in preview["html"]
        fix = await (
            await client.post(
                "/api/web/command", json={"person_id": stella.id, "text": "minutes 1 draft:1 fix"}
            )
        ).json()
        # the page sends back the form it was given (its data-form attribute)
        found = re.search(r'data-form="([^"]+)"', fix["html"])
        assert found, fix["html"]
        wire = json.loads(html.unescape(found[1]))
        assert [f["name"] for f in wire["fields"]] == ["line3"]
        saved = await (
            await client.post(
                "/api/web/form",
                json={
                    "person_id": stella.id,
                    "form": wire,
                    "values": {"line3": "- Rachel to book a room"},
                },
            )
        ).json()
        assert not saved["error"] and "Saved minutes for meeting #1" in saved["text"]
    assert [o for o, _, _ in await _created(meeting)] == [JO, RACHEL]


async def test_the_preview_warns_of_due_dates_past_today_or_before_the_meeting(
    meeting: Asker,
) -> None:
    """Minutes of Thu 23 Nov 2023 typed up on Fri 1 Dec 2023 (the fixture's clock): a date
    already past, today or before the meeting is a slip to catch before anything is saved."""
    minutes = (
        "Actions agreed:\n- Jo to share the figures by 28/11/2023\n"
        "- Priya to visit Parkwood by 20/11/2023\n- Stella to draft the paper by 12/01/2024\n"
        "- Andrew to check the returns by 01/12/2023"
    )
    preview = await meeting.ok(STELLA, f"minutes 1 {quote(minutes)}")
    shown = render_text(preview)
    assert "Will create 4 actions (3 with a due date to check)" in shown
    lines = {line.split(":")[0]: line for line in shown.splitlines() if line.startswith("Line ")}
    assert "Warning: due Tue 28 Nov 2023 is already past: check the date." in lines["Line 2"]
    assert (
        "Warning: due Mon 20 Nov 2023 is already past and before the meeting itself "
        "(Thu 23 Nov 2023): check the date." in lines["Line 3"]
    )
    assert "Warning" not in lines["Line 4"]  # Fri 12 Jan 2024
    assert "Warning: due today, Fri 1 Dec 2023: check the date." in lines["Line 5"]
    saved = render_text(await meeting.ok(STELLA, preview.buttons[0].command))
    assert "(due Tue 28 Nov 2023) That date has passed, so it is already overdue." in saved
    # minutes written ahead for the next meeting (Fri 15 Dec): a date before it is a slip too
    ahead = await meeting.ok(STELLA, 'minutes 2 "ACTION: @jo circulate PA figures by 08/12/2023"')
    assert (
        "Warning: due Fri 8 Dec 2023 is before the meeting itself (Fri 15 Dec 2023): check the "
        "date." in render_text(ahead)
    )
