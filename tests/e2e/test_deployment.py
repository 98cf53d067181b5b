"""The deployment as a college runs it (deploy/: nginx's site in front of the systemd units' processes,
config.settings_production), in CI's deployment stage (.ci/deployment, ``E2E_BASE_URL``): the pages
and their event streams come over TLS and HTTP/2, an event leaves nginx at once (no buffering), the
static files are immutable with the pages' security headers, plain HTTP is sent to HTTPS, the
health probes and the metrics answer where they should and only there, and the task worker sends
what the pages queue. Without a deployment (the in-process live server) there is nothing of this
to test: skipped."""

import gzip
import http.client
import json
import os
import re
import socket
import ssl
import time
import urllib.parse

import pytest
from django.test import Client
from playwright.sync_api import expect

from attestation.services import slots as slots_service
from attestation.services import tickets as tickets_service
from notifications.models import Notification
from tests.e2e.conftest import E2E_BASE_URL, at, login
from tests.e2e.test_live_browser import open_exam_page, open_stream_page

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not E2E_BASE_URL, reason="needs a deployment: E2E_BASE_URL (CI's .ci/deployment)"),
]
SECURITY_HEADERS = (
    "strict-transport-security",
    "x-content-type-options",
    "x-frame-options",
    "referrer-policy",
    "cross-origin-opener-policy",
    "permissions-policy",
)


def tls():
    return ssl.create_default_context(cafile=os.environ["E2E_TLS_CERT"])


def https(path, headers=None):
    """One request straight to nginx (HTTP/1.1 over TLS): status, headers (lower-case), body."""
    url = urllib.parse.urlsplit(E2E_BASE_URL)
    connection = http.client.HTTPSConnection(url.hostname, url.port, context=tls(), timeout=20)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


@pytest.mark.req("SLT-6", "X-5")
def test_pages_and_their_streams_come_over_tls_and_http2(college, generated, new_page, guard):
    page = guard(new_page())
    network = page.context.new_cdp_session(page)
    network.send("Network.enable")
    seen = []
    network.on("Network.responseReceived", lambda event: seen.append(event["response"]))
    open_exam_page(page, college, generated)
    expect(page.locator("html[data-live=push]")).to_have_count(1)

    assert page.url.startswith("https://")
    assert page.evaluate("performance.getEntriesByType('navigation')[0].nextHopProtocol") == "h2"
    streams = [r for r in seen if r["url"].endswith(f"/attestation/sessions/{generated.pk}/events/")]
    assert streams, "the page opened no stream"
    assert {r["protocol"] for r in streams} == {"h2"}
    assert {r["status"] for r in streams} == {200}
    protocols = {r["securityDetails"]["protocol"] for r in seen if r["url"].startswith("https")}
    assert protocols <= {"TLS 1.2", "TLS 1.3"}, protocols


@pytest.mark.req("SLT-6", "SND-1")
def test_an_event_leaves_nginx_at_once(college, generated):
    """Read the stream as EventSource does, over TLS through nginx: the hello, then the event a teacher's
    action publishes — before the next keep-alive (5 s here), which a buffering proxy would hold back."""
    client = Client()
    client.force_login(college.users["student"])
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    url = urllib.parse.urlsplit(E2E_BASE_URL)
    raw = socket.create_connection((url.hostname, url.port), timeout=10)
    with tls().wrap_socket(raw, server_hostname=url.hostname) as stream:
        stream.sendall(
            f"GET /attestation/sessions/{generated.pk}/events/ HTTP/1.1\r\nHost: {url.netloc}\r\n"
            f"Accept: text/event-stream\r\nCookie: {cookie}\r\n\r\n".encode()
        )
        received = read_until(stream, b"event: hello")
        head = received.split(b"\r\n\r\n", 1)[0].decode().lower()
        assert head.startswith("http/1.1 200") and "content-type: text/event-stream" in head

        tickets_service.questions_send(
            actor=college.users["teacher"], slot=generated.slot, session_ids=[generated.pk]
        )
        stream.settimeout(4)  # the keep-alive comes every 5 s: the event must not wait for it
        after_hello = read_until(stream, b"event: questions", start=received)
        assert b"event: clock" not in after_hello[len(received) :]


def read_until(stream, marker, start=b""):
    data = start
    while marker not in data[len(start) :]:
        chunk = stream.recv(65536)
        assert chunk, f"the stream ended before {marker!r}"
        data += chunk
    return data


def test_static_files_are_immutable_and_carry_the_pages_security_headers():
    status, page_headers, html = https("/login/")
    assert status == 200
    css = re.search(rb'href="(/static/css/app\.[0-9a-f]{12}\.css)"', html).group(1).decode()

    status, headers, body = https(css, {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert headers["content-type"].startswith("text/css")
    assert headers.get("content-encoding") == "gzip" and gzip.decompress(body)
    for name in SECURITY_HEADERS:
        assert headers.get(name) == page_headers[name], name
    assert "frame-ancestors 'none'" in headers["content-security-policy"]

    status, headers, _ = https("/static/css/app.css")  # a plain name: asked again each time
    assert status == 200 and headers["cache-control"] == "no-cache"
    assert headers.get("x-content-type-options") == "nosniff"

    status, headers, _ = https("/static/no-such-file.js")
    assert status == 404 and headers.get("x-frame-options") == "DENY"


def test_plain_http_is_sent_to_https():
    url = urllib.parse.urlsplit(os.environ["E2E_HTTP_URL"])
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    connection.request("GET", "/login/?next=/")
    response = connection.getresponse()
    assert response.status == 301
    assert response.getheader("Location") == f"https://{url.hostname}/login/?next=/"


def test_a_login_through_nginx_keeps_the_secure_session(college, new_page, guard):
    """Secure cookies, CSRF origin and host checks hold behind the proxy (its Host and scheme)."""
    page = guard(new_page())
    login(page, college.users["teacher"])
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["sessionid"]["secure"] and cookies["sessionid"]["httpOnly"]
    assert cookies["csrftoken"]["secure"]


def test_health_probes_and_metrics_answer_where_they_should():
    """/healthz is public; /readyz and /metrics (and serve_live's, under /live/) are nginx's to refuse
    from outside — here, on the machine, they answer; /metrics only with the token."""
    status, headers, body = https("/healthz")
    assert (status, body.strip()) == (200, b"ok")
    assert re.fullmatch(r"[0-9a-f]{32}", headers.get("x-request-id", "")), "nginx's request id, sent back"
    status, _, body = https("/readyz")
    ready = json.loads(body)
    assert status == 200 and ready["ready"], ready
    assert {"database", "migrations", "redis", "tasks"} <= set(ready["checks"])
    status, _, body = https("/live/healthz")
    assert (status, body.strip()) == (200, b"ok")
    status, _, body = https("/live/readyz")
    assert status == 200 and json.loads(body)["ready"], body
    assert https("/metrics")[0] == 404  # without the token the address does not exist
    status, _, body = https("/metrics", {"Authorization": f"Bearer {os.environ['METRICS_TOKEN']}"})
    assert status == 200
    assert b"attestation_request_duration_seconds" in body and b"attestation_tasks" in body


@pytest.mark.req("NTF-1", "X-10")
def test_the_worker_sends_what_the_pages_queue(college, exam_day, new_page, guard):
    """ "Send notification" only queues the e-mails; the deployment's task worker
    (attestation-worker.service) sends them."""
    stream = college.streams.teacher_a
    students = list(stream.students.all())
    for student in students:
        student.user.email = f"{student.user.username}@example.kz"
        student.user.save(update_fields=["email"])
    slot = slots_service.slot_create(
        actor=college.users["teacher"],
        stream=stream,
        student_ids=[s.pk for s in students],
        starts_at=at(exam_day, 10),
        ends_at=at(exam_day, 12),
    )
    page = guard(new_page())
    open_stream_page(page, college, slot.sessions.first())
    page.locator("#slot-head").get_by_role("button", name="Send notification").click()
    expect(page.locator("#slot-head")).to_contain_text(f"to {len(students)} students.")

    mails = Notification.objects.exclude(mail=Notification.Mail.NONE)
    deadline = time.monotonic() + 30
    while mails.filter(mail=Notification.Mail.QUEUED).exists() and time.monotonic() < deadline:
        time.sleep(0.3)
    assert sorted(mails.values_list("mail", flat=True)) == [Notification.Mail.SENT] * len(students)
