"""ACTION lines in minutes: owners by handle, email or full name; dates in UK order or words;
lines that can't be read are reported with why, and nothing is guessed."""

from __future__ import annotations

from datetime import date

import pytest

from bot.app import BotContext
from bot.registry import MINUTES_RECORDED, Registry
from bot.render.text import render_text
from bot.reply import Reply
from bot.services import Request
from handlers.actions.minutes import action_segments, read_action_line
from storage.directory import group_by_name, person_by_email
from storage.system import term_calendar
from tests.conftest import LONDON, Asker, london

NOW = london(2023, 12, 1, 9, 0)  # a Friday in the autumn term (ends Wed 20 Dec)

# line, owner email (None: not read), text, due, or the problem's words
CASES: list[tuple[str, str | None, str, date | None]] = [
    (
        "ACTION: @jo circulate PA figures by 12/01/2024",
        "jo@hillside.sch.uk",
        "Circulate PA figures",
        date(2024, 1, 12),
    ),
    (
        "Action - sam@learnsheffield.co.uk to share the draft consultation by 2024-01-05",
        "sam@learnsheffield.co.uk",
        "Share the draft consultation",
        date(2024, 1, 5),
    ),
    (
        "ACTION: Dan Cooper will bring something back to the working group by end of term",
        "dan@sheffield.gov.uk",
        "Bring something back to the working group",
        date(2023, 12, 20),
    ),
    (
        "  - action: Priya chase the core cities data by next Friday.",
        "priya@parkwood.sch.uk",
        "Chase the core cities data",
        date(2023, 12, 8),
    ),
    (
        "ACTION: write to heads about due dates - @omar by the end of term",
        "omar@meadowbank.sch.uk",
        "Write to heads about due dates",
        date(2023, 12, 20),
    ),
    ("ACTION: @nobody circulate PA figures by 12/01/2024", None, "No one called @nobody", None),
    ("ACTION: circulate PA figures by 12/01/2024", None, "no owner", None),
    ("ACTION: @jo circulate PA figures", None, "no due date", None),
    ("ACTION: @jo circulate PA figures by 31/02/2024", None, "February 2024 has 29 days", None),
    ("ACTION: @jo by 12/01/2024", None, "what should Jo do", None),
    ("ACTION: @jo circulate PA figures by the twelfth of never", None, "can't read", None),
]


async def test_action_lines_table(ask: Asker) -> None:
    problems = []
    async with ask.ctx.db.session() as session:
        terms = await term_calendar(session, "england")  # Autumn 2023 ends Wed 20 Dec
        for line, email, expected, due in CASES:
            read = await read_action_line(session, line, now=NOW, tz=LONDON, terms=terms)
            assert read is not None, line
            if email is None:
                if read.owner is not None and read.due is not None and not read.problem:
                    problems.append(f"{line!r} was read, but should be reported")
                elif expected not in (read.problem or ""):
                    problems.append(f"{line!r}: problem {read.problem!r}, wanted {expected!r}")
                continue
            got = (read.owner.email if read.owner else None, read.text, read.due)
            if got != (email, expected, due) or read.problem:
                problems.append(
                    f"{line!r}: read {got} ({read.problem}), wanted {email, expected, due}"
                )
        not_actions = ["Attendance: discussed PA figures", "Agreed actions below", ""]
        for line in not_actions:
            if await read_action_line(session, line, now=NOW, tz=LONDON, terms=terms) is not None:
                problems.append(f"{line!r} is not an ACTION line")
    assert not problems, "\n".join(problems)


async def capture(ctx: BotContext, text: str) -> Reply:
    """What the meetings domain does for `minutes 3 "..."`: emit the event in its session."""
    async with ctx.db.session() as session:
        actor = await person_by_email(session, "dan@sheffield.gov.uk")
        assert actor is not None
        group = await group_by_name(session, "attendance")
        svc = ctx.router.services(session)
        req = Request(text="minutes 3 ...", actor=actor, door="cli", now=NOW)
        assert svc.registry is not None
        elements = await svc.registry.emit(
            MINUTES_RECORDED, req, svc, meeting_id=3, group_id=group.id, text=text
        )
    return Reply(text="Minutes saved.", elements=elements)


async def test_minutes_capture_links_actions_and_reports_unread_lines(ask: Asker) -> None:
    minutes = "\n".join(
        [
            "Persistent absence: core cities comparison discussed.",
            "ACTION: @jo circulate PA figures by 12/01/2024",
            "ACTION: circulate the letter by Friday",
            "ACTION: Sam Patel draft the attendance letter by next Friday",
        ]
    )
    text = render_text(await capture(ask.ctx, minutes))
    assert "Actions captured (2)" in text
    assert "action #1: Jo Bloggs: Circulate PA figures (due Fri 12 Jan 2024)" in text
    assert "action #2: Sam Patel: Draft the attendance letter (due Fri 8 Dec 2023)" in text
    assert "could not read (1)" in text and "Line 3:" in text and "no owner" in text
    shown = render_text(await ask.ok("priya@parkwood.sch.uk", "action 1"))
    assert "Meeting: #3" in shown and "Attendance priority sub-group" in shown
    assert "from the minutes of meeting #3" in shown
    assert await capture(ask.ctx, "No actions this time.") == Reply(text="Minutes saved.")


def test_one_line_minutes_split_at_each_action() -> None:
    text = (
        "Discussed PA. ACTION: @jo circulate PA figures by 12/01/2024. "
        "ACTION: @sam draft the letter by next Friday\nNo action: none needed here"
    )
    assert action_segments(text) == [
        (1, "ACTION: @jo circulate PA figures by 12/01/2024."),
        (1, "ACTION: @sam draft the letter by next Friday"),
    ]


async def test_a_misspelt_event_fails_at_once_rather_than_losing_the_reaction(ask: Asker) -> None:
    """A listener or an emit under a name not in bot.registry.EVENTS is refused; the router's
    registry has the actions domain listening for minutes."""
    registry = Registry()

    async def listener(req: Request, svc: object, **data: object) -> list:
        return []

    with pytest.raises(ValueError, match="unknown event 'minutes.saved'"):
        registry.listen("minutes.saved", listener)
    async with ask.ctx.db.session() as session:
        svc = ask.ctx.router.services(session)
        with pytest.raises(ValueError, match="unknown event"):
            await registry.emit("minute.recorded", None, svc)  # type: ignore[arg-type]
    assert ask.ctx.router.registry.listeners[MINUTES_RECORDED]
