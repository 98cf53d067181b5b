"""Alphabetical order of people's names as a Kazakh, Russian or English reader expects.

Neither database gives that order by itself: SQLite compares names by code point, so Ә, Ғ, Қ, Ң, Ө,
Ұ, Ү, Һ and І come after Я, and PostgreSQL's order depends on the server's locale (or an ICU
collation created by hand), so the two would disagree. People are therefore sorted in Python, after
the query, with a key built here; lists stay one query and the order is the same on SQLite and
PostgreSQL.

Why not PyICU (the full Unicode Collation Algorithm): PyPI has it as a source distribution only —
``pip download --no-deps --only-binary=:all: PyICU`` finds no wheel for Python 3.11 — so installing
it needs a C++ compiler and ICU's headers on every machine, which ``make install`` cannot promise.
Names in a college use two alphabets and a few Latin letters, so a small key per language does
the job and is tested on both databases (tests/college/test_collation.py).

The key follows ICU's (CLDR's) rules for the three interface languages:

- ``kk``: the Kazakh alphabet А Ә Б В Г Ғ Д Е Ё Ж З И Й К Қ Л М Н Ң О Ө П Р С Т У Ұ Ү Ф Х Һ Ц Ч Ш
  Щ Ъ Ы І Ь Э Ю Я, then Latin letters;
- ``ru``: the Russian alphabet with each Kazakh letter after the letter it is built on (ә after а,
  ғ after г, і after и, қ after к, ң after н, ө after о, ү and ұ after у, һ after х), Ё sorted as
  Е and only then after it (Алёна after Алена, before Алеся), then Latin letters;
- ``en``: Latin letters first, then Cyrillic in the Russian order above.

Within that: case is ignored first (then lower case before upper case), a letter with an accent not
in the alphabet sorts as its base letter (é as e) and then after it, and spaces, hyphens and
apostrophes come before digits and digits before letters — as ICU does.
"""

import unicodedata
from functools import cache

from django.conf import settings
from django.utils import translation

KAZAKH = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
RUSSIAN = "аәбвгғдежзиійкқлмнңоөпрстуүұфхһцчшщъыьэюя"
LATIN = "abcdefghijklmnopqrstuvwxyz"

# Per language: its alphabets in order, and letters sorted as another letter (then after it).
ALPHABETS = {"kk": (KAZAKH, LATIN), "ru": (RUSSIAN, LATIN), "en": (LATIN, RUSSIAN)}
SAME_AS = {"ru": {"ё": "е"}, "en": {"ё": "е"}}

_BAND = 0x110000  # above every code point: one band per group (separators, digits, alphabets, others)


def current_language() -> str:
    """The viewer's interface language (``translation.get_language()``), one of ALPHABETS' keys."""
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()
    return language if language in ALPHABETS else "en"


@cache
def _table(language):
    """letter → (primary, secondary) weight for the language's alphabets."""
    table = {}
    for band, alphabet in enumerate(ALPHABETS[language], start=2):
        for index, letter in enumerate(alphabet):
            table[letter] = (band * _BAND + index, 0)
    for letter, base in SAME_AS.get(language, {}).items():
        table[letter] = (table[base][0], 1)
    return table


def _weights(char, table):
    """(primary or None when ignorable, secondary) of one case-folded character."""
    if char in table:
        return table[char]
    decomposed = unicodedata.normalize("NFD", char)
    base, marks = decomposed[0], decomposed[1:]
    accents = tuple(ord(mark) for mark in marks)
    if base in table:
        return table[base][0], (table[base][1], *accents)
    if unicodedata.combining(base):
        return None, (ord(base), *accents)
    if unicodedata.decimal(base, None) is not None:
        return _BAND + unicodedata.decimal(base), accents
    if base.isalpha():
        return 4 * _BAND + ord(base), accents
    return ord(base), accents  # spaces and punctuation: before digits and letters


def sort_key(text, language=None) -> tuple:
    """A key that orders ``text`` for a reader of ``language`` (default: the active language)."""
    table = _table(language or current_language())
    text = unicodedata.normalize("NFC", text or "")
    primary, secondary, tertiary = [], [], []
    for char in text:
        tertiary.append(0 if char == char.casefold() else 1)
        for folded in char.casefold():
            weight, accent = _weights(folded, table)
            if weight is not None:
                primary.append(weight)
            secondary.append(accent)
    return tuple(primary), tuple(secondary), tuple(tertiary), text


def user_key(user, language=None) -> tuple:
    """Surname, then name, then patronymic (each compared whole), then the account as a tie-break."""
    language = language or current_language()
    return (
        sort_key(user.last_name, language),
        sort_key(user.first_name, language),
        sort_key(user.patronymic, language),
        user.username,
    )


def by_name(people, *, user=lambda person: person.user, language=None) -> list:
    """``people`` (students, staff, sessions…) sorted by the name of ``user(person)``, in memory.

    ``user`` finds the account of an item: ``lambda session: session.student.user`` for sessions,
    ``lambda u: u`` for users. The items must already hold their users (``select_related``), so
    sorting adds no query.
    """
    language = language or current_language()
    return sorted(people, key=lambda person: user_key(user(person), language))
