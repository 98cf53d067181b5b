"""X-12: administrators create (secret shown once) and revoke API tokens on a server-rendered page."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from api import services
from api.models import ApiToken
from audit.models import AuditEntry
from tests.personas import PERSONAS

pytestmark = pytest.mark.req("X-12")

EXPECTED = dict.fromkeys(PERSONAS, 403) | {"anonymous": 302, "admin": 200}


@pytest.mark.parametrize("persona", PERSONAS)
def test_tokens_page_is_for_administrators(college, login, persona):
    assert login(college.users.get(persona)).get(reverse("api:tokens")).status_code == EXPECTED[persona]


def test_create_shows_the_secret_once_and_stores_its_hash(college, login):
    client = login(college.users["admin"])
    teacher = college.users["teacher"]
    page = client.post(reverse("api:tokens"), {"name": "Journal sync", "user": teacher.pk}).content.decode()
    token = ApiToken.objects.get(name="Journal sync")
    start = page.index('id="new-secret"')
    secret = page[start:].split('value="', 1)[1].split('"', 1)[0]
    assert secret.startswith(token.prefix) and ApiToken.find_active(secret) == token
    assert token.user == teacher
    again = client.get(reverse("api:tokens")).content.decode()
    assert secret not in again and token.prefix in again
    assert AuditEntry.objects.filter(action="api.token.create").exists()


def test_revoke_stops_the_token(college, login):
    token, secret = ApiToken.issue(name="erp", user=college.users["admin"])
    client = login(college.users["admin"])
    assert client.post(reverse("api:revoke_token", args=[token.pk])).status_code == 302
    assert ApiToken.find_active(secret) is None
    assert Client(headers={"Authorization": f"Bearer {secret}"}).get("/api/v1/streams").status_code == 401
    assert AuditEntry.objects.filter(action="api.token.revoke").exists()


def test_token_page_keeps_csrf(college):
    client = Client(enforce_csrf_checks=True)
    client.force_login(college.users["admin"])
    response = client.post(reverse("api:tokens"), {"name": "x", "user": college.users["admin"].pk})
    assert response.status_code == 403 and not ApiToken.objects.exists()


def test_menu_links_for_administrators(college, login):
    page = login(college.users["admin"]).get(reverse("api:tokens")).content.decode()
    assert reverse("api:tokens") in page and reverse("imports:index") in page


def test_token_services_refuse_an_actor_who_is_not_an_administrator(college):
    """api.services check their actor themselves: a registrar issues and revokes nothing."""
    registrar = college.users["registrar"]
    with pytest.raises(PermissionDenied):
        services.issue_token(actor=registrar, name="erp", user=college.users["teacher"])
    assert not ApiToken.objects.filter(name="erp").exists()
    token, secret = ApiToken.issue(name="sync", user=college.users["admin"])
    with pytest.raises(PermissionDenied):
        services.revoke_token(actor=registrar, token=token)
    assert ApiToken.find_active(secret) == token
    assert not AuditEntry.objects.filter(action__startswith="api.token.").exists()
