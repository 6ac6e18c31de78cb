"""Secrets never reach the logs, even at DEBUG, during a Slack request end to end; settings
print masked."""

from __future__ import annotations

import logging

import pytest

from bot.settings import Settings
from tests.test_slack import SECRET, Slack, fake_fixture, slack_fixture  # noqa: F401 (fixtures)


def everything_logged(records: list[logging.LogRecord]) -> str:
    parts = []
    for r in records:
        parts.append(r.getMessage())
        parts.append(repr(r.args))
        if r.exc_text:
            parts.append(r.exc_text)
        parts.append(repr(r.__dict__))
    return "\n".join(parts)


async def test_no_secret_in_any_log_record_during_a_slack_request(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # the root logger and every library under it
    response = await slack.command('action add "Circulate figures" owner:@jo due:12/01/2024')
    assert response.status == 200
    (answer,) = await slack.fake.wait_for_response()
    assert "Added action #1" in str(answer)
    assert caplog.records, "DEBUG logging was on, so something should have been logged"
    logged = everything_logged(caplog.records)
    token = slack.ctx.settings.slack_bot_token
    assert token and token not in logged
    assert SECRET not in logged


def test_settings_print_secrets_masked() -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        slack_bot_token="xoxb-very-secret",
        slack_signing_secret="signing-very-secret",
        database_url="postgresql://user:db-password@host/db",
    )
    shown = str(settings.masked())
    assert "xoxb-very-secret" not in shown and "signing-very-secret" not in shown
    assert "db-password" not in shown
