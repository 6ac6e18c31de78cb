"""The one rule for posts the clock was down for (scheduled/late.py), on its own: the domains'
own tests (meetings, consultations, schedules, deadlines) check it through their planners."""

from __future__ import annotations

from datetime import timedelta

from scheduled.late import Moment, latest_due, verdict
from tests.conftest import london

NINE = london(2025, 12, 1, 9, 0)


def test_a_late_post_goes_while_useful_and_not_after() -> None:
    moment = Moment(NINE, NINE + timedelta(days=3), "the meeting has begun")
    assert verdict(moment, now=NINE + timedelta(days=2)) is None
    why = verdict(moment, now=NINE + timedelta(days=3))
    assert why and "the clock was down past its moment" in why and "the meeting has begun" in why
    assert verdict(Moment(NINE), now=NINE + timedelta(days=400)) is None  # useful until done


def test_only_the_latest_due_of_a_series_goes() -> None:
    week, day, later = (Moment(NINE + timedelta(days=d)) for d in (0, 6, 9))
    latest, earlier = latest_due([day, later, week], now=NINE + timedelta(days=7))
    assert latest == day and earlier == [week]
    why = verdict(week, now=NINE + timedelta(days=7), superseded=True)
    assert why and "a later reminder of the same series was due" in why
    assert latest_due([later], now=NINE) == (None, [])
