"""Signing in as Django does, with the signed-in user read from the cache (#8).

Every request of a signed-in user loads their row (``AuthenticationMiddleware``): at 2,000 students
that is the heartbeat's and the autosave's second query. :class:`CachedModelBackend` keeps the
row in the cache (Redis when configured, shared by every process) for ``USER_CACHE_SECONDS``
(60 s) and forgets it whenever the user is saved or deleted (``access.signals``) — a new password,
a deactivation, a language change take effect on the next request. Changes made behind the ORM's
back (``bulk_update``) call :func:`forget_users`; the short lifetime bounds anything missed. A
cache that is down only costs the query.
"""

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied

from core.resilience import CACHE_ERRORS

logger = logging.getLogger(__name__)


def _key(user_id: Any) -> str:
    return f"auth:user:{user_id}"


def forget_users(user_ids: Iterable[Any]) -> None:
    try:
        cache.delete_many([_key(pk) for pk in user_ids])
    except CACHE_ERRORS:
        logger.warning("Signed-in users not forgotten: the cache is unavailable", exc_info=True)


def remember_user(user: Any) -> None:
    """Put a user's row in the cache now (a slot about to start warms its students', attestation.warm)."""
    try:
        cache.set(_key(user.pk), user, settings.USER_CACHE_SECONDS)
    except CACHE_ERRORS:
        logger.warning("Signed-in user not cached: the cache is unavailable", exc_info=True)


class CachedModelBackend(ModelBackend):
    def authenticate(self, request: Any, username: Any = None, password: Any = None, **kwargs: Any) -> Any:
        """Django's check, and the last word on a user name and password: Django's own backend
        stays listed only for sessions opened before this one existed, and asking it again would
        hash a refused password a second time (twice the CPU of every failed login)."""
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and username is not None and password is not None:
            raise PermissionDenied  # authenticate() stops here: no other backend is asked
        return user

    def get_user(self, user_id: Any) -> Any:
        try:
            user = cache.get(_key(user_id))
        except CACHE_ERRORS:
            logger.warning("Signed-in user read from the database: the cache is unavailable", exc_info=True)
            return super().get_user(user_id)
        if user is None:
            user = super().get_user(user_id)
            if user is None:
                return None
            remember_user(user)
        return user if self.user_can_authenticate(user) else None
