"""The project's WSGI application plus ``/bench/ping/``, a trivial view behind the same middleware,
and a count of the CPU each kind of request costs.

gunicorn bench.wsgi:application — the project's URLs are untouched; only this process's urlconf
adds the ping, so the bench can measure the framework's own ceiling in the same server.

**CPU by request kind.** locust names each request (``X-Bench-Kind``: the name of its row in the
latency table); each worker adds up the CPU time of the thread that served it (``thread_time``,
so time spent waiting for PostgreSQL or for a turn on the core is not counted) per kind and per
second of the run, and writes the sums to ``BENCH_OUT/cpu-<pid>.json`` every few seconds — the
bench adds the workers' files up beside the latency table (bench/run.py).
"""

import atexit
import json
import os
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

settings.ROOT_URLCONF = "bench.urls"
FLUSH_EVERY = 5.0  # seconds


class CpuByKind:
    """WSGI middleware: per request kind and second, how many requests and how much CPU."""

    def __init__(self, app, folder):
        self.app = app
        self.folder = folder
        self.lock = threading.Lock()
        # second (epoch) → kind → [requests, CPU seconds]
        self.seconds: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0, 0.0]))
        self.flushed = time.monotonic()
        atexit.register(self.flush)

    def __call__(self, environ, start_response):
        kind = environ.get("HTTP_X_BENCH_KIND")
        if not kind:
            return self.app(environ, start_response)
        started = time.thread_time()
        try:
            return self.app(environ, start_response)
        finally:
            spent = time.thread_time() - started
            with self.lock:
                row = self.seconds[int(time.time())][kind]
                row[0] += 1
                row[1] += spent
            if time.monotonic() - self.flushed >= FLUSH_EVERY:
                self.flush()

    def flush(self):
        with self.lock:
            data = {second: dict(kinds) for second, kinds in self.seconds.items()}
            self.flushed = time.monotonic()
        path = Path(self.folder) / f"cpu-{os.getpid()}.json"
        partial = path.with_suffix(".part")
        partial.write_text(json.dumps(data), encoding="utf-8")
        partial.replace(path)


application = get_wsgi_application()
if os.environ.get("BENCH_OUT"):
    application = CpuByKind(application, os.environ["BENCH_OUT"])
