"""The logging boundary: no library's debug detail (request and response bodies) reaches a log.

With LOG_LEVEL=DEBUG, slack_sdk logs every Web API request with its JSON body (a support
request's text on its way to the triage channel or a home tab), Socket Mode logs each raw
envelope, and aiohttp and the Agents SDK log what they send. A log record factory, installed
once per process when the context is built (`bot.app.build_context`), applies to every logger,
every handler and every level as the record is made:

- a record below INFO from a logger outside the project (not `bot`, `handlers`, `storage`,
  `scheduled`) keeps its message template, but each argument becomes WITHHELD; a message that
  came already formatted (an f-string, as slack_sdk's are) keeps only its first words up to the
  first `:` or `-`, so the log still says what happened (`Sending a request`) but not with what.
- the project's own records are left as they are: its code logs ids and kinds, never what a
  person wrote (`tests/test_log_redaction.py` checks every door at DEBUG).
"""

from __future__ import annotations

import logging
import re
from typing import Any

PROJECT = ("bot", "handlers", "storage", "scheduled", "__main__", "alembic")
WITHHELD = "[withheld]"
_HEAD = re.compile(r"^[^:\-{}\[\]()=]{0,60}")


def _withhold(record: logging.LogRecord) -> None:
    if record.args:
        if isinstance(record.args, dict):
            record.args = {key: WITHHELD for key in record.args}
        else:
            record.args = tuple(WITHHELD for _ in record.args)
        return
    head = _HEAD.match(str(record.msg))
    record.msg = f"{head[0].strip() if head else ''} {WITHHELD}".strip()


def redacting_factory(previous: Any) -> Any:
    """A log record factory wrapping `previous` (see the module docstring)."""

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = previous(*args, **kwargs)
        ours = any(record.name == p or record.name.startswith(p + ".") for p in PROJECT)
        if record.levelno < logging.INFO and not ours:
            _withhold(record)
        return record

    factory.redacting = True  # type: ignore[attr-defined]
    return factory


def install() -> None:
    """Install the redacting record factory for this process (idempotent)."""
    current = logging.getLogRecordFactory()
    if not getattr(current, "redacting", False):
        logging.setLogRecordFactory(redacting_factory(current))
