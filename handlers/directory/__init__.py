"""The directory in chat: people (whoami, a person's card, finding people, an admin's changes)
and groups (which exist, one group's members and settings, adding and removing members).

`people` and `groups` hold the commands; this module only registers them, people first (the
order of `help directory`)."""

from __future__ import annotations

from bot.registry import Registry
from handlers.directory import groups, people


def register(registry: Registry) -> None:
    people.commands.register(registry)
    groups.commands.register(registry)
