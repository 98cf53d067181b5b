"""The attestation tests' fixtures (``clock``, ``scheduled``, ``exam``) are shared with other folders,
so they live in tests/conftest.py; ``at`` and ``NOW`` are in tests/exams.py (kept importable here for
the modules that import them from this file)."""

import time  # noqa: E402
import uuid  # noqa: E402

import pytest  # noqa: E402

from attestation import live  # noqa: E402
from tests.exams import NOW, at  # noqa: F401


@pytest.fixture
def hub_elsewhere(settings):
    """Another process's live hub, on the machine's Redis (skipped without one): it hears only what
    comes through Redis. The settings point this process at the same Redis, under a key prefix of
    the test's own."""
    import redis

    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    settings.REDIS_URL = url
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": f"t{uuid.uuid4().hex[:8]}"}}
    elsewhere = live.Hub()
    elsewhere.start()
    for _ in range(50):
        if elsewhere.healthy:
            break
        time.sleep(0.1)
    yield elsewhere
    elsewhere.stopping = True
