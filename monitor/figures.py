"""The monitor's figures, as people read them, from the same sources as ``/metrics``.

Counters only ever grow, so "requests per second" and "p95 over the last minutes" are differences
between two readings: each time the page (or its poll, every few seconds) reads the metrics it keeps
a sample — the requests answered so far, per latency bucket, and the events delivered — in the cache
(Redis when configured: shared by the pages' processes) for :data:`KEEP` seconds, and compares the
newest with the oldest of the last :data:`WINDOW` seconds. The first reading after a quiet while has
nothing to compare with: the page says "measuring" until the next one.

The metrics are this machine's (every process that writes to ``PROMETHEUS_MULTIPROC_DIR``); with
several app machines the figures are the machine that answered — Prometheus adds them all up.
"""

from __future__ import annotations

import contextlib
import math
import time
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache

from core import health, metrics, tasks
from core.resilience import CACHE_ERRORS
from notifications import mail

WINDOW = 300  # seconds: "over the last 5 minutes"
KEEP = 900
SAMPLES_KEY = "monitor:samples"
# Requests that are not people's: the probes, the scrapes and this page's own poll.
NOT_PEOPLE = frozenset({"healthz", "readyz", "metrics", "monitor:monitor"})
LATENCY = "attestation_request_duration_seconds"


@dataclass
class Reading:
    """What the metrics say now (sums over views, methods and statuses)."""

    requests: float = 0.0
    buckets: dict[str, float] = field(default_factory=dict)  # upper bound ("0.1", "+Inf") → cumulative count
    delivered: float = 0.0
    published: float = 0.0
    students: float = 0.0
    staff_streams: float = 0.0
    refused_logins: float = 0.0


def read_metrics() -> Reading:
    reading = Reading()
    for family in metrics.registry().collect():
        for sample in family.samples:
            name, labels, value = sample.name, sample.labels, sample.value
            if name == f"{LATENCY}_bucket" and labels.get("view") not in NOT_PEOPLE:
                reading.buckets[labels["le"]] = reading.buckets.get(labels["le"], 0.0) + value
            elif name == f"{LATENCY}_count" and labels.get("view") not in NOT_PEOPLE:
                reading.requests += value
            elif name == "attestation_live_events_delivered_total":
                reading.delivered += value
            elif name == "attestation_live_events_published_total":
                reading.published += value
            elif name == "attestation_live_students_connected":
                reading.students += value
            elif name == "attestation_live_streams_open" and labels.get("kind") == "staff":
                reading.staff_streams += value
            elif name == "attestation_login_refused_total":
                reading.refused_logins += value
    return reading


def _sample(reading: Reading, now: float) -> dict[str, Any]:
    return {
        "t": now,
        "requests": reading.requests,
        "buckets": reading.buckets,
        "delivered": reading.delivered,
        "refused": reading.refused_logins,
    }


def _remember(sample: dict[str, Any]) -> list[dict[str, Any]]:
    """The samples of the last KEEP seconds, this one included."""
    try:
        samples: list[dict[str, Any]] = cache.get(SAMPLES_KEY) or []
    except CACHE_ERRORS:
        samples = []
    samples = [s for s in samples if sample["t"] - s["t"] <= KEEP and s["requests"] <= sample["requests"]]
    samples.append(sample)
    with contextlib.suppress(*CACHE_ERRORS):  # a cache that is down: the next reading measures again
        cache.set(SAMPLES_KEY, samples, KEEP)
    return samples


def p95_seconds(then: dict[str, float], now: dict[str, float]) -> float | None:
    """The 95th percentile of the requests answered between two readings of the histogram, by linear
    interpolation inside its bucket (as Prometheus' ``histogram_quantile``); None without requests."""
    bounds = sorted((float(le), le) for le in now)
    counts = [(bound, now[le] - then.get(le, 0.0)) for bound, le in bounds]
    total = counts[-1][1] if counts else 0.0
    if total <= 0:
        return None
    rank = 0.95 * total
    lower, below = 0.0, 0.0
    for bound, cumulative in counts:
        if cumulative >= rank:
            if math.isinf(bound):
                return lower  # beyond the last bucket: its lower edge is what can be said
            inside = cumulative - below
            return lower + (bound - lower) * ((rank - below) / inside if inside else 1.0)
        lower, below = bound, cumulative
    return None


@dataclass
class Traffic:
    seconds: float  # the span compared; 0 while measuring
    per_second: float | None
    p95_ms: float | None
    delivered_per_minute: float | None
    refused_logins: float | None


def traffic(reading: Reading, now: float | None = None) -> Traffic:
    now = time.time() if now is None else now
    samples = _remember(_sample(reading, now))
    recent = [s for s in samples if now - s["t"] <= WINDOW]
    first, last = recent[0], recent[-1]
    span = last["t"] - first["t"]
    if span < 1:
        return Traffic(0.0, None, None, None, None)
    p95 = p95_seconds(first["buckets"], last["buckets"])
    return Traffic(
        seconds=span,
        per_second=(last["requests"] - first["requests"]) / span,
        p95_ms=None if p95 is None else p95 * 1000,
        delivered_per_minute=(last["delivered"] - first["delivered"]) * 60 / span,
        refused_logins=last["refused"] - first["refused"],
    )


def database() -> dict[str, Any]:
    status = health.check_database()
    if status["ok"]:
        status["connections"] = health.connections_in_use()
    return status


def everything() -> dict[str, Any]:
    """All the page shows."""
    tasks.recover_lost_now_and_then()
    reading = read_metrics()
    queue = tasks.counts()
    moving = traffic(reading)
    return {
        "reading": reading,
        "students": int(reading.students),
        "staff_streams": int(reading.staff_streams),
        "refused_logins": int(moving.refused_logins or 0),
        "traffic": moving,
        "database": database(),
        "redis": health.check_redis(),
        "tasks": queue,
        "oldest_task_seconds": tasks.oldest_ready_age(),
        "task_failures": tasks.recent_failures(),
        "mails_waiting": mail.waiting(),
        "mail_failures": list(mail.failures()),
        "mails_failed": mail.failed_count(),
    }
