"""`help`: generated from the registry, showing only what the asker may use."""

from __future__ import annotations

from bot import forms
from bot.errors import UserError
from bot.parsing import YES_NO_HELP
from bot.registry import Command, CommandSet, Registry, shown_example
from bot.reply import Actions, Button, Reply, Section
from bot.services import Request, Services

commands = CommandSet("help", "Help and getting started")
# `form`'s words are another command's, which it reads itself (never as plain English)
form_commands = CommandSet("help", "Help and getting started", own_words=True)


def register(registry: Registry) -> None:
    commands.register(registry)
    form_commands.register(registry)


@form_commands.command(
    "form",
    summary="The form for a command that changes something, filled in with what you give",
    usage="form <command> [what you know so far]",
    examples=['form meeting add "Budget"', "form triage resolve 12", "form apologies 3"],
)
async def form_command(req: Request, svc: Services) -> Reply:
    """Buttons that ask before they act (Apologies, Resolve) send this; so can anyone."""
    parts = req.text.strip().split(None, 1)
    wanted = parts[1] if len(parts) > 1 else ""
    registry = svc.registry
    assert registry is not None
    found = forms.parse(registry, wanted)
    if found is None:
        raise UserError(
            "Say which command's form you want.",
            hint="Every command that changes something has one.",
            example='form meeting add "Budget"',
        )
    command = found[0]
    form = await forms.form_for(svc, req.actor, wanted, now=req.now, door=req.door)
    if form is None:
        raise UserError(
            f"`{command.name}` changes nothing, so it has no form: type it.",
            example=command.examples[0] if command.examples else command.usage,
        )
    return forms.form_reply(command, form)


@commands.command(
    "help",
    summary="What I can do, or how to use one command",
    usage="help [topic|command]",
    examples=["help", "help meetings", "help action add"],
)
async def help_command(req: Request, svc: Services) -> Reply:
    registry = svc.registry
    assert registry is not None
    visible = [c for c in registry.commands.values() if svc.policy.may_use(req.actor, c.name)]
    topic = " ".join(req.args.words).strip().lower()
    # the examples were written for Fri 1 Dec 2023: shown with dates after today (a fixed point
    # stays as written in the registry; only what is shown moves)
    today = req.now.astimezone(svc.tz).date()

    def shown(text: str) -> str:
        return shown_example(text, today=today, calendar=svc.settings.partnership_calendar)

    def described(c: Command) -> Section:
        return Section(title=shown(c.usage), text=shown(_describe(c.summary, c.examples)))

    if not topic:
        reply = Reply(
            text="Here is what I can do. Type `help <topic>` for the commands in one, or just "
            'ask in plain English ("when is the next board meeting?"): I say how I read it, '
            "and ask before changing anything."
        )
        for name, info in registry.topics.items():
            cmds = [c for c in visible if c.topic == name]
            if not cmds:
                continue
            lines = [shown(f"{c.usage}  —  {c.summary}") for c in cmds[:6]]
            if len(cmds) > 6:
                lines.append(f"... and {len(cmds) - 6} more: help {name}")
            reply.add(Section(title=f"{name}: {info.summary}", text="\n".join(lines)))
        reply.add(Section(title="Writing commands", text=YES_NO_HELP))
        reply.add(
            Actions(
                [
                    Button("My meetings", "meetings"),
                    Button("My actions", "actions"),
                    Button("Opportunities", "opps"),
                    Button("Who am I?", "whoami"),
                ]
            )
        )
        return reply
    if topic in registry.topics or topic.rstrip("s") in registry.topics:
        name = topic if topic in registry.topics else topic.rstrip("s")
        cmds = [c for c in visible if c.topic == name]
        reply = Reply(text=f"{name}: {registry.topics[name].summary}")
        for c in cmds:
            reply.add(described(c))
        if not cmds:
            reply.text += "\nNone of these commands are open to your role."
        return reply
    command = registry.commands.get(topic)
    if command is None:
        family = [c for c in visible if c.words[0] == topic or c.topic == topic]
        if family:
            reply = Reply(text=f"{topic} commands:")
            for c in family:
                reply.add(described(c))
            return reply
        near = registry.nearest(topic.split()[0]) if topic.split() else []
        raise UserError(
            f"There is no help topic or command {topic!r}.",
            hint=f"Did you mean {near[0]}?" if near else "Topics: " + ", ".join(registry.topics),
            example="help meetings",
        )
    if not svc.policy.may_use(req.actor, command.name):
        raise UserError(f"`{command.name}` is not open to your role.", example="help")
    return Reply(text=shown(command.usage)).add(
        Section(text=shown(_describe(command.summary, command.examples)))
    )


def _describe(summary: str, examples: list[str]) -> str:
    lines = [summary]
    if examples:
        lines.append("Examples:")
        lines.extend(f"  {e}" for e in examples)
    return "\n".join(lines)
