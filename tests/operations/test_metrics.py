"""Prometheus metrics at ``/metrics``: only with the token (without one configured the address does not
exist); what a scrape says after an exam's actions; and gunicorn's several workers added up through
prometheus-client's multiprocess folder (a real gunicorn with two workers)."""

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.test import Client
from django.urls import reverse
from prometheus_client.parser import text_string_to_metric_families

from attestation import live
from tests.processes import ROOT, free_port, worker_env

TOKEN = "scrape-me-0123456789"


def scrape(client=None, token=TOKEN):
    client = client or Client()
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get("/metrics", headers=headers)


def samples(text):
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            key = (sample.name, tuple(sorted(sample.labels.items())))
            found[key] = found.get(key, 0) + sample.value
    return found


def value(found, name, **labels):
    return sum(
        v for (n, ls), v in found.items() if n == name and all((k, w) in ls for k, w in labels.items())
    )


def test_without_a_token_configured_there_are_no_metrics(db, settings):
    settings.METRICS_TOKEN = ""
    assert scrape().status_code == 404
    assert scrape(token="").status_code == 404


@pytest.mark.parametrize("given", ["", "wrong-token", f"{TOKEN}x"])
def test_a_wrong_or_missing_token_is_404(db, settings, given):
    settings.METRICS_TOKEN = TOKEN
    assert scrape(token=given).status_code == 404


def test_a_scrape_counts_requests_logins_refused_events_and_tasks(scheduled, login, settings):
    settings.METRICS_TOKEN = TOKEN
    before = samples(scrape().content.decode())
    client = login(scheduled.users["teacher"])
    for _ in range(3):
        assert client.get(reverse("attestation:stream_list")).status_code == 200
    Client().post(reverse("login"), {"username": "teacher", "password": "wrong"})
    live._send([("staff:1", {"event": "presence"})])  # an event published

    response = scrape()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    after = samples(response.content.decode())

    def grew(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    latency = "attestation_request_duration_seconds_count"
    assert grew(latency, view="attestation:stream_list", method="GET", status="200") == 3
    assert grew("attestation_login_refused_total", reason="wrong_password") == 1
    assert grew("attestation_live_events_published_total", event="presence") == 1
    assert ("attestation_tasks", (("state", "ready"),)) in after  # read from the queue when scraped
    assert ("attestation_tasks_oldest_ready_age_seconds", ()) in after
    assert ("attestation_mails_pending", (("state", "queued"),)) in after
    assert "attestation_live_streams_open" in response.content.decode()


def test_open_streams_and_delivered_events_are_counted(db, settings):
    settings.METRICS_TOKEN = TOKEN
    hub = live.hub()
    student = live.Subscription(("session:901",), session_id=901)
    before = samples(scrape().content.decode())
    hub.subscribe(student)
    try:
        during = samples(scrape().content.decode())
        stream = live.LiveStream(live.Opened(channels=("session:901",), hello={}, session_id=901))
        stream.event(("session:901", 1, '{"event":"grade"}'))
    finally:
        hub.unsubscribe(student)
    after = samples(scrape().content.decode())
    assert value(during, "attestation_live_streams_open", kind="student") == 1 + value(
        before, "attestation_live_streams_open", kind="student"
    )
    assert value(during, "attestation_live_students_connected") >= 1
    assert value(after, "attestation_live_streams_open", kind="student") == value(
        before, "attestation_live_streams_open", kind="student"
    )
    delivered = "attestation_live_events_delivered_total"
    assert value(after, delivered, event="grade") - value(before, delivered, event="grade") == 1


@pytest.mark.django_db(transaction=True)
def test_gunicorns_workers_add_up_in_the_multiprocess_folder(tmp_path):
    """Two worker processes, one folder: any worker's /metrics counts the requests of both."""
    folder = tmp_path / "metrics"
    folder.mkdir()
    port = free_port()
    env = worker_env(METRICS_TOKEN=TOKEN, PROMETHEUS_MULTIPROC_DIR=folder, DJANGO_ALLOWED_HOSTS="127.0.0.1")
    env.pop("TEST_TASKS_IN_DATABASE")
    with open(tmp_path / "gunicorn.log", "w") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{port}",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_up(f"{base}/healthz", tmp_path / "gunicorn.log")
            pids = set()
            deadline = time.monotonic() + 30
            count = 0
            # Until both workers have answered (each keeps its own file named by its pid).
            while len(pids) < 2 and time.monotonic() < deadline:
                with urllib.request.urlopen(f"{base}/login/", timeout=10) as response:
                    assert response.status == 200
                count += 1
                pids = {m.group(1) for m in (re.search(r"_(\d+)\.db$", n) for n in os.listdir(folder)) if m}
            assert len(pids) >= 2, "both workers answered"
            request = urllib.request.Request(f"{base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
            with urllib.request.urlopen(request, timeout=10) as response:
                found = samples(response.read().decode())
            latency = "attestation_request_duration_seconds_count"
            assert value(found, latency, view="login", method="GET", status="200") == count
        finally:
            server.terminate()
            server.wait(15)


def _wait_up(url, log_path):
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, OSError):
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.2)
