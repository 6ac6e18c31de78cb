"""Shared fixtures: every storage and handler test runs on SQLite and on PostgreSQL.

Each pytest run gets its own SQLite file and its own PostgreSQL database (created on the
server named by TEST_DATABASE_URL and dropped afterwards), migrated with Alembic once; each test
then starts from empty tables.
"""

from __future__ import annotations

import asyncio
import os
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import settings as hypothesis_settings
from sqlalchemy import inspect, text

from bot.app import BotContext, build_context, build_web_app
from bot.clock import FixedClock
from bot.reply import Reply
from bot.settings import Settings
from storage.base import Base
from storage.db import Database, async_url, upgrade_sync

# In CI (CI=true) the property tests run a fixed set of examples, so a red build is one anyone
# can reproduce and never a new random draw; locally they keep exploring new inputs.
hypothesis_settings.register_profile(
    "project", deadline=None, print_blob=True, derandomize=bool(os.environ.get("CI"))
)
hypothesis_settings.load_profile("project")

TEST_PG = os.environ.get("TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
LONDON = ZoneInfo("Europe/London")
BACKENDS = ["sqlite", "postgresql"]


def london(*args: int) -> datetime:
    """A wall-clock time in the partnership's zone, e.g. london(2023, 12, 1, 9, 0)."""
    return datetime(*args, tzinfo=LONDON)  # type: ignore[misc]


async def _pg_admin(sql: str) -> None:
    import asyncpg

    url = async_url(TEST_PG).replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Migrated databases for this run: {'sqlite': url, 'postgresql': url}."""
    urls = {"sqlite": f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"}
    upgrade_sync(urls["sqlite"])
    name = f"pbtest_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # PostgreSQL is required in CI; locally a skip says why
        if os.environ.get("CI"):
            raise
        urls["postgresql"] = f"unavailable: {exc}"
    else:
        base = async_url(TEST_PG).rsplit("/", 1)[0]
        urls["postgresql"] = f"{base}/{name}"
        upgrade_sync(urls["postgresql"])
    yield urls
    if not urls["postgresql"].startswith("unavailable"):
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


_databases: dict[str, Database] = {}


async def _clean(db: Database) -> None:
    """Empty every table that has rows (one query finds them; TRUNCATE costs per table)."""
    import storage.models  # noqa: F401
    from bot.language.knowledge import forget

    forget()  # the plain-English name index of the previous test's directory

    async with db.engine.begin() as conn:
        existing = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
        tables = [t.name for t in Base.metadata.sorted_tables if t.name in existing]
        probe = " UNION ALL ".join(
            f"SELECT '{name}' AS name FROM (SELECT 1 FROM \"{name}\" LIMIT 1) AS x{i}"
            for i, name in enumerate(tables)
        )
        used = set((await conn.execute(text(probe))).scalars()) if tables else set()
        if not used:
            return
        if db.is_sqlite:
            for name in reversed(tables):
                if name in used:
                    await conn.execute(text(f'DELETE FROM "{name}"'))
        else:
            quoted = ", ".join(f'"{n}"' for n in tables if n in used)
            await conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))


DIRECTORY_TABLES = ("organisations", "people", "groups", "memberships")
_directory_rows: dict[str, dict[str, list[dict[str, object]]]] = {}


async def _load_directory_fast(ctx: BotContext, backend: str) -> None:
    """The demo directory: loaded through the real code once per run, then copied back in bulk."""
    from bot.demo import load_directory

    tables = {t.name: t for t in Base.metadata.sorted_tables if t.name in DIRECTORY_TABLES}
    snapshot = _directory_rows.get(backend)
    if snapshot is None:
        await load_directory(ctx.router)
        async with ctx.db.engine.connect() as conn:
            _directory_rows[backend] = {
                name: [dict(r._mapping) for r in await conn.execute(table.select())]
                for name, table in tables.items()
            }
        return
    async with ctx.db.engine.begin() as conn:
        for name in DIRECTORY_TABLES:
            if snapshot[name]:
                await conn.execute(tables[name].insert(), snapshot[name])
                if not ctx.db.is_sqlite:
                    await conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                            f'(SELECT max(id) FROM "{name}"))'
                        )
                    )


@pytest.fixture(params=BACKENDS)
async def db(
    request: pytest.FixtureRequest, database_urls: dict[str, str]
) -> AsyncIterator[Database]:
    """An empty, migrated database on each backend."""
    backend = request.param
    url = database_urls[backend]
    if url.startswith("unavailable"):
        pytest.skip(f"PostgreSQL {url}")
    if backend not in _databases:
        _databases[backend] = Database(url)
    database = _databases[backend]
    await _clean(database)
    yield database


@pytest.fixture
def clock() -> FixedClock:
    """Frozen at Friday 1 December 2023, 09:00 in Sheffield (term time)."""
    return FixedClock(london(2023, 12, 1, 9, 0))


@pytest.fixture
def settings(db: Database) -> Settings:
    return Settings(_env_file=None, database_url=db.url)  # type: ignore[call-arg]


@pytest.fixture
def ctx(settings: Settings, db: Database, clock: FixedClock) -> BotContext:
    return build_context(settings, clock=clock, db=db, senders=[])


@pytest.fixture
async def directory(ctx: BotContext) -> BotContext:
    """The demo directory (people, organisations, groups), without any domain demo data."""
    await _load_directory_fast(ctx, "sqlite" if ctx.db.is_sqlite else "postgresql")
    return ctx


class Asker:
    """Run commands as people by email, like `partnership-bot ask`."""

    def __init__(self, ctx: BotContext) -> None:
        self.ctx = ctx

    async def __call__(self, email: str, text: str, *, door: str = "cli") -> Reply:
        from storage.directory import person_by_email

        async with self.ctx.db.session() as session:
            person = await person_by_email(session, email)
        assert person is not None, f"no such person {email}"
        return await self.ctx.router.handle(text, actor_id=person.id, door=door)

    async def ok(self, email: str, text: str, **kw: str) -> Reply:
        """Like calling, but fails the test with the bot's message on a user error."""
        reply = await self(email, text, **kw)
        assert not reply.error, reply.text
        return reply


@pytest.fixture
def ask(directory: BotContext) -> Asker:
    return Asker(directory)


async def run_tick(ctx: BotContext, when: datetime):  # type: ignore[no-untyped-def]
    """One scheduler pass at `when` (moves the fixture clock there first)."""
    from scheduled.tick import tick

    assert isinstance(ctx.clock, FixedClock)
    ctx.clock.set(when)
    return await tick(ctx.db, ctx.settings, now=ctx.clock.now(), dispatcher=ctx.dispatcher)


async def outbox_rows(ctx: BotContext, *, prefix: str = ""):  # type: ignore[no-untyped-def]
    from storage.outbox import listing

    async with ctx.db.session() as session:
        return [r for r in await listing(session, limit=100_000) if r.key.startswith(prefix)]


@asynccontextmanager
async def web_client(ctx: BotContext) -> AsyncIterator[TestClient]:  # type: ignore[type-arg]
    """A client of the web chat that first loads the page, as a browser does, and then sends
    the page token it was given with every request (bot.adapters.webguard)."""
    async with TestClient(TestServer(build_web_app(ctx))) as client:
        page = await (await client.get("/")).text()
        found = re.search(r'<meta name="page-token" content="([^"]+)">', page)
        assert found, "the web chat page carries a page token"
        client.session.headers["X-Page-Token"] = found[1]
        yield client
