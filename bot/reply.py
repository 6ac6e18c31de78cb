"""A Reply is data, not markup: every door renders the same Reply its own way.

All user-supplied text in a Reply is plain text; the renderers escape it for their format.
Replies round-trip through JSON (`to_dict`/`from_dict`) so the outbox can store them.
"""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from bot.parsing import yes_no_word

Style = Literal["primary", "danger"] | None


@dataclass
class Button:
    """A button that runs `command` (the same text a user could type) as the clicker."""

    label: str
    command: str
    style: Style = None


@dataclass
class Section:
    """A block of text with an optional bold title and label/value fields."""

    text: str = ""
    title: str | None = None
    fields: list[tuple[str, str]] = field(default_factory=list)
    type: Literal["section"] = "section"


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]]
    title: str | None = None
    type: Literal["table"] = "table"


@dataclass
class Image:
    """A picture (charts): PNG bytes, or a URL the bot serves. `alt` is always required."""

    alt: str
    data: bytes | None = None
    url: str | None = None
    title: str | None = None
    type: Literal["image"] = "image"


@dataclass
class Actions:
    buttons: list[Button]
    type: Literal["actions"] = "actions"


@dataclass
class File:
    """A file for the user to download (CSV exports, calendar files)."""

    name: str
    content: str
    mime: str = "text/csv"
    type: Literal["file"] = "file"


@dataclass
class FormField:
    """One input of a form. `positional` fields become quoted text, the rest key:value."""

    name: str
    label: str
    kind: Literal["text", "textarea", "select", "date", "checkbox"] = "text"
    options: list[str] = field(default_factory=list)
    required: bool = False
    placeholder: str | None = None
    value: str | None = None
    positional: bool = False
    error: str | None = None


@dataclass
class Form:
    """A friendlier way to fill a command: submitting runs `command` built from the fields."""

    title: str
    command: str
    fields: list[FormField]
    submit_label: str = "Submit"
    type: Literal["form"] = "form"

    def to_command(self, values: dict[str, str]) -> str:
        """Build the command text a user would have typed for these values."""
        parts = [self.command]
        for f in self.fields:
            raw = (values.get(f.name) or "").strip()
            if not raw:
                continue
            if f.kind == "checkbox":
                raw = "yes" if yes_no_word(raw) else "no"
            if f.positional:
                parts.append(quote(raw))
            else:
                parts.append(f"{f.name}:{quote(raw)}")
        return " ".join(parts)


Element = Section | Table | Image | Actions | File | Form


@dataclass
class Reply:
    """What a command answers. `private` replies go only to the asker (ephemeral in Slack).

    `subject` is what a writing command says it changed, (kind, id) such as ("action", 7), or
    (kind, None) for a whole kind ("terms"); the router records it in the audit log. It is not
    shown and not part of the wire format (`to_dict`)."""

    text: str = ""
    elements: list[Element] = field(default_factory=list)
    private: bool = True
    error: bool = False
    error_field: str | None = None  # the form field a UserError was about
    subject: tuple[str, int | None] | None = None

    def add(self, *elements: Element) -> Reply:
        self.elements.extend(elements)
        return self

    @property
    def buttons(self) -> list[Button]:
        return [b for e in self.elements if isinstance(e, Actions) for b in e.buttons]

    @property
    def form(self) -> Form | None:
        return next((e for e in self.elements if isinstance(e, Form)), None)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("subject")  # for the audit log, not for any door
        for element in data["elements"]:
            if element.get("type") == "image" and element.get("data") is not None:
                element["data"] = base64.b64encode(element["data"]).decode("ascii")
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reply:
        elements: list[Element] = []
        for raw in data.get("elements", []):
            raw = dict(raw)
            kind = raw.get("type")
            if kind == "section":
                raw["fields"] = [tuple(f) for f in raw.get("fields", [])]
                elements.append(Section(**raw))
            elif kind == "table":
                elements.append(Table(**raw))
            elif kind == "image":
                if raw.get("data") is not None:
                    raw["data"] = base64.b64decode(raw["data"])
                elements.append(Image(**raw))
            elif kind == "actions":
                elements.append(Actions(buttons=[Button(**b) for b in raw["buttons"]]))
            elif kind == "file":
                elements.append(File(**raw))
            elif kind == "form":
                raw["fields"] = [FormField(**f) for f in raw["fields"]]
                elements.append(Form(**raw))
        return cls(
            text=data.get("text", ""),
            elements=elements,
            private=data.get("private", True),
            error=data.get("error", False),
            error_field=data.get("error_field"),
        )


def quote(value: str) -> str:
    """Quote a value for the command language when it needs it."""
    if value and not any(c.isspace() or c in "\"'" for c in value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
