"""The command registry: every command declares its usage, examples and what it acts on.

`help` is generated from it. Who may use a command is not declared here but in bot/policy.py's
table; a command that touches one item declares a loader (`loads`), which the router runs once
and asks the table about before the handler runs.

It also carries the one way one domain reacts to another: a domain `listen`s for a named
event when it registers, and the domain where the thing happened `emit`s it through
`svc.registry`, so neither imports the other. The events, and what they carry, are `EVENTS`.
"""

from __future__ import annotations

import difflib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.dates import dated_example
from bot.terms import default_calendar

if TYPE_CHECKING:
    from bot.policy import Loaded
    from bot.reply import Element, Reply

# Handlers, loaders and listeners take (req: bot.services.Request, svc: bot.services.Services),
# which this module does not name: Services carries the registry (for `help` and `emit`), so
# naming them here would make the two modules import each other. The functions themselves are
# annotated in full where they are written.
Handler = Callable[..., Awaitable["Reply"]]  # async (req, svc) -> Reply
# What a command acts on: (req, svc) -> the item and the asker's relation to it.
# Raises UserError/NotFound like a handler for a missing or malformed reference.
Loader = Callable[..., Awaitable["Loaded"]]
# async (req, svc, **data) -> elements to add to the reply of the command that emitted the event
Listener = Callable[..., Awaitable[list["Element"]]]

MINUTES_RECORDED = "minutes.recorded"
EVENTS = {
    # name: the keyword data emitted with it
    MINUTES_RECORDED: "meeting_id: int, group_id: int, text: str (the minutes just saved), "
    "actions: list[bot.minutes.ReadAction] (read from them and confirmed by the organiser)",
}

# async (svc, actor) -> [(value, label)]: the real choices a picker offers (groups, people,
# meetings); bot/forms.py has the shared ones, a domain's kernel its own
Picker = Callable[..., Awaitable[list[tuple[str, str]]]]

# A form's date fields say the forms they read. The example date is written for Fri 1 Dec 2023
# like every command example and is moved to a date after today when the form is built
# (shown_example), so a form in 2026 does not suggest 2023.
DATE_HINT = "15/12/2023 (day/month/year), YYYY-MM-DD, tomorrow or next Friday"
WHEN_HINT = (
    "15/12/2023 10:00 (day/month/year), YYYY-MM-DD 10:00, tomorrow 10:00 or next Friday 10:00"
)


def shown_example(text: str, *, today: date, calendar: str = "sheffield") -> str:
    """A command example (or a usage, a form's hint or placeholder) as shown on `today`: its
    dates, written for Fri 1 Dec 2023, moved to after today onto school days of the shipped
    calendar named `calendar` (bot.dates.dated_example). Help, forms and error examples all
    show examples through this; the examples declared here stay as written (the design's
    replay runs them on 1 Dec 2023)."""
    school_day = default_calendar(calendar).is_school_day
    return dated_example(text, today=today, is_school_day=school_day)


@dataclass(frozen=True)
class Field:
    """One argument of a command, declared once: the form shows it, typed text prefills it.

    `positional` arguments are typed in order (`action done 7 "note"`), the rest as
    `name:value`. `person` takes a typed `@handle`; `literal` is a fixed word of the command
    (`agenda 3 add ...`), never shown; `id` is the number of what the command acts on (hidden
    when known, else picked), `subject` its name; the command's loader runs on them once
    they are typed. `options` are fixed choices, `picker` real ones from the
    database. `kind` is a FormField kind ("when" is a date with a time, typed as text)."""

    name: str
    label: str = ""
    kind: str = "text"
    required: bool = False
    positional: bool = False
    placeholder: str | None = None
    hint: str | None = None
    options: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()  # what to show for each of `options` (same order)
    picker: Picker | None = None
    value: str | None = None  # what the form starts with when nothing was typed
    person: bool = False
    literal: str | None = None
    id: bool = False
    subject: bool = False  # names what the command acts on, not by number (a group's name)
    roles: frozenset[str] | None = None  # only these roles see it (staff raising for a school)


@dataclass(frozen=True)
class FormSpec:
    """A command's form: its arguments, and when the router answers with it.

    The router answers with the form, prefilled from what was typed, when a required field is
    missing; for an `edit` form, when nothing but the id was given; for an `asks` form (it
    closes or deletes), when no reason was given and no `confirm:yes` (the form's submit is
    the confirm). `applies(args)` says whether typed words are this form's command at all
    (`support 12` reads a request; its form is for raising one). `current(svc, values)` gives
    an edit form the present values of what the typed values name (by id or name; raising
    NotFound when nothing), under what was typed."""

    title: str
    fields: tuple[Field, ...]
    submit: str = "Submit"
    intro: str | None = None
    asks: bool = False
    edit: bool = False
    applies: Callable[[Any], bool] | None = None
    # the command checks its own key:value names (minutes' line<N>:), so none are derived
    any_options: bool = False
    current: Callable[..., Awaitable[dict[str, str]]] | None = None

    @property
    def option_names(self) -> frozenset[str]:
        """The key:value names its fields take (`confirm` too, for an `asks` form)."""
        names = {f.name for f in self.fields if not f.positional and f.literal is None}
        return frozenset(names | ({"confirm"} if self.asks else set()))


EVERYONE = frozenset({"admin", "staff", "member", "head"})
STAFF = frozenset({"admin", "staff"})
ADMIN = frozenset({"admin"})


@dataclass
class Command:
    name: str
    handler: Handler
    summary: str
    usage: str
    topic: str
    examples: list[str] = field(default_factory=list)
    options: frozenset[str] | None = None
    writes: bool = False
    loads: Loader | None = None
    # its trailing words are its own arguments (area names), which it checks and answers itself
    # with the nearest match; the router does not read them as plain English
    own_words: bool = False
    form: FormSpec | None = None

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(self.name.split())


@dataclass
class Topic:
    name: str
    summary: str


class Registry:
    """Commands by name; one or two words (`meetings`, `meeting add`)."""

    def __init__(self) -> None:
        self.commands: dict[str, Command] = {}
        self.topics: dict[str, Topic] = {}
        self.listeners: dict[str, list[Listener]] = {}

    def add(self, command: Command) -> None:
        if command.name in self.commands:
            raise ValueError(f"command {command.name!r} registered twice")
        self.commands[command.name] = command

    def topic(self, name: str, summary: str) -> None:
        self.topics.setdefault(name, Topic(name, summary))

    def listen(self, event: str, listener: Listener) -> None:
        """Call `listener` whenever `event` is emitted. Raises ValueError for an unknown event."""
        self.listeners.setdefault(_known(event), []).append(listener)

    async def emit(self, event: str, req: Any, svc: Any, **data: object) -> list[Element]:
        """Run `event`'s listeners in the order they registered (inside the emitting command's
        transaction); returns the elements they give back, in that order, for its reply."""
        elements: list[Element] = []
        for listener in self.listeners.get(_known(event), []):
            elements.extend(await listener(req, svc, **data))
        return elements

    def lookup(self, words: list[str]) -> tuple[Command | None, int]:
        """Longest match of the first words: `meeting add` before `meeting`."""
        lowered = [w.lower() for w in words[:2]]
        if len(lowered) >= 2 and " ".join(lowered) in self.commands:
            return self.commands[" ".join(lowered)], 2
        if lowered and lowered[0] in self.commands:
            return self.commands[lowered[0]], 1
        return None, 0

    def nearest(self, text: str) -> list[str]:
        heads = sorted({c.words[0] for c in self.commands.values()} | set(self.commands))
        return difflib.get_close_matches(text.lower(), heads, n=3, cutoff=0.6)

    def family(self, head: str) -> list[Command]:
        """Every command beginning with `head` (for `meeting frob` -> list the meeting verbs)."""
        return [c for c in self.commands.values() if c.words[0] in (head, head.rstrip("s"))]

    def for_topic(self, topic: str) -> list[Command]:
        return [c for c in self.commands.values() if c.topic == topic]


def _known(event: str) -> str:
    if event not in EVENTS:
        raise ValueError(f"unknown event {event!r}: add it to bot.registry.EVENTS")
    return event


class CommandSet:
    """A domain module's commands, registered together (`register = commands.register`)."""

    def __init__(self, topic: str, summary: str, *, own_words: bool = False) -> None:
        self.topic_name = topic
        self.summary = summary
        self.own_words = own_words  # every command of the set: see Command.own_words
        self._commands: list[Command] = []

    def command(
        self,
        name: str,
        *,
        summary: str,
        usage: str,
        examples: Iterable[str] = (),
        options: Iterable[str] | None = None,
        writes: bool = False,
        loads: Loader | None = None,
        topic: str | None = None,
        form: FormSpec | None = None,
    ) -> Callable[[Handler], Handler]:
        """Declare a command. Who may use it is bot/policy.py's table, not a declaration here;
        `writes` says it may change data (the router refuses a write by one that does not);
        `loads` is what it acts on (see `Loader`); `form` its arguments as a form (see
        `FormSpec`), whose key:value names it takes besides any `options` named."""
        if form is not None and options is not None:
            options = set(options) | form.option_names
        elif form is not None and not form.any_options:
            options = form.option_names

        def decorate(handler: Handler) -> Handler:
            self._commands.append(
                Command(
                    name=name,
                    handler=handler,
                    summary=summary,
                    usage=usage,
                    topic=topic or self.topic_name,
                    examples=list(examples),
                    options=frozenset(options) if options is not None else None,
                    writes=writes,
                    loads=loads,
                    own_words=self.own_words,
                    form=form,
                )
            )
            return handler

        return decorate

    def register(self, registry: Registry) -> None:
        registry.topic(self.topic_name, self.summary)
        for command in self._commands:
            registry.add(command)
