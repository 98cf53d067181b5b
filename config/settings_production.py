"""Production settings: the env-driven settings with the HTTPS switch and every hardening on.

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
os.environ["DJANGO_HTTPS"] = "1"  # the one HTTPS switch (config/settings.py): always on here

from config.settings import *  # noqa: E402,F403

DEBUG = False
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]

# The session ends when the browser closes on shared exam-room computers, and after 8 hours anyway.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
