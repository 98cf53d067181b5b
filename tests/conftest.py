"""Shared fixtures and the requirement-traceability plugin (``make requirements``)."""

import datetime
import json
import os
from collections import defaultdict

import pytest
import time_machine

from tests.exams import NOW, questions_viewed
from tests.personas import *  # noqa: F401,F403 — persona fixtures


def pytest_report_header(config):
    if os.environ.get("TEST_NOW"):
        return f"simulated start of every test (TEST_NOW): {os.environ['TEST_NOW']}"
    return None


def pytest_addoption(parser):
    parser.addoption("--req-report", default=None, help="write per-requirement test outcomes as JSON here")


_REQ_IDS: dict[str, tuple[str, ...]] = {}
_OUTCOMES: dict[str, str] = {}


def pytest_collection_modifyitems(items):
    for item in items:
        ids = tuple(i for marker in item.iter_markers("req") for i in marker.args)
        if ids:
            _REQ_IDS[item.nodeid] = ids


def pytest_runtest_logreport(report):
    if report.nodeid not in _REQ_IDS:
        return
    if report.failed:
        _OUTCOMES[report.nodeid] = "failed"
    elif report.when == "call" and report.passed and _OUTCOMES.get(report.nodeid) != "failed":
        _OUTCOMES[report.nodeid] = "passed"


def pytest_sessionfinish(session):
    path = session.config.getoption("--req-report")
    if not path:
        return
    counts = defaultdict(lambda: {"passed": 0, "failed": 0})
    for nodeid, ids in _REQ_IDS.items():
        outcome = _OUTCOMES.get(nodeid)
        for req_id in ids:
            if outcome in ("passed", "failed"):
                counts[req_id][outcome] += 1
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(counts, fh, indent=1, sort_keys=True)


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Every test starts in English outside a request (services, e-mails built in the test): the
    assertions read English messages, and no test inherits the language another left active.
    Requests still choose their own language (the user's, Kazakh by default)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _simulated_now():
    """``TEST_NOW=2026-12-01T18:58:00+00:00 make test``: every test starts at that moment and the clock
    ticks on from there — to find tests that assume the time of day, or that the UTC date is Almaty's
    (from 19:00 UTC it is already tomorrow in Almaty). Tests that travel in time still do."""
    when = os.environ.get("TEST_NOW")
    if not when:
        yield
        return
    with time_machine.travel(datetime.datetime.fromisoformat(when), tick=True):
        yield


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Every test starts in English, the language tests assert in — not in whatever language an
    earlier test's request left active in this thread (the order of tests must not matter). Requests
    still choose their own language (cookie, Accept-Language, the default Kazakh)."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Presence and rate limits live in the cache, import progress and task leases in the shared
    one: every test starts with empty ones."""
    from django.core.cache import caches

    for alias in ("default", "shared"):
        caches[alias].clear()
    yield
    for alias in ("default", "shared"):
        caches[alias].clear()


# --- an exam, for tests in any folder ----------------------------------------------------------


@pytest.fixture
def clock():
    """The frozen clock; ``clock.move_to(...)``/``clock.shift(...)`` travel in time."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def scheduled(college, clock):
    """The persona college with academic schedules: attestation from 25 Nov to 28 Dec 2026."""
    from college.models import AcademicSchedule

    period = college.streams.teacher_a.academic_period
    for group in college.groups:
        AcademicSchedule.objects.create(
            group=group,
            academic_period=period,
            attestation_starts_on=datetime.date(2026, 11, 25),
            attestation_ends_on=datetime.date(2026, 12, 28),
        )
    return college


@pytest.fixture
def exam(scheduled, clock):
    """The student has a ticket, the questions were sent at 10:02 and viewed at 10:03."""
    return questions_viewed(scheduled, clock)


@pytest.fixture
def task_worker(settings):
    """Tasks go into the database queue and a django-tasks-db worker runs them in a thread of this
    process (for browser tests, whose live server is a thread too); tests/operations starts real
    ``manage.py db_worker`` processes. Needs ``django_db(transaction=True)``."""
    import threading

    from django.db import connections
    from django_tasks_db.management.commands.db_worker import Worker

    if os.environ.get("E2E_BASE_URL"):  # a deployment's pages queue their tasks for its own worker
        yield None
        return
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    worker = Worker(
        queue_names=["default"],
        interval=0.1,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )

    def run():
        try:
            worker.run()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name="task-worker", daemon=True)
    thread.start()
    yield worker
    worker.running = False
    thread.join(timeout=30)
    from core.tasks import stop_watchdog

    stop_watchdog()  # the leases' thread the worker's first task started


@pytest.fixture
def smtp(settings):
    """A real SMTP server (aiosmtpd) that the application's mail goes to: its mailbox."""
    from tests.smtp import smtp_server

    with smtp_server() as (mailbox, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield mailbox
