"""``/healthz`` and ``/readyz`` on the pages (WSGI) and on the live streams' process (``serve_live``,
ASGI): alive without asking anything; ready when the database answers and every migration is
applied — and for the live process, when its hub hears Redis. The task queue's age is reported."""

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from asgiref.testing import ApplicationCommunicator
from django.core.asgi import get_asgi_application
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from attestation import live
from attestation.live_asgi import with_streams
from core import health
from notifications.mail import send_mails
from tests.attestation.test_live import run_apart
from tests.processes import ROOT, free_port, worker_env


def test_healthz_answers_without_asking_the_database(db):
    with CaptureQueriesContext(connection) as queries:
        response = Client().get("/healthz")
    assert response.status_code == 200 and response.content == b"ok\n"
    assert len(queries) == 0 and response["Cache-Control"] == "no-store"


def test_readyz_reports_each_check(db):
    response = Client().get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["ready"] is True
    assert body["checks"]["database"] == {"ok": True, "vendor": connection.vendor}
    assert body["checks"]["migrations"] == {"ok": True}
    assert body["checks"]["tasks"] == {"ok": True, "oldest_ready_seconds": 0.0}
    assert "redis" not in body["checks"]  # not configured here: nothing to ask


def test_readyz_is_503_while_a_migration_is_pending(db, monkeypatch):
    class Pending:
        def __init__(self, connection):
            self.loader = type(
                "Loader", (), {"graph": type("Graph", (), {"leaf_nodes": lambda self: []})()}
            )()

        def migration_plan(self, targets):
            return [("attestation", "0099_new")]

    monkeypatch.setattr(health, "_migrated", type(health._migrated)())  # forget "all applied"
    monkeypatch.setattr(health, "MigrationExecutor", Pending)
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == {"ok": False, "pending": 1}


def test_readyz_is_503_when_the_database_does_not_answer(db, monkeypatch):
    from django.db import OperationalError

    class Unreachable:
        vendor = "postgresql"

        def cursor(self):
            raise OperationalError("could not connect to server")

    monkeypatch.setattr(health, "connection", Unreachable())
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"ok": False, "error": "OperationalError"}


@pytest.mark.django_db(transaction=True)
def test_the_task_queues_age_is_reported_and_flagged_past_the_limit(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.READY_MAX_TASK_AGE = 60
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    send_mails.enqueue([], 1)  # a task no worker has taken
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timezone.timedelta(seconds=90))
    response = Client().get("/readyz")
    assert response.status_code == 200  # a stopped worker must not take the pages out of service
    tasks = response.json()["checks"]["tasks"]
    assert tasks["ok"] is False and 89 <= tasks["oldest_ready_seconds"] <= 120


def test_the_probes_are_not_redirected_to_https(db, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    assert Client().get("/healthz").status_code == 200
    assert Client().get("/login/").status_code == 301


# --- the live streams' process ---------------------------------------------------------------------


def _asgi_get(app, path, headers=()):
    async def ask():
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"127.0.0.1"), *headers],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8001),
        }
        communicator = ApplicationCommunicator(app, scope)
        await communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
        start = await communicator.receive_output(5)
        body = await communicator.receive_output(5)
        await communicator.wait(5)
        return start["status"], body["body"]

    return run_apart(ask())


@pytest.mark.django_db(transaction=True)
def test_the_live_process_answers_health_itself_and_needs_its_hub(monkeypatch):
    app = with_streams(get_asgi_application())
    assert _asgi_get(app, "/healthz") == (200, b"ok\n")
    status, body = _asgi_get(app, "/readyz")
    checks = json.loads(body)["checks"]
    assert status == 200 and checks["hub"]["ok"] is True and checks["database"]["ok"] is True

    monkeypatch.setattr(live.hub(), "healthy", False)  # the hub lost Redis: the streams answer 503
    status, body = _asgi_get(app, "/readyz")
    assert status == 503 and json.loads(body)["checks"]["hub"]["ok"] is False


@pytest.mark.django_db(transaction=True)
def test_serve_live_as_deployed_answers_its_probes(tmp_path):
    """``manage.py serve_live`` itself, a process on this run's database."""
    port = free_port()
    with open(tmp_path / "live.log", "w") as log:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "serve_live", "--port", str(port), "--workers", "1"],
            cwd=ROOT,
            env=worker_env(METRICS_TOKEN="s3cret"),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                        assert response.status == 200 and response.read() == b"ok\n"
                        break
                except (urllib.error.URLError, OSError):
                    assert time.monotonic() < deadline, (tmp_path / "live.log").read_text()
                    time.sleep(0.2)
            with urllib.request.urlopen(f"{base}/readyz", timeout=10) as response:
                assert response.status == 200 and json.loads(response.read())["ready"] is True
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(f"{base}/metrics", timeout=10)
            assert refused.value.code == 404
            request = urllib.request.Request(f"{base}/metrics", headers={"Authorization": "Bearer s3cret"})
            with urllib.request.urlopen(request, timeout=10) as response:
                text = response.read().decode()
            assert "attestation_live_streams_open" in text or "attestation_tasks" in text
        finally:
            server.terminate()
            server.wait(15)
