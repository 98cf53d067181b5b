"""Sessions read from the cache and written through to the database (#8: no session query per
request), that keep working when the cache (Redis) is down (X-10): every cache error is logged
and the database alone serves, so nobody is logged out or shown an error by a Redis restart."""

import logging
from typing import Any

from django.contrib.sessions.backends import cached_db

from core.resilience import CACHE_ERRORS

logger = logging.getLogger(__name__)


class SessionStore(cached_db.SessionStore):
    # ``_cache`` and ``_get_session_from_db`` are Django's, missing from django-stubs.
    _cache: Any

    def load(self) -> dict[str, Any]:
        try:
            data: dict[str, Any] | None = self._cache.get(self.cache_key)
        except CACHE_ERRORS:
            logger.warning("Session read from the database: the cache is unavailable", exc_info=True)
            data = None
        if data is not None:
            return data
        stored = self._get_session_from_db()  # type: ignore[attr-defined]
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=stored.expire_date))
        except CACHE_ERRORS:
            logger.warning("Session not cached: the cache is unavailable", exc_info=True)
        return data

    def exists(self, session_key: str) -> bool:
        try:
            if session_key and (self.cache_key_prefix + session_key) in self._cache:
                return True
        except CACHE_ERRORS:
            logger.warning("Session looked up in the database: the cache is unavailable", exc_info=True)
        return super(cached_db.SessionStore, self).exists(session_key)

    def delete(self, session_key: str | None = None) -> None:
        # The database row goes first. Known limit: if the cache is unreachable at this moment but
        # keeps its data (a network cut, not a restart — Redis runs without persistence here), the
        # cached copy of a logged-out session answers again once the cache is back, until it expires.
        super(cached_db.SessionStore, self).delete(session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        try:
            self._cache.delete(self.cache_key_prefix + session_key)
        except CACHE_ERRORS:
            logger.warning("Session not removed from the cache: the cache is unavailable", exc_info=True)
