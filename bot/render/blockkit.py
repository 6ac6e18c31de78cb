"""Reply -> Slack Block Kit. Pure functions from data to JSON, tested without a server.

Every string in a Reply is plain text written by people, so it is escaped before it reaches
mrkdwn: `&`, `<`, `>` become entities (no `<@U…>` mentions, `<!channel>` or `<url|links>` can
be smuggled in) and the formatting characters `* _ ~ \\`` are fenced with zero-width spaces so
they cannot open bold, italics, strike or code.

Block Kit's limits are kept by splitting, not cutting: a long text becomes several sections of
at most 3,000 characters (between lines, else between words). When a message would still pass
50 blocks or about 12,000 characters, it keeps its first items and ends with how many were left
out and where to see them all (`bot.render.fitting`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from bot.parsing import yes_no_word
from bot.render.fitting import shorten
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
# Slack refuses a message whose blocks are too long ("msg_blocks_too_long") long before 50 full
# sections: seen at about 13,200 characters (slackapi/bolt-js#2509). Counted here as the
# blocks' JSON length, which is never less than their text.
MESSAGE_CHARS = 12_000
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


def _line_parts(line: str, limit: int, conv: Callable[[str], str]) -> list[str]:
    """One line, converted, in parts of at most `limit`: split between words, and inside a
    word only when the word alone is too long (never inside an entity)."""
    whole = conv(line)
    if len(whole) <= limit:
        return [whole]
    parts: list[str] = []
    current = ""
    for token in re.split(r"(\s+)", line):
        piece = conv(token)
        if len(current) + len(piece) <= limit:
            current += piece
            continue
        if current.strip():
            parts.append(current)
        current = ""
        if len(piece) <= limit:
            current = piece.lstrip()
            continue
        for ch in token:  # one word longer than a section
            bit = conv(ch)
            if len(current) + len(bit) > limit:
                parts.append(current)
                current = ""
            current += bit
    if current.strip():
        parts.append(current)
    return parts


def split_text(
    text: str, limit: int = SECTION_TEXT, *, conv: Callable[[str], str] = escape
) -> list[str]:
    """`text` converted (escaped by default) in pieces of at most `limit` characters: whole
    lines together where they fit, a longer line split between words. Nothing is dropped."""
    pieces: list[str] = []
    chunk: list[str] = []
    size = -1  # the length of "\n".join(chunk)
    for line in text.split("\n"):
        for part in _line_parts(line, limit, conv):
            if chunk and size + 1 + len(part) > limit:
                pieces.append("\n".join(chunk))
                chunk, size = [], -1
            chunk.append(part)
            size += 1 + len(part)
    if chunk:
        pieces.append("\n".join(chunk))
    return pieces


def _text_sections(text: str, title: str | None = None, prefix: str = "") -> list[str]:
    """Section texts for a (titled) text: the title in bold over the first piece."""
    head = prefix + (f"*{fit(title, 200)}*" if title else "")
    pieces = split_text(text, SECTION_TEXT - len(head) - 1) if text else []
    if head:
        pieces = [f"{head}\n{pieces[0]}" if pieces else head, *pieces[1:]]
    return pieces


FIELD_VALUE = FIELD_TEXT - 210  # a label (up to 200) and its line break take the rest


def section_blocks(section: Section) -> list[dict[str, Any]]:
    """A section's text (split as needed), then its fields ten to a block; a field too long
    for a field becomes a section of its own, after them."""
    texts = _text_sections(section.text, section.title)
    fields, long_fields = [], []
    for label, value in section.fields:
        if len(escape(value)) <= FIELD_VALUE:
            fields.append(mrkdwn(f"*{fit(label, 200)}*\n{escape(value)}"))
        else:
            long_fields.extend(_text_sections(value, label))
    blocks: list[dict[str, Any]] = [_section(t) for t in texts]
    for start in range(0, len(fields), FIELDS_PER_SECTION):
        chunk = fields[start : start + FIELDS_PER_SECTION]
        if start == 0 and blocks:
            blocks[-1]["fields"] = chunk  # the fields sit under the text, as one block
        else:
            blocks.append({"type": "section", "fields": chunk})
    blocks.extend(_section(t) for t in long_fields)
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
        # a row's cells are cut above, so a row is at most about 3,000 characters
        for part in _line_parts(line, SECTION_TEXT, lambda s: s):
            candidate = f"{chunk}\n{part}" if chunk else part
            if len(candidate) > SECTION_TEXT and chunk:
                blocks.append(_section(chunk))
                candidate = part
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
    """Files show inline as preformatted text; a long one shows its first lines and says how
    many of how many, and that the web chat has the whole file."""
    content = file.content.rstrip("\n").replace("```", "`\u200b``")
    body = split_text(content, SECTION_TEXT - 200, conv=entities)[0] if content else ""
    blocks = [_section(f"*{fit(file.name, 150)}*\n```{body}```")]
    if len(body) < len(entities(content)):
        shown, total = body.count("\n") + 1, content.count("\n") + 1
        note = f"The first {shown} of {total} lines: the web chat has the whole file."
        blocks.append({"type": "context", "elements": [mrkdwn(note)]})
    return blocks


def modal_metadata(form: Form, *, channel: str | None = None) -> str:
    """A modal's private_metadata: the form's wire format (slim: no choices or labels, so a
    long picker fits in 3,000 characters), and the channel it was opened from."""
    data: dict[str, Any] = {"form": form.slim().to_wire()}
    if channel:
        data["channel"] = channel
    return json.dumps(data, separators=(",", ":"))


def read_modal_metadata(raw: str | None) -> tuple[Form, str | None]:
    """(form, channel) from `modal_metadata`; UserError (from `Form.from_wire`) if not ours."""
    try:
        data = json.loads(raw or "")
    except (ValueError, TypeError, RecursionError):  # not text, not JSON, or nested too deep
        data = None
    if not isinstance(data, dict):
        return Form.from_wire(data), None  # raises: says the form could not be read
    channel = data.get("channel")
    return Form.from_wire(data.get("form")), channel if isinstance(channel, str) else None


FORM_COMMAND = "form"  # `form <command text>` answers with that command's form, prefilled


def form_blocks(form: Form) -> list[dict[str, Any]]:
    """In a message a form is a button that opens it as a modal, plus the typed equivalent.

    The button carries the form itself when it fits in a button's value; a longer one (many
    choices) carries `form <command so far>`, which asks the bot for the form again."""
    text = _titled(form.title, f"Or type it: {form.typed()}")
    blocks: list[dict[str, Any]] = [_section(text)]
    value = form.wire_text()
    button = {
        "type": "button",
        "text": plain("Open form", BUTTON_TEXT),
        "action_id": OPEN_FORM,
        "value": value,
        "style": "primary",
    }
    if len(value) > BUTTON_VALUE:
        so_far = form.to_command({f.name: f.value or "" for f in form.fields})
        command = f"{FORM_COMMAND} {so_far}"
        if len(command) > BUTTON_VALUE:
            return blocks
        button.update(action_id=RUN_PREFIX + FORM_COMMAND, value=command)
    blocks.append({"type": "actions", "elements": [button]})
    return blocks


def _all_blocks(reply: Reply, image_url: ImageUrl | None) -> list[dict[str, Any]]:
    """Every block for a Reply, long texts split, with no limit on their number."""
    blocks: list[dict[str, Any]] = []
    if reply.text:
        prefix = ":warning: " if reply.error else ""
        blocks.extend(_section(t) for t in _text_sections(reply.text, prefix=prefix))
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
    return blocks


def blocks_fit(blocks: list[dict[str, Any]], limit: int = MAX_MESSAGE_BLOCKS) -> bool:
    """Within a message's limits: at most `limit` blocks and MESSAGE_CHARS of JSON."""
    if len(blocks) > limit:
        return False
    return len(json.dumps(blocks, ensure_ascii=False)) <= MESSAGE_CHARS


def reply_blocks(
    reply: Reply, *, image_url: ImageUrl | None = None, limit: int = MAX_MESSAGE_BLOCKS
) -> list[dict[str, Any]]:
    """The blocks for a Reply within Slack's limits (at most `limit` blocks). A reply too long
    for them keeps its first items and says how many more there are and where."""
    fitted, _ = shorten(reply, lambda r: blocks_fit(_all_blocks(r, image_url), limit), door="Slack")
    blocks = _all_blocks(fitted, image_url)
    if blocks_fit(blocks, limit):
        return blocks
    # not even the headline fits (a 20,000-character paragraph, hundreds of buttons): the
    # blocks that fit, in order, then a word saying the rest is not shown
    note = {
        "type": "context",
        "elements": [mrkdwn("… the rest is too long for Slack: see it all in the web chat.")],
    }
    kept: list[dict[str, Any]] = []
    for block in blocks:
        if not blocks_fit([*kept, block, note], limit):
            break
        kept.append(block)
    return [*kept, note]


def fallback_text(reply: Reply) -> str:
    """The notification text Slack shows where blocks cannot be (push, screen readers)."""
    return fit(render_text(reply) or " ", FALLBACK_TEXT)


def render_message(reply: Reply, *, image_url: ImageUrl | None = None) -> dict[str, Any]:
    """Arguments for chat.postMessage / respond(): `text` plus `blocks`."""
    return {"text": fallback_text(reply), "blocks": reply_blocks(reply, image_url=image_url)}


def _is_iso_date(value: str | None) -> bool:
    return bool(value) and len(value or "") == 10 and (value or "")[4] == "-"


def _input_element(f: FormField) -> dict[str, Any]:
    """A select (at most 100 choices; with more, the value is typed), a date picker for a date
    (unless what was typed is not an ISO date: it is kept as text, to be corrected), a
    checkbox, or a text input."""
    if f.kind == "select" and len(f.options) > OPTIONS_PER_SELECT:
        # a menu holds 100 choices: with more, the value is typed (and checked by the command)
        el: dict[str, Any] = {"type": "plain_text_input", "action_id": "value"}
        if f.value:
            el["initial_value"] = f.value[:3000]
        hint = f"one of {len(f.options)}, e.g. {', '.join(f.options[:3])}"
        el["placeholder"] = plain(f.placeholder or hint, 150)
        return el
    if f.kind == "select" and f.options:
        opts = [
            {"text": plain(label, OPTION_TEXT), "value": value[:150]}
            for value, label in f.choices
            if value
        ]
        el = {"type": "static_select", "action_id": "value", "options": opts}
        chosen = [o for o in opts if o["value"] == f.value]
        if chosen:
            el["initial_option"] = chosen[0]
    elif f.kind == "date" and (not f.value or _is_iso_date(f.value)):
        el = {"type": "datepicker", "action_id": "value"}
        if f.value:
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
    placeholder = f.placeholder or (CHOOSE if el["type"] == "static_select" else None)
    if placeholder and f.kind != "checkbox":
        el["placeholder"] = plain(placeholder, 150)
    return el


def render_modal(form: Form, *, metadata: str = "", error: str | None = None) -> dict[str, Any]:
    """A form as a modal view; each input's block_id is the field name (for field errors)."""
    blocks: list[dict[str, Any]] = []
    if form.about:  # the modal stands alone: say what "#1" in its title is
        blocks.append({"type": "section", "text": plain(form.about, SECTION_TEXT)})
    if error:
        blocks.append(_section(":warning: " + fit(error, SECTION_TEXT - 20)))
    for f in form.shown_fields:
        block = {
            "type": "input",
            "block_id": f.name[:255],
            "label": plain(f.label or f.name, 2000),
            "optional": not f.required or f.kind == "checkbox",
            "element": _input_element(f),
        }
        if f.hint:
            block["hint"] = plain(f.hint, 2000)
        blocks.append(block)
    if not form.shown_fields:  # a form that only confirms: say what submitting does
        blocks.append(_section(fit(f"{form.title}: press {form.submit_label} to go ahead.", 2900)))
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
    """`response_action: errors` body: the message on its field, or on the first field shown
    when it names none of them; {} when the form shows no field at all."""
    shown = [f.name for f in form.shown_fields]
    if field in shown:
        return {field: message[:2000]}
    return {shown[0]: message[:2000]} if shown else {}


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
