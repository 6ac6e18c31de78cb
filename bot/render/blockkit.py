"""Reply -> Slack Block Kit. Pure functions from data to JSON, tested without a server.

Every string in a Reply is plain text written by people, so it is escaped before it reaches
mrkdwn: `&`, `<`, `>` become entities (no `<@U…>` mentions, `<!channel>` or `<url|links>` can
be smuggled in) and the formatting characters `* _ ~ \\`` are fenced with zero-width spaces so
they cannot open bold, italics, strike or code. Block Kit limits are respected by truncating
text and capping the number of blocks and fields.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from bot.parsing import yes_no_word
from bot.render.text import render_text
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

MAX_MESSAGE_BLOCKS = 50
MAX_SURFACE_BLOCKS = 100  # modals and the home tab
SECTION_TEXT = 3000
FIELD_TEXT = 2000
FIELDS_PER_SECTION = 10
BUTTON_TEXT = 75
BUTTONS_PER_BLOCK = 25
BUTTON_VALUE = 2000
ACTION_ID = 255
HEADER_TEXT = 150
MODAL_TITLE = 24
OPTION_TEXT = 75
OPTIONS_PER_SELECT = 100
FALLBACK_TEXT = 3000
METADATA = 3000

RUN_PREFIX = "run:"  # action_id of a button whose value is a command to run as the clicker
OPEN_FORM = "form:open"  # action_id of the button that opens a form as a modal
FORM_CALLBACK = "partnership-form"
ZWSP = "\u200b"
CONTROL = "*_~`"

ImageUrl = Callable[[Image], str | None]


def entities(text: str) -> str:
    """Slack's three entities for `&<>` (all the escaping text inside a code block needs)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape(text: str) -> str:
    """Make user text inert in mrkdwn: entities for `&<>`, fenced formatting characters."""
    text = entities(text)
    return "".join(f"{ZWSP}{c}{ZWSP}" if c in CONTROL else c for c in text)


def fit(
    text: str, limit: int, *, escaped: bool = True, conv: Callable[[str], str] | None = None
) -> str:
    """Escape (optionally, or with `conv`) and cut to `limit` characters without splitting
    an entity; a cut text ends in an ellipsis."""
    conv = conv or (escape if escaped else (lambda s: s))
    whole = conv(text)
    if len(whole) <= limit:
        return whole
    out: list[str] = []
    size = 0
    for ch in text:
        piece = conv(ch)
        if size + len(piece) > limit - 1:
            break
        out.append(piece)
        size += len(piece)
    return "".join(out) + "…"


def plain(text: str, limit: int) -> dict[str, Any]:
    """A plain_text object: Slack never parses mentions or formatting in these."""
    text = text or " "
    return {"type": "plain_text", "text": text if len(text) <= limit else text[: limit - 1] + "…"}


def mrkdwn(text: str) -> dict[str, Any]:
    """`verbatim` stops Slack turning bare URLs, #channels and @names into links."""
    return {"type": "mrkdwn", "text": text or " ", "verbatim": True}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(text)}


def _titled(title: str | None, text: str) -> str:
    """Bold title (ours) over escaped body, within the section limit."""
    head = f"*{fit(title, 200)}*\n" if title else ""
    return head + fit(text, SECTION_TEXT - len(head)) if text else head.rstrip("\n")


def section_blocks(section: Section) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    body = _titled(section.title, section.text)
    fields = [
        mrkdwn(f"*{fit(label, 200)}*\n{fit(value, FIELD_TEXT - 210)}")
        for label, value in section.fields
    ]
    first = True
    while fields or first:
        block: dict[str, Any] = {"type": "section"}
        if first and body:
            block["text"] = mrkdwn(body)
        chunk, fields = fields[:FIELDS_PER_SECTION], fields[FIELDS_PER_SECTION:]
        if chunk:
            block["fields"] = chunk
        if "text" in block or "fields" in block:
            blocks.append(block)
        first = False
    return blocks


def table_blocks(table: Table) -> list[dict[str, Any]]:
    """A table reads as lines: the first column bold, the rest as `column: value`."""
    lines = []
    cols = [str(c) for c in table.columns]
    for row in table.rows:
        cells = [str(v) for v in row]
        head = f"*{fit(cells[0], 300)}*" if cells and cells[0] else ""
        rest = [
            f"{fit(col, 100)}: {fit(val, 500)}"
            for col, val in zip(cols[1:], cells[1:], strict=False)
            if val
        ]
        lines.append(" — ".join(p for p in [head, " · ".join(rest)] if p))
    if not lines:
        lines = ["(none)"]
    blocks = []
    chunk = f"*{fit(table.title, 200)}*" if table.title else ""
    for line in lines:
        candidate = f"{chunk}\n{line}" if chunk else line
        if len(candidate) > SECTION_TEXT and chunk:
            blocks.append(_section(chunk))
            candidate = line[:SECTION_TEXT]
        chunk = candidate
    blocks.append(_section(chunk))
    return blocks


def image_blocks(image: Image, image_url: ImageUrl | None = None) -> list[dict[str, Any]]:
    url = image.url or (image_url(image) if image_url else None)
    if url:
        block: dict[str, Any] = {
            "type": "image",
            "image_url": url[:3000],
            "alt_text": (image.alt or "chart")[:2000],
        }
        if image.title:
            block["title"] = plain(image.title, 2000)
        return [block]
    label = f"*{fit(image.title, 200)}*: " if image.title else ""
    return [{"type": "context", "elements": [mrkdwn(f"Chart — {label}{fit(image.alt, 2500)}")]}]


def button_element(button: Button, taken: set[str]) -> dict[str, Any] | None:
    """A button carries its command in `value` and (for logs and tests) in `action_id`."""
    if len(button.command) > BUTTON_VALUE:
        return None
    action_id = (RUN_PREFIX + button.command)[: ACTION_ID - 4]
    n = 1
    while action_id in taken:  # action_id must be unique within a message
        n += 1
        action_id = f"{(RUN_PREFIX + button.command)[: ACTION_ID - 4]}#{n}"
    taken.add(action_id)
    element: dict[str, Any] = {
        "type": "button",
        "text": plain(button.label, BUTTON_TEXT),
        "action_id": action_id,
        "value": button.command,
    }
    if button.style:
        element["style"] = button.style
    return element


def actions_blocks(actions: Actions, taken: set[str]) -> list[dict[str, Any]]:
    elements = [e for b in actions.buttons if (e := button_element(b, taken))]
    return [
        {"type": "actions", "elements": elements[i : i + BUTTONS_PER_BLOCK]}
        for i in range(0, len(elements), BUTTONS_PER_BLOCK)
    ]


def file_blocks(file: File) -> list[dict[str, Any]]:
    """Files show inline as preformatted text (cut to fit); the full export is in the web chat."""
    content = file.content.rstrip("\n").replace("```", "`\u200b``")
    body = fit(content, SECTION_TEXT - 200, conv=entities)
    return [_section(f"*{fit(file.name, 150)}*\n```{body}```")]


def modal_metadata(form: Form, *, channel: str | None = None) -> str:
    """A modal's private_metadata: the form's wire format, and the channel it was opened from."""
    data: dict[str, Any] = {"form": form.to_wire()}
    if channel:
        data["channel"] = channel
    return json.dumps(data, separators=(",", ":"))


def read_modal_metadata(raw: str | None) -> tuple[Form, str | None]:
    """(form, channel) from `modal_metadata`; UserError (from `Form.from_wire`) if not ours."""
    try:
        data = json.loads(raw or "")
    except (ValueError, TypeError):  # not text, or text that is not JSON
        data = None
    if not isinstance(data, dict):
        return Form.from_wire(data), None  # raises: says the form could not be read
    channel = data.get("channel")
    return Form.from_wire(data.get("form")), channel if isinstance(channel, str) else None


def form_blocks(form: Form) -> list[dict[str, Any]]:
    """In a message a form is a button that opens it as a modal, plus the typed equivalent."""
    names = ", ".join(f.name for f in form.fields)
    text = _titled(form.title, f"Or type it: {form.command} … ({names})")
    blocks: list[dict[str, Any]] = [_section(text)]
    value = form.wire_text()
    if len(value) <= BUTTON_VALUE:
        button = {
            "type": "button",
            "text": plain("Open form", BUTTON_TEXT),
            "action_id": OPEN_FORM,
            "value": value,
            "style": "primary",
        }
        blocks.append({"type": "actions", "elements": [button]})
    return blocks


def reply_blocks(
    reply: Reply, *, image_url: ImageUrl | None = None, limit: int = MAX_MESSAGE_BLOCKS
) -> list[dict[str, Any]]:
    """The blocks for a Reply, at most `limit` (the last says what was left out)."""
    blocks: list[dict[str, Any]] = []
    if reply.text:
        prefix = ":warning: " if reply.error else ""
        blocks.append(_section(prefix + fit(reply.text, SECTION_TEXT - len(prefix))))
    taken: set[str] = set()
    for element in reply.elements:
        if isinstance(element, Section):
            blocks.extend(section_blocks(element))
        elif isinstance(element, Table):
            blocks.extend(table_blocks(element))
        elif isinstance(element, Image):
            blocks.extend(image_blocks(element, image_url))
        elif isinstance(element, Actions):
            blocks.extend(actions_blocks(element, taken))
        elif isinstance(element, File):
            blocks.extend(file_blocks(element))
        elif isinstance(element, Form):
            blocks.extend(form_blocks(element))
    if len(blocks) > limit:
        dropped = len(blocks) - (limit - 1)
        blocks = blocks[: limit - 1]
        note = f"…{dropped} more not shown here; ask in the web chat or narrow the command."
        blocks.append({"type": "context", "elements": [mrkdwn(note)]})
    return blocks


def fallback_text(reply: Reply) -> str:
    """The notification text Slack shows where blocks cannot be (push, screen readers)."""
    return fit(render_text(reply) or " ", FALLBACK_TEXT)


def render_message(reply: Reply, *, image_url: ImageUrl | None = None) -> dict[str, Any]:
    """Arguments for chat.postMessage / respond(): `text` plus `blocks`."""
    return {"text": fallback_text(reply), "blocks": reply_blocks(reply, image_url=image_url)}


def _input_element(f: FormField) -> dict[str, Any]:
    if f.kind == "select" and f.options:
        opts = [
            {"text": plain(o, OPTION_TEXT), "value": o[:150]}
            for o in f.options[:OPTIONS_PER_SELECT]
        ]
        el: dict[str, Any] = {"type": "static_select", "action_id": "value", "options": opts}
        chosen = [o for o in opts if o["value"] == f.value]
        if chosen:
            el["initial_option"] = chosen[0]
    elif f.kind == "date":
        el = {"type": "datepicker", "action_id": "value"}
        if f.value and len(f.value) == 10 and f.value[4] == "-":
            el["initial_date"] = f.value
    elif f.kind == "checkbox":
        option = {"text": plain(f.label, OPTION_TEXT), "value": "yes"}
        el = {"type": "checkboxes", "action_id": "value", "options": [option]}
        if yes_no_word(f.value):
            el["initial_options"] = [option]
    else:
        el = {"type": "plain_text_input", "action_id": "value", "multiline": f.kind == "textarea"}
        if f.value:
            el["initial_value"] = f.value[:3000]
    if f.placeholder and f.kind not in ("checkbox",):
        el["placeholder"] = plain(f.placeholder, 150)
    elif el["type"] == "static_select" and "initial_option" not in el:
        el["placeholder"] = plain(CHOOSE, 150)
    return el


def render_modal(form: Form, *, metadata: str = "", error: str | None = None) -> dict[str, Any]:
    """A form as a modal view; each input's block_id is the field name (for field errors)."""
    blocks: list[dict[str, Any]] = []
    if error:
        blocks.append(_section(":warning: " + fit(error, SECTION_TEXT - 20)))
    for f in form.fields:
        blocks.append(
            {
                "type": "input",
                "block_id": f.name[:255],
                "label": plain(f.label or f.name, 2000),
                "optional": not f.required or f.kind == "checkbox",
                "element": _input_element(f),
                **({"hint": plain(f.hint, 2000)} if f.hint else {}),
            }
        )
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "title": plain(form.title, MODAL_TITLE),
        "submit": plain(form.submit_label, MODAL_TITLE),
        "close": plain("Cancel", MODAL_TITLE),
        "private_metadata": metadata[:METADATA],
        "blocks": blocks[:MAX_SURFACE_BLOCKS],
    }


def modal_values(state_values: dict[str, Any]) -> dict[str, str]:
    """`view.state.values` from a view_submission -> {field name: text value}."""
    values: dict[str, str] = {}
    for block_id, actions in state_values.items():
        state = actions.get("value") or next(iter(actions.values()), {})
        kind = state.get("type")
        if kind == "static_select":
            chosen = state.get("selected_option") or {}
            values[block_id] = chosen.get("value") or ""
        elif kind == "datepicker":
            values[block_id] = state.get("selected_date") or ""
        elif kind == "checkboxes":
            values[block_id] = "yes" if state.get("selected_options") else ""
        else:
            values[block_id] = state.get("value") or ""
    return values


def field_errors(form: Form, field: str, message: str) -> dict[str, str]:
    """`response_action: errors` body for a field, or {} when the form has no such field."""
    if any(f.name == field for f in form.fields):
        return {field: message[:2000]}
    return {}


def render_home(parts: list[tuple[str, Reply]], *, greeting: str) -> dict[str, Any]:
    """The home tab: a header, then each titled reply, within the surface's block limit."""
    blocks: list[dict[str, Any]] = [{"type": "header", "text": plain(greeting, HEADER_TEXT)}]
    for title, reply in parts:
        room = MAX_SURFACE_BLOCKS - len(blocks) - 2
        if room < 2:
            break
        blocks.append({"type": "header", "text": plain(title, HEADER_TEXT)})
        blocks.extend(reply_blocks(reply, limit=min(room, 20)))
        blocks.append({"type": "divider"})
    if len(blocks) == 1:
        blocks.append(_section("Nothing for you yet. Type `/partnership help` to see what I do."))
    return {"type": "home", "blocks": blocks[:MAX_SURFACE_BLOCKS]}
