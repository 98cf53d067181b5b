"""Prometheus metrics: what each process counts, and the page a Prometheus server reads.

**Several processes, one set of figures.** gunicorn's workers, ``serve_live``'s uvicorn workers and
the task worker are separate processes. With ``PROMETHEUS_MULTIPROC_DIR`` set (one folder per
machine, shared by all of them, emptied at boot: a tmpfs such as ``/run``) prometheus-client's
multiprocess mode keeps each process's values in a file of that folder and :func:`registry` adds
them up at each scrape — so ``/metrics`` on any process of the machine answers for the whole
machine. A gauge of a process that has ended (a worker recycled or killed) is forgotten at the next
scrape (:func:`_forget_dead_processes`). Without the variable (``make demo``, the tests) each process
counts for itself.

**Read, not pushed.** Figures that live in the database (tasks waiting, e-mails waiting, the
database's connections) are read when scraped, by the functions registered with
:func:`gauge_source` — so they are the same whichever process answers.

``/metrics`` is not public: only a request with ``Authorization: Bearer <METRICS_TOKEN>`` gets it;
without the token configured the address does not exist (404) — see :func:`metrics_view`.
"""

from __future__ import annotations

import glob
import hmac
import logging
import os
import re
from collections.abc import Callable, Iterator

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

# Buckets from a fast page (5 ms) to a slow grade sheet (10 s): p95 is read from them.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 10.0)

REQUEST_LATENCY = Histogram(
    "attestation_request_duration_seconds",
    "Time to answer a request, by view (URL name), method and status",
    ["view", "method", "status"],
    buckets=LATENCY_BUCKETS,
)
LIVE_STREAMS = Gauge(
    "attestation_live_streams_open",
    "Live event streams open now, by kind (student: an exam page; staff: a slot's live table)",
    ["kind"],
    multiprocess_mode="livesum",
)
LIVE_STUDENTS = Gauge(
    "attestation_live_students_connected",
    "Students whose exam page holds a live stream now (each student once per process)",
    multiprocess_mode="livesum",
)
EVENTS_PUBLISHED = Counter(
    "attestation_live_events_published", "Live events published (one per channel)", ["event"]
)
EVENTS_DELIVERED = Counter(
    "attestation_live_events_delivered", "Live events written to an open page's stream", ["event"]
)
LOGINS_REFUSED = Counter(
    "attestation_login_refused",
    "Sign-in attempts refused: wrong password, or made to wait by the throttle",
    ["reason"],
)
MAILS = Counter(
    "attestation_mails", "Notification e-mails by outcome (sent, retried later, failed for good)", ["outcome"]
)

# --- figures read from the database when scraped -------------------------------------------------

# (name, help, labels, read) — ``read`` returns {label values: value}; () for an unlabelled gauge.
GaugeSource = tuple[str, str, tuple[str, ...], Callable[[], dict[tuple[str, ...], float]]]
_sources: list[GaugeSource] = []


def gauge_source(
    name: str, documentation: str, labels: tuple[str, ...] = ()
) -> Callable[[Callable[[], dict[tuple[str, ...], float]]], Callable[[], dict[tuple[str, ...], float]]]:
    """Register a function that reads a gauge's values at each scrape (decorator)."""

    def register(
        read: Callable[[], dict[tuple[str, ...], float]],
    ) -> Callable[[], dict[tuple[str, ...], float]]:
        if all(source[0] != name for source in _sources):
            _sources.append((name, documentation, labels, read))
        return read

    return register


class _ScrapeTimeCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        for name, documentation, labels, read in _sources:
            family = GaugeMetricFamily(name, documentation, labels=list(labels))
            try:
                values = read()
            except Exception:  # noqa: BLE001 — one unreadable figure must not empty the whole page
                logger.warning("Metric %s could not be read", name, exc_info=True)
                continue
            for label_values, value in values.items():
                family.add_metric(list(label_values), value)
            yield family


_scrape_time = _ScrapeTimeCollector()
REGISTRY.register(_scrape_time)


def multiprocess_dir() -> str:
    return settings.PROMETHEUS_MULTIPROC_DIR or os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


_PID = re.compile(r"_(\d+)\.db$")


def _forget_dead_processes(folder: str) -> None:
    """The live gauges of processes that no longer run (pids are this machine's: one folder each)."""
    for path in glob.glob(os.path.join(folder, "gauge_live*_*.db")):
        found = _PID.search(path)
        if not found:
            continue
        pid = int(found.group(1))
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            multiprocess.mark_process_dead(pid, folder)
        except PermissionError:  # alive, run by another user
            pass


def registry() -> CollectorRegistry:
    """Every process's values on this machine (multiprocess mode), or this process's."""
    folder = multiprocess_dir()
    if not folder:
        return REGISTRY
    _forget_dead_processes(folder)
    combined = CollectorRegistry()
    multiprocess.MultiProcessCollector(combined, folder)
    combined.register(_scrape_time)
    return combined


def exposition() -> bytes:
    return generate_latest(registry())


def authorised(header: str) -> bool:
    """``Authorization: Bearer <METRICS_TOKEN>``, compared in constant time; never without a token."""
    token = settings.METRICS_TOKEN
    if not token:
        return False
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def metrics_view(request: HttpRequest) -> HttpResponse:
    """``/metrics`` for Prometheus: 404 to anyone without the token — the address is not advertised."""
    if not authorised(request.headers.get("Authorization", "")):
        raise Http404
    response = HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response
