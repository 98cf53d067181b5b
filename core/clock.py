"""The one clock of the application: every time rule asks it, so tests can travel in time."""

import datetime

from django.utils import timezone


def now() -> datetime.datetime:
    return timezone.now()


def local_now() -> datetime.datetime:
    return timezone.localtime(now())


def local_today() -> datetime.date:
    return local_now().date()
