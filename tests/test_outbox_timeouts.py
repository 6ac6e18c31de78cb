"""A platform that never answers (issue 22): every send has a timeout that counts as a try, the
row backs off (exponential, jittered, capped), and after OUTBOX_MAX_ATTEMPTS tries it is
`failed` and listed by `partnership-bot outbox --failed`. Driven through the real SDK clients
against fake servers that accept the request and never reply."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient

from bot import cli
from bot.adapters import slack, teams
from bot.app import BotContext, build_context
from bot.reply import Reply
from scheduled.dispatcher import BACKOFF_CAP, BACKOFF_FIRST, NO_ANSWER, backoff
from storage.directory import link_identity, person_by_email
from storage.outbox import enqueue, person_target
from tests.conftest import london
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.teams_connector import FakeTeamsConnector
from tests.test_slack import fake_fixture, slack_settings, small_directory  # noqa: F401
from tests.test_teams import client, connector, personal, post  # noqa: F401

NOW = london(2023, 12, 1, 9, 0)
TIMEOUT = 0.3  # seconds: the fakes never answer, so every try lasts this long


def first_wait(attempts: int) -> tuple[float, float]:
    """The range a jittered back-off after `attempts` tries falls in, in seconds."""
    ceiling = min(BACKOFF_CAP, BACKOFF_FIRST * 2 ** (attempts - 1))
    return ceiling / 2, ceiling


def test_backoff_grows_is_jittered_and_capped() -> None:
    for attempts in range(1, 40):
        low, high = first_wait(attempts)
        waits = {backoff(attempts).total_seconds() for _ in range(20)}
        assert all(low <= w <= high <= BACKOFF_CAP for w in waits), (attempts, waits)
        assert len(waits) > 1  # jitter: rows that failed together do not retry together
    assert first_wait(2)[1] == 2 * first_wait(1)[1]
    assert backoff(3, retry_after=7).total_seconds() == 7  # the platform's Retry-After wins


@pytest.fixture
async def quiet_slack(db, clock, fake: FakeSlackAPI) -> AsyncIterator[BotContext]:  # type: ignore[no-untyped-def]
    settings = slack_settings(db.url, fake, send_timeout_seconds=TIMEOUT, outbox_max_attempts=3)
    ctx = build_context(settings, clock=clock, db=db, senders=[slack.make_sender(settings, db)])  # type: ignore[list-item]
    await small_directory(ctx)
    yield ctx


async def remind_jo(ctx: BotContext, platform: str, external_id: str | None) -> None:
    async with ctx.db.session() as session:
        jo = await person_by_email(session, "jo@hillside.sch.uk")
        assert jo is not None
        if external_id:
            await link_identity(session, person=jo, platform=platform, external_id=external_id)
        await enqueue(
            session,
            key="meeting:3:remind:P1D:6",
            target=person_target(jo.id),
            reply=Reply(text="Reminder: Attendance working group tomorrow 10:00"),
            due_at=NOW,
        )


async def test_slack_that_never_answers_backs_off_then_fails(
    quiet_slack: BotContext, fake: FakeSlackAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = quiet_slack
    fake.never_answer("chat.postMessage")
    await remind_jo(ctx, "slack", "UJO")

    (row,) = await ctx.dispatcher.run_once(now=NOW)
    assert (row.state, row.attempts, row.error) == ("pending", 1, NO_ANSWER)
    low, high = first_wait(1)
    assert NOW + timedelta(seconds=low) <= row.due_at <= NOW + timedelta(seconds=high)
    assert await ctx.dispatcher.run_once(now=NOW + timedelta(seconds=low / 2)) == []

    (row,) = await ctx.dispatcher.run_once(now=row.due_at)
    assert (row.state, row.attempts) == ("pending", 2)
    # Slack may have the first try: the second asked its history before posting again
    assert len(fake.calls_to("conversations.history")) == 1
    second = row.due_at
    (row,) = await ctx.dispatcher.run_once(now=second)
    assert (row.state, row.attempts) == ("failed", 3)
    assert NO_ANSWER in (row.error or "") and "3 tries" in (row.error or "")
    assert len(fake.calls_to("chat.postMessage")) == 3
    assert await ctx.dispatcher.run_once(now=second + timedelta(days=1)) == []

    assert await cli.cmd_outbox(cli._parser().parse_args(["outbox", "--failed"]), ctx.settings) == 0
    shown = capsys.readouterr().out
    assert "meeting:3:remind:P1D:6" in shown and NO_ANSWER in shown and "1 rows" in shown


async def test_teams_that_never_answers_backs_off_then_fails(
    client: TestClient,  # noqa: F811
    connector: FakeTeamsConnector,  # noqa: F811
    directory: BotContext,
) -> None:
    assert await post(client, personal(connector, "jo", "whoami")) < 300  # a chat to continue
    settings = directory.settings.model_copy(
        update={"send_timeout_seconds": TIMEOUT, "outbox_max_attempts": 2}
    )
    sender = teams.make_sender(settings, directory.db)
    ctx = build_context(settings, clock=directory.clock, db=directory.db, senders=[sender])  # type: ignore[list-item]
    connector.silent = True
    await remind_jo(ctx, "teams", None)

    (row,) = await ctx.dispatcher.run_once(now=NOW)
    assert (row.state, row.attempts, row.error) == ("pending", 1, NO_ANSWER)
    assert row.due_at > NOW
    (row,) = await ctx.dispatcher.run_once(now=row.due_at)
    assert (row.state, row.attempts) == ("failed", 2) and NO_ANSWER in (row.error or "")
    assert connector.silent_calls == 2


async def test_a_teams_error_page_is_recorded_with_its_status_and_body(
    client: TestClient,  # noqa: F811
    connector: FakeTeamsConnector,  # noqa: F811
    directory: BotContext,
) -> None:
    assert await post(client, personal(connector, "jo", "whoami")) < 300
    await remind_jo(directory, "teams", None)
    connector.fail_next(502, body="<html><body>Bad Gateway</body></html>")
    (row,) = await directory.dispatcher.run_once(now=NOW)
    assert row.state == "pending" and "502" in (row.error or "")
    assert "Bad Gateway" in (row.error or "")
