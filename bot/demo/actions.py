"""The demo's actions: a few around today, added through the router by the people who own them."""

from __future__ import annotations

from datetime import datetime

from bot.demo.days import uk as school_day


def actions_demo(now: datetime) -> list[tuple[str, str]]:
    """A few actions around today so `actions` has something to show, each due on a school
    day (two already overdue)."""

    def uk(days: int) -> str:
        return school_day(now, days)

    dan, jo, stella = "dan@sheffield.gov.uk", "jo@hillside.sch.uk", "stella@learnsheffield.co.uk"
    return [
        (dan, f'action add "Circulate PA figures to heads" owner:@jo due:{uk(1)} group:attendance'),
        (
            dan,
            f'action add "Core cities comparison for the board" owner:@sam due:{uk(9)} group:attendance',
        ),
        (
            dan,
            f'action add "Share attendance letter template" owner:@priya due:{uk(-3)} group:attendance',
        ),
        (
            jo,
            f'action add "Bring primary heads\' view back to the working group" due:{uk(14)} group:design',
        ),
        (
            stella,
            f'action add "Share a draft consultation ahead of the next meeting" owner:@stella due:{uk(6)} group:design',
        ),
        (
            "grace@donvalley.sch.uk",
            f'action add "Map alternative provision places" owner:@fiona due:{uk(20)} group:inclusion',
        ),
        (
            dan,
            f'action add "Check DfE attendance return dates" owner:@jo due:{uk(-1)} group:attendance',
        ),
        (
            dan,
            f'action add "Invite health colleagues to the next meeting" owner:@dan due:{uk(5)} group:attendance',
        ),
    ]
