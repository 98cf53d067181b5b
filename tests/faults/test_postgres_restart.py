"""PostgreSQL drops every connection, or restarts, while a student autosaves (X-1).

Requests in flight get a polite, translated 503 ("try again"), never a traceback; the page keeps
the draft and re-sends it, the next autosave succeeds on a fresh connection, and no version typed
is lost. Connections are cut with ``pg_terminate_backend`` — what a server restart does to them —
and, where this machine runs the database server and may restart it (``pg_ctlcluster``: CI and
the developers' machines), the server itself is stopped and started again.

PostgreSQL only. ``REQUIRE_PG_RESTART=1`` (CI) turns the real restart's skip into a failure."""

import json
import os
import pwd
import shutil
import subprocess
import threading
import time

import psycopg
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

pytestmark = pytest.mark.django_db(transaction=True)
POSTGRES_ONLY = "needs PostgreSQL (DATABASE_URL)"
needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason=POSTGRES_ONLY)


def _admin_connection():
    conf = connection.settings_dict
    return psycopg.connect(
        dbname="postgres",
        user=conf.get("USER") or None,
        password=conf.get("PASSWORD") or None,
        host=conf.get("HOST") or None,
        port=conf.get("PORT") or None,
        autocommit=True,
    )


def cut_connections():
    """Terminate every other backend of the test database, as a restart would."""
    with _admin_connection() as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [connection.settings_dict["NAME"]],
        )


def student_client(scheduled):
    """A client that, like a real server, answers errors instead of re-raising them into the test."""
    client = Client(raise_request_exception=False)
    client.force_login(scheduled.users["student"])
    return client


def autosave(client, session, text, version):
    return client.post(
        reverse("attestation:draft_save", args=[session.pk]),
        json.dumps({"text": text, "version": version}),
        content_type="application/json",
        headers={"accept": "application/json"},
    )


@needs_postgres
def test_a_cut_connection_gets_a_polite_503_and_the_retry_succeeds(scheduled, exam):
    client = student_client(scheduled)
    assert autosave(client, exam, "<p>one</p>", 1).status_code == 200
    cut_connections()
    response = autosave(client, exam, "<p>two</p>", 2)
    assert response.status_code == 503
    assert response.json()["error"] == "The service is busy for a moment. Nothing was lost — try again."
    assert response["Retry-After"]
    # The browser re-sends the same version: it is saved on a fresh connection.
    assert autosave(client, exam, "<p>two</p>", 2).status_code == 200
    exam.refresh_from_db()
    assert (exam.draft, exam.draft_version) == ("<p>two</p>", 2)


@needs_postgres
def test_a_page_request_gets_a_polite_html_page(scheduled, exam):
    client = student_client(scheduled)
    url = reverse("attestation:session", args=[exam.pk])
    assert client.get(url).status_code == 200
    cut_connections()
    response = client.get(url)
    assert response.status_code == 503
    page = response.content.decode()
    assert "Nothing was lost" in page and "Traceback" not in page
    assert client.get(url).status_code == 200


BUSY_MESSAGES = set()
for _language in ("en", "kk"):
    with translation.override(_language):
        BUSY_MESSAGES.add(str(_("The service is busy for a moment. Nothing was lost — try again.")))


@needs_postgres
def test_student_autosaving_through_repeated_restarts_loses_no_version(scheduled, exam):
    client = student_client(scheduled)
    stop = threading.Event()

    def restarts():
        while not stop.wait(0.05):
            cut_connections()

    killer = threading.Thread(target=restarts, daemon=True)
    killer.start()
    polite, version = 0, 0
    try:
        # At least 40 versions, and on until several of them met a cut connection: an autosave is
        # one statement of about a millisecond, so forty can slip between two cuts.
        while version < 40 or (polite < 5 and version < 5000):
            version += 1
            text = f"<p>draft {version}</p>"
            for _attempt in range(20):  # the page keeps the draft and re-sends it
                response = autosave(client, exam, text, version)
                assert response.status_code in (200, 503), response.content
                if response.status_code == 200:
                    assert response.json()["version"] == version
                    break
                polite += 1
                # The user's language once their row is read; Kazakh (the default) when the cut
                # meets that very read — either way the polite, translated message.
                assert response.json()["retry"] is True
                assert response.json()["error"] in BUSY_MESSAGES
            else:
                pytest.fail(f"version {version} never saved")
    finally:
        stop.set()
        killer.join()
    last = f"<p>draft {version}</p>"
    cut_connections()  # and once more for certain, then the last word
    assert autosave(client, exam, last, version).status_code in (200, 503)
    assert autosave(client, exam, last, version).status_code == 200
    exam.refresh_from_db()
    assert (exam.draft, exam.draft_version) == (last, version)
    assert polite > 0, "no request met a cut connection: the test proved nothing"


# --- a real restart of the server ------------------------------------------------------------------

LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}


class Cluster:
    """The PostgreSQL cluster serving the test database on this machine, driven by ``pg_ctlcluster``."""

    def __init__(self, version, name, host, port):
        self.version, self.name, self.host, self.port = version, name, host, port

    def _ctl(self, action, *options):
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, action, *options],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def is_ready(self) -> bool:
        command = ["pg_isready", "-q", "-p", str(self.port)] + (["-h", self.host] if self.host else [])
        return subprocess.run(command, check=False, timeout=10).returncode == 0

    def stop(self):
        self._ctl("stop", "-m", "fast")  # what a restart does: every session is ended at once

    def start(self):
        """Start it (if it is down) and wait until it accepts connections."""
        if not self.is_ready():
            self._ctl("start")
        deadline = time.monotonic() + 60
        while not self.is_ready():
            if time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL {self.version}/{self.name} did not come back in 60 s")
            time.sleep(0.2)


def _local_cluster():
    """The cluster this test may restart, or the reason it cannot."""
    if connection.vendor != "postgresql":
        return None, POSTGRES_ONLY
    conf = connection.settings_dict
    host, port = conf.get("HOST") or "", int(conf.get("PORT") or 5432)
    if host not in LOCAL_HOSTS and not host.startswith("/"):
        return None, f"the database server is on {host}, not on this machine"
    if not (shutil.which("pg_ctlcluster") and shutil.which("pg_lsclusters") and shutil.which("pg_isready")):
        return None, "pg_ctlcluster, pg_lsclusters or pg_isready is missing (Debian's postgresql-common)"
    listing = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=False)
    for line in listing.stdout.splitlines():
        version, name, cluster_port, status, owner, *_rest = line.split()
        if int(cluster_port) == port and status.startswith("online"):
            user = pwd.getpwuid(os.geteuid()).pw_name
            if user not in ("root", owner):
                return None, f"restarting cluster {version}/{name} needs root or {owner}, not {user}"
            return Cluster(version, name, host, port), None
    return None, f"no online PostgreSQL cluster on port {port} of this machine (pg_lsclusters)"


@pytest.fixture
def pg_cluster():
    """The local cluster; afterwards it is up for certain and this test's connection is a fresh one."""
    cluster, reason = _local_cluster()
    if cluster is None:
        if os.environ.get("REQUIRE_PG_RESTART"):
            pytest.fail(f"REQUIRE_PG_RESTART is set, but the server cannot be restarted here: {reason}")
        pytest.skip(f"a real PostgreSQL restart: {reason}")
    try:
        yield cluster
    finally:
        cluster.start()
        connection.close()  # the old one died with the server; later tests (and the flush) open a new one
        connection.ensure_connection()


@pytest.mark.req("X-1")
def test_the_database_server_restarts_while_a_student_autosaves(pg_cluster, scheduled, exam):
    client = student_client(scheduled)
    page = reverse("attestation:session", args=[exam.pk])
    typed = [
        "<p>The stream page</p>",
        "<p>The stream page lists slots</p>",
        "<p>The stream page lists slots and tickets</p>",
        "<p>The stream page lists slots and tickets.</p>",
    ]
    assert autosave(client, exam, typed[0], 1).status_code == 200

    pg_cluster.stop()
    try:
        # The student keeps typing; every autosave meets a database that is not there.
        for version, text in enumerate(typed[1:], start=2):
            response = autosave(client, exam, text, version)
            assert response.status_code == 503, response.content
            assert response.json() == {
                "error": "The service is busy for a moment. Nothing was lost — try again.",
                "retry": True,
                "request_id": response["X-Request-ID"],  # for support to find the request's log lines
            }
            assert response["Retry-After"]
        response = client.get(page)  # a reload in the meantime
        assert response.status_code == 503
        html = response.content.decode()
        assert "Nothing was lost" in html and "Traceback" not in html
    finally:
        pg_cluster.start()

    # The page re-sends the newest version (every 3 s) until it is saved.
    last = len(typed)
    for _attempt in range(10):
        response = autosave(client, exam, typed[-1], last)
        assert response.status_code in (200, 503), response.content
        if response.status_code == 200:
            break
        time.sleep(0.5)
    assert response.status_code == 200, "the re-sent autosave never succeeded after the restart"
    assert response.json()["version"] == last
    exam.refresh_from_db()
    assert (exam.draft, exam.draft_version) == (typed[-1], last)
    assert client.get(page).status_code == 200
