"""The command language: table-driven grammar tests and a fuzz that only UserError escapes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import UserError
from bot.parsing import build_args, split_command, split_list
from bot.registry import Registry
from bot.router import build_registry

CASES = [
    # text, words, options, people
    ("meetings", ["meetings"], {}, []),
    ("meeting 3", ["meeting", "3"], {}, []),
    (
        'meeting add "Attendance working group" group:attendance on:"15/12/2023 10:00" '
        'until:12:00 place:"Albion House"',
        ["meeting", "add", "Attendance working group"],
        {
            "group": "attendance",
            "on": "15/12/2023 10:00",
            "until": "12:00",
            "place": "Albion House",
        },
        [],
    ),
    (
        'minutes 3 "ACTION: @jo circulate PA figures by 12/01/2024"',
        ["minutes", "3", "ACTION: @jo circulate PA figures by 12/01/2024"],
        {},
        [],
    ),
    ("action reassign 7 @sam", ["action", "reassign", "7"], {}, ["@sam"]),
    (
        "action add \u201cCirculate PA figures\u201d owner:@jo due:12/01/2024",
        ["action", "add", "Circulate PA figures"],
        {"owner": "@jo", "due": "12/01/2024"},
        [],
    ),
    (
        "opp add x link:https://example.org/npq phase:primary,secondary",
        ["opp", "add", "x"],
        {"link": "https://example.org/npq", "phase": "primary,secondary"},
        [],
    ),
    ("triage assign 12 <@U123ABC|sam>", ["triage", "assign", "12"], {}, ["<@U123ABC|sam>"]),
    ("privacy export jo@hillside.sch.uk", ["privacy", "export"], {}, ["jo@hillside.sch.uk"]),
    (
        "papers 3 add <https://example.org/p.pdf|paper>",
        ["papers", "3", "add", "https://example.org/p.pdf"],
        {},
        [],
    ),
    ("   help    meetings  ", ["help", "meetings"], {}, []),
    ('apologies 3 "She said \\"no\\""', ["apologies", "3", 'She said "no"'], {}, []),
]


@pytest.mark.parametrize(("text", "words", "options", "people"), CASES)
def test_grammar(text: str, words: list[str], options: dict[str, str], people: list[str]) -> None:
    args = build_args(split_command(text))
    assert args.words == words
    assert args.options == options
    assert args.people == people


def test_quoted_words_are_marked_and_give_the_free_text() -> None:
    args = build_args(split_command('apologies 3 "Ofsted visit"'))
    assert args.quoted == [False, False, True]
    assert args.text() == "Ofsted visit"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('action add "unclosed', "quote"),
        ("group a:1 a:2", "given twice"),
        ("x" * 5000, "at most"),
    ],
)
def test_bad_input_says_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(UserError) as err:
        build_args(split_command(text))
    assert message in str(err.value)


def test_lists_are_comma_separated() -> None:
    assert split_list("primary, secondary,,") == ["primary", "secondary"]
    assert split_list(None) == []


def test_registry_prefers_two_word_commands() -> None:
    registry = build_registry()
    command, used = registry.lookup(["person", "add", "x"])
    assert command is not None and command.name == "person add" and used == 2
    command, used = registry.lookup(["group", "attendance"])
    assert command is not None and command.name == "group" and used == 1
    assert registry.lookup(["nonsense"]) == (None, 0)


def test_registry_refuses_a_duplicate_name() -> None:
    registry = Registry()
    build = build_registry()
    registry.add(build.commands["help"])
    with pytest.raises(ValueError):
        registry.add(build.commands["help"])


@given(st.text(max_size=300))
def test_any_text_parses_or_raises_user_error(text: str) -> None:
    try:
        args = build_args(split_command(text))
    except UserError as err:
        assert str(err)
    else:
        assert isinstance(args.words, list)


def test_apostrophes_are_letters_not_quotes() -> None:
    args = build_args(split_command("apologies 3 Ofsted's visit isn\u2019t movable"))
    assert args.words == ["apologies", "3", "Ofsted's", "visit", "isn\u2019t", "movable"]
    assert args.text() == "apologies 3 Ofsted's visit isn\u2019t movable"
