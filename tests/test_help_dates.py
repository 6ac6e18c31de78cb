"""Examples are shown with dates after today (found by the new-user trial: `help meetings` in
2026 suggested booking a meeting on 15/12/2023). The registry keeps the examples as written
for Fri 1 Dec 2023 (the design's replay); only what is shown moves (bot.registry.shown_example)."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from bot.render.text import render_text
from bot.terms import default_calendar
from tests.conftest import Asker, london

ALEX = "alex@learnsheffield.co.uk"  # an admin: every command's help is open to her
UK_DATE = re.compile(r"\b(\d{2})/(\d{2})/(\d{4})\b|(?<=:)(\d{4})-(\d{2})-(\d{2})\b")


def dates_in(text: str) -> list[date]:
    found = []
    for m in UK_DATE.finditer(text):
        if m[1]:
            found.append(date(int(m[3]), int(m[2]), int(m[1])))
        else:
            found.append(date(int(m[4]), int(m[5]), int(m[6])))
    return found


async def every_help(ask: Asker) -> dict[str, str]:
    """`help`, `help <topic>` and `help <command>`, as the admin reads them."""
    registry = ask.ctx.router.registry
    asked = [
        "help",
        *(f"help {t}" for t in registry.topics),
        *(f"help {c}" for c in registry.commands),
    ]
    return {text: render_text(await ask.ok(ALEX, text)) for text in asked}


@pytest.mark.parametrize(
    "now",
    [london(2026, 11, 30, 9, 0), london(2023, 12, 20, 9, 0)],  # a Monday; the Christmas holiday
    ids=["2026", "december-2023-holiday"],
)
async def test_help_shows_example_dates_after_today_on_school_days(
    ask: Asker, now: datetime
) -> None:
    ask.ctx.clock.set(now)  # type: ignore[attr-defined]
    cal = default_calendar()
    shown = await every_help(ask)
    meetings = shown["help meetings"]
    assert "meeting add" in meetings and dates_in(meetings), meetings
    for asked, text in shown.items():
        for day in dates_in(text):
            assert day > now.date(), f"{asked}: {day} is not after {now.date()}:\n{text}"
            assert cal.is_school_day(day), f"{asked}: {day} is not a school day"
    if now.year == 2026:
        assert not any("2023" in re.sub(r"\b2023/24\b", "", t) for t in shown.values())


async def test_on_the_day_the_examples_were_written_they_are_shown_as_written(
    ask: Asker,
) -> None:
    text = render_text(await ask.ok(ALEX, "help meeting add"))  # the fixture's Fri 1 Dec 2023
    assert 'on:"15/12/2023 10:00"' in text


async def test_form_placeholders_and_hints_show_dates_after_today(ask: Asker) -> None:
    ask.ctx.clock.set(london(2026, 11, 30, 9, 0))  # type: ignore[attr-defined]
    for command in ("minutes", "action snooze"):
        form = (await ask(ALEX, f"form {command}")).form
        assert form is not None, command
        shown = " ".join(f"{f.placeholder or ''} {f.hint or ''}" for f in form.fields)
        assert dates_in(shown), shown
        assert all(d > date(2026, 11, 30) for d in dates_in(shown)), shown
