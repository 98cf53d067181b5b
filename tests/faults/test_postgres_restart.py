"""PostgreSQL drops every connection (a restart) while a student autosaves (X-10, X-1).

Requests in flight get a polite, translated 503 ("try again"), never a traceback; the page keeps
the draft and re-sends it, the next autosave succeeds on a fresh connection, and no version typed
is lost. Connections are cut with ``pg_terminate_backend`` — what a server restart does to them.
PostgreSQL only."""

import json
import threading

import psycopg
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.attestation.conftest import clock, scheduled  # noqa: F401 — fixtures
from tests.attestation.test_answers import exam  # noqa: F401 — fixture

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)"),
]


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


def student_client(scheduled):  # noqa: F811
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


def test_a_cut_connection_gets_a_polite_503_and_the_retry_succeeds(scheduled, exam):  # noqa: F811
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


def test_a_page_request_gets_a_polite_html_page(scheduled, exam):  # noqa: F811
    client = student_client(scheduled)
    url = reverse("attestation:session", args=[exam.pk])
    assert client.get(url).status_code == 200
    cut_connections()
    response = client.get(url)
    assert response.status_code == 503
    page = response.content.decode()
    assert "Nothing was lost" in page and "Traceback" not in page
    assert client.get(url).status_code == 200


def test_student_autosaving_through_repeated_restarts_loses_no_version(scheduled, exam):  # noqa: F811
    client = student_client(scheduled)
    stop = threading.Event()

    def restarts():
        while not stop.wait(0.25):
            cut_connections()

    killer = threading.Thread(target=restarts, daemon=True)
    killer.start()
    polite = 0
    try:
        for version in range(1, 41):
            text = f"<p>draft {version}</p>"
            for _attempt in range(20):  # the page keeps the draft and re-sends it
                response = autosave(client, exam, text, version)
                assert response.status_code in (200, 503), response.content
                if response.status_code == 200:
                    assert response.json()["version"] == version
                    break
                polite += 1
                assert "try again" in response.json()["error"]
            else:
                pytest.fail(f"version {version} never saved")
    finally:
        stop.set()
        killer.join()
    cut_connections()  # and once more for certain, then the last word
    assert autosave(client, exam, "<p>draft 40</p>", 40).status_code in (200, 503)
    assert autosave(client, exam, "<p>draft 40</p>", 40).status_code == 200
    exam.refresh_from_db()
    assert (exam.draft, exam.draft_version) == ("<p>draft 40</p>", 40)
    assert polite > 0, "no request met a cut connection: the test proved nothing"
