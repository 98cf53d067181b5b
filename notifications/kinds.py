"""The kinds of notification and how a stored one becomes text (X-10).

A row stores a ``kind`` and the placeholder values (``params``), never the finished sentence: the
text is rendered when it is shown, in the language active at that moment. The inbox renders it in
the viewer's language, the e-mail in the recipient's, so the same row reads in Kazakh, Russian or
English depending on who looks.

Conventions for ``params`` (a JSON object):

* A key ending in ``_at`` holds a moment in time. :func:`encode_params` (called by
  ``notifications.services.notify``) stores an aware ``datetime`` there as an ISO 8601 string in UTC,
  e.g. ``"start_at": "2026-12-01T05:00:00+00:00"``. At render time it is converted to the college's
  time zone (``settings.TIME_ZONE``, Asia/Almaty) and formatted ``"%d.%m.%Y %H:%M"``, and it fills the
  placeholder named WITHOUT the suffix: ``start_at`` → ``%(start)s`` → ``"01.12.2026 10:00"``.
* Every other key fills the placeholder of the same name as-is (``str()`` of the value): names of
  disciplines, people and the like — stored in the form they must appear.
* A placeholder with no value renders as an empty string; a value that does not parse as a date
  renders as stored. Rendering never raises: an unknown kind gives a neutral sentence.

To add a kind: add a constant and a ``gettext_lazy`` template with ``%(name)s`` placeholders to
:data:`KINDS`, then run ``make messages`` and translate it.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

DATE_TIME_FORMAT = "%d.%m.%Y %H:%M"
DATE_SUFFIX = "_at"

# NTF-1: the "Send message" button of a slot. Params: name (discipline), start_at.
SLOT_SCHEDULED = "slot_scheduled"
# NTF-1, as sent now: with the end time. Params: name (discipline), start_at, end ("12:00", local).
SLOT_ANNOUNCED = "slot_announced"
# PLC-2: after "Place tickets". Params: discipline, teacher (full name), start_at.
TICKETS_PLACED = "tickets_placed"

# TIM-1: a started (or announced) slot's end moved, or the student's extra time changed.
# Params: discipline, end_at, before_at.
END_CHANGED = "end_changed"

KINDS: dict[str, Any] = {
    # Translators: NTF-1. %(name)s: the discipline; %(start)s: date and time, "01.12.2026 10:00".
    SLOT_SCHEDULED: _("The date and time of final control %(name)s is set: %(start)s"),
    # Translators: NTF-1. %(start)s: "01.12.2026 10:00"; %(end)s: the end time, "12:00".
    SLOT_ANNOUNCED: _("The date and time of final control %(name)s is set: %(start)s–%(end)s"),
    # Translators: PLC-2. %(teacher)s: the teacher's full name; %(start)s: "01.12.2026 10:00".
    TICKETS_PLACED: _(
        "Tickets of final control for discipline %(discipline)s are placed, teacher: %(teacher)s. "
        "You need to choose a ticket number. Date and time of final control: %(start)s"
    ),
}

KINDS[END_CHANGED] = _(
    # Translators: TIM-1. %(end)s and %(before)s: date and time, "01.12.2026 11:30".
    "The end of final control %(discipline)s has changed: it now ends at %(end)s (before: %(before)s)."
)

# GRD-4: a grade set for the first time, or changed. Params: discipline.
GRADE_SET = "grade_set"
GRADE_CHANGED = "grade_changed"
KINDS[GRADE_SET] = _(
    "Your final control %(discipline)s is graded: open “My final controls” to see the grade "
    "and the teacher's comment."
)
KINDS[GRADE_CHANGED] = _(
    "The grade of your final control %(discipline)s has changed: open “My final controls” to see it."
)

FALLBACK = _("You have a new notification.")


class _Values(dict):
    """Placeholder values; a missing one renders empty instead of raising KeyError."""

    def __missing__(self, key):
        return ""


def encode_params(params: Mapping[str, Any] | None) -> dict[str, Any]:
    """``params`` ready for the JSON field: ``*_at`` datetimes as ISO strings in UTC.

    Raises ``ValueError`` for a naive datetime or a datetime under a key not ending in ``_at``
    (it would be stored but never formatted) — both are programming errors worth failing loudly.
    """
    encoded: dict[str, Any] = {}
    for key, value in (params or {}).items():
        if isinstance(value, datetime.datetime):
            if not key.endswith(DATE_SUFFIX):
                raise ValueError(f"Notification param {key!r} holds a datetime; name it '…{DATE_SUFFIX}'.")
            if timezone.is_naive(value):
                raise ValueError(f"Notification param {key!r} must be an aware datetime.")
            value = value.astimezone(datetime.UTC).isoformat()
        elif value is not None and not isinstance(value, bool | int | float | str | list | dict):
            value = str(value)  # lazy translations, model instances: stored as shown now
        encoded[key] = value
    return encoded


def format_moment(value: Any) -> str:
    """An ISO string (or datetime) as local college time "28.11.2026 10:00"; otherwise as given."""
    moment = value
    if isinstance(value, str):
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(moment, datetime.datetime):
        return "" if value is None else str(value)
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=datetime.UTC)
    return timezone.localtime(moment, timezone.get_default_timezone()).strftime(DATE_TIME_FORMAT)


def placeholder_values(params: Mapping[str, Any] | None) -> dict[str, str]:
    """The values the message template interpolates, dates formatted (see the module docstring)."""
    values = _Values()
    if not isinstance(params, Mapping):
        return values
    for key, value in params.items():
        if key.endswith(DATE_SUFFIX) and len(key) > len(DATE_SUFFIX):
            values[key[: -len(DATE_SUFFIX)]] = format_moment(value)
        else:
            values[key] = "" if value is None else str(value)
    return values


def render_kind(kind: str, params: Mapping[str, Any] | None) -> str:
    """The message for ``kind`` in the active language; never raises."""
    template = KINDS.get(kind)
    if template is None:
        return str(FALLBACK)
    values = placeholder_values(params)
    try:
        return str(template) % values
    except (TypeError, ValueError):
        # A broken translation (e.g. a mistyped placeholder): show the English original instead.
        logger.warning("Bad translation of notification kind %r", kind, exc_info=True)
        with translation.override(None):
            try:
                return str(template) % values
            except (TypeError, ValueError):
                return str(FALLBACK)


def render(notification) -> str:
    """The text of a stored notification in the active language (the viewer's); never raises."""
    return render_kind(notification.kind, notification.params)
