"""Plain English in front of the command language (DESIGN invariant 2; docs/language.md).

`interpret(text, actor=..., services=...)` reads a message that is not a complete command as
the command it means. Offline: phrase rules, rapidfuzz for names and typos, the bot's own date
words, and behind the rules a small intent model trained at build time from the project's own
examples (`intents.json`, scored in plain Python); no network, nothing downloaded.
"""

from bot.language.interpret import interpret
from bot.language.model import Interpretation

__all__ = ["Interpretation", "interpret"]
