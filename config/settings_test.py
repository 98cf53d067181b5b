"""Test settings: the real settings with fast hashing and an isolated media folder."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_ALLOW_DEV_KEY", "1")
# The cache the web processes share with the task worker: a folder of this run's own, handed down
# to the processes the tests start (a real worker, servers) through the environment.
os.environ.setdefault("SHARED_CACHE_DIR", tempfile.mkdtemp(prefix="attestation-test-shared-"))

from config.settings import *  # noqa: E402,F403

# Browser tests against a deployment of their own (E2E_BASE_URL, tests/e2e/conftest.py) write the
# data its servers read: the users' passwords hashed as the servers check them, the files in their folder.
E2E_DEPLOYMENT = bool(os.environ.get("E2E_BASE_URL"))
if not E2E_DEPLOYMENT:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Most tests run each task at once, inside the call that queues it; the tests that need a real
# worker (tests/operations/test_worker.py) switch to the database backend and start `db_worker`.
# A process started with TEST_TASKS_IN_DATABASE=1 (that worker, the servers beside it) keeps the
# database backend.
if not os.environ.get("TEST_TASKS_IN_DATABASE"):
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
LOG_FORMAT = "text"
LOGGING["handlers"]["console"]["formatter"] = "text"  # noqa: F405
# Handed down like the shared cache: a worker the tests start reads the uploads the test wrote.
if E2E_DEPLOYMENT and os.environ.get("MEDIA_ROOT"):
    os.environ.setdefault("TEST_MEDIA_ROOT", os.environ["MEDIA_ROOT"])
os.environ.setdefault("TEST_MEDIA_ROOT", tempfile.mkdtemp(prefix="attestation-test-media-"))
MEDIA_ROOT = Path(os.environ["TEST_MEDIA_ROOT"])
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": private_files_storage(MEDIA_ROOT),  # noqa: F405
}

# Browser tests run a live server in another thread, and the concurrency tests fire requests from
# several threads. With an in-memory SQLite database Django shares ONE connection between the
# threads, which can deadlock; a file-backed test database gives each thread its own connection and
# the production options of config/settings.py (WAL, IMMEDIATE transactions, the busy timeout).
# A journal left by an earlier run under the same process id must not be replayed into the new file.
_db = DATABASES["default"]  # noqa: F405
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _test_name = os.path.join(tempfile.gettempdir(), f"attestation-test-{os.getpid()}.sqlite3")
    for _leftover in (f"{_test_name}-wal", f"{_test_name}-shm", f"{_test_name}-journal"):
        if os.path.exists(_leftover):
            os.remove(_leftover)
    _db["TEST"] = {"NAME": _test_name}
    _db["OPTIONS"]["timeout"] = 30

# Servers a test starts as other processes (tests/scale) share Redis with every other test run on
# this machine: the run gives them a key prefix of its own.
if os.environ.get("TEST_CACHE_PREFIX"):
    CACHES["default"]["KEY_PREFIX"] = os.environ["TEST_CACHE_PREFIX"]  # noqa: F405
