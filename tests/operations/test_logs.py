"""One JSON line per event with time, level, logger, request id, user, view, status and duration; the
request id from the proxy's ``X-Request-ID`` (or made here), sent back, and shown on the 500 and 503
pages for support to quote."""

import io
import json
import logging
import logging.config
import re

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError
from django.test import Client, override_settings
from django.urls import path, reverse
from django.utils import translation

from config import urls as project_urls
from core.observability import RequestContextFilter


@pytest.fixture
def json_lines():
    """The production log configuration's JSON formatter on a handler of the test's own."""
    config = django_settings.LOGGING["formatters"]["json"]
    formatter = logging.config.DictConfigurator({}).configure_formatter(dict(config))
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(RequestContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)


def test_a_request_is_one_json_line_with_its_id_user_view_status_and_duration(college, login, json_lines):
    client = login(college.users["teacher"])
    response = client.get(
        reverse("attestation:stream_list"), headers={"X-Request-ID": "nginx-0123456789abcdef"}
    )
    assert response.status_code == 200 and response["X-Request-ID"] == "nginx-0123456789abcdef"
    [line] = [entry for entry in json_lines() if entry["logger"] == "attestation.requests"]
    assert line["level"] == "INFO" and line["message"] == "GET /attestation/streams/ 200"
    assert line["request_id"] == "nginx-0123456789abcdef"
    assert line["user_id"] == college.users["teacher"].pk
    assert line["view"] == "attestation:stream_list" and line["status"] == 200
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] > 0
    assert line["time"][:4].isdigit() and "T" in line["time"]


def test_a_request_without_an_acceptable_id_gets_one_made_here(db, json_lines):
    response = Client().get(reverse("login"), headers={"X-Request-ID": "bad id; <script>"})
    made = response["X-Request-ID"]
    assert len(made) == 32 and made.isalnum()
    [line] = [entry for entry in json_lines() if entry["logger"] == "attestation.requests"]
    assert line["request_id"] == made and line["user_id"] is None and line["view"] == "login"


def test_what_a_view_logs_carries_the_request_id_too(db, json_lines):
    Client().get("/no-such-page/", headers={"X-Request-ID": "trace-me-please-1"})
    lines = json_lines()
    assert lines and all(line["request_id"] == "trace-me-please-1" for line in lines)
    assert any(line["logger"] == "django.request" for line in lines)  # Django's own "Not Found" line


def broken_view(request):
    raise ZeroDivisionError("a bug")


def gone_database_view(request):
    raise OperationalError("server closed the connection unexpectedly")


urlpatterns = [path("broken/", broken_view), path("gone/", gone_database_view), *project_urls.urlpatterns]
handler500 = project_urls.handler500


@override_settings(ROOT_URLCONF=__name__)
def test_the_500_page_shows_the_request_id_to_quote(db, json_lines):
    client = Client(raise_request_exception=False)
    response = client.get("/broken/", headers={"X-Request-ID": "support-case-4242"})
    assert response.status_code == 500
    page = response.content.decode()
    assert "support-case-4242" in page
    language = re.search(r'<html lang="(\w+)">', page).group(1)
    with translation.override(language):  # the page's language (the request's)
        assert translation.gettext("If you tell support about it, quote this reference:") in page
    errors = [line for line in json_lines() if line["level"] == "ERROR"]
    assert errors and all(line["request_id"] == "support-case-4242" for line in errors)
    assert any("ZeroDivisionError" in line.get("exc_info", "") for line in errors)


@override_settings(ROOT_URLCONF=__name__)
def test_the_503_page_and_its_json_show_the_request_id(db):
    client = Client()
    page = client.get("/gone/", headers={"X-Request-ID": "support-case-4343"})
    assert page.status_code == 503 and "support-case-4343" in page.content.decode()
    answer = client.get("/gone/", headers={"Accept": "application/json"})
    assert answer.status_code == 503 and answer.json()["request_id"] == answer["X-Request-ID"]


def test_the_500_page_is_translated(db):
    from django.utils import translation

    with translation.override("kk"):
        from core.observability import server_error

        page = server_error(None).content.decode()
    assert '<html lang="kk">' in page


def test_sentry_is_off_without_a_dsn():
    import sentry_sdk

    assert django_settings.SENTRY_DSN == "" and not sentry_sdk.is_initialized()
