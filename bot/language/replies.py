"""Replies for plain English that is not simply run: proposals, questions and small talk.

Pure functions from an Interpretation (and, for support, the command's own form) to a Reply.
"""

from __future__ import annotations

from dataclasses import replace

from bot.language.model import Interpretation
from bot.parsing import build_args, split_command
from bot.reply import Actions, Button, Form, Reply


def read_line(command: str) -> str:
    return f"Read as: {command}"


def with_read_as(reply: Reply, command: str) -> Reply:
    """A read's reply, starting with the one line saying how the message was read."""
    reply.text = read_line(command) + ("\n" + reply.text if reply.text else "")
    reply.read_as = command
    return reply


def proposal(reading: Interpretation) -> Reply:
    """A write read from plain English: shown with one button carrying the exact command."""
    assert reading.command is not None
    return Reply(
        text=f"{read_line(reading.command)}\nNothing is saved until you say yes.",
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


def prefilled(form_reply: Reply, command: str) -> Reply:
    """The command's own form with the values read from plain English filled in; nothing is
    sent until the person submits it."""
    form = form_reply.form
    assert form is not None
    head = len(form.command.split())
    args = build_args(split_command(command)[head:], raw=command)
    values: dict[str, str] = dict(args.options)
    positional = [f for f in form.fields if f.positional]
    unquoted = [w for w, was_quoted in zip(args.words, args.quoted, strict=True) if not was_quoted]
    quoted = [w for w, was_quoted in zip(args.words, args.quoted, strict=True) if was_quoted]
    first_select = next((f for f in form.fields if f.kind == "select" and not f.positional), None)
    if first_select is not None and unquoted and unquoted[0] in first_select.options:
        values.setdefault(first_select.name, unquoted.pop(0))
    free = quoted or unquoted
    if positional and free:
        values.setdefault(positional[0].name, " ".join(free))
    filled: Form = replace(
        form,
        fields=[replace(f, value=values.get(f.name, f.value)) for f in form.fields],
    )
    elements = [filled if e is form else e for e in form_reply.elements]
    return Reply(
        text=read_line(command) + "\nCheck the form and send it: nothing is sent until you do.",
        elements=elements,
        read_as=command,
    )
