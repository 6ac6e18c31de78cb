"""Run corpus cases through the router as their senders and mark each reading.

Shared by the accuracy test (`test_corpus.py`) and `bench/language.py`. Each message goes
through `Router.handle` exactly as a door sends it; the reading is the reply's `read_as` (or the
message itself when it was already a complete command). Smalltalk and questions are told apart
by asking the interpreter for its `kind`. For every message that means a write, or was read as
one, the database is fingerprinted before and after: a plain-English write must change nothing
until the person confirms.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select, text

from bot import forms, language
from bot.app import BotContext
from bot.errors import UserError
from bot.parsing import build_args, split_command
from bot.reply import Form, Reply
from bot.services import Services
from storage.base import Base
from storage.directory import Person, person_by_email
from tests.language.judge import Case, Judge

# big, static tables: their row count is enough to see a write
COUNT_ONLY = {"attendance_figures"}
CRASH = "Sorry, something went wrong"


@dataclass
class Result:
    """How one case was read, and what the reply did."""

    case: Case
    read_as: str | None
    kind: str | None  # the interpreter's kind, asked only when needed
    tried: str | None  # what the interpreter made of it when the reply had no reading
    correct: bool
    is_write: bool
    changed: bool  # the database changed although nothing was confirmed
    proposed: bool  # a write was shown as a form or a confirm button
    crashed: bool
    reply: Reply


async def fingerprint(ctx: BotContext) -> str:
    """A digest of every table (counts for the big static ones): equal means nothing saved."""
    import storage.models  # noqa: F401  (every table registered on Base.metadata)

    digest = hashlib.sha256()
    async with ctx.db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            digest.update(table.name.encode())
            if table.name in COUNT_ONLY:
                count = (await conn.execute(text(f'SELECT count(*) FROM "{table.name}"'))).scalar()
                digest.update(str(count).encode())
                continue
            order = [c for c in table.primary_key.columns] or list(table.columns)
            rows = await conn.execute(select(table).order_by(*order))
            for row in rows:
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def _is_complete_command(ctx: BotContext, message: str) -> bool:
    try:
        tokens = split_command(message)
    except Exception:
        return False
    command, _ = ctx.router.registry.lookup([t.text for t in tokens])
    return command is not None


def means_write(ctx: BotContext, command_text: str | None) -> bool:
    """Would this command text change something if run? (Not just "is declared a writer":
    `group board`, `support 12`, `agenda 1 list`, `minutes 1` only show something.)"""
    if not command_text:
        return False
    try:
        tokens = split_command(command_text)
    except Exception:
        return False
    command, used = ctx.router.registry.lookup([t.text for t in tokens])
    if command is None:
        return False
    args = build_args(tokens[used:])
    rest = [w.lower() for w in args.words]
    if command.name == "calendar":
        return rest[:1] == ["reset"]
    if not command.writes:
        return False
    if command.name == "group":
        return bool(args.options)
    if command.name == "support":
        return bool(rest) and not rest[0].lstrip("#").isdigit()
    if command.name in ("agenda", "papers"):
        return rest[1:2] not in ([], ["list"])
    if command.name == "minutes":
        return len(rest) > 1
    return True


async def _offers(judge: Judge, reply: Reply, command: str, as_it_stands: Form | None) -> bool:
    """The reply carries the exact command: a confirm button, or a form prefilled with it.

    A form counts when sending it as prefilled runs the command, or (an edit form, which shows
    the item's present values) when the values it changes from the form for the bare id as it
    stands (`as_it_stands`) do."""
    for button in reply.buttons:
        if button.command == command or await judge.matches(command, button.command):
            return True
    form = reply.form
    if form is None or form.command.split()[0] != command.split()[0]:
        return False
    if form.command == "support":
        return True
    values = {f.name: f.value or "" for f in form.fields}
    sent = [form.to_command(values)]
    if as_it_stands is not None:
        present = {f.name: f.value or "" for f in as_it_stands.fields}
        sent.append(form.to_command({k: v for k, v in values.items() if v != present.get(k, "")}))
    for typed in sent:
        # the same words and options (a date the judge cannot read is still the same text),
        # or the same meaning as the judge reads it
        if _arguments(typed) == _arguments(command) or await judge.matches(command, typed):
            return True
    # an edit to what a field already holds ("make it weekly" when it is): the form changes
    # nothing, but every option the command sets is in its field as the command sets it
    return _carries(values, command)


def _carries(values: dict[str, str], command: str) -> bool:
    """Every option of `command` is a form field holding that value (and it has options)."""
    try:
        args = build_args(split_command(command))
    except Exception:
        return False
    options = {k: str(v) for k, v in args.options.items()}
    return bool(options) and all(values.get(k, "").strip() == v for k, v in options.items())


def _arguments(command: str) -> tuple[object, ...] | None:
    """A command's words, options and people as the command reads them (quoting aside)."""
    try:
        args = build_args(split_command(command))
    except Exception:
        return None
    return (tuple(args.words), tuple(sorted(args.options.items())), tuple(args.people))


async def _as_it_stands(services: Services, actor: Person, reply: Reply) -> Form | None:
    """The form for the reply's form's command with only its hidden values (`opp edit 4`)."""
    if reply.form is None:
        return None
    try:
        return await forms.form_for(services, actor, reply.form.to_command({}))
    except UserError:
        return None


async def evaluate(ctx: BotContext, cases: list[Case], *, door: str = "cli") -> list[Result]:
    """Send every case as its sender, in order, and mark it. Reads run; writes must not."""
    results = []
    for case in cases:
        async with ctx.db.session() as session:
            person = await person_by_email(session, case.sender)
        assert person is not None, f"{case.source}:{case.line}: no such sender {case.sender}"
        expected_write = any(means_write(ctx, c) for c in case.commands)
        before = await fingerprint(ctx)  # every message: a misreading may be a write too
        reply = await ctx.router.handle(case.message, actor_id=person.id, door=door)
        after = await fingerprint(ctx)
        read_as = reply.read_as
        if read_as is None and not reply.error and _is_complete_command(ctx, case.message):
            read_as = case.message
        is_write = expected_write or (reply.read_as is not None and means_write(ctx, reply.read_as))
        async with ctx.db.session() as session:
            services = ctx.router.services(session)
            judge = Judge(
                session,
                ctx.router.registry,
                now=ctx.clock.now(),
                tz=services.tz,
                terms=await services.terms(),
            )
            kind = tried = None
            if len(case.commands) < len(case.expected) or read_as is None:
                actor = await session.get(Person, person.id)
                assert actor is not None
                reading = await language.interpret(case.message, actor=actor, services=services)
                kind, tried = reading.kind, reading.command
            correct = False
            for expected in case.expected:
                if expected.startswith("~"):
                    correct = kind == expected[1:] and not reply.error
                else:
                    correct = not reply.error and await judge.matches(expected, read_as)
                if correct:
                    break
            proposed = True
            if reply.read_as and means_write(ctx, reply.read_as):
                actor = await session.get(Person, person.id)
                assert actor is not None
                standing = await _as_it_stands(services, actor, reply)
                proposed = await _offers(judge, reply, reply.read_as, standing)
        results.append(
            Result(
                case=case,
                read_as=read_as,
                kind=kind,
                tried=tried,
                correct=correct,
                is_write=is_write,
                changed=before != after,
                proposed=proposed,
                crashed=reply.text.startswith(CRASH),
                reply=reply,
            )
        )
    return results


def accuracy(results: list[Result]) -> float:
    return sum(r.correct for r in results) / len(results) if results else 0.0


def misses(results: list[Result], limit: int = 200) -> str:
    """One line per miss: where, who, the message, what was expected, what it was read as."""
    lines = []
    for r in results:
        if r.correct:
            continue
        got = r.read_as or r.tried or (f"~{r.kind}" if r.kind else "-")
        if r.reply.error and not r.read_as:
            got += " (error: " + r.reply.text.splitlines()[0][:80] + ")"
        lines.append(
            f"{r.case.source}:{r.case.line} [{r.case.sender.split('@')[0]}] "
            f"{r.case.message!r}\n    want {' || '.join(r.case.expected)}\n    got  {got}"
        )
    return "\n".join(lines[:limit])
