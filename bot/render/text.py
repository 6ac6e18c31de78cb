"""Reply -> plain text, for the CLI (`ask`, `outbox`) and notification fallbacks."""

from __future__ import annotations

from bot.reply import Actions, File, Form, Image, Reply, Section, Table


def render_table(table: Table) -> list[str]:
    cols = [str(c) for c in table.columns]
    rows = [[str(v) for v in row] for row in table.rows]
    widths = [max([len(c)] + [len(r[i]) for r in rows if i < len(r)]) for i, c in enumerate(cols)]
    out = []
    if table.title:
        out.append(table.title)
    out.append("  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)).rstrip())
    out.append("  ".join("-" * w for w in widths))
    for row in rows:
        out.append("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=False)).rstrip())
    if not rows:
        out.append("(none)")
    return out


MAX_CHOICES_SHOWN = 12


def render_form(form: Form) -> list[str]:
    """A form as text: how to type it with what is filled in, then each field with its
    value, its choices (cut short) or its hint, and its error."""
    out = [f"{form.title} (a form). Type it as: {form.typed()}"]
    for f in form.shown_fields:
        need = " (required)" if f.required else ""
        line = f"  {f.name}: {f.label}{need}"
        if f.value:
            line += f" = {f.value}"
        elif f.options:
            shown = [label for _, label in f.choices[:MAX_CHOICES_SHOWN]]
            more = len(f.options) - len(shown)
            line += " [" + " | ".join(shown) + (f" | {more} more" if more > 0 else "") + "]"
        out.append(line)
        if f.hint:  # what the choices mean, or the accepted forms
            out.extend(f"      {hint}" for hint in f.hint.split("\n"))
        if f.error:
            out.append(f"    ! {f.error}")
    return out


def render_text(reply: Reply) -> str:
    lines: list[str] = []
    if reply.text:
        lines.append(reply.text)
    for element in reply.elements:
        block: list[str] = []
        if isinstance(element, Section):
            if element.title:
                block.append(element.title)
            if element.text:
                block.append(element.text)
            block.extend(f"{label}: {value}" for label, value in element.fields)
        elif isinstance(element, Table):
            block = render_table(element)
        elif isinstance(element, Image):
            block.append(f"[chart: {element.title or element.alt}]")
            block.append(element.alt)
        elif isinstance(element, Actions):
            block.append("  ".join(f"[{b.label}: {b.command}]" for b in element.buttons))
        elif isinstance(element, File):
            block.append(f"--- {element.name} ---")
            block.append(element.content.rstrip("\n"))
        elif isinstance(element, Form):
            block = render_form(element)
        if block:
            lines.append("\n".join(block))
    return "\n\n".join(lines)
