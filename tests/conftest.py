"""Shared fixtures and the requirement-traceability plugin (``make requirements``)."""

import json
from collections import defaultdict

import pytest

from tests.personas import *  # noqa: F401,F403 — persona fixtures


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
def _fresh_cache():
    """Presence and rate limits live in the cache: every test starts with an empty one."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
