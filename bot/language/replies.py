"""Replies for plain English that is not simply run: proposals, questions and small talk.

Pure functions from an Interpretation (and, for support, the command's own form) to a Reply.
"""

from __future__ import annotations

from bot.language.model import Interpretation
from bot.reply import Actions, Button, Form, Reply


def read_line(command: str) -> str:
    return f"Read as: {command}"


def with_read_as(reply: Reply, command: str) -> Reply:
    """A read's reply, starting with the one line saying how the message was read."""
    reply.text = read_line(command) + ("\n" + reply.text if reply.text else "")
    reply.read_as = command
    return reply


def proposal(reading: Interpretation, *, names: str | None = None) -> Reply:
    """A write read from plain English that needs nothing checked: one button carrying the
    exact command, under a line naming what it acts on (`names`, see `bot.forms.headline`)."""
    assert reading.command is not None
    said = f"{names}\n" if names else ""
    return Reply(
        text=f"{read_line(reading.command)}\n{said}Nothing is saved until you say yes.",
        elements=[Actions([Button("Yes, do it", reading.command, "primary")])],
        read_as=reading.command,
    )


def question(reading: Interpretation) -> Reply:
    """Two or three likely readings as buttons, or one question for a missing detail."""
    buttons = [
        Button(label, command)
        for label, command in zip(reading.labels, reading.choices, strict=False)
    ]
    return Reply(
        text=reading.question or "Did you mean:", elements=[Actions(buttons)] if buttons else []
    )


def friendly(reading: Interpretation) -> Reply:
    buttons = [
        Button(label, command)
        for label, command in zip(reading.labels, reading.choices, strict=False)
    ]
    return Reply(text=reading.text or "", elements=[Actions(buttons)] if buttons else [])


def prefilled(form: Form, command: str, *, names: str | None = None, verb: str = "sent") -> Reply:
    """The command's own form, filled in with what was read from plain English
    (`bot.forms.form_for`), under a line naming what it acts on (`names`); nothing is
    `verb` ("sent", "saved") until the person submits it."""
    said = f"{names}\n" if names else ""
    return Reply(
        text=f"{read_line(command)}\n{said}Check the form and send it: nothing is {verb} "
        "until you do.",
        elements=[form],
        read_as=command,
    )
