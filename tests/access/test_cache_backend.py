"""core.cache.RedisCache: Django's Redis cache with one client per connection pool (#8)."""

import os
import secrets
import socket

import pytest
from django.core.cache import caches

REDIS = "redis://127.0.0.1:6379/14"


def _redis_up():
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(not _redis_up(), reason="needs Redis on 127.0.0.1:6379")


@pytest.fixture
def redis_cache(settings):
    # Not clear(): that empties the Redis database under any other test run using it at this moment.
    prefix = f"test-cache-{os.getpid()}-{secrets.token_hex(4)}"
    settings.CACHES = {
        **settings.CACHES,
        "bench": {"BACKEND": "core.cache.RedisCache", "LOCATION": REDIS, "KEY_PREFIX": prefix},
    }
    cache = caches["bench"]
    yield cache
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


@pytest.mark.req("SLT-6")
def test_it_behaves_as_djangos_redis_cache_and_reuses_one_client(redis_cache):
    redis_cache.set("a", {"x": 1}, 30)
    assert redis_cache.get("a") == {"x": 1}
    assert redis_cache.get_many(["a", "missing"]) == {"a": {"x": 1}}
    redis_cache.set("n", 1, None)
    assert redis_cache.incr("n") == 2
    redis_cache.delete_many(["a", "n"])
    assert redis_cache.get("a") is None and redis_cache.get("n") is None
    assert redis_cache.add("b", 1, 30) and not redis_cache.add("b", 2, 30)
    client = redis_cache._cache
    assert client.get_client() is client.get_client(write=True)  # one server: one pool, one client
