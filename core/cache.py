"""Django's Redis cache, with one ``redis.Redis`` client per connection pool (#8).

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` around the pool for every
cache operation, and redis-py fills its command and response tables in each constructor: about
0.3 ms a time here (``bench/profile_endpoint.py --endpoint status``), three times per heartbeat
(session, signed-in user, presence) — a third of the request. A ``redis.Redis`` is safe to share
between threads (each command takes a connection from the pool), so one per pool is kept.
"""

from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _Client(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # Django's private helpers, not in django-stubs.
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _Client
