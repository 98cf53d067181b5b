"""Security headers, CSRF everywhere, hashing, sessions, and ``check --deploy`` (X-10). Login throttling:
test_login_throttle.py."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def nonce_of(response):
    policy = response["Content-Security-Policy"]
    match = re.search(r"script-src 'self' 'nonce-([\w-]+)'", policy)
    assert match, policy
    return match.group(1)


@pytest.mark.parametrize("url_name", ["login", "home"])
def test_pages_carry_a_strict_csp_with_a_fresh_nonce(college, login, url_name):
    client = login(college.users["teacher"] if url_name == "home" else None)
    first, second = client.get(reverse(url_name)), client.get(reverse(url_name))
    policy = first["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    for directive in [
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "img-src 'self' data:",
    ]:
        assert directive in policy
    assert nonce_of(first) != nonce_of(second)
    assert first["X-Content-Type-Options"] == "nosniff"
    assert first["X-Frame-Options"] == "DENY"
    assert first["Referrer-Policy"] == "same-origin"
    assert "camera=()" in first["Permissions-Policy"]


def test_the_editor_import_map_carries_the_request_nonce(scheduled, login):
    response = login(scheduled.users["teacher"]).get(
        reverse("attestation:tickets", args=[scheduled.streams.teacher_a.pk])
    )
    page = response.content.decode()
    assert f'<script type="importmap" nonce="{nonce_of(response)}">' in page
    # Every other script is an external file of ours: static files, and the translations they read.
    for tag in re.findall(r"<script\b[^>]*>", page):
        assert "importmap" in tag or 'src="/static/' in tag or 'src="/jsi18n/' in tag, tag


def test_htmx_injects_no_indicator_style(college, login):
    page = login(college.users["teacher"]).get(reverse("home")).content.decode()
    assert '"includeIndicatorStyles":false' in page


# --- CSRF ---------------------------------------------------------------------------------------


def test_posts_without_the_csrf_token_are_refused(scheduled, exam):
    client = Client(enforce_csrf_checks=True)
    client.force_login(scheduled.users["student"])
    for url in [
        reverse("attestation:draft_save", args=[exam.pk]),
        reverse("attestation:answer_send", args=[exam.pk]),
        reverse("set_language"),
        reverse("logout"),
    ]:
        assert client.post(url, {"text": "x"}).status_code == 403, url
    teacher = Client(enforce_csrf_checks=True)
    teacher.force_login(scheduled.users["teacher"])
    assert teacher.post(reverse("attestation:grade_set", args=[exam.pk]), {}).status_code == 403
    admin = Client(enforce_csrf_checks=True)
    admin.force_login(scheduled.users["admin"])
    assert admin.post(reverse("licenses"), {}).status_code == 403
    exam.refresh_from_db()
    assert exam.draft_version == 0


def test_login_needs_the_csrf_token(college):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "teacher", "password": "pass12345"})
    assert response.status_code == 403


# --- hashing, sessions, production settings -------------------------------------------------------


def test_argon2_is_the_first_password_hasher():
    # The test settings swap in a fast hasher; the real settings module is what production runs.
    from config import settings as real

    assert real.PASSWORD_HASHERS[0] == "access.hashers.Argon2PasswordHasher"


def test_argon2_uses_owasp_parameters_and_upgrades_old_hashes(settings, db):
    from django.contrib.auth.hashers import Argon2PasswordHasher as DjangoDefault
    from django.contrib.auth.hashers import check_password, make_password

    from config import settings as real

    settings.PASSWORD_HASHERS = real.PASSWORD_HASHERS
    encoded = make_password("a long passphrase")
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert check_password("a long passphrase", encoded) and not check_password("wrong", encoded)
    # A hash made with Django's heavier defaults still verifies, and is re-hashed on login.
    old = DjangoDefault().encode("a long passphrase", DjangoDefault().salt())
    upgraded = []
    assert check_password("a long passphrase", old, setter=upgraded.append)
    assert upgraded == ["a long passphrase"]


def test_sessions_expire_and_cookies_are_http_only():
    assert 0 < django_settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert django_settings.SESSION_COOKIE_HTTPONLY and django_settings.CSRF_COOKIE_HTTPONLY
    assert django_settings.SESSION_COOKIE_SAMESITE == "Lax"


def production_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return (
        env
        | {
            "DJANGO_SETTINGS_MODULE": "config.settings_production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "exam.example.kz",
            "SITE_URL": "https://exam.example.kz",
        }
        | extra
    )


def test_check_deploy_is_clean_with_production_settings():
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.req("X-10")
def test_check_deploy_fails_without_the_site_address_e_mails_link_to():
    env = production_env()
    del env["SITE_URL"]
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "notifications.E001" in result.stderr and "SITE_URL is not set" in result.stderr


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = production_env()
    del env["DJANGO_SECRET_KEY"]
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr


def test_production_settings_turn_https_hardening_on():
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS >= 31536000, s.SECURE_PROXY_SSL_HEADER[0])"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=production_env(DJANGO_DEBUG="1"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.split() == ["False", "True", "True", "True", "True", "HTTP_X_FORWARDED_PROTO"], (
        result.stderr
    )


# --- an expired session during a poll ------------------------------------------------------------


@pytest.mark.req("X-10")
def test_an_htmx_poll_after_the_session_expired_goes_to_the_login_page(college, client):
    """Not the login page swapped into the live table: a full redirect, back to the page after."""
    stream = college.streams.teacher_a
    page = reverse("attestation:stream", args=[stream.pk]) + "?tab=slot-1"
    response = client.get(
        page + "&partial=live",
        headers={"hx-request": "true", "hx-current-url": f"http://testserver{page}"},
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/login/?next=" + quote(page, safe="")
    # Without htmx: the ordinary redirect.
    response = client.get(page)
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")


def _private(response):
    cache_control = response.get("Cache-Control", "")
    return "private" in cache_control and "no-store" in cache_control


@pytest.mark.req("X-10", "STU-4")
def test_the_exam_page_its_status_and_files_are_never_kept_by_a_cache(scheduled, exam, login):
    """A shared computer's browser or a proxy must not keep a student's exam page, its status or a
    file for the next person: private, no-store (every signed-in URL: test_url_policy.py)."""
    from attestation.services import answers as answers_service
    from tests.exams import PDF

    upload = SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
    attached = answers_service.answer_file_add(actor=scheduled.users["student"], session=exam, upload=upload)
    client = login(scheduled.users["student"])
    for url in [
        reverse("attestation:session", args=[exam.pk]),
        reverse("attestation:session_status", args=[exam.pk]),
        reverse("attestation:answer_file", args=[attached.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 200 and _private(response), (url, response.get("Cache-Control"))


@pytest.mark.req("X-10")
def test_json_of_the_api_is_private_and_static_assets_stay_cacheable(college):
    from api.models import ApiToken
    from attestation import live

    _token, secret = ApiToken.issue(name="integration", user=college.users["admin"])
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    response = api.get("/api/v1/streams")
    assert response.status_code == 200 and _private(response)
    asset = Client().get(reverse("api:docs_asset", args=["swagger-ui.css"]))
    assert asset.status_code == 200 and "public" in asset["Cache-Control"] and not _private(asset)
    assert "private" in live.HEADERS["Cache-Control"] and "no-store" in live.HEADERS["Cache-Control"]


@pytest.mark.req("X-10")
def test_the_deployed_nginx_gives_static_files_the_apps_security_headers(college, client, settings):
    """nginx serves /static/ itself: its block must carry every security header the app sends (the
    production HTTPS ones included), with the same values; the CSP is static files' own, as strict."""
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = settings.SECURE_HSTS_PRELOAD = True
    response = client.get(reverse("login"), secure=True)
    site = (ROOT / "deploy" / "nginx" / "attestation.conf").read_text()
    block = re.search(r"location /static/ \{(.*?)\n    \}", site, re.S)
    assert block, "the nginx site has no /static/ location block"
    assert "include snippets/attestation-security-headers.conf;" in block.group(1)
    snippet = (ROOT / "deploy" / "nginx" / "snippets" / "attestation-security-headers.conf").read_text()
    added = dict(re.findall(r'add_header ([\w-]+) "([^"]*)" always;', snippet))
    for name in [
        "Strict-Transport-Security",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "Permissions-Policy",
    ]:
        assert added.get(name) == response[name], (name, added.get(name), response[name])
    csp = added["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "script-src" not in csp
