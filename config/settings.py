"""Settings for Attestation, driven by environment variables.

SQLite and local-memory cache by default (zero set-up); PostgreSQL when DATABASE_URL is set,
Redis when REDIS_URL is set.
"""

import os
from pathlib import Path
from typing import Any

import dj_database_url
import dj_email_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DJANGO_DEBUG", False)
# A development key is only acceptable while DEBUG is on; production must set DJANGO_SECRET_KEY.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or (
    "dev-only-insecure-key" if DEBUG or os.environ.get("DJANGO_ALLOW_DEV_KEY") else None
)
if not SECRET_KEY:
    raise RuntimeError("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 for development).")

ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "access.admin_config.AdminConfig",  # Django's admin behind the app's login, audited (#16)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_prose_editor",
    "core",
    "access",
    "college",
    "attestation",
    "demo",
    "audit",
    "notifications",
    "api",
    "imports",
    "monitor",
    # The task queue: django-tasks with its database backend; `manage.py db_worker` runs it.
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    # Outermost of all: the request id, one JSON log line and the latency metric per request.
    "core.observability.RequestObservabilityMiddleware",
    # Outer: a database that drops a connection gets a polite 503, never a traceback.
    "core.resilience.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.security.ContentSecurityPolicyMiddleware",
    "core.security.PrivateCacheMiddleware",  # private, no-store for signed-in users, JSON and files
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "access.middleware.UserLanguageMiddleware",
    "access.middleware.FirstPasswordMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.HtmxLoginRedirectMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "access.context_processors.navigation",
                "attestation.context_processors.module_menu",
                "core.context_processors.csp",
                "notifications.context_processors.unread",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        # A persistent connection the server dropped (a restart) is replaced before the request uses it.
        conn_health_checks=True,
    )
}

# SQLite shared by many threads and processes on an exam's busy minute (#19): the WAL journal lets
# readers and one writer work at once; every transaction asks for the write lock when it begins
# (IMMEDIATE), so a read-then-write (a ticket claim) waits its turn instead of failing with "database
# is locked" when it tries to upgrade; the busy timeout is how long it may wait. WAL with
# synchronous=NORMAL stays consistent after a crash (a power cut may lose the last commits only).
SQLITE_BUSY_TIMEOUT = int(os.environ.get("SQLITE_BUSY_TIMEOUT", "20"))  # seconds
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": SQLITE_BUSY_TIMEOUT,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }

if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "core.cache.RedisCache",  # Django's, one client per pool (core/cache.py)
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# What the web processes and the task worker must both see: an import's progress and the
# leases of running tasks. Redis when configured; otherwise files in SHARED_CACHE_DIR, which every
# process of the college must be able to write (a machine's local memory is per process).
SHARED_CACHE_DIR = os.environ.get("SHARED_CACHE_DIR", str(BASE_DIR / ".shared-cache"))
CACHES["shared"] = (
    {**CACHES["default"]}
    if os.environ.get("REDIS_URL")
    else {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": SHARED_CACHE_DIR}
)

AUTH_USER_MODEL = "access.User"
AUTHENTICATION_BACKENDS = [
    "access.backends.CachedModelBackend",  # Django's, with the signed-in user read from the cache
    "django.contrib.auth.backends.ModelBackend",  # sessions opened before the cache existed
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

PASSWORD_HASHERS = [
    "access.hashers.Argon2PasswordHasher",  # Argon2id, OWASP's parameters (see the module)
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Django's validators with the app's own translated messages (access/password_validation.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "access.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "access.password_validation.MinimumLengthValidator"},
    {"NAME": "access.password_validation.CommonPasswordValidator"},
    {"NAME": "access.password_validation.NumericPasswordValidator"},
]

# Kazakh is the default interface language; every user may switch.
LANGUAGE_CODE = "kk"
LANGUAGES = [("kk", _("Kazakh")), ("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Almaty"
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))  # collectstatic writes here
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))


def private_files_storage(media_root):
    """Where tickets' and answers' files live (X-11, #8): a folder on this machine by default, or
    S3-compatible object storage (django-storages) when ``S3_BUCKET`` is set — what several app
    servers need unless they share a network folder. Private either way: no public URL is ever
    made; the application reads the file and serves it to those the policy allows."""
    if not os.environ.get("S3_BUCKET"):
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": Path(media_root) / "private"},
        }
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["S3_BUCKET"],
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,  # MinIO, Ceph, a cloud's S3
            "region_name": os.environ.get("S3_REGION") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("S3_PREFIX", "private"),
            "default_acl": "private",
            "file_overwrite": False,
        },
    }


STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Static files named by their content's hash (js/exam.3f2c….js + a manifest, written by
    # `collectstatic` once per release): nginx serves them `immutable`, and a release's changed file has
    # a new name, so no browser runs last week's script against new pages. Django's own storage rather
    # than WhiteNoise: nginx serves and compresses them in production. With DEBUG on (`make demo`) the
    # names stay plain and runserver serves the source folders — no collectstatic; without DEBUG a file
    # missing from the manifest fails loudly (the tests keep plain names: config/settings_test.py).
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    "private": private_files_storage(MEDIA_ROOT),
}
# an oversize upload is refused while it arrives (attestation/upload_handlers.py); then Django's own.
FILE_UPLOAD_HANDLERS = [
    "attestation.upload_handlers.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Sessions are read from the cache (Redis when REDIS_URL is set, shared by every app process) and
# written through to the database, so a Redis restart logs nobody out (#8: one query less per request).
SESSION_ENGINE = "core.sessions"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SAMESITE = "Lax"
# Login throttling (core/throttle.py): growing waits, never a lock. Free failures per user name
# and address, then 1, 2, 4 … s up to MAX_DELAY; per user name from every address (waits up to
# ACCOUNT_MAX_DELAY); per address, a ceiling past which a name's first failure there starts waiting.
LOGIN_THROTTLE_WINDOW = int(os.environ.get("LOGIN_THROTTLE_WINDOW", str(15 * 60)))
LOGIN_THROTTLE_USER = int(os.environ.get("LOGIN_THROTTLE_USER", "5"))
LOGIN_THROTTLE_MAX_DELAY = int(os.environ.get("LOGIN_THROTTLE_MAX_DELAY", "60"))
LOGIN_THROTTLE_ACCOUNT = int(os.environ.get("LOGIN_THROTTLE_ACCOUNT", "20"))
LOGIN_THROTTLE_ACCOUNT_MAX_DELAY = int(os.environ.get("LOGIN_THROTTLE_ACCOUNT_MAX_DELAY", "10"))
LOGIN_THROTTLE_ADDRESS = int(os.environ.get("LOGIN_THROTTLE_ADDRESS", "300"))
# What anonymous logins may spend on password hashes whatever names they try (core/login_budget.py):
# attempts per address in a sliding minute (a classroom of 30 behind one NAT address, 10 mistypes
# to spare), and password checks at once per app process, each waiting at most HASH_WAIT seconds.
LOGIN_ADDRESS_PER_MINUTE = int(os.environ.get("LOGIN_ADDRESS_PER_MINUTE", "40"))
LOGIN_HASHES_PER_PROCESS = int(os.environ.get("LOGIN_HASHES_PER_PROCESS", "1"))
LOGIN_HASH_WAIT_SECONDS = int(os.environ.get("LOGIN_HASH_WAIT_SECONDS", "3"))
# Staff resetting students' passwords (access/login_help.py): at most this many per person per window.
PASSWORD_RESETS_PER_WINDOW = int(os.environ.get("PASSWORD_RESETS_PER_WINDOW", "30"))
# Behind a reverse proxy: the META key of the header it sets to the client's address (HTTP_X_REAL_IP).
CLIENT_ADDRESS_HEADER = os.environ.get("CLIENT_ADDRESS_HEADER", "")
# How long the signed-in user (access/backends.py) and their roles (access/policy.py) are cached.
# Every change the app makes clears them at once (signals, and the bulk writes say so themselves);
# the lifetime only bounds a change made behind the app's back (a hand-written UPDATE). It outlives
# an exam day, so a student who signed in in the morning is not read afresh in the exam's minute.
USER_CACHE_SECONDS = int(os.environ.get("USER_CACHE_SECONDS", str(8 * 3600)))
ROLES_CACHE_SECONDS = int(os.environ.get("ROLES_CACHE_SECONDS", str(8 * 3600)))
# The API's requests per minute and token (api/auth.py).
API_RATE_LIMIT = int(os.environ.get("API_RATE_LIMIT", "120"))
# the largest file a student attaches or a teacher adds to a ticket (attestation/files.py).
ATTESTATION_MAX_UPLOAD_MB = int(os.environ.get("ATTESTATION_MAX_UPLOAD_MB", "20"))
# The college's name printed on grade sheets (attestation/grade_sheet.py); empty: "College", translated.
COLLEGE_NAME = os.environ.get("COLLEGE_NAME", "")

# The one HTTPS switch (#17): on behind HTTPS (config.settings_production turns it on) — secure
# cookies, the SSL redirect, HSTS, and the proxy's X-Forwarded-Proto trusted for the scheme.
HTTPS = env_bool("DJANGO_HTTPS")
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    # Probes and Prometheus ask over plain HTTP on the machine itself: answered, not redirected.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = [f"https://{h.lstrip('.')}" for h in ALLOWED_HOSTS if h != "*"]
    SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# One JSON line per event (core/observability.py): time, level, logger, message, and for what
# happens in a request its id, the user, the view, the status and the duration. LOG_FORMAT=text
# gives plain lines (the development server's default).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "core.observability.RequestContextFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",  # ISO 8601 in UTC, first
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
            "filters": ["request"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # The request log (core/observability.py) and the task queue's own lines are the operations'
    # record: kept at INFO whatever LOG_LEVEL says of the rest.
    "loggers": {
        "attestation.requests": {"level": "INFO"},
        "django_tasks": {"level": "INFO"},
        "django_tasks_db": {"level": "INFO"},
    },
}
# Errors to Sentry (or a compatible service) when set; nothing leaves the machine otherwise.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        send_default_pii=False,  # students' names and addresses stay here
        traces_sample_rate=0.0,
    )

# The address e-mails link to (notifications): required in production (check --deploy fails without).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "")
# Mail: one EMAIL_URL (smtp://user:password@host:587/?tls=True, smtps://… for SSL on 465) or
# the separate EMAIL_HOST… variables; with neither, mails are printed to the console (development).
# Every e-mail leaves through the task queue (notifications/mail.py), retried after each of
# EMAIL_RETRY_SECONDS (seconds, comma-separated) before it is marked failed.
EMAIL_URL = os.environ.get("EMAIL_URL", "")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
if EMAIL_URL:
    _mail = dj_email_url.parse(EMAIL_URL)
    EMAIL_BACKEND = _mail["EMAIL_BACKEND"]
    EMAIL_HOST, EMAIL_PORT = _mail["EMAIL_HOST"], _mail["EMAIL_PORT"] or EMAIL_PORT
    EMAIL_HOST_USER, EMAIL_HOST_PASSWORD = _mail["EMAIL_HOST_USER"], _mail["EMAIL_HOST_PASSWORD"]
    EMAIL_USE_TLS, EMAIL_USE_SSL = _mail["EMAIL_USE_TLS"], _mail["EMAIL_USE_SSL"]
    EMAIL_TIMEOUT = _mail["EMAIL_TIMEOUT"] or EMAIL_TIMEOUT
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "attestation@localhost")
EMAIL_RETRY_SECONDS = [int(s) for s in os.environ.get("EMAIL_RETRY_SECONDS", "60,300,1800").split(",") if s]

# The task queue: django-tasks with its database backend — no new server; `manage.py db_worker`
# runs the tasks (imports, e-mails). A worker renews a lease on each task it runs every few seconds
# (core/tasks.py); a task whose lease has lapsed for TASK_LEASE_SECONDS — its worker was killed — is
# queued again, up to TASK_MAX_ATTEMPTS runs, then marked failed (shown on the monitor page).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
TASK_LEASE_SECONDS = int(os.environ.get("TASK_LEASE_SECONDS", "30"))
TASK_MAX_ATTEMPTS = int(os.environ.get("TASK_MAX_ATTEMPTS", "3"))

# Operations: Prometheus metrics at /metrics for `Authorization: Bearer <METRICS_TOKEN>` only
# (unset: 404). Several processes (gunicorn's workers, serve_live's) add up through files in
# PROMETHEUS_MULTIPROC_DIR (prometheus-client's multiprocess mode; read by the library itself).
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
PROMETHEUS_MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
if PROMETHEUS_MULTIPROC_DIR:  # a command run by hand on a machine whose units have not made it yet
    os.makedirs(PROMETHEUS_MULTIPROC_DIR, exist_ok=True)
# /readyz answers 503 when the oldest task waiting to run has waited longer than this (seconds).
READY_MAX_TASK_AGE = int(os.environ.get("READY_MAX_TASK_AGE", "300"))

# Live exam by push (#15, attestation/live.py). Redis carries events between processes; without it
# one process (make demo) delivers its own events. Streams are served by the ASGI workers
# (config/asgi.py); the WSGI workers answer them only when LIVE_STREAMS_ON_WSGI is on — the
# development server — since a stream would hold a sync worker for the whole exam. A page whose
# stream cannot open polls instead.
REDIS_URL = os.environ.get("REDIS_URL", "")
LIVE_KEEPALIVE_SECONDS = int(os.environ.get("LIVE_KEEPALIVE_SECONDS", "10"))
# A connection whose keep-alive stays unacknowledged this long is dropped (manage.py serve_live):
# with the keep-alive every 10 s a silent page is grey within 25 s.
LIVE_SILENT_SECONDS = int(os.environ.get("LIVE_SILENT_SECONDS", "15"))
LIVE_STREAMS_ON_WSGI = env_bool("LIVE_STREAMS_ON_WSGI", DEBUG)
# Open streams one login (a browser's session) and one user may hold; a new one closes the oldest
# (attestation/live_logins.py), so a reload never locks anyone out and nobody holds thousands.
LIVE_STREAMS_PER_LOGIN = int(os.environ.get("LIVE_STREAMS_PER_LOGIN", "4"))
LIVE_STREAMS_PER_USER = int(os.environ.get("LIVE_STREAMS_PER_USER", "8"))
