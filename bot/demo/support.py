"""The demo's support history: requests raised and triaged earlier this school year."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.settings import load_settings
from storage import directory as repo
from storage import support

# days ago, who asked, kind, urgency, outcome (status or "assigned:<handle>"), days used, text
DEMO_HISTORY = [
    (
        60,
        "priya",
        "consultancy",
        "this half term",
        "resolved",
        1,
        "Curriculum review before Ofsted",
    ),
    (52, "grace", "brokerage", "this week", "resolved", 1, "Partner school for an outreach pilot"),
    (45, "omar", "consultancy", "this week", "signposted", 0, "Advice on a staffing restructure"),
    (38, "ben", "crisis", "today", "resolved", 1.5, "Serious incident on site; press interest"),
    (30, "tom", "signposting", "this week", "signposted", 0, "Early years SEND placement advice"),
    (24, "jo", "advocacy", "this week", "resolved", 0, "Support at an admissions meeting"),
    (17, "helen", "advocacy", "this week", "signposted", 0, "Complaint escalated to the council"),
    (10, "grace", "consultancy", "this half term", "assigned:fiona", 0, "Behaviour policy review"),
    (6, "ben", "brokerage", "this week", "acknowledged", 0, "A mentor for a new deputy head"),
    (3, "priya", "crisis", "today", "resolved", 0, "Deputy head on long-term absence"),
    (
        2,
        "chris",
        "brokerage",
        "this week",
        "acknowledged",
        0,
        "Partner school for a maths exchange",
    ),
]


async def support_history(session: AsyncSession, now: datetime) -> str:
    """Eleven triaged requests from this school year, so the DESIGN example `support crisis`
    is #12 and `triage stats`, `entitlement` look lived-in. Written straight to storage: the
    router would stamp them with today's date."""
    settings = load_settings()
    tz = settings.tz
    sam = await repo.person_by_email(session, "sam@learnsheffield.co.uk")
    for days_ago, handle, kind, urgency, outcome, days, text in DEMO_HISTORY:
        day = (now.astimezone(tz) - timedelta(days=days_ago)).date()
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        raised = datetime.combine(day, time(9, 30), tzinfo=tz).astimezone(UTC)
        person = await repo.resolve_person(session, handle)
        if person.organisation is None or sam is None:
            continue
        hours = 2 if kind == "crisis" else 20
        request = await support.create_request(
            session,
            requester=person,
            organisation=person.organisation,
            kind=kind,
            details=text,
            urgency=urgency,
            contact=None,
            consent=days_ago % 2 == 0,
            now=raised,
            ack_due_at=support.add_working_hours(raised, hours, office=settings.office, tz=tz),
        )
        request.acked_at, request.status = raised + timedelta(hours=1), "acknowledged"
        await support.add_event(
            session, request=request, actor_id=sam.id, action="acknowledged", now=request.acked_at
        )
        if outcome.startswith("assigned:"):
            helper = await repo.resolve_person(session, outcome.split(":", 1)[1])
            request.assignee_id, request.status = helper.id, "assigned"
            await support.add_event(
                session,
                request=request,
                actor_id=sam.id,
                action="assigned",
                now=request.acked_at,
                note=f"to {helper.name}",
            )
        elif outcome in support.CLOSED:
            closed = raised + timedelta(days=min(days_ago - 1, 4), hours=5)
            request.status, request.closed_at = outcome, closed
            await support.add_event(
                session, request=request, actor_id=sam.id, action=outcome, now=closed
            )
            if days:
                await support.add_event(
                    session,
                    request=request,
                    actor_id=sam.id,
                    action="days logged",
                    now=closed,
                    days=days,
                )
    return f"{len(DEMO_HISTORY)} support requests from this school year"
