"""Hostile user text stays text in every renderer, and CSV exports cannot carry formulas.

The text goes in through real commands (an action's text and notes, a person's name from a
directory CSV import) and comes out through each door's renderer.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

from bot.importers import import_people
from bot.render.adaptivecards import render_card
from bot.render.blockkit import render_message
from bot.render.html import render_html
from bot.render.text import render_text
from bot.reply import File, Reply

JO = "jo@hillside.sch.uk"
HOSTILE = (
    '<script>alert("x")</script> <img src=x onerror=alert(1)> <@U123> <!channel> <!here> '
    "<https://evil.example|click> [click](https://evil.example) *bold* _it_ ~s~ `code` "
    "<at>Everyone</at> &amp;"
)


async def hostile_action(ask) -> Reply:  # type: ignore[no-untyped-def]
    text = HOSTILE.replace('"', "'")
    await ask.ok(JO, f'action add "{text}" owner:@jo due:12/01/2024 group:attendance')
    await ask.ok(JO, f'action note 1 "{text}"')
    return await ask.ok(JO, "action 1")


def strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in strings(v)]
    return []


def mrkdwn_texts(node: Any) -> list[str]:
    """Every mrkdwn text object in a Block Kit payload (plain_text is never parsed by Slack)."""
    found = []
    if isinstance(node, dict):
        if node.get("type") == "mrkdwn":
            found.append(node["text"])
        for value in node.values():
            found.extend(mrkdwn_texts(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(mrkdwn_texts(value))
    return found


async def test_html_escapes_user_text(ask) -> None:
    html = render_html(await hostile_action(ask))
    assert "<script" not in html and "<img" not in html and "<at>" not in html
    assert "&lt;script&gt;" in html
    assert "onerror=alert" not in re.sub(r"&lt;img[^<]*", "", html)  # only inside escaped text


async def test_block_kit_has_no_live_mentions_links_or_formatting(ask) -> None:
    message = render_message(await hostile_action(ask))
    texts = mrkdwn_texts(message["blocks"]) + [message["text"]]
    assert texts
    for text in texts:
        assert "<@U123>" not in text and "<!channel>" not in text and "<!here>" not in text
        assert "<https://evil.example|" not in text and "<script" not in text
        # Slack's only control characters are & < >: none may survive unescaped
        assert not re.search(r"<[^>]*>", text.replace("&lt;", "").replace("&gt;", ""))
    body = "".join(texts)
    assert "&lt;@U123&gt;" in body and "&lt;!channel&gt;" in body
    assert "*bold*" not in body and "`code`" not in body  # fenced with zero-width spaces


async def test_adaptive_card_text_has_no_markdown_links_or_mentions(ask) -> None:
    card = render_card(await hostile_action(ask))
    blocks = [s for s in strings(card["body"])]
    joined = "\n".join(blocks)
    assert "[click](https://evil.example)" not in joined
    assert "\\[click\\]" in joined
    assert "<at>" not in joined and "\\<at\\>" in joined
    assert "*bold*" not in joined
    assert "entities" not in json.dumps(card.get("msteams", {}))  # no mentions from user text


async def test_plain_text_keeps_user_text_as_typed_and_drops_nothing(ask) -> None:
    text = render_text(await hostile_action(ask))
    assert "<@U123> <!channel>" in text and "[click](https://evil.example)" in text


FORMULAS = ["=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3", "@SUM(A1)", '=HYPERLINK("http://x")']


async def test_csv_export_escapes_formula_cells_from_commands_and_imports(
    ask, tmp_path: Path
) -> None:
    people = tmp_path / "people.csv"
    people.write_text(
        "name,email,role,organisation,groups\n"
        '"=HYPERLINK(""http://evil.example"",""x"")",eve@hillside.sch.uk,member,'
        "Hillside Primary,attendance\n"
    )
    async with ask.ctx.db.session() as session:
        await import_people(session, people)
    for text in FORMULAS:
        await ask.ok(JO, f'action add "{text}" owner:@eve due:12/01/2024 group:attendance')
    reply = await ask.ok(JO, "actions group:attendance export")
    (export,) = [e for e in reply.elements if isinstance(e, File)]
    rows = list(csv.reader(io.StringIO(export.content)))
    cells = [cell for row in rows[1:] for cell in row]
    assert len(rows) == 1 + len(FORMULAS)
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'=cmd|' /C calc'!A0" in cells and '\'=HYPERLINK("http://evil.example","x")' in cells
