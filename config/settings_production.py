"""Production settings: the env-driven settings with every HTTPS and hardening switch on.

    DJANGO_SETTINGS_MODULE=config.settings_production
    DJANGO_SECRET_KEY=<at least 50 random characters>   (required: no development fallback)
    DJANGO_ALLOWED_HOSTS=exam.example.kz
    DATABASE_URL=postgres://…   REDIS_URL=redis://…

Serve behind a reverse proxy that terminates TLS and sets ``X-Forwarded-Proto``.
``manage.py check --deploy`` is clean with these settings (tests/security checks it).
"""

import os

if not os.environ.get("DJANGO_SECRET_KEY"):
    raise RuntimeError("config.settings_production needs DJANGO_SECRET_KEY (50+ random characters).")
os.environ["DJANGO_DEBUG"] = "0"

from config.settings import *  # noqa: E402,F403

DEBUG = False
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]

# HTTPS everywhere: the proxy tells us the original scheme.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = [f"https://{h.lstrip('.')}" for h in ALLOWED_HOSTS if h != "*"]  # noqa: F405
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# The session ends when the browser closes on shared exam-room computers, and after 8 hours anyway.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
