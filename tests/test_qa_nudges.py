"""QA: what an action owner reads in an overdue nudge."""

from __future__ import annotations

from datetime import date

from scheduled.actions import nudge_reply
from storage.actions import Action


def test_overdue_nudge_says_one_day_not_one_days() -> None:
    action = Action(id=7, text="Check DfE return dates", due_on=date(2023, 11, 30))
    reply = nudge_reply(action, stage="overdue", today=date(2023, 12, 1))
    assert "(1 day ago)" in reply.text


def test_overdue_nudge_counts_several_days() -> None:
    action = Action(id=7, text="Check DfE return dates", due_on=date(2023, 11, 27))
    reply = nudge_reply(action, stage="overdue", today=date(2023, 12, 1))
    assert "(4 days ago)" in reply.text
