"""One yes/no vocabulary: every option, answer, checkbox and import column reads the same words."""

from __future__ import annotations

import pytest

from bot.errors import UserError
from bot.parsing import NO_WORDS, YES_WORDS, yes_no, yes_no_word
from bot.render.text import render_text
from bot.reply import Form, FormField
from tests.conftest import Asker

# Every word some command accepted before the parsers were merged.
BEFORE_YES = {"yes", "y", "true", "on", "1"}
BEFORE_NO = {"no", "n", "false", "off", "0"}


def test_every_word_accepted_before_is_still_accepted() -> None:
    assert set(YES_WORDS) >= BEFORE_YES and set(NO_WORDS) >= BEFORE_NO
    for word in BEFORE_YES:
        assert yes_no(word.upper(), field="confirm") is True
        assert yes_no(f" {word} ", field="confirm") is True
    for word in BEFORE_NO:
        assert yes_no(word, field="confirm") is False


def test_synonyms_default_and_bad_word() -> None:
    assert yes_no("only", field="subscribers", yes=("only",)) is True
    assert yes_no("everyone", field="subscribers", no=("all", "everyone")) is False
    assert yes_no(None, field="consent", default=False) is False
    assert yes_no_word("perhaps") is None
    with pytest.raises(UserError) as bad:
        yes_no("perhaps", field="consent")
    assert bad.value.field == "consent"
    assert "consent:perhaps is not yes or no" in str(bad.value)
    assert "Example: consent:yes" in str(bad.value)
    with pytest.raises(UserError) as empty:
        yes_no("", field="subscribers")
    assert "Give subscribers: yes or no." in str(empty.value)


def test_checkbox_values_become_yes_or_no() -> None:
    form = Form("Opp", "opp add", [FormField("subscribers", "Only subscribers", kind="checkbox")])
    for on in ("on", "true", "1", "yes", "Y"):
        assert form.to_command({"subscribers": on}) == "opp add subscribers:yes"
    assert form.to_command({"subscribers": "off"}) == "opp add subscribers:no"
    assert form.to_command({"subscribers": ""}) == "opp add"


async def test_help_lists_the_accepted_words(ask: Asker) -> None:
    text = render_text(await ask.ok("jo@hillside.sch.uk", "help"))
    for word in (*YES_WORDS, *NO_WORDS):
        assert f" {word}," in text or f" {word} " in text


async def test_commands_share_the_words(ask: Asker) -> None:
    staff = "sam@learnsheffield.co.uk"
    # consent: took only yes/no/true/false/y/n before; now every yes/no word
    bad = await ask("jo@hillside.sch.uk", 'support crisis "Head absent" consent:perhaps')
    assert bad.error and bad.error_field == "consent"
    assert "For yes: yes, y, true, on, 1" in render_text(bad)
    ok = await ask.ok(
        staff,
        'opp add "Leadership network" closes:28/02/2024 phase:all subscribers:on '
        "link:https://example.org/n",
    )
    assert "#" in ok.text
    wrong = await ask(staff, 'opp add "X" closes:28/02/2024 phase:all subscribers:perhaps')
    assert wrong.error and wrong.error_field == "subscribers"
    assert "For yes: only, yes" in render_text(wrong)
