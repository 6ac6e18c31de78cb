"""The term calendar in chat: listing, importing (staff), and termly repeats."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import UserError
from bot.render.text import render_text
from tests.conftest import Asker

SAM = "sam@learnsheffield.co.uk"
JO = "jo@hillside.sch.uk"


async def test_terms_lists_this_year_and_next(ask: Asker) -> None:
    text = render_text(await ask.ok(JO, "terms"))
    assert "Autumn 2023" in text and "Summer 2025" in text and "Autumn 2025" not in text
    assert "End of term: Fri 22 Dec 2023" in text  # Sheffield, the default
    assert "Next half term: Mon 12 Feb 2024" in text


async def test_terms_import_is_for_staff_and_replaces_the_calendar(
    ask: Asker, tmp_path: Path
) -> None:
    csv = tmp_path / "terms.csv"
    csv.write_text(
        "name,start,end,kind\n"
        "Autumn 2023,2023-09-04,2023-12-15,term\n"
        "INSET day,2023-12-08,2023-12-08,inset\n"
        "Spring 2024,2024-01-03,2024-03-28,term\n"
        "Summer 2024,2024-04-15,2024-07-23,term\n"
    )
    denied = await ask(JO, f"terms import {csv}")
    assert denied.error
    bad = tmp_path / "bad.csv"
    bad.write_text("name,start,end,kind\nAutumn,2023-09-04,2023-12-15,termtime\n")
    assert "kind" in (await ask(SAM, f"terms import {bad}")).text
    done = await ask.ok(SAM, f"terms import {csv}")
    assert "Imported 4 term calendar rows" in done.text
    assert "End of term: Fri 15 Dec 2023" in render_text(await ask.ok(JO, "terms"))
    inset = await ask(SAM, 'meeting add "X" group:attendance on:"08/12/2023 10:00"')
    assert inset.error and "INSET day" in inset.text


async def test_termly_meetings_fall_on_the_first_friday_of_each_term(ask: Asker) -> None:
    reply = await ask.ok(
        SAM,
        'meeting add "Partnership board" group:board on:"08/09/2023 14:00" for:2h '
        "every:term count:4",
    )
    text = render_text(reply)
    for day in ("Fri 8 Sep 2023", "Fri 12 Jan 2024", "Fri 19 Apr 2024", "Fri 6 Sep 2024"):
        assert f"{day}, 14:00-16:00" in text
    card = render_text(await ask.ok(SAM, "meeting 2"))
    assert "Repeats: every term (series #1)" in card


async def test_a_file_without_terms_is_refused_by_chat_and_by_the_cli_alike(
    ask: Asker, tmp_path: Path
) -> None:
    from handlers.terms import import_terms_file

    holidays = tmp_path / "holidays.csv"
    holidays.write_text("name,start,end,kind\nChristmas,2023-12-21,2024-01-02,holiday\n")
    chat = await ask(SAM, f"terms import {holidays}")
    assert chat.error and "no rows of kind `term`" in chat.text and "Example:" in chat.text
    with pytest.raises(UserError) as refused:
        async with ask.ctx.db.session() as session:
            await import_terms_file(session, str(holidays))
    assert "no rows of kind `term`" in refused.value.message
    assert refused.value.example and "import terms" in refused.value.example
    # the calendar is as it was: Sheffield's Autumn 2023 still ends on Fri 22 December
    assert "End of term: Fri 22 Dec 2023" in render_text(await ask.ok(JO, "terms"))


async def test_terms_import_date_format_hint_agrees_with_itself_years_later(ask: Asker) -> None:
    """The hint's date-format example is a format, not a date to use: moving it with the clock
    (as command examples are) printed "08/01/2030 (5 January)" on 29 Nov 2026."""
    from datetime import UTC, datetime

    from bot.clock import FixedClock

    clock = ask.ctx.clock
    assert isinstance(clock, FixedClock)
    clock.set(datetime(2026, 11, 29, 9, 0, tzinfo=UTC))
    text = render_text(await ask(SAM, "terms import"))
    assert "05/01/2027 (5 January) or 2027-01-05" in text


@pytest.mark.parametrize(
    ("command", "option"),
    [
        ('consultation add "Survey" closes:zz audience:board', "closes"),
        ('consultation add "Survey" closes:"end of term" opens:zz audience:board', "opens"),
        ('meeting add "X" group:attendance on:zz', "on"),
    ],
)
async def test_an_unreadable_date_is_answered_with_an_example_of_the_same_option(
    ask: Asker, command: str, option: str
) -> None:
    """`closes:zz` was answered with an `on:"..."` example, which consultation add refuses."""
    reply = await ask(SAM, command)
    assert reply.error and "I can't read 'zz' as a date." in reply.text
    assert f'Example: {option}:"15/12/2023 10:00"' in render_text(reply)
