"""ASGI entry point (#15): the live streams (attestation/live_asgi.py) and, for anything else that
reaches these workers, Django itself. Production runs it with uvicorn workers (README, "Running for
a whole college"); the pages themselves are served by the WSGI workers (config/wsgi.py)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_asgi_application()

from attestation.live_asgi import with_streams  # noqa: E402 — Django is set up first

application = with_streams(django_application)
