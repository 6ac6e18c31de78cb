"""What is loaded: `attendance years`."""

from __future__ import annotations

from bot.dates import format_date, to_local
from bot.errors import NotFound
from bot.reply import Reply, Table
from bot.services import Request, Services
from handlers.attendance.kernel import commands
from storage import attendance as repo
from storage.attendance_import import year_label
from storage.attendance_shapes import COLLECTION_NAMES

YEARS_EXAMPLE = "attendance years"


@commands.command(
    "attendance years",
    summary="Which years of which DfE collection are loaded, from which release",
    usage="attendance years",
    examples=[YEARS_EXAMPLE],
    options=[],
)
async def years(req: Request, svc: Services) -> Reply:
    held = await repo.holdings(svc.session)
    if not held:
        raise NotFound(
            "No attendance figures have been imported yet.",
            hint="An admin can import the DfE file.",
            example="partnership-bot import attendance absence_nat_reg_la.csv",
        )
    rows = []
    for h in held:
        r = h.release
        first, last = year_label(h.periods[0]), year_label(h.periods[-1])
        rows.append(
            [
                COLLECTION_NAMES.get(r.collection, r.collection),
                first if first == last else f"{first} to {last}",
                r.period or r.span,
                f"#{r.id} {r.publication}: {r.source}",
                format_date(to_local(r.imported_at, svc.settings.tz).date()),
            ]
        )
    lines = [f"{row[1]} ({row[0]})" for row in rows]
    text = (
        "Attendance figures loaded: "
        + "; ".join(lines)
        + (
            ". The two collections differ slightly for the same year and are never mixed in one "
            "figure."
            if len({h.release.collection for h in held}) > 1
            else "."
        )
    )
    return Reply(text=text).add(
        Table(
            columns=["collection", "years", "period", "release", "imported"],
            rows=rows,
            title="Attendance data loaded",
        )
    )
