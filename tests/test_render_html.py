"""The web chat's HTML renderer: forms that work side by side, escaped text."""

from __future__ import annotations

import re
from html import unescape

from bot.render.html import render_html
from bot.reply import File, Form, FormField, Reply


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


def test_http_addresses_become_new_tab_links_and_nothing_else_does() -> None:
    html = render_html(
        Reply(text="Join at https://meet.example.org/board?x=1&y=2. Or javascript:alert(1)")
    )
    assert (
        '<a href="https://meet.example.org/board?x=1&amp;y=2" target="_blank" '
        'rel="noopener noreferrer">' in html
    )
    assert "board?x=1&amp;y=2</a>." in html  # the full stop ends the sentence, not the link
    assert html.count("<a ") == 1  # javascript: is text, never a link
    quoted = render_html(Reply(text='"><script>https://x.org/"onmouseover=1'))
    # the quote ends the address and stays text: no attribute can be injected
    assert "<script>" not in quoted and "</a>&quot;onmouseover=1" in quoted


def test_a_calendar_file_shows_a_download_link_and_a_summary_not_its_raw_text() -> None:
    ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    html = render_html(
        Reply(text="Calendar file").add(
            File(
                name="meeting-3.ics", content=ics, mime="text/calendar", summary="Board, Thu 10 Dec"
            )
        )
    )
    assert 'download="meeting-3.ics"' in html and "Board, Thu 10 Dec" in html
    assert "BEGIN:VCALENDAR" not in html
