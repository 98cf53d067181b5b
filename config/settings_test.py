"""Test settings: the real settings with fast hashing and an isolated media folder."""

import os
import tempfile

os.environ.setdefault("DJANGO_ALLOW_DEV_KEY", "1")

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="attestation-test-media-")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": private_files_storage(MEDIA_ROOT),  # noqa: F405
}

# Browser tests run a live server in another thread. With an in-memory SQLite database Django
# shares ONE connection between the threads, which can deadlock; a file-backed test database gives
# each thread its own connection and SQLite's ordinary locking (with a generous busy timeout).
_db = DATABASES["default"]  # noqa: F405
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["TEST"] = {"NAME": os.path.join(tempfile.gettempdir(), f"attestation-test-{os.getpid()}.sqlite3")}
    _db.setdefault("OPTIONS", {})["timeout"] = 30
