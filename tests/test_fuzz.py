"""Hostile command text: at least 10,000 texts per run through the router, as every role, over
the demo data. Only the project's UserError may come out; every message must be sayable.

SQLite only and one event loop, to stay well under a minute (FUZZ_EXAMPLES overrides the count).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.clock import FixedClock
from bot.demo import load_demo
from bot.errors import UserError
from bot.router import Router, build_registry
from bot.settings import Settings
from storage.db import Database, upgrade_sync
from storage.directory import Person, person_by_email
from tests.conftest import london

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10000"))
NAMES = sorted(build_registry().commands)
PEOPLE = (
    "alex@learnsheffield.co.uk",  # admin
    "sam@learnsheffield.co.uk",  # staff
    "amy@hillside.sch.uk",  # member
    "jo@hillside.sch.uk",  # head
    "dan@sheffield.gov.uk",  # chair of attendance
)
NASTY = [
    "",
    '"',
    '""',
    "'",
    "“quoted”",
    "#",
    "#-1",
    "0",
    "-1",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "@",
    "@@",
    "@jo",
    "@nobody",
    "<@U123>",
    "<@U123|jo>",
    "<!channel>",
    "<!here>",
    "[x](https://evil.example)",
    "<script>alert(1)</script>",
    "=cmd|' /C calc'!A0",
    "+1",
    "@SUM(1)",
    "\x00",
    "\u202e",
    "\ufeff",
    "\U0001f600",
    "Ω≈ç√",
    "\t",
    "\r\n",
    "a" * 3000,
    "key:",
    ":value",
    "on:",
    'on:"31/02/2024 25:61"',
    "on:29/02/2023",
    "due:00/00/0000",
    "due:9999-99-99",
    "closes:yesterday",
    "until:24:00",
    "for:99999w",
    "every:millennium",
    "count:-5",
    "count:100000",
    "group:",
    "group:board",
    "group:nope",
    "org:",
    'org:"Hillside Primary"',
    "phase:,,,",
    "link:javascript:alert(1)",
    "link:https://",
    "audience:",
    "as:channel",
    "as:@jo",
    "confirm:yes",
    "reminders:0d",
    "reminders:day@99:99",
    "1w",
    "0h",
    "-3d",
    "yes",
    "maybe",
    "add",
    "remove",
    "list",
    "export",
    "all",
    "1",
    "2",
    "3",
    "12",
]
WORD = st.one_of(
    st.sampled_from(NASTY),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20),
    st.integers(-(10**12), 10**12).map(str),
)
TEXT = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300),
    st.builds(
        lambda head, rest: " ".join([head, *rest]),
        st.sampled_from(NAMES),
        st.lists(WORD, max_size=6),
    ),
    st.builds(
        lambda head, rest: f"{head} {rest}",
        st.sampled_from(NAMES),
        st.text(alphabet=st.sampled_from(list('0123456789 "@:/.,-#\u201cabcxyz<>!|')), max_size=80),
    ),
)


def test_ten_thousand_hostile_texts_raise_only_user_errors(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fuzz.db'}"
    upgrade_sync(url)
    loop = asyncio.new_event_loop()
    db = Database(url)
    router = Router(
        settings=Settings(_env_file=None, database_url=url),  # type: ignore[call-arg]
        db=db,
        clock=FixedClock(london(2023, 12, 1, 9, 0)),
        registry=build_registry(),
    )
    loop.run_until_complete(load_demo(router, now=london(2023, 12, 1, 9, 0)))

    async def ids() -> list[int]:
        async with db.session() as session:
            found = [await person_by_email(session, e) for e in PEOPLE]
        return [p.id for p in found if p is not None]

    people = loop.run_until_complete(ids())
    assert len(people) == len(PEOPLE)
    ran = [0]

    async def run(text: str, who: int) -> None:
        async with db.sessions() as session:
            actor = await session.get(Person, who)
            try:
                reply = await router.dispatch(
                    text, actor=actor, door="cli", services=router.services(session)
                )
                assert reply is not None
            except UserError as err:
                assert str(err).strip()
            finally:
                await session.rollback()
        ran[0] += 1

    @settings(
        max_examples=EXAMPLES,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(TEXT, st.sampled_from(people))
    def check(text: str, who: int) -> None:
        loop.run_until_complete(run(text, who))

    try:
        check()
    finally:
        loop.run_until_complete(db.dispose())
        loop.close()
    assert ran[0] >= EXAMPLES


FOUND = [
    "action ²",
    'action add "x" due:12/01/2024 meeting:²',
    "opp ²",
    "support ²",
    "support 99999999999999999999",
    "triage ²",
    'meeting add "x" group:board on:"15/12/2023 10:00" every:week count:²',
    "consultation ²",
    "terms import " + "a" * 3000,
    "privacy erase ²",
    "bulletin subscribe ¹",
]


async def test_texts_the_fuzz_once_crashed_on_now_get_clear_answers(ask) -> None:  # type: ignore[no-untyped-def]
    for text in FOUND:
        reply = await ask("sam@learnsheffield.co.uk", text)
        assert "went wrong on our side" not in reply.text, text
