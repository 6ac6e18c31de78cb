"""Fuzz: no command text makes the router raise anything but the project's UserError."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.clock import FixedClock
from bot.demo import load_directory
from bot.errors import UserError
from bot.router import Router, build_registry
from bot.settings import Settings
from storage.db import Database, upgrade_sync
from storage.directory import Person, person_by_email
from tests.conftest import london

NAMES = sorted(build_registry().commands)
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))
ALPHABET = st.characters(blacklist_categories=("Cs",))
TEXT = st.one_of(
    st.text(alphabet=ALPHABET, max_size=200),
    st.builds(
        lambda head, rest: f"{head} {rest}",
        st.sampled_from(NAMES),
        st.text(alphabet=st.sampled_from(list('0123456789 "@:/.,-abcxyz#\u201c')), max_size=60),
    ),
)


def test_router_raises_only_user_errors(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fuzz.db'}"
    upgrade_sync(url)
    loop = asyncio.new_event_loop()
    db = Database(url)
    router = Router(
        settings=Settings(_env_file=None, database_url=url),  # type: ignore[call-arg]
        db=db,
        clock=FixedClock(london(2023, 12, 1, 9, 0)),
    )
    loop.run_until_complete(load_directory(router))

    async def actor_id(email: str) -> int:
        async with db.session() as session:
            person = await person_by_email(session, email)
            assert person is not None
            return person.id

    people = [
        loop.run_until_complete(actor_id(e))
        for e in ("alex@learnsheffield.co.uk", "jo@hillside.sch.uk")
    ]

    async def run(text: str, who: int) -> None:
        async with db.sessions() as session:
            actor = await session.get(Person, who)
            try:
                await router.dispatch(
                    text, actor=actor, door="cli", services=router.services(session)
                )
            except UserError as err:
                assert str(err).strip()
            finally:
                await session.rollback()

    @settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.too_slow])
    @given(TEXT, st.sampled_from(people))
    def check(text: str, who: int) -> None:
        loop.run_until_complete(run(text, who))

    try:
        check()
    finally:
        loop.run_until_complete(db.dispose())
        loop.close()
