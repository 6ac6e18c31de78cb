"""Reply -> HTML for the local web chat. Every user-supplied string is escaped.

Web addresses in text become links, but only http and https ones, opening in a new tab with
no referrer and no opener (a reply can quote text a user typed, so a `javascript:` address
must never become clickable).
"""

from __future__ import annotations

import base64
import re
from html import escape

from bot.parsing import yes_no_word
from bot.reply import CHOOSE, Actions, File, Form, Image, Reply, Section, Table

# An http(s) address up to whitespace; trailing punctuation that usually ends a sentence is
# left outside the link ("see https://example.org." links https://example.org).
_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}"


def _linked(line: str) -> str:
    out: list[str] = []
    pos = 0
    for match in _URL.finditer(line):
        url = match.group(0)
        tail = ""
        while url and url[-1] in _TRAILING:
            tail = url[-1] + tail
            url = url[:-1]
        if len(url) <= len("https://"):
            continue
        out.append(escape(line[pos : match.start()]))
        out.append(
            f'<a href="{escape(url)}" target="_blank" rel="noopener noreferrer">{escape(url)}</a>'
        )
        out.append(escape(tail))
        pos = match.end()
    out.append(escape(line[pos:]))
    return "".join(out)


def _lines(text: str) -> str:
    return "<br>".join(_linked(line) for line in text.split("\n"))


def render_html(reply: Reply) -> str:
    parts = [f'<div class="reply{" error" if reply.error else ""}">']
    if reply.text:
        parts.append(f'<p class="headline">{_lines(reply.text)}</p>')
    for element in reply.elements:
        if isinstance(element, Section):
            parts.append('<section class="section">')
            if element.title:
                parts.append(f"<h4>{escape(element.title)}</h4>")
            if element.text:
                parts.append(f"<p>{_lines(element.text)}</p>")
            if element.fields:
                parts.append("<dl>")
                for label, value in element.fields:
                    parts.append(f"<dt>{escape(label)}</dt><dd>{_lines(value)}</dd>")
                parts.append("</dl>")
            parts.append("</section>")
        elif isinstance(element, Table):
            # the box scrolls sideways on a narrow screen; the page never does
            parts.append('<div class="table-wrap"><table class="table">')
            if element.title:
                parts.append(f"<caption>{escape(element.title)}</caption>")
            parts.append("<thead><tr>")
            parts.extend(f"<th>{escape(str(c))}</th>" for c in element.columns)
            parts.append("</tr></thead><tbody>")
            for row in element.rows:
                parts.append("<tr>" + "".join(f"<td>{_linked(str(v))}</td>" for v in row) + "</tr>")
            parts.append("</tbody></table></div>")
        elif isinstance(element, Image):
            if element.data is not None:
                src = "data:image/png;base64," + base64.b64encode(element.data).decode("ascii")
            else:
                src = element.url or ""
            title = f"<figcaption>{escape(element.title)}</figcaption>" if element.title else ""
            parts.append(
                f'<figure><img src="{escape(src)}" alt="{escape(element.alt)}">{title}</figure>'
            )
        elif isinstance(element, Actions):
            parts.append('<div class="actions">')
            for b in element.buttons:
                style = f" {b.style}" if b.style else ""
                parts.append(
                    f'<button type="button" class="cmd{style}" data-command="{escape(b.command)}">'
                    f"{escape(b.label)}</button>"
                )
            parts.append("</div>")
        elif isinstance(element, File):
            href = (
                "data:"
                + element.mime
                + ";charset=utf-8;base64,"
                + base64.b64encode(element.content.encode("utf-8")).decode("ascii")
            )
            summary = f" — {escape(element.summary)}" if element.summary else ""
            parts.append(
                f'<p class="file"><a download="{escape(element.name)}" href="{href}">'
                f"Download {escape(element.name)}</a>{summary}</p>"
            )
            if element.mime == "text/csv":
                # a glance at an export; a calendar file's raw text means nothing to a reader
                preview = element.content[:2000]
                parts.append(f"<pre>{escape(preview)}</pre>")
                if len(preview) < len(element.content):
                    rest = element.content.count("\n") - preview.count("\n")
                    parts.append(f'<p class="more">… {rest} more lines in the download.</p>')
        elif isinstance(element, Form):
            parts.append(_form(element))
    parts.append("</div>")
    return "".join(parts)


def _form(form: Form) -> str:
    out = [
        # the page posts this wire format back with the values (bot.adapters.webchat.form)
        f'<form class="cmdform" data-form="{escape(form.wire_text())}">',
        f"<h4>{escape(form.title)}</h4>",
    ]
    for f in form.shown_fields:
        # the label wraps its input, so two forms in one chat never share element ids
        req = " required" if f.required else ""
        req += ' aria-invalid="true"' if f.error else ""
        name = escape(f.name)
        val = escape(f.value or "")
        ph = f' placeholder="{escape(f.placeholder)}"' if f.placeholder else ""
        out.append(f'<label class="field"><span>{escape(f.label)}</span>')
        if f.kind == "textarea":
            out.append(f'<textarea name="{name}"{ph}{req}>{val}</textarea>')
        elif f.kind == "select":
            opts = "".join(
                f'<option value="{escape(v)}"{" selected" if v == f.value else ""}>'
                f"{escape(label)}</option>"
                for v, label in f.choices
            )
            # a blank first option: nothing chosen yet says so (never the first choice);
            # an optional pick can go back to none
            if f.value not in f.options:
                opts = (
                    f'<option value="" selected>{escape(f.placeholder or CHOOSE)}</option>' + opts
                )
            elif not f.required:
                opts = '<option value="">(none)</option>' + opts
            out.append(f'<select name="{name}"{req}>{opts}</select>')
        elif f.kind == "checkbox":
            checked = " checked" if yes_no_word(f.value) else ""
            out.append(f'<input type="checkbox" name="{name}"{checked}>')
        else:
            out.append(f'<input type="text" name="{name}" value="{val}"{ph}{req}>')
        if f.hint:
            out.append(f'<small class="field-hint">{_lines(f.hint)}</small>')
        if f.error:
            out.append(f'<span class="field-error" role="alert">{escape(f.error)}</span>')
        out.append("</label>")
    out.append(f'<button type="submit">{escape(form.submit_label)}</button></form>')
    return "".join(out)
