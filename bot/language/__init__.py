"""Plain English in front of the command language (DESIGN invariant 2; docs/language.md).

`interpret(text, actor=..., services=...)` reads a message that is not a complete command as
the command it means. Offline: phrase rules, rapidfuzz for names and typos, the bot's own date
words; no network, no model.
"""

from bot.language.interpret import interpret
from bot.language.model import Interpretation

__all__ = ["Interpretation", "interpret"]
