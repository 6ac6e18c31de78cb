"""A Reply is data, not markup: every door renders the same Reply its own way.

All user-supplied text in a Reply is plain text; the renderers escape it for their format.
Replies round-trip through JSON (`to_dict`/`from_dict`) so the outbox can store them.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from bot.errors import UserError
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
    # one line saying what is in it, shown beside the download link ("Budget, Thu 10 Dec ...")
    summary: str | None = None


# `hidden` carries a fixed value no one types (a verb such as `add`, an id, confirm:yes)
FieldKind = Literal["text", "textarea", "select", "date", "checkbox", "hidden"]
FIELD_KINDS: tuple[str, ...] = ("text", "textarea", "select", "date", "checkbox", "hidden")
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")  # what the command language reads as key:


@dataclass
class FormField:
    """One input of a form. `positional` fields become quoted text, the rest key:value.

    `options` are a select's values and `labels` what to show for each (same order; empty:
    the values themselves). `hint` is a line or two under the input saying what the choices
    mean or what forms are accepted (dates).
    A `hidden` field is never shown: it always sends its own `value`."""

    name: str
    label: str
    kind: FieldKind = "text"
    options: list[str] = field(default_factory=list)
    required: bool = False
    placeholder: str | None = None
    value: str | None = None
    positional: bool = False
    error: str | None = None
    labels: list[str] = field(default_factory=list)
    hint: str | None = None

    @property
    def choices(self) -> list[tuple[str, str]]:
        """(value, label) for each option."""
        labels = self.labels if len(self.labels) == len(self.options) else self.options
        return list(zip(self.options, labels, strict=True))

    @property
    def shown(self) -> bool:
        return self.kind != "hidden"


# A select with no value shows this, never its first option: choosing is the person's job
# (a support form that started on "crisis" filed questions about guidance as crises).
CHOOSE = "Choose..."

_FIELD_DEFAULTS: dict[str, Any] = {
    "options": [],
    "required": False,
    "placeholder": None,
    "value": None,
    "positional": False,
    "error": None,
    "labels": [],
    "hint": None,
}


@dataclass
class Form:
    """A friendlier way to fill a command: submitting runs `command` built from the fields.

    The wire format (`to_wire`/`from_wire`) is the only way a form is serialised: the outbox
    (`Reply.to_dict`), Slack's button value and modal metadata, an Adaptive Card's submit data
    and the web chat all carry exactly this, and every door rebuilds the form with `from_wire`.
    """

    title: str
    command: str
    fields: list[FormField]
    submit_label: str = "Submit"
    type: Literal["form"] = "form"
    # what a known id names, in words ("Partnership board, Thu 14 Dec 2023 14:00"): shown
    # where the form stands alone (a Slack modal), since its title only says "#1"
    about: str = ""

    def to_command(self, values: dict[str, str]) -> str:
        """Build the command text a user would have typed for these values."""
        parts = [self.command]
        for f in self.fields:
            raw = (f.value if f.kind == "hidden" else values.get(f.name) or "") or ""
            raw = raw.strip()
            if not raw:
                continue
            if f.kind == "checkbox":
                raw = "yes" if yes_no_word(raw) else "no"
            if f.positional:
                parts.append(quote(raw))
            else:
                parts.append(f"{f.name}:{quote(raw)}")
        return " ".join(parts)

    def with_values(self, values: dict[str, str]) -> Form:
        """A copy with submitted `values` (by field name) filled in, to show the form again."""
        fields = [
            replace(
                f, value=f.value if f.kind == "hidden" else values.get(f.name) or None, error=None
            )
            for f in self.fields
        ]
        return replace(self, fields=fields)

    def with_error(self, values: dict[str, str], field_name: str | None, message: str) -> Form:
        """The form filled in again with what was typed and `message` by its field (or by the
        first field shown, when the message is about no field of this form)."""
        again = self.with_values(values)
        shown = [f for f in again.fields if f.shown]
        target = next((f for f in shown if f.name == field_name), shown[0] if shown else None)
        if target is not None:
            target.error = message
        return again

    def typed(self) -> str:
        """The command as it would be typed with what is filled in so far, `<name>` for each
        required field still empty (the CLI shows this in place of the form)."""
        parts = [self.command]
        for f in self.fields:
            if f.value:
                value = quote(f.value)
            elif f.required:
                value = f"<{f.name}>"
            else:
                continue
            parts.append(value if f.positional else f"{f.name}:{value}")
        return " ".join(parts)

    @property
    def shown_fields(self) -> list[FormField]:
        return [f for f in self.fields if f.shown]

    def slim(self) -> Form:
        """Only what `to_command` needs (names, kinds, positions, hidden values): a submitted
        form is rebuilt from this, so a long list of choices never has to travel back."""
        fields = [
            FormField(
                f.name,
                f.name,
                f.kind,
                positional=f.positional,
                value=f.value if f.kind == "hidden" else None,
            )
            for f in self.fields
        ]
        return Form(title="", command=self.command, fields=fields)

    def to_wire(self) -> dict[str, Any]:
        """The form as JSON-ready data.

        Shape: `{"type": "form", "title": str, "command": str, "submit_label": str,
        "fields": [{"name": str, "label": str, "kind": str, and only when not the default:
        "options": [str], "labels": [str] (one per option), "required": true,
        "placeholder": str, "value": str, "positional": true, "error": str, "hint": str}]}`,
        plus `"about": str` when it names what a known id is.
        Defaults are left out so it fits in Slack's 2,000-character button value.
        """
        fields = []
        for f in self.fields:
            data: dict[str, Any] = {"name": f.name, "label": f.label, "kind": f.kind}
            for key, default in _FIELD_DEFAULTS.items():
                value = getattr(f, key)
                if value != default:
                    data[key] = list(value) if key in ("options", "labels") else value
            fields.append(data)
        data: dict[str, Any] = {
            "type": "form",
            "title": self.title,
            "command": self.command,
            "submit_label": self.submit_label,
            "fields": fields,
        }
        if self.about:
            data["about"] = self.about
        return data

    def wire_text(self) -> str:
        """`to_wire()` as compact JSON text (Slack button values and modal metadata)."""
        return json.dumps(self.to_wire(), separators=(",", ":"))

    @classmethod
    def from_wire(cls, data: Any) -> Form:
        """The Form that `to_wire` (or `wire_text`) made; anything else is a UserError.

        Accepts the dict or its JSON text. A missing `type`, `label` or `submit_label` takes
        its default (cards and outbox rows written before this format still read). Raises
        `UserError` saying what is wrong when the value is not a form: not JSON, not an
        object, no command, fields that are not a list of named inputs, an unknown kind.
        """
        if isinstance(data, str | bytes):
            try:
                data = json.loads(data)
            except (ValueError, RecursionError):  # RecursionError: nested too deep
                raise _unreadable("it is not JSON") from None
        if not isinstance(data, dict):
            raise _unreadable("it is not a form object")
        if data.get("type", "form") != "form":
            raise _unreadable(f"it is a {str(data.get('type'))[:20]!r}, not a form")
        command = data.get("command")
        if not isinstance(command, str) or not command.strip():
            raise _unreadable("it names no command")
        raw_fields = data.get("fields", [])
        if not isinstance(raw_fields, list):
            raise _unreadable("its fields are not a list")
        fields = [_field_from_wire(raw, index) for index, raw in enumerate(raw_fields)]
        if len({f.name for f in fields}) != len(fields):
            raise _unreadable("two fields have the same name")
        return cls(
            title=_text(data, "title", ""),
            command=command.strip(),
            fields=fields,
            submit_label=_text(data, "submit_label", "Submit") or "Submit",
            about=_text(data, "about", "") or "",
        )


def _unreadable(why: str) -> UserError:
    return UserError(
        f"That form could not be read ({why}). Type the command instead.",
        hint="Type help to see the commands and how to write them.",
        example="help",
    )


def _text(data: dict[str, Any], key: str, default: str | None) -> Any:
    value = data.get(key, default)
    if value is not None and not isinstance(value, str):
        raise _unreadable(f"{key} is not text")
    return value


def _field_from_wire(raw: Any, index: int) -> FormField:
    if not isinstance(raw, dict):
        raise _unreadable(f"field {index + 1} is not an object")
    name = raw.get("name")
    if not isinstance(name, str) or not FIELD_NAME.match(name):
        raise _unreadable(f"field {index + 1} has no usable name")
    kind = raw.get("kind") or "text"
    if kind not in FIELD_KINDS:
        raise _unreadable(f"field {name} has an unknown kind")
    options = raw.get("options") or []
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        raise _unreadable(f"the options of field {name} are not a list of text")
    labels = raw.get("labels") or []
    if not isinstance(labels, list) or not all(isinstance(o, str) for o in labels):
        raise _unreadable(f"the labels of field {name} are not a list of text")
    if labels and len(labels) != len(options):
        raise _unreadable(f"field {name} has {len(labels)} labels for {len(options)} options")
    flags = {key: raw.get(key, False) for key in ("required", "positional")}
    if not all(isinstance(v, bool) for v in flags.values()):
        raise _unreadable(f"field {name} has a flag that is not true or false")
    return FormField(
        name=name,
        label=_text(raw, "label", None) or name,
        kind=kind,
        options=list(options),
        labels=list(labels),
        placeholder=_text(raw, "placeholder", None),
        value=_text(raw, "value", None),
        error=_text(raw, "error", None),
        hint=_text(raw, "hint", None),
        **flags,
    )


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
    # the command a plain-English message was read as (None: the text was a command)
    read_as: str | None = None

    def add(self, *elements: Element) -> Reply:
        self.elements.extend(elements)
        return self

    @property
    def buttons(self) -> list[Button]:
        return [b for e in self.elements if isinstance(e, Actions) for b in e.buttons]

    @property
    def form(self) -> Form | None:
        return next((e for e in self.elements if isinstance(e, Form)), None)

    def after_submit(self, form: Form, values: dict[str, str]) -> Reply:
        """The answer to a submitted `form`: when it is an error (and brings no form of its
        own), the same form again with what was typed and the message by its field; every
        door that shows forms in the conversation (Teams, web chat) answers this way."""
        if self.error and self.form is None and form.shown_fields:
            field_name = self.error_field
            if field_name not in {f.name for f in form.shown_fields}:
                field_name = None
            self.add(form.with_error(values, field_name, self.text))
        return self

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("subject")  # for the audit log, not for any door
        for i, element in enumerate(data["elements"]):
            if element.get("type") == "image" and element.get("data") is not None:
                element["data"] = base64.b64encode(element["data"]).decode("ascii")
            elif element.get("type") == "form":
                data["elements"][i] = self.elements[i].to_wire()  # type: ignore[union-attr]
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
                elements.append(Form.from_wire(raw))
        return cls(
            text=data.get("text", ""),
            elements=elements,
            private=data.get("private", True),
            error=data.get("error", False),
            error_field=data.get("error_field"),
            read_as=data.get("read_as"),
        )


def quote(value: str) -> str:
    """Quote a value for the command language when it needs it."""
    if value and not any(c.isspace() or c in "\"'" for c in value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
