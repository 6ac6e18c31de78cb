"""Start-up and shutdown as a host runs them (issue 22), with real processes.

- `run` with no platform loads the demo only into an empty directory, never into a real one,
  and no data stops the server from starting.
- `run`, `web` and `clock` end on SIGTERM with exit 0 and no traceback, after finishing the
  work in hand (a send waiting on the platform is recorded, not cut off) and closing the
  database. `partnership-bot outbox | head` ends quietly.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.reply import Reply
from scheduled.dispatcher import NO_ANSWER
from storage.db import Database
from storage.directory import all_people, link_identity, upsert_person
from storage.outbox import enqueue, listing, person_target
from tests.conftest import london
from tests.fakes.slack_api import FakeSlackAPI

EXE = [sys.executable, "-m", "bot"]
REAL_PEOPLE = (
    "name,email,role,organisation,groups\n"
    "Jo Smith,jo@realschool.org.uk,admin,,\n"
    "Priya Shah,priya@realschool.org.uk,head,,\n"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def environment(folder: Path, **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CONNECTIONS__"))}
    env.update(DATABASE_URL=f"sqlite:///{folder / 'partnership.db'}", PORT=str(free_port()))
    env.update(more)
    return env


async def start(folder: Path, *args: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        *EXE,
        *args,
        cwd=folder,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def cli(folder: Path, *args: str, env: dict[str, str]) -> tuple[int, str, str]:
    proc = await start(folder, *args, env=env)
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def healthy(port: int, proc: asyncio.subprocess.Process) -> dict[str, object]:
    """Wait until the server answers /healthz (start-up loads SDKs and migrates)."""
    async with aiohttp.ClientSession() as http:
        for _ in range(600):
            assert proc.returncode is None, "the server exited during start-up"
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return await response.json()  # type: ignore[no-any-return]
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("the server did not start")


async def stop(proc: asyncio.subprocess.Process) -> tuple[int, str]:
    """SIGTERM, then the exit status and everything it logged."""
    proc.send_signal(signal.SIGTERM)
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, err.decode()


async def emails(env: dict[str, str]) -> set[str]:
    """Everyone in the directory, by email."""
    db = Database(env["DATABASE_URL"])
    try:
        async with db.session() as session:
            return {p.email for p in await all_people(session)}
    finally:
        await db.dispose()


async def test_run_on_a_real_directory_leaves_it_alone_and_stops_cleanly(tmp_path: Path) -> None:
    env = environment(tmp_path)
    (tmp_path / "people.csv").write_text(REAL_PEOPLE, encoding="utf-8")
    assert (await cli(tmp_path, "import", "people", "people.csv", env=env))[0] == 0

    proc = await start(tmp_path, "run", env=env)
    health = await healthy(int(env["PORT"]), proc)
    assert "web" in health["doors"]  # type: ignore[operator]
    status, log = await stop(proc)
    assert status == 0, log
    assert "Traceback" not in log and "More than one person" not in log
    assert "looks like a real partnership" in log

    assert await emails(env) == {"jo@realschool.org.uk", "priya@realschool.org.uk"}
    code, _, err = await cli(tmp_path, "demo", env=env)  # asked for: refused, nothing changed
    assert code == 2 and "looks like a real partnership" in err and "Traceback" not in err
    assert await emails(env) == {"jo@realschool.org.uk", "priya@realschool.org.uk"}


async def test_run_on_an_empty_directory_loads_the_demo(tmp_path: Path) -> None:
    env = environment(tmp_path)
    proc = await start(tmp_path, "run", env=env)
    await healthy(int(env["PORT"]), proc)
    status, log = await stop(proc)
    assert status == 0 and "Traceback" not in log, log
    assert "jo@hillside.sch.uk" in await emails(env)


@pytest.fixture
async def quiet_slack() -> AsyncIterator[FakeSlackAPI]:
    fake = await FakeSlackAPI().start()
    fake.never_answer("chat.postMessage")
    yield fake
    await fake.stop()


async def a_message_for_slack(folder: Path) -> str:
    """A directory with one person on Slack and a reminder due to them; returns the db URL."""
    url = f"sqlite:///{folder / 'partnership.db'}"
    db = Database(url)
    await db.upgrade()
    async with db.session() as session:
        jo = await upsert_person(session, email="jo@hillside.sch.uk", name="Jo Bloggs", role="head")
        await link_identity(session, person=jo, platform="slack", external_id="UJO")
        await enqueue(
            session,
            key="meeting:3:remind:P1D:1",
            target=person_target(jo.id),
            reply=Reply(text="Reminder: Attendance working group tomorrow 10:00"),
            due_at=london(2023, 12, 1, 9, 0),
        )
    await db.dispose()
    return url


async def outbox_row(url: str):  # type: ignore[no-untyped-def]
    db = Database(url)
    try:
        async with db.session() as session:
            (row,) = await listing(session)
            return row
    finally:
        await db.dispose()


@pytest.mark.parametrize("command", ["clock", "run"])
async def test_sigterm_mid_send_finishes_the_batch_and_exits_0(
    tmp_path: Path, quiet_slack: FakeSlackAPI, command: str
) -> None:
    """SIGTERM while a send waits on a platform that does not answer: the send runs to its
    timeout, the row is recorded (a try, backed off, not left `sending`), exit 0."""
    url = await a_message_for_slack(tmp_path)
    env = environment(
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET="secret",
        SLACK_API_URL=quiet_slack.api_url,
        SEND_TIMEOUT_SECONDS="2",
        DATABASE_URL=url,
    )
    proc = await start(tmp_path, command, env=env)
    await quiet_slack.wait_for("chat.postMessage", timeout=60)
    status, log = await stop(proc)
    assert status == 0, log
    assert "Traceback" not in log and "CancelledError" not in log, log
    row = await outbox_row(url)
    assert (row.state, row.attempts, row.error) == ("pending", 1, NO_ANSWER)
    assert row.claimed_by is None


async def test_web_with_an_open_inbox_stream_stops_at_once_with_exit_0(tmp_path: Path) -> None:
    env = environment(tmp_path)
    proc = await start(tmp_path, "web", env=env)
    port = int(env["PORT"])
    await healthy(port, proc)
    async with aiohttp.ClientSession() as http:
        page = await (await http.get(f"http://127.0.0.1:{port}/")).text()
        token = re.search(r'<meta name="page-token" content="([^"]+)">', page)
        assert token
        inbox = await http.get(
            f"http://127.0.0.1:{port}/api/web/inbox",
            params={"person_id": "1", "page_token": token[1]},
        )
        assert inbox.status == 200
        await inbox.content.readline()  # the stream is open
        loop = asyncio.get_running_loop()
        began = loop.time()
        status, log = await stop(proc)
        assert loop.time() - began < 10  # the stream ended; no waiting out the grace period
        inbox.close()
    assert status == 0 and "Traceback" not in log, log


async def test_outbox_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    """`partnership-bot outbox | head -1`: the reader leaves early; no BrokenPipe traceback."""
    url = await a_message_for_slack(tmp_path)
    db = Database(url)
    async with db.session() as session:
        for n in range(1000):  # 100 KB of listing, more than a pipe holds (64 KB)
            await enqueue(
                session,
                key=f"test:{n}:x",
                target="person:1",
                reply=Reply(text="x" * 100),
                due_at=london(2023, 12, 1, 9, 0),
            )
    await db.dispose()
    read, write = os.pipe()
    proc = await asyncio.create_subprocess_exec(
        *EXE,
        "outbox",
        cwd=tmp_path,
        env=environment(tmp_path, DATABASE_URL=url),
        stdout=write,
        stderr=asyncio.subprocess.PIPE,
    )
    os.close(write)
    with os.fdopen(read, "rb") as reader:
        assert reader.readline()  # `head -1`: one line, then the reader goes away
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0 and err.decode() == ""
