"""Demo data: the partnership from the seed documents, with dates relative to today.

Idempotent: the directory is upserted; each domain's demo runs once (remembered in
system_state). Most domains' demos are commands that go through the same router as chat, so
the demo exercises the real paths; bulk history is written straight to storage. One module per
domain here, listed in DEMO_COMMANDS / DEMO_SETUP.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.demo.actions import actions_demo
from bot.demo.consultations import consultation_commands
from bot.demo.directory import GROUPS, ORGANISATIONS, PEOPLE
from bot.demo.meetings import meetings_demo
from bot.demo.opportunities import opportunity_commands
from bot.demo.schedules import schedule_commands
from bot.demo.support import support_history
from bot.errors import UserError
from bot.language.knowledge import forget as forget_names
from bot.router import Router
from storage import directory as repo
from storage.db import Database
from storage.system import SystemState, get_state, set_state

log = logging.getLogger(__name__)
DEMO_MARK = "demo:"  # system_state keys `demo:<domain>` say the demo was loaded here
EMPTY, DEMO, REAL = "empty", "demo", "real"
REAL_DIRECTORY = (
    "This database already holds {count} people and no demo, so it looks like a real "
    "partnership's directory: the demo was not loaded into it (its made-up people, meetings "
    "and actions would mix with the real ones)."
)

DemoCommands = Callable[[datetime], list[tuple[str, str]]]
DemoSetup = Callable[[AsyncSession, datetime], Awaitable[str]]  # bulk data, written to storage

# Each domain's demo, by the domain's name in handlers.DOMAINS (run in that order, once each).
DEMO_SETUP: dict[str, DemoSetup] = {"support": support_history}
DEMO_COMMANDS: dict[str, DemoCommands] = {
    "meetings": meetings_demo,
    "actions": actions_demo,
    "opportunities": opportunity_commands,
    "consultations": consultation_commands,
    "schedules": schedule_commands,
}


async def directory_holds(db: Database) -> str:
    """What the directory holds: EMPTY (no people), DEMO (the demo was loaded, perhaps with
    people added since, or everyone in it is a demo person) or REAL (someone who is not in the
    demo, and the demo never loaded: the partnership's own directory)."""
    async with db.session() as session:
        marked = await session.scalar(
            select(SystemState.key).where(SystemState.key.startswith(DEMO_MARK)).limit(1)
        )
        if marked is not None:
            return DEMO
        people = await _count_people(session)
        if not people:
            return EMPTY
        demo_emails = [email.lower() for _, email, _, _ in PEOPLE]
        others = await session.scalar(
            select(func.count(repo.Person.id)).where(
                func.lower(repo.Person.email).not_in(demo_emails)
            )
        )
    return REAL if others else DEMO


async def _count_people(session: AsyncSession) -> int:
    return await session.scalar(select(func.count(repo.Person.id))) or 0


async def load_demo_if_wanted(router: Router, *, now: datetime) -> list[str]:
    """`run` with no platform: load the demo into an empty directory (or finish loading it into
    one that has it), never into a real one. Nothing here can stop the server starting: a
    failure is logged and the server starts without it. Returns lines to log."""
    try:
        holds = await directory_holds(router.db)
        if holds == REAL:
            async with router.db.session() as session:
                count = await _count_people(session)
            return [REAL_DIRECTORY.format(count=count) + " Starting with it as it is."]
        return await load_demo(router, now=now)
    except Exception as exc:  # a start-up nicety: the server starts without it
        log.warning("the demo could not be loaded (%s); starting without it", type(exc).__name__)
        return []


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
    """Directory, then each domain's demo commands once. Returns lines to print.

    Raises UserError, having changed nothing, when the directory is a real one (people and no
    demo): the demo goes only into an empty database or one that already has it."""
    holds = await directory_holds(router.db)
    if holds == REAL:
        async with router.db.session() as session:
            count = await _count_people(session)
        raise UserError(
            REAL_DIRECTORY.format(count=count),
            hint="Load the demo into a database of its own.",
            example="DATABASE_URL=sqlite:///demo.db partnership-bot demo",
        )
    counts = await load_directory(router)
    async with router.db.session() as session:
        await set_state(session, f"{DEMO_MARK}loaded", now.isoformat(), at=now)
    forget_names()  # the directory was written below the router: read it afresh
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
            if reply.error or reply.form is not None:  # a form: it asked for more, did nothing
                failed += 1
                log.warning("demo command failed: %s -> %s", text, reply.text.splitlines()[0])
            else:
                ok += 1
        async with router.db.session() as session:
            await set_state(session, key, now.isoformat(), at=now)
        if make is not None:
            lines.append(f"{name}: {ok} commands" + (f", {failed} failed" if failed else ""))
    return lines
