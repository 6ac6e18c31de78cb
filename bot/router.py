"""Text in, Reply out: parse, resolve the command, check permission, run, audit, commit.

Permission: the policy table's roles first; then, for a command that declares a loader, the
item is loaded once, the table's relation is asked of its facts, and the handler gets the item
as `Request.item`. Audit: a command that wrote is recorded with the subject its reply names
(`Reply.subject`); a command not declared `writes` that writes is refused (rolled back)."""

from __future__ import annotations

import logging
import re
from datetime import datetime

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from bot import forms
from bot.clock import Clock, SystemClock
from bot.errors import NotAllowed, UserError
from bot.language import Interpretation, interpret
from bot.language import replies as plain_replies
from bot.language.knowledge import forget as forget_names
from bot.language.text import ABBREVIATIONS, wordlist
from bot.parsing import EMAIL_RE, KEY_RE, Args, Token, build_args, split_command
from bot.policy import DEFAULT, Policy
from bot.registry import Command, Registry, shown_example
from bot.render.text import render_text
from bot.reply import Reply
from bot.services import Request, Services
from bot.settings import Settings
from storage import audit
from storage.db import Database
from storage.directory import Person

log = logging.getLogger(__name__)


def build_registry() -> Registry:
    """Every domain module adds its commands to one registry."""
    from handlers import register_all

    registry = Registry()
    register_all(registry)
    return registry


class Router:
    """Shared by every door (web, Slack, Teams, CLI) so the same text does the same thing."""

    def __init__(
        self,
        *,
        settings: Settings,
        db: Database,
        clock: Clock | None = None,
        registry: Registry | None = None,
        policy: Policy = DEFAULT,
    ) -> None:
        self.settings = settings
        self.db = db
        self.clock = clock or SystemClock()
        self.registry = registry or build_registry()
        self.policy = policy

    def services(self, session: AsyncSession) -> Services:
        return Services(
            self.settings, self.clock, session, self.db, self.registry, policy=self.policy
        )

    async def handle(
        self,
        text: str,
        *,
        actor_id: int,
        door: str,
        channel: str | None = None,
        now: datetime | None = None,
        submitted: bool = False,
    ) -> Reply:
        """Run one command as one person; one session, committed only if it succeeds.

        `submitted`: the text was built from a submitted form, so it runs as it is (a missing
        value is the command's own error, shown on its field) rather than asking with the
        form again."""
        try:
            async with self.db.session() as session:
                actor = await session.get(Person, actor_id)
                if actor is None:
                    raise UserError("You are not in the partnership directory.")
                if not actor.active:
                    raise UserError(
                        "You are not in the partnership directory any more (your place was "
                        "deactivated), so the bot cannot act for you.",
                        hint="Ask a partnership admin if that is a mistake.",
                    )
                services = self.services(session)
                return await self.dispatch(
                    text,
                    actor=actor,
                    door=door,
                    channel=channel,
                    services=services,
                    now=now,
                    plain=not submitted,
                    ask=not submitted,
                )
        except UserError as err:
            return error_reply(self._dated(err, now or self.clock.now()))
        except Exception:
            log.exception("command failed (door=%s)", door)
            return Reply(
                text="Sorry, something went wrong on our side and nothing was saved. "
                "Please try again; if it keeps happening, tell a partnership admin.",
                error=True,
            )

    def _dated(self, err: UserError, now: datetime) -> UserError:
        """The error's example and hint with dates as near today as they were to the day the
        examples were written for, on school days (bot.registry.shown_example)."""
        if err.example_is_dated:
            return err
        today = now.astimezone(self.settings.tz).date()
        calendar = self.settings.partnership_calendar
        for name in ("example", "hint"):
            value = getattr(err, name)
            if value:
                setattr(err, name, shown_example(value, today=today, calendar=calendar))
        return err

    async def dispatch(
        self,
        text: str,
        *,
        actor: Person,
        door: str,
        services: Services,
        channel: str | None = None,
        now: datetime | None = None,
        plain: bool = True,
        ask: bool = True,
    ) -> Reply:
        """Parse and run inside an open session; UserError propagates (the caller rolls back).

        A write that leaves out what it needs is answered with its form (unless `ask` is
        False: a submitted form). A complete command runs as typed. Otherwise (`plain`: an
        unknown first word, a command word followed by plain English, a read the command
        refuses) the message is read as plain English (bot.language): reads run with a
        `Read as:` line, writes are only proposed, unclear messages get a question.
        """
        try:
            tokens = split_command(text)
        except UserError as err:
            # an unreadable message (too long, a quote left open): show the example of the
            # command it seems to be, not a generic one
            command, _ = self.registry.lookup(text[:200].split()[:2])
            if command is None and plain and len(text) <= 1000:
                reply = await self._plain(text, actor, door, services, channel, now)
                if reply is not None:
                    return reply
            if command is not None and command.examples:
                err.example = command.examples[0]
            raise
        if tokens and tokens[0].text.startswith("/"):
            tokens[0].text = tokens[0].text.lstrip("/")
        if tokens and tokens[0].text.lower() in ("partnership", "@partnership-bot"):
            tokens = tokens[1:]
            text = text.split(None, 1)[1] if len(text.split(None, 1)) > 1 else ""
        if not tokens:
            tokens = split_command("help")
        words = [t.text for t in tokens]
        command, used = self.registry.lookup(words)
        if plain and (command is None or _incomplete(command, tokens[used:], text)):
            reply = await self._plain(
                text, actor, door, services, channel, now, typed=command is not None
            )
            if reply is not None:
                return reply
        if command is None:
            raise self._unknown(words)
        if ask and command.form is not None:
            asked = await self._form_if_incomplete(
                command, tokens[used:], text, actor, door, services, now
            )
            if asked is not None:
                return asked
        try:
            return await self._run(
                command, tokens[used:], text, actor, door, services, channel, now
            )
        except NotAllowed:
            raise  # about the asker, not the words: the command's answer stands
        except UserError:
            if not plain:
                raise
            # the command refuses what followed it ("attendance in hull", "calendar link",
            # "help me"): perhaps it is plain English; its own answer stands unless the
            # reading is sure of more than the command could make of the words
            reply = await self._plain(
                text, actor, door, services, channel, now, typed=True, refused=command
            )
            if reply is None:
                raise
            return reply

    async def _plain(
        self,
        text: str,
        actor: Person,
        door: str,
        services: Services,
        channel: str | None,
        now: datetime | None,
        *,
        typed: bool = False,
        refused: Command | None = None,
    ) -> Reply | None:
        """Read a message as plain English; None when it does not read as anything else.

        `typed`: it began with a command word, whose own answer is better than a question that
        only asks for the same missing number or offers the topic's commands, or than the bare
        command unless all that followed it was "please" (`opps pls`, `help me`). `refused`:
        that command refused the words after it; then a reading that filled a detail in by
        default (`attendance narnia` is not Sheffield's), read a word through a typo fix, left
        out a number the person typed, or answers for a write the person typed (its own
        answer about its arguments is better) is not taken either.
        """
        try:
            reading = await interpret(text, actor=actor, services=services, now=now)
        except UserError:
            return None
        except Exception as exc:  # a reading must never break a command; never log the text
            log.error("plain-English reading failed (door=%s): %s", door, type(exc).__name__)
            return None
        if reading.kind == "unknown" or (reading.command or "").strip() == text.strip():
            return None
        if typed and reading.intent in ("missing", "topic"):
            return None
        if typed and _bare(reading.command, self.registry):
            # only the typed command itself, never another's list ("meeting add" is not
            # "meetings"), and only when what followed said nothing more ("please", "link"):
            # "triage frob" and "help privacy erase" keep the command's own answer
            if _command_of(reading.command, self.registry) is not _command_of(text, self.registry):
                return None
            if not all(w in FILLER for w in _tail(text, reading.command)):
                return None
        if refused is not None and refused.writes and not _bare(reading.command, self.registry):
            return None  # a write's own answer about its arguments (or its form) stands
        # a number the person typed that the reading leaves out ("attendance Sheffield 2019")
        dropped = refused is not None and any(
            any(c.isdigit() for c in w)
            and w.lstrip("#") not in (reading.command or "")
            and not _carried_as_date(w, reading.command or "")
            for w in _tail(text, None)
        )
        if refused is not None and (reading.guessed or dropped):
            return None
        if reading.kind == "smalltalk":
            return plain_replies.friendly(reading)
        if reading.kind == "clarify" or reading.command is None:
            return plain_replies.question(reading)
        if reading.kind == "write":
            return await self._propose(reading, actor, door, services, now)
        if reading.kind == "support":
            form = await forms.form_for(services, actor, reading.command, now=now, door=door)
            if form is None:
                return None
            return plain_replies.prefilled(form, reading.command)
        try:
            reply = await self.dispatch(
                reading.command,
                actor=actor,
                door=door,
                services=services,
                channel=channel,
                now=now,
                plain=False,
            )
        except UserError as err:
            err.message = plain_replies.read_line(reading.command) + "\n" + err.message
            raise
        return plain_replies.with_read_as(reply, reading.command)

    async def _propose(
        self,
        reading: Interpretation,
        actor: Person,
        door: str,
        services: Services,
        now: datetime | None,
    ) -> Reply:
        """A write read from plain English, never run: its form prefilled with what was read
        when that leaves something to check (`forms.worth_showing`), else a confirm button
        carrying the exact command; either way under a line naming what it acts on.

        The form is built with the same checks as running the command, so a person who may
        not do it, or an id that names nothing, gets the command's own answer at once."""
        command = reading.command
        assert command is not None
        try:
            form = await forms.form_for(services, actor, command, now=now, door=door)
        except UserError as err:
            err.message = plain_replies.read_line(command) + "\n" + err.message
            raise
        if form is not None and forms.worth_showing(form):
            # the form's own title says what it does; the line names what its id is
            names = forms.headline(form) if form.about else None
            return plain_replies.prefilled(form, command, names=names, verb="saved")
        return plain_replies.proposal(
            reading, names=forms.headline(form) if form is not None else None
        )

    async def _form_if_incomplete(
        self,
        command: Command,
        rest: list[Token],
        text: str,
        actor: Person,
        door: str,
        services: Services,
        now: datetime | None,
    ) -> Reply | None:
        """The command's form, prefilled from what was typed, when the text leaves out what
        it needs (or, for a command that closes or deletes, says no reason and no confirm);
        None to run it as typed."""
        args = build_args(rest, raw=text)
        spec = command.form
        if spec is None:
            return None
        pre = forms.prefill(spec, args)
        if not forms.wants_form(spec, pre):
            return None
        self._check_options(command, args)
        form = await forms.checked_form(
            command, args, pre, svc=services, actor=actor, text=text, now=now, door=door
        )
        return forms.form_reply(command, form)

    def _check_options(self, command: Command, args: Args) -> None:
        if command.options is None:
            return
        unknown = sorted(set(args.options) - command.options)
        if unknown:
            known = ", ".join(f"{o}:" for o in sorted(command.options)) or "none"
            raise UserError(
                f"`{command.name}` does not take {', '.join(k + ':' for k in unknown)}"
                f" (it takes {known}).",
                example=command.examples[0] if command.examples else command.usage,
            )

    async def _run(
        self,
        command: Command,
        rest: list[Token],
        text: str,
        actor: Person,
        door: str,
        services: Services,
        channel: str | None,
        now: datetime | None,
    ) -> Reply:
        """Check options and permission, run the handler, audit what it wrote."""
        args = build_args(rest, raw=text)
        self._check_options(command, args)
        self.policy.check_roles(actor, command.name)
        request = Request(
            text=text,
            actor=actor,
            door=door,
            now=now or services.clock.now(),
            args=args,
            command=command.name,
            channel=channel,
        )
        with _WriteWatch(services.session) as watch:
            if command.loads is not None:
                loaded = await command.loads(request, services)
                self.policy.check(actor, command.name, loaded)
                request.item, request.facts = loaded.item, loaded.facts
            reply = await command.handler(request, services)
        note = services.estimated_note()
        if note and not reply.error and "estimated" not in render_text(reply).lower():
            reply.text += note  # every reply that used an estimated term date says so
        if watch.wrote:
            forget_names(services.session)  # perhaps a person or group: read it at once
        if watch.wrote and not command.writes:
            # the declaration is what plain English and the docs rely on: refuse (roll back)
            raise UndeclaredWrite(f"{command.name} wrote but is not declared writes=True")
        if not reply.error and watch.wrote:
            if reply.subject is None:  # still audited, by kind; the handler should name it
                log.warning("%s wrote without naming its subject (Reply.subject)", command.name)
            kind, object_id = reply.subject or (audit.kind_of(command.words[0]), None)
            await audit.record(
                services.session,
                at=request.now,
                actor_id=actor.id,
                door=door,
                command=command.name,
                object_kind=kind,
                object_id=object_id,
            )
        return reply

    def _unknown(self, words: list[str]) -> UserError:
        head = words[0]
        family = self.registry.family(head.lower())
        if family and len(words) > 1:
            verbs = ", ".join(sorted(c.name for c in family))
            return UserError(
                f"I don't know `{head} {words[1]}`. {head} commands: {verbs}.",
                example=family[0].examples[0] if family[0].examples else family[0].usage,
            )
        near = self.registry.nearest(head)
        hint = f"Did you mean `{near[0]}`?" if near else None
        return UserError(
            f"I don't know the command `{head[:40]}`.",
            hint=(hint + " " if hint else "") + "Type `help` to see what I can do.",
            example="help",
        )


class UndeclaredWrite(RuntimeError):
    """A command changed data without declaring `writes=True`: a bug, so nothing is saved."""


class _WriteWatch:
    """Notices whether a command changed anything: the audit log holds every write (not a form
    being shown or a list being read), and a command not declared `writes=True` may not write."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.flushed = False

    def _flushed(self, *_: object) -> None:
        self.flushed = True

    def _executed(self, state) -> None:  # type: ignore[no-untyped-def]
        if state.is_insert or state.is_update or state.is_delete:
            self.flushed = True

    def __enter__(self) -> _WriteWatch:
        sync = self.session.sync_session
        event.listen(sync, "after_flush", self._flushed)
        event.listen(sync, "do_orm_execute", self._executed)
        return self

    def __exit__(self, *_: object) -> None:
        sync = self.session.sync_session
        event.remove(sync, "after_flush", self._flushed)
        event.remove(sync, "do_orm_execute", self._executed)

    @property
    def wrote(self) -> bool:
        s = self.session
        return self.flushed or bool(s.new or s.dirty or s.deleted)


# words that make a command's tail plain English rather than search words or a topic
ENGLISH = frozenset(
    wordlist(
        """for with the a an my me our next this last please pls any about of to what when which
    is are due before by closing week month today tomorrow wk tmrw coming upcoming from
    on in at i we us you whats show give get can could would"""
    )
)


# what may follow a command word without adding anything to it ("opps pls", "help me",
# "calendar link"): the command alone is what was asked for
FILLER = frozenset(
    wordlist(
        """please pls plz me now thanks thx ta cheers the my all show list again ? ! link links
        feed url address page details info information stuff"""
    )
)


def _tail(text: str, command: str | None) -> list[str]:
    """The typed words after the reading's command words, lower case, punctuation trimmed."""
    head = len((command or "").split())
    words = [w.lower().strip(".,!?") or w for w in text.split()[head:]]
    return [w for w in words if w]


def _command_of(command: str | None, registry: Registry) -> Command | None:
    found, _ = registry.lookup((command or "").split()[:2])
    return found


# a day of the month or a time of day as typed ("15th", "2pm", "10-12"): a reading carries it
# resolved ("15/12/2023 10:00", until:12:00), not as typed
DAY_OR_TIME = re.compile(
    r"\d{1,2}(?:st|nd|rd|th)|\d{1,2}(?:[:.]\d\d)?(?:am|pm)?(?:-\d{1,2}(?:[:.]\d\d)?(?:am|pm)?)?",
    re.IGNORECASE,
)


def _carried_as_date(word: str, command: str) -> bool:
    """Whether a typed day or time (`15th`, `10-12`) is in the reading as a date or time."""
    return bool(DAY_OR_TIME.fullmatch(word.strip(",.;!?"))) and bool(
        re.search(r"\d/\d|\d:\d", command)
    )


def _bare(command: str | None, registry: Registry) -> bool:
    """A reading that is only a command's name (`actions`): nothing more than the typed command
    word said, so the command's own answer (or refusal) stands."""
    if not command:
        return False
    found, used = registry.lookup(command.split()[:2])
    return found is not None and len(command.split()) == used


def _incomplete(command: Command, rest: list[Token], text: str) -> bool:
    """Whether a message starting with a command word goes on in plain English: a verb that
    needs an id followed by words that are not one, or a read followed by English words."""
    if command.own_words:
        return False  # its words are its own arguments (area names), checked by the command
    words = [
        t.text
        for t in rest
        if not t.quoted
        and not (KEY_RE.match(t.text) and not t.text.startswith(("http:", "https:")))
        and not t.text.startswith("@")
        and not EMAIL_RE.match(t.text)
    ]
    slots = command.usage.split()[len(command.words) :]
    slot = slots[0] if slots else ""
    if slot == "<id>" and words and not words[0].lstrip("#").isdigit():
        return True
    if command.writes:
        return False
    positional = [s for s in slots if not KEY_SLOT.match(s)]
    if words and (not positional or (slot in ("<id>", "[id]") and len(words) > 1)):
        return True  # more words than the read takes: "action 7 sorted", "meetings group board"
    return text.rstrip().endswith("?") or any(_english(w) for w in words)


KEY_SLOT = re.compile(r"^\[?[a-z][\w-]*:")


def _english(word: str) -> bool:
    """An English word, as typed or as people abbreviate or mistype it (`pls`, `fro`)."""
    w = word.lower().strip("?!.,")
    return w in ENGLISH or any(x in ENGLISH for x in ABBREVIATIONS.get(w, "").split())


def error_reply(err: UserError) -> Reply:
    return Reply(text=str(err), error=True, private=True, error_field=err.field)
