"""The one clock of the application: every time rule asks it, so tests can travel in time."""

from django.utils import timezone


def now():
    return timezone.now()


def local_now():
    return timezone.localtime(now())


def local_today():
    return local_now().date()
