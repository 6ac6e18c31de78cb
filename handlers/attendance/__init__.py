"""Attendance: quick figures from DfE data. Registers the commands (in help order) and the demo data.

The shared rules are in `kernel`; the commands in `areas`, `rankings` and `catalogue`; the replies themselves in
`bot.attendance_view`, which the half-term post (`scheduled.attendance`) shares.
"""

from __future__ import annotations

from handlers.attendance import areas, catalogue, rankings
from handlers.attendance.kernel import commands
from storage.attendance import import_shipped as demo_setup

__all__ = ["areas", "catalogue", "demo_setup", "rankings", "register"]

register = commands.register
