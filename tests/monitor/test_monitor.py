"""The exam-day monitor: administrators only (the URL table in tests/security/test_url_policy.py tries
every persona); students connected, requests per second and p95 over the last minutes, events
delivered, mails waiting and failed, tasks failed, the database and Redis — refreshed by polling."""

import re

import pytest
from django.urls import reverse

from attestation import live
from monitor import figures
from notifications import kinds
from notifications.models import Notification
from notifications.services import notify

URL = reverse("monitor:monitor")


def figure(page, name):
    found = re.search(rf'data-figure="{name}">([^<]*)<', page)
    assert found, f"the {name} figure is on the page"
    return found.group(1).strip()


@pytest.mark.parametrize("persona", ["teacher", "registrar", "student", "head_dept"])
def test_only_administrators_see_the_monitor(college, login, persona):
    assert login(college.users[persona]).get(URL).status_code == 403


def test_the_monitor_shows_the_figures_and_polls_for_new_ones(college, login, smtp, settings):
    admin = login(college.users["admin"])
    hub = live.hub()
    students = [live.Subscription((f"session:{n}",), session_id=n) for n in (701, 702)]
    staff = live.Subscription(("staff:7",))
    smtp.refused.add("lost@example.kz")
    from tests import factories as f

    lost = f.UserFactory(username="lost", email="lost@example.kz", language="en")
    for subscription in (*students, staff):
        hub.subscribe(subscription)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("django.db.transaction.on_commit", lambda callback: callback())
            notify(recipients=[lost], kind=kinds.SLOT_SCHEDULED, params={"name": "Physics"})
        Notification.objects.create(recipient=lost, kind=kinds.SLOT_SCHEDULED, mail="queued")
        page = admin.get(URL).content.decode()
    finally:
        for subscription in (*students, staff):
            hub.unsubscribe(subscription)
    assert "<html" in page and "Monitor" in page
    assert figure(page, "students") == "2" and "1 staff live table open" in page
    assert figure(page, "mails-waiting") == "1" and figure(page, "mails-failed") == "1"
    assert "lost@example.kz" in page and "550" in page  # the failed mail, with the server's reason
    assert figure(page, "tasks-failed") == "0"
    assert figure(page, "database") == "Database: working"
    assert figure(page, "redis") == "Redis: not configured"
    assert f'hx-get="{URL}" hx-trigger="every 5s" hx-swap="outerHTML"' in page

    # The poll: only the region, and the traffic measured between the two readings.
    for _ in range(3):
        admin.get(reverse("attestation:stream_list"))
    poll = admin.get(URL, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in poll and poll.lstrip().startswith('<div id="monitor-figures"')


def test_requests_per_second_and_p95_come_from_two_readings(db, monkeypatch):
    monkeypatch.setattr(figures, "cache", _Cache())
    first = figures.Reading(requests=100, buckets={"0.05": 80, "0.1": 95, "0.5": 100, "+Inf": 100})
    assert figures.traffic(first, now=1000.0).per_second is None  # one reading: measuring
    second = figures.Reading(
        requests=300, buckets={"0.05": 180, "0.1": 195, "0.5": 280, "+Inf": 300}, delivered=120
    )
    moving = figures.traffic(second, now=1010.0)
    assert moving.per_second == pytest.approx(20.0)  # 200 requests in 10 s
    # 200 requests between the readings: 100 ≤ 50 ms, 100 ≤ 100 ms, 85 more ≤ 500 ms, 20 beyond.
    assert moving.p95_ms == pytest.approx(500.0)  # beyond the last bound: that bound is all one can say
    assert moving.delivered_per_minute == pytest.approx(720.0)


def test_p95_interpolates_inside_its_bucket():
    then = {"0.1": 0, "0.2": 0, "+Inf": 0}
    now = {"0.1": 50, "0.2": 100, "+Inf": 100}
    assert figures.p95_seconds(then, now) == pytest.approx(0.19)
    assert figures.p95_seconds(now, now) is None  # no request in between


class _Cache(dict):
    def get(self, key, default=None):
        return super().get(key, default)

    def set(self, key, value, timeout=None):
        self[key] = value
