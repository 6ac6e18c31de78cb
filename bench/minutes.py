"""How long reading minutes takes: seed 001's whole page, a page of 800 action bullets, and
lines built to be slow (20,000 characters of 'by x', of dashes, of brackets, of prose).

Prints one line per input and, last, `minutes: worst <s> s, seed page <s> s` (goal: every input
under 0.5 s once dates are warm, so a pasted page never holds a web process).
"""

from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.minutes import DueWords, Someone, read_minutes
from bot.terms import default_calendar

TZ = ZoneInfo("Europe/London")
SEED = Path(__file__).parents[1] / "tests" / "data" / "seed_001_working_group_notes.txt"


def main() -> None:
    people = [
        Someone(i, name, f"{name.split()[0].lower()}@example.org")
        for i, name in enumerate(["Stella Barnes", "Jo Bloggs", "Andrew Jones", "Priya Shah"])
    ]
    due = DueWords(
        base=datetime(2023, 11, 23, 11, 0, tzinfo=TZ),
        tz=TZ,
        terms=default_calendar(),
        group="design",
        default_due=date(2023, 12, 7),
        default_said="2w after the meeting",
        next_meeting=date(2023, 12, 15),
    )
    read_minutes("ACTION: @jo warm up by Friday", people=people, due=due)  # dateparser's load
    inputs = {
        "seed 001 page": SEED.read_text(encoding="utf-8"),
        "800 bullets": "Actions:\n" + "\n".join(["- Jo to do x by Friday"] * 800),
        "by x line": "ACTION: @jo " + "by x " * 3900,
        "dashes line": "ACTION: " + "a - " * 4990,
        "brackets line": "ACTION: " + "(a " * 6000,
        "prose line": "Jo to " + "by Friday " * 1900,
    }
    timings = {}
    for name, text in inputs.items():
        start = time.perf_counter()
        reading = read_minutes(text[:20_000], people=people, due=due)
        timings[name] = time.perf_counter() - start
        print(
            f"{name:14} {timings[name]:.3f} s  {len(reading.actions)} read, "
            f"{len(reading.unread)} unread"
        )
    print(
        f"minutes: worst {max(timings.values()):.3f} s, seed page {timings['seed 001 page']:.3f} s"
    )


if __name__ == "__main__":
    main()
