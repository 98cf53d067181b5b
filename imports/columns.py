"""Columns of the college's entities: one description serves the API schema, the file import
(headers in English, Russian or Kazakh) and the exports.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

# External IDs are the college's keys: printable ASCII without spaces, so they survive CSV, XLSX
# and URLs unchanged.
EXTERNAL_ID_PATTERN = r"^[A-Za-z0-9_.:/\-]{1,64}$"
TEXT_PATTERN = r"^[^\x00-\x1f\x7f]*$"
_EXTERNAL_ID = re.compile(EXTERNAL_ID_PATTERN)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TRUE = {"1", "true", "yes", "y", "да", "иә", "ия", "+"}
_FALSE = {"0", "false", "no", "n", "нет", "жоқ", "-"}


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_USERNAME = re.compile(r"^[\w.@+-]+\Z")
IIN_PATTERN = r"^[0-9]{12}$"
_IIN_WEIGHTS = (tuple(range(1, 12)), (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2))


def iin_is_valid(value: str) -> bool:
    """Kazakhstan's IIN: 12 digits, the last a check digit of the first 11 (weights 1..11; a
    remainder of 10 retries with weights 3..11, 1, 2; a second 10 means no IIN has these digits)."""
    if not re.fullmatch(IIN_PATTERN, value or ""):
        return False
    digits = [int(d) for d in value]
    for weights in _IIN_WEIGHTS:
        check = sum(w * d for w, d in zip(weights, digits[:11], strict=True)) % 11
        if check != 10:
            return check == digits[11]
    return False


class CellError(ValueError):
    """A value that cannot be used; the message is for the person who typed it."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "str"  # str | int | bool | date | choice | ref | refs | email | username | iin
    required: bool = True
    max_length: int = 200
    ref: str = ""  # the entity kind a ref/refs column points at
    choices: tuple[str, ...] = ()
    minimum: int = 0
    maximum: int = 32767
    default: Any = None
    # Headers accepted besides ``name``: Russian and Kazakh (data, not interface text).
    aliases: tuple[str, ...] = field(default=())

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.name, self.name.replace("_", " "), *self.aliases)

    def empty_value(self):
        if self.default is not None:
            return self.default
        return {"str": "", "email": "", "username": "", "refs": [], "bool": False}.get(self.type)

    def clean(self, raw):
        """The typed value of one cell or JSON field; raises CellError."""
        if isinstance(raw, str):
            raw = raw.strip()
        if raw is None or raw == "" or (self.type == "refs" and raw == []):
            if self.required:
                raise CellError(_("This value is required."))
            return self.empty_value()
        return getattr(self, f"_clean_{self.type}")(raw)

    def _clean_str(self, raw):
        value = str(raw).strip()
        if isinstance(raw, float) and raw.is_integer():
            value = str(int(raw))  # spreadsheets turn codes like 0613000 into numbers
        if _CONTROL.search(value):
            raise CellError(_("Control characters are not allowed."))
        if len(value) > self.max_length:
            raise CellError(_("At most %(n)s characters.") % {"n": self.max_length})
        return value

    def _clean_ref(self, raw):
        value = self._clean_str(raw)
        if self.ref:
            # A reference names its row by external ID or as the college writes it (a group's
            # Cyrillic or Kazakh name, a department's name): the engine resolves either.
            return " ".join(value.split())
        if not _EXTERNAL_ID.match(value):
            raise CellError(_("Not a valid external ID: %(value)s") % {"value": value[:64]})
        return value

    def _clean_refs(self, raw):
        items = raw if isinstance(raw, list | tuple) else re.split(r"[;,]", str(raw))
        values = [self._clean_ref(item) for item in items if str(item).strip()]
        if self.required and not values:
            raise CellError(_("This value is required."))
        return sorted(set(values))

    def _clean_email(self, raw):
        value = self._clean_str(raw)
        if not _EMAIL.match(value):
            raise CellError(_("Enter a valid e-mail address."))
        return value

    def _clean_username(self, raw):
        value = self._clean_str(raw)
        if not _USERNAME.match(value):
            raise CellError(_("Letters, digits and @/./+/-/_ only."))
        return value

    def _clean_iin(self, raw):
        value = self._clean_str(raw)
        if not iin_is_valid(value):
            raise CellError(
                _("An IIN is 12 digits with a valid check digit: %(value)s") % {"value": value[:20]}
            )
        return value

    def _clean_int(self, raw):
        try:
            if isinstance(raw, bool):
                raise ValueError
            value = int(raw) if not isinstance(raw, float) or raw.is_integer() else None
            if value is None:
                raise ValueError
        except (TypeError, ValueError):
            raise CellError(_("Enter a whole number.")) from None
        if not self.minimum <= value <= self.maximum:
            raise CellError(
                _("Enter a number from %(min)s to %(max)s.") % {"min": self.minimum, "max": self.maximum}
            )
        return value

    def _clean_bool(self, raw):
        if isinstance(raw, bool):
            return raw
        value = str(raw).strip().casefold()
        if value.endswith(".0"):
            value = value[:-2]
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise CellError(_("Enter yes or no."))

    def _clean_date(self, raw):
        if isinstance(raw, datetime.datetime):
            return raw.date()
        if isinstance(raw, datetime.date):
            return raw
        text = str(raw).strip()
        for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
            try:
                return datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise CellError(_("Enter a date as YYYY-MM-DD or DD.MM.YYYY."))

    def _clean_choice(self, raw):
        value = str(raw).strip()
        for choice in self.choices:
            if choice.casefold() == value.casefold():
                return choice
        raise CellError(_("Choose one of: %(choices)s.") % {"choices": ", ".join(self.choices)})

    def to_cell(self, value) -> str:
        """The export form of a value: what ``clean`` reads back to the same value."""
        if value is None:
            return ""
        if self.type == "refs":
            return ";".join(value)
        if self.type == "bool":
            return "yes" if value else "no"
        if self.type == "date":
            return value.isoformat()
        return str(value)


# Column name → (Russian header, Kazakh header); every value is one of the column's aliases.
HEADERS = {
    "external_id": ("внешний id", "сыртқы id"),
    "name": ("название", "атауы"),
    "specialty": ("специальность", "мамандық"),
    "months": ("месяцев", "айлар"),
    "pcc": ("пцк", "пцк"),
    "department": ("отделение", "бөлімше"),
    "qualification": ("квалификация", "біліктілік"),
    "study_period": ("срок обучения", "оқу мерзімі"),
    "technology": ("технология обучения", "оқыту технологиясы"),
    "language": ("язык обучения", "оқыту тілі"),
    "course": ("курс", "курс"),
    "last_name": ("фамилия", "тегі"),
    "first_name": ("имя", "аты"),
    "patronymic": ("отчество", "әкесінің аты"),
    "email": ("электронная почта", "электрондық пошта"),
    "username": ("логин", "логин"),
    "iin": ("иин", "жсн"),
    "record_book_number": ("номер зачетной книжки", "сынақ кітапшасының нөмірі"),
    "group": ("группа", "топ"),
    "position": ("должность", "лауазымы"),
    "discipline": ("дисциплина", "пән"),
    "teacher": ("преподаватель", "оқытушы"),
    "academic_year": ("учебный год", "оқу жылы"),
    "academic_period": ("академический период", "академиялық кезең"),
    "is_main": ("основной поток", "негізгі ағын"),
    "groups": ("группы", "топтар"),
    "students": ("студенты", "студенттер"),
    "stream": ("поток", "ағын"),
    "final_form": ("форма итоговой аттестации", "қорытынды аттестаттау нысаны"),
    "final_grade_set": ("оценка по итоговой аттестации", "қорытынды аттестаттау бойынша баға"),
    "conduct_online": ("онлайн", "онлайн өткізу"),
    "student": ("студент", "білім алушы"),
    "admitted": ("допущен", "жіберілді"),
    "reason": ("причина", "себебі"),
    "attestation_starts_on": ("начало аттестации", "аттестаттау басталады"),
    "attestation_ends_on": ("конец аттестации", "аттестаттау аяқталады"),
}

# Where one column name means different things ("код" alone is read as the external ID).
KIND_HEADERS = {
    ("specialties", "code"): ("код специальности", "мамандық коды"),
    ("qualifications", "code"): ("код квалификации", "біліктілік коды"),
}


def column_label(name: str, language: str | None = None, kind: str = "") -> str:
    """The column's header in the user's language — in templates, previews, errors and the
    command's messages alike; every label is also a header the upload accepts."""
    language = (language or get_language() or "en")[:2]
    pair = KIND_HEADERS.get((kind, name)) or HEADERS.get(name)
    if pair is not None and language in ("ru", "kk"):
        return pair[0] if language == "ru" else pair[1]
    return name.replace("_", " ")
