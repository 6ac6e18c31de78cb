"""Errors whose messages are safe to show a user; anything else is a bug."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class UserError(Exception):
    """Something the user can fix: says what was wrong and shows a correct example."""

    def __init__(
        self,
        message: str,
        *,
        example: str | None = None,
        hint: str | None = None,
        field: str | None = None,
        example_is_dated: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.example = example
        self.hint = hint
        self.field = field
        # the example and hint already name the real dates they are about (the valid time next
        # to one the clocks skip, a date format), so the router must not move them the way it
        # moves the design's examples
        self.example_is_dated = example_is_dated

    def __str__(self) -> str:
        parts = [self.message]
        if self.hint:
            parts.append(self.hint)
        if self.example:
            parts.append(f"Example: {self.example}")
        return "\n".join(parts)


class NotAllowed(UserError):
    """The asker's role or relation does not permit this."""


class NotFound(UserError):
    """The thing named does not exist (or is not visible to the asker)."""


class UnknownPerson(UserError):
    """A platform user who is not in the directory."""


@contextmanager
def about(field: str, *, instead: bool = False) -> Iterator[None]:
    """A UserError raised inside is about the form field (key:value option) `field`, so a
    form shows it by that input: `with about("on"): parse_local(...)`. `instead` replaces a
    field the error already names (a shared date reader's `due` for snooze's `until`)."""
    try:
        yield
    except UserError as err:
        if err.field is None or instead:
            err.field = field
        raise
