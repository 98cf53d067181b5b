"""Finding strings of another language on a page: a Russian phrase on a Kazakh page, an English
msgid left untranslated, a Kazakh column header on a Russian page.

A page in language L is searched for every phrase that belongs to another language and not to L:
the other catalogues' translations, the English msgids L translates differently, and the import's
column headers of the other languages. Phrases are the literal pieces of a message between its
placeholders, at least ``MIN_PHRASE`` characters long with a space in them, so that names, codes
and short words two languages share ("PDF", "Курс") never count.
"""

from __future__ import annotations

import functools
import html
import re

from django.utils import translation
from django.utils.translation import trans_real

MIN_PHRASE = 10
_PLACEHOLDER = re.compile(r"%\([^)]*\)[sd]|%[sd]|\{[^}]*\}")
_TAG = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S)
_ATTRIBUTE = re.compile(r'\b(?:title|aria-label|placeholder|alt|value)="([^"]*)"')


def _phrases(text: str) -> set[str]:
    return {
        " ".join(piece.split())
        for piece in _PLACEHOLDER.split(text)
        if len(piece.strip()) >= MIN_PHRASE and " " in piece.strip()
    }


def _catalogue(language: str) -> dict[str, str]:
    """msgid → translation of one language (plural forms: the first of each)."""
    catalog = trans_real.translation(language)._catalog  # type: ignore[attr-defined]
    found = {}
    for key, value in catalog.items():
        msgid = key[0] if isinstance(key, tuple) else key
        if msgid and value and msgid not in found:
            found[msgid] = value
    return found


@functools.cache
def foreign_phrases(language: str) -> frozenset[str]:
    """Phrases that must not appear on a page in ``language``."""
    from imports.columns import HEADERS

    own = _catalogue(language)
    own_texts = set()
    for msgid, text in own.items():
        own_texts |= _phrases(text) | (_phrases(msgid) if language == "en" else set())
    foreign: set[str] = set()
    for other in ("kk", "ru", "en"):
        if other == language:
            continue
        for msgid, text in _catalogue(other).items():
            if text != own.get(msgid, msgid):
                foreign |= _phrases(text)
    if language != "en":
        for msgid, text in own.items():
            if text != msgid:
                foreign |= _phrases(msgid)  # the English left where L has its words
    headers = {"ru": {ru for ru, _kk in HEADERS.values()}, "kk": {kk for _ru, kk in HEADERS.values()}}
    for other, names in headers.items():
        if other != language:
            foreign |= {n for n in names - headers.get(language, set()) if " " in n}
    return frozenset(foreign - own_texts)


def visible_text(page: str) -> str:
    """What a reader sees or hears: the text between tags and the labelling attributes."""
    attributes = " ".join(_ATTRIBUTE.findall(page))
    return " ".join(html.unescape(_TAG.sub(" ", page) + " " + attributes).split())


def strings_of_another_language(page: str, language: str) -> list[str]:
    text = visible_text(page)
    with translation.override(language):
        return sorted(p for p in foreign_phrases(language) if p in text)
