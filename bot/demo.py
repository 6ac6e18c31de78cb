"""Demo data: the partnership from the seed documents, with dates relative to today.

Idempotent: the directory is upserted; each domain's demo commands run once (remembered in
system_state), through the same router as chat, so the demo exercises the real paths. The
commands live here (`DEMO_COMMANDS`), not in the handlers they exercise.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.router import Router
from storage import directory as repo
from storage.system import get_state, set_state

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


# a domain's demo commands, run (in handlers.DOMAINS order) as the people who would type them
DEMO_COMMANDS: dict[str, DemoCommands] = {"actions": actions_demo}


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
        setup = getattr(module, "demo_setup", None)  # async (session, now) -> str, for bulk data
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
