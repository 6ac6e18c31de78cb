"""The command language: `<command> [<verb>] [id] ["free text"] [@person ...] [key:value ...]`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.errors import UserError

MAX_COMMAND_LENGTH = 4000
# commands whose text is a whole document pasted in: a page of minutes runs to 15,000 characters
LONG_COMMANDS = {"minutes": 20_000}
QUOTES = {'"': '"', "'": "'", "\u201c": "\u201d", "\u2018": "\u2019", "\u201d": "\u201d"}
KEY_RE = re.compile(r"^([a-z][a-z0-9_-]*):(.*)$", re.DOTALL)
EMAIL_RE = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
SLACK_MENTION_RE = re.compile(r"^<@([A-Z0-9]+)(?:\|[^>]*)?>$")
SLACK_LINK_RE = re.compile(r"<(https?://[^|>]+)(?:\|[^>]*)?>")
SLACK_MAILTO_RE = re.compile(r"<mailto:([^|>]+)(?:\|[^>]*)?>")


@dataclass
class Token:
    text: str
    quoted: bool


@dataclass
class Args:
    """What followed the command name, split into positional words, options and people."""

    raw: str = ""
    words: list[str] = field(default_factory=list)
    quoted: list[bool] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)
    people: list[str] = field(default_factory=list)

    def opt(self, name: str, default: str | None = None) -> str | None:
        return self.options.get(name, default)

    def text(self) -> str | None:
        """The free text: the first quoted word, else all unquoted words joined."""
        for word, was_quoted in zip(self.words, self.quoted, strict=True):
            if was_quoted:
                return word
        return " ".join(self.words) if self.words else None

    def int_at(self, index: int, *, what: str, example: str) -> int:
        """The positional word at `index` as an id, or a clear error."""
        if index >= len(self.words):
            raise UserError(f"Which {what}? Give its number.", example=example)
        word = self.words[index].lstrip("#")
        if not (word.isascii() and word.isdigit()) or len(word) > 9:
            article = "an" if what[:1].lower() in "aeiou" else "a"
            raise UserError(
                f"{self.words[index]!r} is not {article} {what} number.", example=example
            )
        return int(word)


def clean_platform_markup(text: str) -> str:
    """Undo what chat clients add: Slack's <link|label> and <mailto:..>, non-breaking spaces."""
    text = SLACK_MAILTO_RE.sub(r"\1", text)
    text = SLACK_LINK_RE.sub(r"\1", text)
    return (
        text.replace("\u00a0", " ").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    )


def _quoted_run(text: str, i: int) -> tuple[str, int] | None:
    """The text inside the quote opening at `i` and the index after it, or None if unclosed."""
    opening = text[i]
    closers = {QUOTES[opening], '"'} if opening == "\u201c" else {QUOTES[opening]}
    buf: list[str] = []
    j = i + 1
    while j < len(text):
        ch = text[j]
        if ch == "\\" and j + 1 < len(text):
            buf.append(text[j + 1])
            j += 2
        elif ch in closers:
            return "".join(buf), j + 1
        else:
            buf.append(ch)
            j += 1
    return None


def tokenize(text: str) -> list[Token]:
    """Split on spaces, keeping quoted runs (straight or curly quotes) together.

    `key:"a b"` stays one token; a token is `quoted` when it began with a quote. Single quotes
    only quote at the start of a word, so apostrophes (`Ofsted's`) are just letters.
    """
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        buf: list[str] = []
        start = i
        began_quoted = False
        while i < n and not text[i].isspace():
            ch = text[i]
            double = ch in ('"', "\u201c", "\u201d")
            if ch in QUOTES and (double or i == start):
                run = _quoted_run(text, i)
                if run is None:
                    if not double:
                        buf.append(ch)
                        i += 1
                        continue
                    raise UserError(
                        "A quote is not closed.",
                        hint="Put quotes round text with spaces, and close them.",
                        example='action add "Circulate PA figures" owner:@jo due:12/01/2024',
                    )
                began_quoted = began_quoted or i == start
                buf.append(run[0])
                i = run[1]
            elif ch == "\\" and i + 1 < n:
                buf.append(text[i + 1])
                i += 2
            else:
                buf.append(ch)
                i += 1
        tokens.append(Token("".join(buf), began_quoted))
    return tokens


def split_command(text: str) -> list[Token]:
    """Validate size and characters, then tokenize. The size limit is MAX_COMMAND_LENGTH, or
    the longer one of a command in LONG_COMMANDS (its name first, after any `/partnership`)."""
    head = text[:40].lstrip().lstrip("/").split(None, 2)
    if head and head[0].lower() in ("partnership", "@partnership-bot"):
        head = head[1:]
    limit = LONG_COMMANDS.get(head[0].lower(), MAX_COMMAND_LENGTH) if head else MAX_COMMAND_LENGTH
    if len(text) > limit:
        raise UserError(
            f"That message is {len(text)} characters; commands can be at most {limit}.",
            hint="Put long text in a document and share the link.",
            example="papers 3 add https://example.org/paper.pdf",
        )
    text = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text)
    return tokenize(clean_platform_markup(text).strip())


def build_args(tokens: list[Token], raw: str = "") -> Args:
    """Sort tokens into options (key:value), people (@x, mentions, emails) and words."""
    args = Args(raw=raw)
    for tok in tokens:
        if not tok.quoted:
            match = KEY_RE.match(tok.text)
            if match and not tok.text.startswith(("http:", "https:", "mailto:")):
                key, value = match.group(1), match.group(2)
                if key in args.options:
                    raise UserError(
                        f"{key}: is given twice.", example=f"{key}:<one value> (lists: a,b)"
                    )
                args.options[key] = value
                continue
            if tok.text.startswith("@") and len(tok.text) > 1:
                args.people.append(tok.text)
                continue
            if SLACK_MENTION_RE.match(tok.text) or EMAIL_RE.match(tok.text):
                args.people.append(tok.text)
                continue
        args.words.append(tok.text)
        args.quoted.append(tok.quoted)
    return args


def split_list(value: str | None) -> list[str]:
    """`phase:primary,secondary` -> ['primary', 'secondary']."""
    if not value:
        return []
    return [part.strip() for part in value.split(",") if part.strip()]


# One yes/no vocabulary for every option, form checkbox, answer and import column.
YES_WORDS = ("yes", "y", "true", "on", "1")
NO_WORDS = ("no", "n", "false", "off", "0")
YES_NO_HELP = (
    f"Yes/no options (confirm:, consent:, nudge:, subscribers:) take {', '.join(YES_WORDS)} "
    f"for yes and {', '.join(NO_WORDS)} for no."
)


def yes_no_word(value: str | None) -> bool | None:
    """True for a yes word, False for a no word (any case, spaces trimmed), None otherwise."""
    word = (value or "").strip().lower()
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    return None


def yes_no(
    value: str | None,
    *,
    field: str,
    default: bool | None = None,
    yes: tuple[str, ...] = (),
    no: tuple[str, ...] = (),
    example: str | None = None,
) -> bool:
    """Read a yes/no option value (`confirm:yes`, `consent:n`, a form checkbox's "on").

    `yes`/`no` add a command's own synonyms (`subscribers:only`, `subscribers:all`). An empty or
    missing value gives `default`; with no default, or for any other word, a UserError naming
    `field` (so a form shows it by that input) with the accepted words and an example.
    """
    word = (value or "").strip().lower()
    if not word and default is not None:
        return default
    found = yes_no_word(word)
    if found is None and word in yes:
        found = True
    elif found is None and word in no:
        found = False
    if found is not None:
        return found
    say_yes, say_no = [*yes, *YES_WORDS], [*no, *NO_WORDS]
    message = (
        f"{field}:{(value or '').strip()} is not yes or no."
        if word
        else f"Give {field}: yes or no."
    )
    raise UserError(
        message,
        hint=f"For yes: {', '.join(say_yes)}. For no: {', '.join(say_no)}.",
        example=example or f"{field}:{say_yes[0]}",
        field=field,
    )
