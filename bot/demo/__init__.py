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

from sqlalchemy.ext.asyncio import AsyncSession

from bot.demo.actions import actions_demo
from bot.demo.consultations import consultation_commands
from bot.demo.directory import GROUPS, ORGANISATIONS, PEOPLE
from bot.demo.meetings import meetings_demo
from bot.demo.opportunities import opportunity_commands
from bot.demo.schedules import schedule_commands
from bot.demo.support import support_history
from bot.router import Router
from storage import directory as repo
from storage.system import get_state, set_state

log = logging.getLogger(__name__)

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
