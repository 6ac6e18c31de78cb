"""Long replies in doors with size limits: keep the first items and say what was left out.

Each renderer first splits what it can (Slack: several sections instead of one cut one); when
even that is too big for the door (Slack's blocks per message, Teams' card size), it asks
`shorten` for the longest start of the reply that fits. The reply then ends with how many
items were left out and where to see them all. Nothing is cut without a word.

An item is one line of a section's text (an agenda item, a paragraph of minutes), one
label/value field, one table row, or a line of the reply's text after its first (the headline,
always kept). Buttons, forms, pictures and files are never dropped here: buttons act on the
whole reply, and a file says itself how much of it is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bot.reply import Actions, Element, Form, Reply, Section, Table

EXPORT_WORD = "export"  # a button whose command ends with it gives the whole list as a file


def count_items(reply: Reply) -> int:
    """How many items `first_items` can keep or leave out."""
    total = max(0, len(reply.text.split("\n")) - 1) if reply.text else 0
    for element in reply.elements:
        if isinstance(element, Section):
            total += len(_lines(element.text)) + len(element.fields)
        elif isinstance(element, Table):
            total += len(element.rows)
    return total


def _lines(text: str) -> list[str]:
    return text.split("\n") if text else []


def first_items(reply: Reply, keep: int) -> tuple[Reply, int]:
    """The reply with only its first `keep` items, and how many were left out.

    A section or table with nothing kept is dropped; the elements that are not items (buttons,
    forms, pictures, files) all stay, in their places.
    """
    room = keep
    head, *rest = reply.text.split("\n") if reply.text else [""]
    kept_text, room = rest[:room], room - min(room, len(rest))
    left = len(rest) - len(kept_text)
    elements: list[Element] = []
    for element in reply.elements:
        if isinstance(element, Section):
            lines = _lines(element.text)
            text_lines, room = lines[:room], room - min(room, len(lines))
            fields, room = element.fields[:room], room - min(room, len(element.fields))
            left += len(lines) - len(text_lines) + len(element.fields) - len(fields)
            if text_lines or fields or not (lines or element.fields):
                elements.append(replace(element, text="\n".join(text_lines), fields=fields))
        elif isinstance(element, Table):
            rows, room = element.rows[:room], room - min(room, len(element.rows))
            left += len(element.rows) - len(rows)
            if rows or not element.rows:
                elements.append(replace(element, rows=rows))
        else:
            elements.append(element)
    text = "\n".join([head, *kept_text]) if reply.text else ""
    return replace(reply, text=text, elements=elements), left


def left_out_note(reply: Reply, count: int, *, door: str) -> str:
    """`… and 137 more not shown here ...`: how many, and where to see them all."""
    export = next((b for b in reply.buttons if b.command.endswith(" " + EXPORT_WORD)), None)
    where = "See them all in the web chat"
    if export is not None:
        where += f", or as a file with {export.label} ({export.command})"
    noun = "item" if count == 1 else "items"
    return f"… and {count} more {noun} not shown here: too long for {door}. {where}."


def with_note(reply: Reply, count: int, *, door: str) -> Reply:
    """`reply` (already cut) with the note at the end of its content, before its buttons and
    forms; a reply that is only text keeps it in its text."""
    note = left_out_note(reply, count, door=door)
    if not reply.elements:
        return replace(reply, text=f"{reply.text}\n{note}" if reply.text else note)
    elements = list(reply.elements)
    at = len(elements)
    while at and isinstance(elements[at - 1], Actions | Form):
        at -= 1
    elements.insert(at, Section(text=note))
    return replace(reply, elements=elements)


def shorten(reply: Reply, fits: Callable[[Reply], bool], *, door: str) -> tuple[Reply, int]:
    """The longest start of `reply` that `fits` the door, with the note; and the count left out.

    `fits` renders a reply for the door and says whether it is within the door's limits; it is
    called about log2(items) times. If not even the headline with the note fits, that is
    returned anyway, and the renderer's own hard limits apply.
    """
    total = count_items(reply)
    if not total or fits(reply):
        return reply, 0
    best: tuple[Reply, int] | None = None
    low, high = 0, total - 1
    while low <= high:
        keep = (low + high) // 2
        cut, left = first_items(reply, keep)
        candidate = with_note(cut, left, door=door)
        if fits(candidate):
            best, low = (candidate, left), keep + 1
        else:
            high = keep - 1
    if best is None:
        cut, left = first_items(reply, 0)
        best = (with_note(cut, left, door=door), left)
    return best
