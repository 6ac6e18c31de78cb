"""Every write command as a form: built from the command's one declaration of its arguments
(`bot.registry.FormSpec`), prefilled from whatever was typed.

The router answers an incomplete write command with its form (`prefill`, `wants_form`, then
`checked_form`, `form_reply`); anyone else who wants the form for a command text (the `form`
command, plain English proposing a write) calls `form_for`. Pickers offer real choices: the
shared ones here (groups, people, organisations, meetings), a domain's own in its kernel
(actions, support requests, opportunities, consultations, scheduled posts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.errors import UserError
from bot.parsing import Args, build_args, split_command, yes_no_word
from bot.registry import DATE_HINT, WHEN_HINT, Command, Field, FormSpec, Registry, shown_example
from bot.reply import Form, FormField, Reply
from bot.services import Request
from storage import directory
from storage import meetings as meeting_store
from storage.meeting_notices import when_text

if TYPE_CHECKING:
    from bot.services import Services
    from storage.directory import Group, Person

MAX_CHOICES = 200  # a longer list is typed, not picked
MAX_PICKED = 60  # meetings offered in a picker


@dataclass
class Prefill:
    """What typed text says for each field of a form, by field name."""

    values: dict[str, str] = field(default_factory=dict)
    applies: bool = True  # the typed words are this form's command (see FormSpec.applies)
    confirmed: bool = False  # confirm:yes was typed


def prefill(spec: FormSpec, args: Args) -> Prefill:
    """Place typed arguments on the form's fields: options by name, `@people` on person
    fields, words on the positional fields in order (the last text field takes the rest).

    `applies` is False when the words are another use of the command (`agenda 3` lists; the
    form is `agenda 3 add ...`) or a bad id the command should explain (`action done seven`);
    the values found before that are still placed, for `form agenda 3`."""
    out = Prefill(confirmed=bool(yes_no_word(args.opt("confirm"))))
    if spec.applies is not None and not spec.applies(args):
        out.applies = False
    for f in spec.fields:
        if not f.positional and f.literal is None and args.opt(f.name):
            out.values[f.name] = args.opt(f.name) or ""
    words = list(zip(args.words, args.quoted, strict=True))
    people = list(args.people)
    positional = [f for f in spec.fields if f.positional]
    literals = {f.literal for f in positional if f.literal}
    lowered = {w.lower() for w, quoted in words if not quoted}
    literal_missing = bool(words) and not literals <= lowered
    if literal_missing:
        out.applies = False
    texts = [f for f in positional if not f.person and f.literal is None]
    for f in positional:
        if f.literal is not None:
            if literal_missing:
                break
            if words and words[0][0].lower() == f.literal:
                words.pop(0)
            continue
        if f.person and (people or not words):
            if people:
                out.values[f.name] = people.pop(0)
            continue  # else a person typed as a word: a name, or #5 (privacy erase #5)
        if not words:
            continue
        word, quoted = words[0]
        later = positional[positional.index(f) + 1 :]
        if f.options and word.lower() not in f.options and any(g in texts for g in later):
            if not quoted:  # `support urgent "..."`: not a kind; the command says which are
                out.applies = False
                break
            continue  # `support "..."`: the text is the next field's; the kind is asked
        if f.id and not _is_number(word):
            if not quoted and word.lower() in literals:
                continue  # `agenda add`: the meeting is still to be picked
            out.applies = False  # `action done seven`: the command says what is wrong
            break
        if texts and f is texts[-1] and not f.options and not f.id:
            taken = [w for w, _ in words]
            out.values[f.name] = " ".join(taken) if len(taken) > 1 else taken[0]
            words = []
        else:
            out.values[f.name] = word.lstrip("#") if f.id else word.lower() if f.options else word
            words.pop(0)
    for f in spec.fields:  # `action add "..." @jo`: a person typed for a person option
        if f.person and not f.positional and not out.values.get(f.name) and people:
            out.values[f.name] = people.pop(0)
    return out


def _is_number(word: str) -> bool:
    """`7` or `#7`: an id as the command language reads one (ASCII digits, at most 9)."""
    digits = word.lstrip("#")
    return digits.isascii() and digits.isdigit() and len(digits) <= 9


def _reason_fields(spec: FormSpec) -> list[Field]:
    return [f for f in spec.fields if not (f.id or f.subject) and f.literal is None]


def wants_form(spec: FormSpec, pre: Prefill) -> bool:
    """Whether the router answers with the form rather than running the command."""
    if not pre.applies:
        return False
    given = {name: value.strip() for name, value in pre.values.items()}  # "  " says nothing
    if any(f.required and not given.get(f.name) for f in spec.fields if f.literal is None):
        return True
    said = any(given.get(f.name) for f in _reason_fields(spec))
    if spec.edit and not said:
        return True
    return spec.asks and not said and not pre.confirmed


async def _choices(f: Field, svc: Services, actor: Person) -> list[tuple[str, str]]:
    if f.picker is not None:
        return (await f.picker(svc, actor))[:MAX_CHOICES]
    labels = f.labels if len(f.labels) == len(f.options) else f.options
    return list(zip(f.options, labels, strict=True))


async def _known_person(svc: Services, typed: str, choices: list[tuple[str, str]]) -> str:
    """A typed `@jo` as the person picker's value (an email), when it names one person."""
    if typed in {value for value, _ in choices}:
        return typed
    try:
        person = await directory.resolve_person(svc.session, typed)
    except UserError:
        return typed
    return person.email


async def build_form(
    command: Command,
    *,
    values: dict[str, str],
    svc: Services,
    actor: Person,
) -> Form:
    """The command's form with `values` filled in (and, under them, an edit form's present
    values of what its id names); a known id is carried, not asked again."""
    spec = command.form
    if spec is None:
        raise ValueError(f"{command.name} declares no form")
    # hints and placeholders show example dates after today (written for Fri 1 Dec 2023)
    today, calendar = svc.now().astimezone(svc.tz).date(), svc.settings.partnership_calendar
    known_id = next(
        (
            values[f.name].lstrip("#")
            for f in spec.fields
            if f.id and _is_number(values.get(f.name, ""))
        ),
        None,
    )
    current = await spec.current(svc, values) if spec.current is not None else {}
    fields: list[FormField] = []
    about = ""
    for f in spec.fields:
        if f.literal is not None:
            fields.append(FormField(f.name, "", "hidden", positional=True, value=f.literal))
            continue
        if f.roles is not None and actor.role not in f.roles:
            continue
        if f.id and known_id is not None:
            fields.append(FormField(f.name, "", "hidden", positional=f.positional, value=known_id))
            about = about or await _named(f, known_id, svc, actor)
            continue
        value = (values.get(f.name) or "").strip() or current.get(f.name) or f.value
        kind, hint = f.kind, f.hint
        if kind == "when":
            kind, hint = "text", hint or WHEN_HINT
        elif kind == "date":
            hint = hint or DATE_HINT
        options: list[str] = []
        labels: list[str] = []
        if f.picker is not None or f.options:
            choices = await _choices(f, svc, actor)
            if f.person and value:
                value = await _known_person(svc, value, choices)
            if value and value not in {v for v, _ in choices}:
                choices.append((value, value))  # what was typed stays, even if not listed
            options = [v for v, _ in choices]
            labels = [label for _, label in choices]
            # nothing to pick from (no meetings yet): a typed value, not an empty list
            kind = "select" if options and kind in ("text", "select") else kind
            kind = "text" if kind == "select" and not options else kind
            if labels == options:
                labels = []
        fields.append(
            FormField(
                f.name,
                f.label or f.name,
                kind,  # type: ignore[arg-type]
                options=options,
                labels=labels,
                required=f.required,
                placeholder=f.placeholder
                and shown_example(f.placeholder, today=today, calendar=calendar),
                value=value,
                positional=f.positional,
                hint=shown_example(hint, today=today, calendar=calendar) if hint else hint,
            )
        )
    if spec.asks:
        fields.append(FormField("confirm", "", "hidden", value="yes"))
    title = spec.title.format(id=f"#{known_id}") if known_id else spec.title.replace(" {id}", "")
    submit = spec.submit.format(id=f"#{known_id}") if known_id else spec.submit.replace(" {id}", "")
    return Form(title=title, command=command.name, fields=fields, submit_label=submit, about=about)


async def _named(f: Field, known_id: str, svc: Services, actor: Person) -> str:
    """What the id field's picker calls item `known_id` ("#7 Circulate the PA figures (Jo
    Bloggs, due 12/01/2024)"), without its leading "#7"; "" when the picker does not offer it
    (a past meeting, someone else's action): the command's own answer then says what it is."""
    if f.picker is None:
        return ""
    label = dict(await _choices(f, svc, actor)).get(known_id, "")
    return label.removeprefix(f"#{known_id}").strip(" ,:")


def headline(form: Form) -> str:
    """The form's title with what its id names: "Apologies for meeting #1: Partnership board,
    Thu 14 Dec 2023 14:00" (the title alone when nothing is known about it)."""
    return f"{form.title}: {form.about}" if form.about else form.title


def worth_showing(form: Form) -> bool:
    """Whether a form proposed for a write read from plain English is worth opening: it shows a
    field already filled in (words, a date, a person read from the message) for the person to
    check. A form showing only empty optional fields (`action done 7`'s note) or none at all
    (`bulletin unsubscribe`) is one press of a confirm button instead."""
    return any(f.value for f in form.shown_fields) or any(
        f.required and not f.value for f in form.shown_fields
    )


def intro(command: Command, form: Form) -> str:
    """The line above a form the router answers with: what it is for, and how to type it."""
    spec = command.form
    said = spec.intro if spec is not None and spec.intro else command.summary + "."
    missing = [f.label for f in form.shown_fields if f.required and not f.value]
    if missing:
        said += " Still needed: " + ", ".join(missing) + "."
    return said


def parse(registry: Registry, text: str) -> tuple[Command, Args] | None:
    """The command `text` names and its arguments, or None (no command, or unreadable)."""
    try:
        tokens = split_command(text)
    except UserError:
        return None
    words = [t.text for t in tokens]
    if words and words[0].lower().lstrip("/") in ("partnership", "@partnership-bot"):
        tokens, words = tokens[1:], words[1:]
    command, used = registry.lookup(words)
    if command is None:
        return None
    try:
        return command, build_args(tokens[used:], raw=text)
    except UserError:
        return None


async def form_for(
    svc: Services, actor: Person, text: str, *, now: datetime | None = None, door: str = ""
) -> Form | None:
    """The form of the command `text` names, prefilled from what it says.

    None when `text` names no command that has a form, or cannot be read. Raises `NotAllowed`
    when the actor may not use the command on what it names (bot.policy: the role, and for a
    typed id the loaded item's relation), `NotFound` for an id that names nothing, so a form
    is never offered to someone who could not submit it. `svc.registry` must be set (the
    router's Services always have it)."""
    if svc.registry is None:
        raise ValueError("form_for needs the command registry (Services.registry)")
    found = parse(svc.registry, text)
    if found is None or found[0].form is None:
        return None
    command, args = found
    assert command.form is not None
    pre = prefill(command.form, args)
    return await checked_form(
        command, args, pre, svc=svc, actor=actor, text=text, now=now, door=door
    )


async def checked_form(
    command: Command,
    args: Args,
    pre: Prefill,
    *,
    svc: Services,
    actor: Person,
    text: str,
    now: datetime | None,
    door: str,
) -> Form:
    """`build_form` after the same checks as running the command: the actor's role, and for
    a typed id the command's loader and the relation it needs."""
    svc.policy.check_roles(actor, command.name)
    spec = command.form
    # the loader needs what it acts on: run it once every id the form asks for is typed
    ids_given = spec is not None and all(
        pre.values.get(f.name) for f in spec.fields if f.id or f.subject
    )
    if command.loads is not None and ids_given:
        request = Request(
            text=text,
            actor=actor,
            door=door,
            now=now or svc.clock.now(),
            args=args,
            command=command.name,
        )
        svc.policy.check(actor, command.name, await command.loads(request, svc))
    return await build_form(command, values=pre.values, svc=svc, actor=actor)


def form_reply(command: Command, form: Form) -> Reply:
    """A form as the answer to a command: a line saying what it is for, then the form."""
    return Reply(text=intro(command, form)).add(form)


# --- pickers shared by every domain --------------------------------------------------------


async def groups(svc: Services, actor: Person) -> list[tuple[str, str]]:
    """Every group, by name."""
    return [_group(g) for g in await directory.all_groups(svc.session)]


async def my_groups(svc: Services, actor: Person) -> list[tuple[str, str]]:
    """The groups the actor belongs to (staff: every group)."""
    found = (
        await directory.all_groups(svc.session)
        if actor.is_staff
        else await directory.groups_of(svc.session, actor.id)
    )
    return [_group(g) for g in found]


def _group(group: Group) -> tuple[str, str]:
    return group.name, f"{group.title} ({group.name})" if group.title else group.name


async def people(svc: Services, actor: Person) -> list[tuple[str, str]]:
    """Everyone active in the directory: the email (always one person) and a readable name."""
    found = [p for p in await directory.all_people(svc.session) if p.active]
    return [
        (p.email, f"{p.name} ({p.organisation.name})" if p.organisation else p.name) for p in found
    ]


async def organisations(svc: Services, actor: Person) -> list[tuple[str, str]]:
    return [(o.name, o.name) for o in await directory.all_organisations(svc.session)]


async def meetings(svc: Services, actor: Person) -> list[tuple[str, str]]:
    """Upcoming meetings of the actor's groups (staff: every group's), soonest first, as
    (number, "#3 Title, when")."""
    now = svc.now()
    if actor.is_staff:
        found = await meeting_store.starting_between(
            svc.session, after=now, until=now + timedelta(days=400)
        )
    else:
        found = await meeting_store.upcoming_for_person(
            svc.session, person_id=actor.id, now=now, limit=MAX_PICKED
        )
    return [(str(m.id), f"#{m.id} {m.title}, {when_text(m, svc.tz)}") for m in found[:MAX_PICKED]]


# The pickers the directory commands share, declared once: whom a command acts on, and in
# which group (both the subject the router loads, so a form never offers a forbidden one).
WHO = Field(
    "person", "Who", required=True, positional=True, person=True, subject=True, picker=people
)
GROUP = Field("group", "Group", required=True, positional=True, subject=True, picker=groups)
