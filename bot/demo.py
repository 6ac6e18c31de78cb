"""Demo data: the partnership from the seed documents, with dates relative to today.

Idempotent: the directory is upserted; each domain's demo commands run once (remembered in
system_state), through the same router as chat, so the demo exercises the real paths. The
commands live here (`DEMO_COMMANDS`), not in the handlers they exercise.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.router import Router
from bot.settings import load_settings
from storage import directory as repo
from storage import support
from storage.system import get_state, set_state, term_calendar

log = logging.getLogger(__name__)

ORGANISATIONS = [
    # name, kind, phase, subscriber, category, maintained
    ("Hillside Primary", "school", "primary", True, "green", True),
    ("Meadowbank Primary", "school", "primary", False, "amber", False),
    ("Parkwood Academy", "school", "secondary", True, "yellow", False),
    ("Steel City Secondary", "school", "secondary", False, "red", False),
    ("Don Valley Special School", "school", "special", True, "amber", True),
    ("Riverside Nursery School", "school", "nursery", False, "green", True),
    ("Crookes Valley School", "school", "all-through", True, "red", False),
    ("Sheffield College", "college", "post-16", False, None, None),
    ("Northern Lights Trust", "trust", None, True, None, False),
    ("Sheffield City Council", "local authority", None, False, None, None),
    ("Learn Sheffield", "learn sheffield", None, False, None, None),
    ("South Yorkshire ICB", "health", None, False, None, None),
]

PEOPLE = [
    # name, email, role, organisation
    ("Alex Morgan", "alex@learnsheffield.co.uk", "admin", "Learn Sheffield"),
    ("Sam Patel", "sam@learnsheffield.co.uk", "staff", "Learn Sheffield"),
    ("Stella Barnes", "stella@learnsheffield.co.uk", "staff", "Learn Sheffield"),
    ("Evie Price", "evie@learnsheffield.co.uk", "staff", "Learn Sheffield"),
    ("Fiona Byrne", "fiona@learnsheffield.co.uk", "staff", "Learn Sheffield"),
    ("Jo Bloggs", "jo@hillside.sch.uk", "head", "Hillside Primary"),
    ("Amy Walsh", "amy@hillside.sch.uk", "member", "Hillside Primary"),
    ("Omar Khan", "omar@meadowbank.sch.uk", "head", "Meadowbank Primary"),
    ("Priya Shah", "priya@parkwood.sch.uk", "head", "Parkwood Academy"),
    ("Chris Lee", "chris@parkwood.sch.uk", "member", "Parkwood Academy"),
    ("Helen Wright", "helen@steelcity.sch.uk", "head", "Steel City Secondary"),
    ("Grace Okafor", "grace@donvalley.sch.uk", "head", "Don Valley Special School"),
    ("Tom Hughes", "tom@riverside.sch.uk", "head", "Riverside Nursery School"),
    ("Ben Carter", "ben@crookesvalley.sch.uk", "head", "Crookes Valley School"),
    ("Lucy Hall", "lucy@sheffcol.ac.uk", "member", "Sheffield College"),
    ("Mark Fielding", "mark@northernlights.org.uk", "member", "Northern Lights Trust"),
    ("Kate Dunn", "kate@northernlights.org.uk", "member", "Northern Lights Trust"),
    ("Rachel Green", "rachel@sheffield.gov.uk", "member", "Sheffield City Council"),
    ("Dan Cooper", "dan@sheffield.gov.uk", "member", "Sheffield City Council"),
    ("Nadia Rahman", "nadia@syicb.nhs.uk", "member", "South Yorkshire ICB"),
]

GROUPS = [
    # name, title, kind, description, {handle: role}
    (
        "board",
        "Children's Strategic Partnership Board",
        "board",
        "Meets about three times a year on a termly cycle; sets city priorities.",
        {
            "mark": "chair",
            "rachel": "member",
            "nadia": "member",
            "lucy": "member",
            "jo": "member",
            "priya": "member",
            "grace": "member",
            "stella": "officer",
            "evie": "officer",
        },
    ),
    (
        "attendance",
        "Attendance priority sub-group",
        "sub-group",
        "The city's first priority: persistent absence, attendance below 50%, core-city comparisons.",
        {
            "dan": "chair",
            "sam": "officer",
            "jo": "member",
            "priya": "member",
            "chris": "member",
            "helen": "member",
            "grace": "member",
            "omar": "member",
        },
    ),
    (
        "inclusion",
        "Inclusion and SEND priority sub-group",
        "sub-group",
        "Inclusion, SEND and alternative provision across phases.",
        {
            "grace": "chair",
            "tom": "member",
            "omar": "member",
            "nadia": "member",
            "fiona": "officer",
        },
    ),
    (
        "design",
        "Partnership design working group",
        "working group",
        "Designs the partnership: membership, terms of reference, consultation.",
        {
            "stella": "chair",
            "evie": "officer",
            "jo": "member",
            "priya": "member",
            "mark": "member",
            "rachel": "member",
            "lucy": "member",
            "ben": "member",
            "kate": "member",
        },
    ),
    (
        "triage",
        "Point-of-need triage (private)",
        "channel",
        "Learn Sheffield staff only: support requests arrive here.",
        {"sam": "chair", "stella": "member", "fiona": "member", "alex": "member"},
    ),
    (
        "bulletin",
        "Opportunities Bulletin",
        "channel",
        "The weekly Opportunities Bulletin: all-phase items for everyone.",
        {},
    ),
]

DemoCommands = Callable[[datetime], list[tuple[str, str]]]
DemoSetup = Callable[[AsyncSession, datetime], Awaitable[str]]  # bulk data, written to storage


# --- support: requests raised and triaged earlier this school year ------------------------

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
    tz, terms = load_settings().tz, await term_calendar(session)
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
            ack_due_at=support.add_working_hours(raised, hours, terms=terms, tz=tz),
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


def actions_demo(now: datetime) -> list[tuple[str, str]]:
    """A few actions around today so `actions` has something to show."""

    def uk(days: int) -> str:
        return f"{(now + timedelta(days=days)):%d/%m/%Y}"

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


# --- opportunities -------------------------------------------------------------------------


def opportunity_commands(now: datetime) -> list[tuple[str, str]]:
    """A handful of opportunities closing over the coming weeks, posted by staff."""

    def on(days: int) -> str:
        return f"{(now + timedelta(days=days)):%d/%m/%Y}"

    sam = "sam@learnsheffield.co.uk"
    return [
        (
            sam,
            f'opp add "Funded NPQ places" closes:{on(40)} phase:primary,secondary tags:training '
            'link:https://example.org/npq provider:"Learn Sheffield" '
            'summary:"Fully funded National Professional Qualification places for 2024."',
        ),
        (
            sam,
            f'opp add "Leadership network" closes:{on(60)} phase:all subscribers:only '
            'tags:networks link:https://example.org/n summary:"Termly network for headteachers."',
        ),
        (
            sam,
            f'opp add "Reading fluency project" closes:{on(5)} phase:primary tags:projects '
            "link:https://example.org/reading",
        ),
        (
            sam,
            f'opp add "Attendance champions training" closes:{on(20)} phase:all tags:training '
            "link:https://example.org/attendance",
        ),
        (
            sam,
            'opp add "Post-16 transition network" phase:secondary,post-16 tags:networks '
            "link:https://example.org/post16",
        ),
    ]


# --- consultations -------------------------------------------------------------------------


def consultation_commands(now: datetime) -> list[tuple[str, str]]:
    """One open consultation, so `consultation add` in the examples makes #2."""
    closes = (now + timedelta(days=24)).strftime("%d/%m/%Y")
    return [
        (
            "stella@learnsheffield.co.uk",
            'consultation add "Education and skills partnership framework" '
            f"closes:{closes} audience:primary,secondary,special "
            'summary:"How should schools, colleges and the council work together?" '
            "link:https://example.org/framework nudge:yes",
        ),
    ]


# a domain's demo commands, run (in handlers.DOMAINS order) as the people who would type them
DEMO_COMMANDS: dict[str, DemoCommands] = {
    "actions": actions_demo,
    "opportunities": opportunity_commands,
    "consultations": consultation_commands,
}
# a domain's bulk history, written straight to storage (the router would stamp it with today)
DEMO_SETUP: dict[str, DemoSetup] = {"support": support_history}


async def load_directory(router: Router) -> dict[str, int]:
    """Upsert organisations, people, groups and memberships; returns counts."""
    async with router.db.session() as session:
        orgs = {}
        for name, kind, phase, subscriber, category, maintained in ORGANISATIONS:
            orgs[name] = await repo.upsert_organisation(
                session,
                name=name,
                kind=kind,
                phase=phase,
                subscriber=subscriber,
                category=category,
                maintained=maintained,
            )
        people = {}
        for name, email, role, org in PEOPLE:
            person = await repo.upsert_person(
                session, email=email, name=name, role=role, organisation=orgs[org]
            )
            people[person.handle] = person
        for name, title, kind, description, members in GROUPS:
            group = await repo.upsert_group(
                session, name=name, title=title, kind=kind, description=description
            )
            roster = members or {h: "member" for h in people}
            for handle, role in roster.items():
                await repo.set_membership(session, group=group, person=people[handle], role=role)
    return {"organisations": len(ORGANISATIONS), "people": len(PEOPLE), "groups": len(GROUPS)}


async def load_demo(router: Router, *, now: datetime) -> list[str]:
    """Directory, then each domain's demo commands once. Returns lines to print."""
    counts = await load_directory(router)
    lines = [
        f"directory: {counts['people']} people, {counts['organisations']} organisations, "
        f"{counts['groups']} groups"
    ]
    from handlers import DOMAINS

    for name in DOMAINS:
        module = importlib.import_module(f"handlers.{name}")
        make: DemoCommands | None = DEMO_COMMANDS.get(name) or getattr(
            module, "demo_commands", None
        )
        setup: DemoSetup | None = DEMO_SETUP.get(name) or getattr(module, "demo_setup", None)
        if make is None and setup is None:
            continue
        key = f"demo:{name}"
        async with router.db.session() as session:
            done = await get_state(session, key)
        if done is not None:
            lines.append(f"{name}: already loaded")
            continue
        if setup is not None:
            async with router.db.session() as session:
                lines.append(f"{name}: {await setup(session, now)}")
        ok = failed = 0
        for email, text in make(now) if make else []:
            async with router.db.session() as session:
                actor = await repo.person_by_email(session, email)
            if actor is None:
                failed += 1
                continue
            reply = await router.handle(text, actor_id=actor.id, door="cli", now=now)
            if reply.error:
                failed += 1
                log.warning("demo command failed: %s -> %s", text, reply.text.splitlines()[0])
            else:
                ok += 1
        async with router.db.session() as session:
            await set_state(session, key, now.isoformat(), at=now)
        if make is not None:
            lines.append(f"{name}: {ok} commands" + (f", {failed} failed" if failed else ""))
    return lines
