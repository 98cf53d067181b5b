"""The project's WSGI application plus ``/bench/ping/``, a trivial view behind the same middleware.

gunicorn bench.wsgi:application — the project's URLs are untouched; only this process's urlconf
adds the ping, so the bench can measure the framework's own ceiling in the same server.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

settings.ROOT_URLCONF = "bench.urls"
application = get_wsgi_application()
