"""The web chat's HTML renderer: forms that work side by side, escaped text."""

from __future__ import annotations

import re
from html import unescape

from bot.render.html import render_html
from bot.reply import Form, FormField, Reply


def _form(title: str) -> Form:
    return Form(
        title=title,
        command="support",
        fields=[
            FormField("details", "What is needed", "textarea", required=True, positional=True),
            FormField("urgency", "How urgent", "select", ["today", "this week"], value="this week"),
            FormField("consent", "May share", "checkbox"),
        ],
    )


def test_two_forms_in_one_chat_share_no_element_ids() -> None:
    html = render_html(Reply(elements=[_form("One")])) + render_html(Reply(elements=[_form("Two")]))
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert html.count('<label class="field">') == 6
    wires = re.findall(r'data-form="([^"]+)"', html)
    assert [Form.from_wire(unescape(w)).title for w in wires] == ["One", "Two"]


def test_a_select_starts_on_its_given_value_and_text_is_escaped() -> None:
    form = _form("<b>Help</b>")
    html = render_html(Reply(text="a & b <i>", elements=[form]))
    assert '<option value="this week" selected>' in html
    assert "&lt;b&gt;Help&lt;/b&gt;" in html and "a &amp; b &lt;i&gt;" in html
