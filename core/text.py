"""Plain text as people see it: what remains visible of a string, and whether it says anything.

A zero-width space, a direction mark or a soft hyphen shows nothing; a field whose text is only
such characters (or spaces, or punctuation) says nothing and must not count as filled in.
"""

from __future__ import annotations

import unicodedata


def visible(text: str) -> str:
    """NFKC-normalised, invisible format characters (Unicode's Cf) removed, other unprintable
    characters and runs of white space turned into one space, trimmed."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join("" if unicodedata.category(ch) == "Cf" else ch if ch.isprintable() else " " for ch in text)
    return " ".join(text.split())


def says_something(text: str) -> bool:
    """At least one letter or digit is visible."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in visible(text))
