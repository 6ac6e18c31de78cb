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
            block.append(f"{element.title} (form). Or type it: {element.command} ...")
            for f in element.fields:
                req = " (required)" if f.required else ""
                opts = f" [{'|'.join(f.options)}]" if f.options else ""
                value = f" = {f.value}" if f.value else ""
                block.append(f"  {f.name}: {f.label}{opts}{req}{value}")
                if f.hint:
                    block.extend(f"      {line}" for line in f.hint.split("\n"))
        if block:
            lines.append("\n".join(block))
    return "\n\n".join(lines)
