"""Helping a student log in on exam day (#16.5, #16.11): release the login throttle, reset the password.

Who may: ``Access.helpable_students`` — the student's teacher in edit mode (staff in edit mode
reach the students of the streams they may change), the registrar and administrators; nobody in
read mode only. Each use is written into the audit log (never the password itself). A reset gives
a new random password, shown once to the staff member; the student's signed-in sessions end with
it (Django checks each session against the password it was opened with), and their failed logins
are forgotten. Resets are throttled per staff member, so a stolen staff session cannot reset a
whole college's passwords in a minute.
"""

from __future__ import annotations

import secrets
import time
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import ngettext

from access.models import User
from access.policy import access_for
from access.signals import sessions_ended
from audit.models import record
from core import throttle
from core.resilience import CACHE_ERRORS

if TYPE_CHECKING:
    from college.models import Student

# Letters and digits that cannot be mistaken for each other when read aloud or copied by hand.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
GROUPS, GROUP_LENGTH = 3, 4


class TooManyResets(Exception):
    def __init__(self, seconds: int):
        super().__init__(seconds)
        self.seconds = seconds

    @property
    def message(self) -> str:
        minutes = max(1, (self.seconds + 59) // 60)
        return ngettext(
            "You have reset many passwords in a short time. Try again in %(n)s minute.",
            "You have reset many passwords in a short time. Try again in %(n)s minutes.",
            minutes,
        ) % {"n": minutes}


def _require(actor: Any, student: Student) -> None:
    if not access_for(actor).can_help_student(student):
        raise PermissionDenied


def new_password() -> str:
    """A random password of 12 characters in three groups of four, about 59 bits: "k7mq-2xpd-9fha"."""
    return "-".join("".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS))


def release_login(*, actor: Any, student: Student) -> int:
    """Forget the student's failed logins (every address); returns how many were counted."""
    _require(actor, student)
    username = student.user.get_username()
    failures = throttle.recent_failures(username)
    with transaction.atomic():
        record(
            actor=actor,
            action="login.release",
            obj=student.user,
            before={"failed_logins": failures},
            after={"failed_logins": 0},
        )
    throttle.release(username)
    return failures


def _count_reset(actor: Any) -> None:
    """At most ``PASSWORD_RESETS_PER_WINDOW`` resets per staff member in the login throttle's window."""
    limit = settings.PASSWORD_RESETS_PER_WINDOW
    window = throttle.limits().window
    key = f"password-resets:{actor.pk}"
    now = time.time()
    try:
        stamps = [t for t in (cache.get(key) or []) if now - t < window]
        if len(stamps) >= limit:
            raise TooManyResets(int(stamps[-limit] + window - now) + 1)
        cache.set(key, [*stamps, now][-limit:], window)
    except CACHE_ERRORS:
        return  # no cache, no count: an exam day must not stop because Redis did


def reset_password(*, actor: Any, student: Student) -> str:
    """Give the student a new random password and return it (to be shown once, never stored)."""
    _require(actor, student)
    _count_reset(actor)
    password = new_password()
    user = student.user
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        record(actor=actor, action="password.reset", obj=user, after={"sessions_ended": True})
        transaction.on_commit(lambda: sessions_ended.send(sender=User, user=user, keep_session_key=None))
    throttle.release(user.get_username())
    return password


def password_changed(*, user: Any, session_key: str | None = None) -> None:
    """The audit entry of a user's own password change (the page is Django's view); the user's
    other sessions have ended (``session_key`` stays)."""
    record(actor=user, action="password.change", obj=user)
    transaction.on_commit(lambda: sessions_ended.send(sender=User, user=user, keep_session_key=session_key))
