"""Reply -> Adaptive Card (schema 1.5) for Microsoft Teams. Pure: data in, card JSON out.

Every user-supplied string is plain text, so markdown characters are escaped. Buttons carry the
command they run (`{"command": ...}`); a form's submit carries the form itself in its wire format
(`{"pb_form": Form.to_wire()}`) so the adapter can rebuild it with `Form.from_wire`, build the
command with `Form.to_command` and show the form again with its error.

A message must stay within Teams' size limit: a card (or a text) that would pass
MAX_MESSAGE_BYTES keeps its first items and ends with how many were left out and where to see
them all (`bot.render.fitting`).
"""

from __future__ import annotations

import base64
import json
import re
from datetime import date
from typing import Any, Literal

from bot.parsing import yes_no_word
from bot.render.fitting import shorten
from bot.reply import (
    CHOOSE,
    Actions,
    Button,
    File,
    Form,
    FormField,
    Image,
    Reply,
    Section,
    Table,
)

CARD_VERSION = "1.5"
SCHEMA_URL = "http://adaptivecards.io/schemas/adaptive-card.json"
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
COMMAND_KEY = "command"
FORM_KEY = "pb_form"
INPUT_PREFIX = "field."
EXECUTE_VERB = "partnership.command"
MAX_FILE_CHARS = 6000
# Teams refuses a bot message that is too big (413 MessageSizeTooBig). Microsoft documents
# 40 KB, and later 100 KB (80 KB advised), counted in UTF-16 without base64 pictures; posting
# through Teams' connectors fails at about 28 KB. A message here stays within 28,000 bytes of
# UTF-8 JSON (at most 56 KB in UTF-16), pictures' data not counted.
MAX_MESSAGE_BYTES = 28_000
CARD_BYTES = MAX_MESSAGE_BYTES - 1_000  # the activity around a card: ids, summary, envelope
_DATA_URL = re.compile(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]*")
# Teams rejects messages over roughly 100 KB; a bigger picture is described instead of sent.
MAX_INLINE_IMAGE_BYTES = 60_000

ActionKind = Literal["submit", "execute"]
_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}<>~|])")
_LIST_MARK = re.compile(r"^(\s*)([-+#>])(?=\s)")
_NUMBERED = re.compile(r"^(\s*\d+)\.(?=\s)")


def escape_text(text: str) -> str:
    """Plain text -> text an Adaptive Card TextBlock shows as typed (no markdown surprises)."""
    lines = []
    for line in str(text).split("\n"):
        line = _MD_SPECIAL.sub(r"\\\1", line)
        line = _LIST_MARK.sub(r"\1\\\2", line)
        lines.append(_NUMBERED.sub(r"\1\\.", line))
    return "\n".join(lines)


def text_block(text: str, **props: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": escape_text(text), "wrap": True, **props}


def _paragraph(text: str, **props: Any) -> list[dict[str, Any]]:
    """One TextBlock per line: a single newline inside a TextBlock is not a line break."""
    blocks = []
    for i, line in enumerate(text.split("\n")):
        extra = {"spacing": "none"} if i else {}
        blocks.append(text_block(line if line.strip() else " ", **props, **extra))
    return blocks


def _action(
    title: str, data: dict[str, Any], *, kind: ActionKind, style: str | None = None
) -> dict[str, Any]:
    action: dict[str, Any] = {"type": "Action.Submit", "title": title, "data": data}
    if kind == "execute":
        action = {"type": "Action.Execute", "title": title, "verb": EXECUTE_VERB, "data": data}
    if style == "primary":
        action["style"] = "positive"
    elif style == "danger":
        action["style"] = "destructive"
    return action


def button_action(button: Button, *, kind: ActionKind = "submit") -> dict[str, Any]:
    """A button that runs `button.command` as whoever clicks it."""
    return _action(button.label, {COMMAND_KEY: button.command}, kind=kind, style=button.style)


def _section(section: Section) -> dict[str, Any]:
    items: list[dict[str, Any]] = []
    if section.title:
        items.append(text_block(section.title, weight="bolder"))
    if section.text:
        items.extend(_paragraph(section.text))
    if section.fields:
        facts = [
            {"title": escape_text(label), "value": escape_text(value) or " "}
            for label, value in section.fields
        ]
        items.append({"type": "FactSet", "facts": facts})
    return {"type": "Container", "items": items or [text_block(" ")]}


def _cell(value: str, *, header: bool = False) -> dict[str, Any]:
    props = {"weight": "bolder"} if header else {}
    return {"type": "TableCell", "items": [text_block(str(value) or " ", **props)]}


def _table(table: Table) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if table.title:
        out.append(text_block(table.title, weight="bolder"))
    if not table.rows:
        out.append(text_block("(none)", isSubtle=True))
        return out
    width = len(table.columns)
    shown = table.rows
    rows = [{"type": "TableRow", "cells": [_cell(c, header=True) for c in table.columns]}]
    for row in shown:
        cells = [str(v) for v in row][:width] + [""] * (width - len(row))
        rows.append({"type": "TableRow", "cells": [_cell(c) for c in cells]})
    out.append(
        {
            "type": "Table",
            "columns": [{"type": "TableColumnDefinition", "width": 1} for _ in table.columns],
            "rows": rows,
            "firstRowAsHeader": True,
            "showGridLines": True,
        }
    )
    return out


def _image(image: Image) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if image.title:
        out.append(text_block(image.title, weight="bolder"))
    if image.url:
        url = image.url
    elif image.data is not None and len(image.data) <= MAX_INLINE_IMAGE_BYTES:
        url = "data:image/png;base64," + base64.b64encode(image.data).decode("ascii")
    else:
        out.append(text_block(f"[chart too large to show in Teams] {image.alt}", isSubtle=True))
        return out
    out.append({"type": "Image", "url": url, "altText": image.alt, "size": "stretch"})
    return out


def _file(file: File) -> dict[str, Any]:
    content = file.content.rstrip("\n")
    items = [text_block(f"File: {file.name}", weight="bolder")]
    if len(content) > MAX_FILE_CHARS:
        cut = content[:MAX_FILE_CHARS].rsplit("\n", 1)[0]
        hidden = content.count("\n") - cut.count("\n")
        items.append(text_block(cut, fontType="monospace", size="small"))
        items.append(
            text_block(f"... {hidden} more lines (the web chat has the whole file).", isSubtle=True)
        )
    else:
        items.append(text_block(content or " ", fontType="monospace", size="small"))
    return {"type": "Container", "items": items}


def _iso_date(value: str | None) -> str | None:
    """Input.Date wants YYYY-MM-DD; accept that or UK order dd/mm/yyyy."""
    if not value:
        return None
    raw = value.strip()
    try:
        return date.fromisoformat(raw).isoformat()
    except ValueError:
        pass
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", raw)
    if m:
        try:
            return date(int(m[3]), int(m[2]), int(m[1])).isoformat()
        except ValueError:
            return None
    return None


def _input(f: FormField) -> dict[str, Any]:
    base: dict[str, Any] = {"id": INPUT_PREFIX + f.name}
    if f.kind == "checkbox":
        on = bool(yes_no_word(f.value))
        return {
            "type": "Input.Toggle",
            **base,
            "title": f.label,
            "valueOn": "yes",
            "valueOff": "",
            "value": "yes" if on else "",
        }
    base["label"] = f.label
    if f.required:
        base["isRequired"] = True
        base["errorMessage"] = f"{f.label} is required."
    if f.kind == "select":
        choices = [{"title": label, "value": value} for value, label in f.choices]
        if not f.required:  # a blank first choice, so an optional pick can be left out
            choices.insert(0, {"title": "(none)", "value": ""})
        out = {
            "type": "Input.ChoiceSet",
            **base,
            "style": "filtered" if len(choices) > 20 else "compact",
            "placeholder": CHOOSE,
            "choices": choices,
        }
        if f.value and f.value in f.options:
            out["value"] = f.value
    elif f.kind == "date" and (not f.value or _iso_date(f.value)):
        out = {"type": "Input.Date", **base}
        iso = _iso_date(f.value)
        if iso:
            out["value"] = iso
    else:
        out = {"type": "Input.Text", **base}
        if f.kind == "textarea":
            out["isMultiline"] = True
        if f.value:
            out["value"] = f.value
    if f.placeholder and f.kind != "checkbox":
        out["placeholder"] = f.placeholder
    return out


def submitted_values(data: dict[str, Any]) -> dict[str, str]:
    """The input values in a card submit, by form field name."""
    return {
        key[len(INPUT_PREFIX) :]: "" if value is None else str(value)
        for key, value in data.items()
        if key.startswith(INPUT_PREFIX)
    }


def _form(form: Form, *, kind: ActionKind, error_field: str | None, error: str) -> dict[str, Any]:
    items: list[dict[str, Any]] = [text_block(form.title, weight="bolder", style="heading")]
    for f in form.shown_fields:
        items.append(_input(f))
        if f.hint:
            items.extend(_paragraph(f.hint, size="small", isSubtle=True))
        message = f.error or (error if error_field == f.name else None)
        if message:
            items.append(text_block(message, color="attention", size="small", spacing="none"))
    submit = _action(form.submit_label, {FORM_KEY: form.to_wire()}, kind=kind, style="primary")
    items.append({"type": "ActionSet", "actions": [submit]})
    return {"type": "Container", "items": items}


def message_bytes(content: Any) -> int:
    """A message part's size as Teams counts it, near enough: UTF-8 JSON, pictures' data out."""
    return len(_DATA_URL.sub("data:", json.dumps(content, ensure_ascii=False)).encode())


def render_card(reply: Reply, *, actions: ActionKind = "submit") -> dict[str, Any]:
    """The Adaptive Card for a Reply, within CARD_BYTES (a longer reply keeps its first items
    and says how many more there are). `actions="execute"` uses Action.Execute (Universal
    Actions)."""
    fitted, _ = shorten(
        reply, lambda r: message_bytes(_card(r, actions)) <= CARD_BYTES, door="Teams"
    )
    return _card(fitted, actions)


def render_text_message(reply: Reply) -> str:
    """A reply that is only text, as a Teams message's text within MAX_MESSAGE_BYTES."""
    fitted, _ = shorten(reply, lambda r: message_bytes(r.text) <= CARD_BYTES, door="Teams")
    return fitted.text


def _card(reply: Reply, actions: ActionKind) -> dict[str, Any]:
    body: list[dict[str, Any]] = []
    if reply.text:
        props = {"color": "attention"} if reply.error else {}
        body.extend(_paragraph(reply.text, **props))
    wide = False
    for element in reply.elements:
        blocks: list[dict[str, Any]]
        if isinstance(element, Section):
            blocks = [_section(element)]
        elif isinstance(element, Table):
            blocks, wide = _table(element), True
        elif isinstance(element, Image):
            blocks, wide = _image(element), True
        elif isinstance(element, Actions):
            if not element.buttons:
                continue
            blocks = [
                {
                    "type": "ActionSet",
                    "actions": [button_action(b, kind=actions) for b in element.buttons],
                }
            ]
        elif isinstance(element, File):
            blocks = [_file(element)]
        elif isinstance(element, Form):
            error = reply.text if reply.error else ""
            blocks = [_form(element, kind=actions, error_field=reply.error_field, error=error)]
        else:  # pragma: no cover - a new Reply element needs a renderer here
            continue
        if body and blocks:
            blocks[0] = {**blocks[0], "separator": True, "spacing": "medium"}
        body.extend(blocks)
    card: dict[str, Any] = {
        "$schema": SCHEMA_URL,
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "body": body or [text_block(" ")],
    }
    if wide:
        card["msteams"] = {"width": "Full"}  # a Teams host extension: tables and charts need room
    return card


def needs_card(reply: Reply) -> bool:
    """A reply with only text goes as a plain message; anything else as a card."""
    return bool(reply.elements) or reply.error


def render_attachment(reply: Reply, *, actions: ActionKind = "submit") -> dict[str, Any]:
    return {"contentType": CONTENT_TYPE, "content": render_card(reply, actions=actions)}
