"""Local times that do not exist or happen twice (issue 19): both clock changes of 2026 and 2027.

In England the clocks go forward at 01:00 GMT on the last Sunday of March (01:00-01:59 never
happens) and back at 02:00 BST on the last Sunday of October (01:00-01:59 happens twice). Every
`on:` / `until:` / `for:` / `closes:` / `opens:` is read by bot.dates.resolve_local, so each
command refuses a skipped time with the change and the nearest valid times, takes the first of a
repeated hour and says so (`confirm:later` for the second), and counts lengths in real hours.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.clock import FixedClock
from bot.dates import clock_changes, format_when, parse_instant, resolve_local
from bot.errors import UserError
from bot.terms import default_calendar
from storage.consultations import Consultation, ScheduledPost
from storage.meetings import Meeting
from storage.schedule_times import next_run
from tests.conftest import Asker

TZ = ZoneInfo("Europe/London")
SAM = "sam@learnsheffield.co.uk"
# the nights the clocks go forward (GMT -> BST at 01:00 UTC) and back (BST -> GMT at 01:00 UTC)
SPRING = ["29/03/2026", "28/03/2027"]
AUTUMN = ["25/10/2026", "31/10/2027"]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def day_of(text: str) -> tuple[int, int, int]:
    d, m, y = (int(p) for p in text.split("/"))
    return y, m, d


@pytest.fixture
def before_2026(ask: Asker) -> Asker:
    """The clock in January 2026, before all four changes."""
    assert isinstance(ask.ctx.clock, FixedClock)
    ask.ctx.clock.set(datetime(2026, 1, 5, 9, 0, tzinfo=TZ))
    return ask


def test_the_zone_changes_on_the_four_sundays_at_one_utc() -> None:
    changes = clock_changes(
        TZ, first=datetime(2026, 1, 1).date(), last=datetime(2027, 12, 31).date()
    )
    assert [c.at for c in changes] == [
        utc(2026, 3, 29, 1, 0),
        utc(2026, 10, 25, 1, 0),
        utc(2027, 3, 28, 1, 0),
        utc(2027, 10, 31, 1, 0),
    ]
    assert [(c.name_before, c.name_after) for c in changes] == [("GMT", "BST"), ("BST", "GMT")] * 2


@pytest.mark.parametrize("day", SPRING)
@pytest.mark.parametrize("clock", ["01:00", "01:30", "01:59"])
def test_a_skipped_time_is_refused_naming_the_change_and_the_nearest_times(
    day: str, clock: str
) -> None:
    with pytest.raises(UserError) as err:
        parse_instant(f"{day} {clock}", now=utc(2026, 1, 1), tz=TZ, option="on")
    message = str(err.value)
    assert f"on:{day} {clock} does not exist" in message
    assert "clocks go forward an hour at 01:00 GMT, straight to 02:00 BST" in message
    assert "nearest valid times are 00:59 GMT and 02:00 BST" in message
    assert f'Example: on:"{day} 02:00"' in message
    assert err.value.field == "on"


@pytest.mark.parametrize("day", SPRING)
def test_either_side_of_the_gap_is_an_ordinary_time(day: str) -> None:
    y, m, d = day_of(day)
    before, _ = parse_instant(f"{day} 00:59", now=utc(2026, 1, 1), tz=TZ)
    after, _ = parse_instant(f"{day} 02:00", now=utc(2026, 1, 1), tz=TZ)
    assert (before.at, before.note) == (utc(y, m, d, 0, 59), None)
    assert (after.at, after.note) == (utc(y, m, d, 1, 0), None)  # 02:00 BST
    assert after.at - before.at == timedelta(minutes=1)


@pytest.mark.parametrize("day", AUTUMN)
def test_a_repeated_time_is_the_first_unless_later_and_the_note_says_so(day: str) -> None:
    y, m, d = day_of(day)
    first, _ = parse_instant(f"{day} 01:30", now=utc(2026, 1, 1), tz=TZ)
    second, _ = parse_instant(f"{day} 01:30", now=utc(2026, 1, 1), tz=TZ, later=True)
    assert first.at == utc(y, m, d, 0, 30)  # 01:30 BST
    assert second.at == utc(y, m, d, 1, 30)  # 01:30 GMT
    assert first.note is not None and second.note is not None
    assert "01:30 happens twice" in first.note
    assert "I took the first, 01:30 BST (00:30 UTC)" in first.note
    assert "confirm:later for the second, 01:30 GMT" in first.note
    assert "I took the second, 01:30 GMT (01:30 UTC)" in second.note
    assert format_when(first.at, TZ).endswith("01:30 BST")
    assert format_when(second.at, TZ).endswith("01:30 GMT")
    # the hour after is not repeated
    after = resolve_local(datetime(y, m, d, 2, 0), TZ)
    assert (after.at, after.note) == (utc(y, m, d, 2, 0), None)


# --- every command inherits it (run on SQLite and PostgreSQL by the `ask` fixture) ---


async def _count(ask: Asker, model: type) -> int:
    async with ask.ctx.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _meeting(ask: Asker, meeting_id: int) -> Meeting:
    async with ask.ctx.db.session() as session:
        return await session.get_one(Meeting, meeting_id)


async def test_the_issue_example_is_refused_and_nothing_is_saved(before_2026: Asker) -> None:
    ask = before_2026
    ask.ctx.clock.set(datetime(2027, 3, 1, 9, 0, tzinfo=TZ))  # type: ignore[attr-defined]
    reply = await ask(SAM, 'meeting add "Gap" group:attendance on:"28/03/2027 01:30" confirm:yes')
    assert reply.error
    assert "on:28/03/2027 01:30 does not exist" in reply.text
    assert "00:59 GMT and 02:00 BST" in reply.text
    # the example names the real night (the router moves only the design's own examples)
    assert 'Example: on:"28/03/2027 02:00"' in reply.text
    assert await _count(ask, Meeting) == 0


@pytest.mark.parametrize("day", SPRING)
async def test_meeting_add_and_move_refuse_a_skipped_start_or_end(
    before_2026: Asker, day: str
) -> None:
    ask = before_2026
    gap = await ask(SAM, f'meeting add "Gap" group:attendance on:"{day} 01:15" confirm:yes')
    assert gap.error and "does not exist" in gap.text and "clocks go forward" in gap.text
    ends_in_gap = await ask(
        SAM, f'meeting add "Late" group:attendance on:"{day} 00:15" until:01:45 confirm:yes'
    )
    assert ends_in_gap.error and f"until:{day} 01:45 does not exist" in ends_in_gap.text
    assert await _count(ask, Meeting) == 0
    await ask.ok(SAM, 'meeting add "Board" group:attendance on:"05/03/2026 10:00"')
    moved = await ask(SAM, f'meeting move 1 on:"{day} 01:00" confirm:yes')
    assert moved.error and "nearest valid times are 00:59 GMT and 02:00 BST" in moved.text
    assert (await _meeting(ask, 1)).starts_at == utc(2026, 3, 5, 10, 0)


@pytest.mark.parametrize("day", SPRING)
async def test_a_meeting_across_the_spring_change_lasts_the_hours_that_pass(
    before_2026: Asker, day: str
) -> None:
    y, m, d = day_of(day)
    ask = before_2026
    added = await ask.ok(
        SAM, f'meeting add "Night" group:attendance on:"{day} 00:30" until:03:30 confirm:yes'
    )
    assert "00:30-03:30" in added.text
    for_two = await ask.ok(
        SAM, f'meeting add "Two" group:attendance on:"{day} 00:30" for:2h confirm:yes'
    )
    assert "00:30-03:30" in for_two.text  # two real hours: the clocks skip one
    one, two = await _meeting(ask, 1), await _meeting(ask, 2)
    assert one.starts_at == utc(y, m, d, 0, 30) and one.ends_at == utc(y, m, d, 2, 30)
    assert two.ends_at - two.starts_at == timedelta(hours=2)


@pytest.mark.parametrize("day", AUTUMN)
async def test_meeting_add_in_the_repeated_hour_takes_the_first_and_says_so(
    before_2026: Asker, day: str
) -> None:
    y, m, d = day_of(day)
    ask = before_2026
    first = await ask.ok(SAM, f'meeting add "Fold" group:attendance on:"{day} 01:30" confirm:yes')
    assert "01:30 happens twice" in first.text and "I took the first, 01:30 BST" in first.text
    assert "01:30 BST-01:30 GMT" in first.text  # an hour long; both ends named
    second = await ask.ok(
        SAM, f'meeting add "Fold" group:attendance on:"{day} 01:30" for:2h confirm:later'
    )
    assert "I took the second, 01:30 GMT" in second.text
    a, b = await _meeting(ask, 1), await _meeting(ask, 2)
    assert (a.starts_at, a.ends_at) == (utc(y, m, d, 0, 30), utc(y, m, d, 1, 30))
    assert (b.starts_at, b.ends_at) == (utc(y, m, d, 1, 30), utc(y, m, d, 3, 30))
    # a 00:30-03:00 meeting that night is three and a half hours long
    await ask.ok(
        SAM, f'meeting add "Long" group:attendance on:"{day} 00:30" until:03:00 confirm:yes'
    )
    long = await _meeting(ask, 3)
    assert long.ends_at - long.starts_at == timedelta(hours=3, minutes=30)
    # a move keeps the meeting's real length and reads the time alike
    moved = await ask.ok(SAM, f'meeting move 3 on:"{day} 01:00" confirm:later')
    assert "I took the second, 01:00 GMT" in moved.text
    long = await _meeting(ask, 3)
    assert long.starts_at == utc(y, m, d, 1, 0)
    assert long.ends_at - long.starts_at == timedelta(hours=3, minutes=30)


async def test_a_weekly_series_reads_each_repeat_like_a_typed_time(before_2026: Asker) -> None:
    """A weekly Sunday 01:30 series (confirmed) across 25 Oct 2026: that week's meeting is the
    first 01:30 and the reply says so; one across 28 Mar 2027 is refused at that week."""
    ask = before_2026
    autumn = await ask.ok(
        SAM,
        'meeting add "Night shift" group:attendance on:"18/10/2026 01:30" every:week count:3 '
        "confirm:yes",
    )
    assert "Sun 25 Oct 2026: the clocks go back" in autumn.text
    starts = [(await _meeting(ask, i)).starts_at for i in (1, 2, 3)]
    assert starts == [utc(2026, 10, 18, 0, 30), utc(2026, 10, 25, 0, 30), utc(2026, 11, 1, 1, 30)]
    spring = await ask(
        SAM,
        'meeting add "Night shift" group:attendance on:"21/03/2027 01:30" every:week count:3 '
        "confirm:yes",
    )
    assert spring.error and "on:28/03/2027 01:30 does not exist" in spring.text
    assert await _count(ask, Meeting) == 3


@pytest.mark.parametrize(("gap", "fold"), list(zip(SPRING, AUTUMN, strict=True)))
async def test_schedules_read_the_first_time_alike(before_2026: Asker, gap: str, fold: str) -> None:
    y, m, d = day_of(fold)
    ask = before_2026
    refused = await ask(SAM, f'schedule add "Night post" channel:board on:"{gap} 01:30"')
    assert refused.error and "clocks go forward" in refused.text
    assert await _count(ask, ScheduledPost) == 0
    later = await ask.ok(
        SAM,
        f'schedule add "Night post" channel:board on:"{fold} 01:30" every:week confirm:later '
        "term-time:no",
    )
    assert "I took the second, 01:30 GMT" in later.text
    assert f"next: {format_when(utc(y, m, d, 1, 30), TZ)}" in later.text
    async with ask.ctx.db.session() as session:
        post = await session.get_one(ScheduledPost, 1)
    assert post.first_at == utc(y, m, d, 1, 30)
    terms = default_calendar()
    assert next_run(post, now=utc(y, m, d, 0, 0), tz=TZ, terms=terms) == utc(y, m, d, 1, 30)
    after = next_run(post, now=utc(y, m, d, 2, 0), tz=TZ, terms=terms)
    assert after == utc(y, m, d, 1, 30) + timedelta(days=7)
    edited = await ask(SAM, f'schedule edit 1 on:"{gap} 01:05"')
    assert edited.error and "does not exist" in edited.text


@pytest.mark.parametrize(("gap", "fold"), list(zip(SPRING, AUTUMN, strict=True)))
async def test_consultations_read_closes_and_opens_alike(
    before_2026: Asker, gap: str, fold: str
) -> None:
    y, m, d = day_of(fold)
    ask = before_2026
    refused = await ask(SAM, f'consultation add "Design" closes:"{gap} 01:30" audience:board')
    assert refused.error and f"closes:{gap} 01:30 does not exist" in refused.text
    opens_refused = await ask(
        SAM, f'consultation add "Design" opens:"{gap} 01:30" closes:31/12/2027 audience:board'
    )
    assert opens_refused.error and f"opens:{gap} 01:30 does not exist" in opens_refused.text
    assert await _count(ask, Consultation) == 0
    added = await ask.ok(SAM, f'consultation add "Design" closes:"{fold} 01:30" audience:board')
    assert "I took the first, 01:30 BST" in added.text
    extended = await ask.ok(SAM, f'consultation extend 1 closes:"{fold} 01:30" confirm:later')
    assert "I took the second, 01:30 GMT" in extended.text
    async with ask.ctx.db.session() as session:
        c = await session.get_one(Consultation, 1)
    assert c.closes_at == utc(y, m, d, 1, 30)
