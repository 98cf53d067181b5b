"""The interface in Kazakh (default), Russian and English, switchable per user (X-8)."""

import pytest
from django.urls import reverse

from tests.personas import PERSONAS

LOG_OUT = {"kk": "Шығу", "ru": "Выход", "en": "Log out"}
LOG_IN = {"kk": "Кіру", "ru": "Вход", "en": "Log in"}


@pytest.mark.req("X-8")
def test_kazakh_is_the_default_whatever_the_browser_says(client, db):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="kk">' in page
    assert f"<h1>{LOG_IN['kk']}</h1>" in page


@pytest.mark.req("X-8")
@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_anonymous_visitor_switches_language_with_a_cookie(client, db, language):
    response = client.post(reverse("set_language"), {"language": language, "next": reverse("login")})
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert f"<h1>{LOG_IN[language]}</h1>" in client.get(reverse("login")).content.decode()


@pytest.mark.req("X-8")
@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_every_persona_lands_on_a_home_page_in_each_language(college, login, persona, language):
    user = college.users[persona]
    client = login(user)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    user.refresh_from_db()
    assert user.language == language
    response = client.get(reverse("home"), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert LOG_OUT[language] in page


@pytest.mark.req("X-8")
def test_the_users_language_follows_them_to_another_browser(college, client):
    user = college.users["teacher"]
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "ru", "next": "/"})
    other_browser = type(client)()
    other_browser.force_login(user)
    assert '<html lang="ru">' in other_browser.get(reverse("home")).content.decode()


@pytest.mark.req("X-8")
def test_unknown_language_and_foreign_next_change_nothing(college, login):
    user = college.users["teacher"]
    client = login(user)
    response = client.post(reverse("set_language"), {"language": "xx", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    user.refresh_from_db()
    assert user.language == "en"


@pytest.mark.req("X-8")
@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_language_picked_on_the_login_page_wins_at_sign_in_and_is_saved(college, client, language):
    user = college.users["student"]
    user.language = "kk"
    user.save()
    client.post(reverse("set_language"), {"language": language, "next": reverse("login")})
    response = client.post(reverse("login"), {"username": user.username, "password": "pass12345"})
    assert response.status_code == 302
    assert f'<html lang="{language}">' in client.get(response["Location"], follow=True).content.decode()
    user.refresh_from_db()
    assert user.language == language


@pytest.mark.req("X-8")
def test_a_cookie_left_by_someone_else_is_not_a_choice(college, client):
    """A shared computer: the last user's language cookie must not overwrite the next user's."""
    user = college.users["student"]
    user.language = "kk"
    user.save()
    client.cookies["django_language"] = "ru"
    client.post(reverse("login"), {"username": user.username, "password": "pass12345"})
    assert '<html lang="kk">' in client.get(reverse("home"), follow=True).content.decode()
    user.refresh_from_db()
    assert user.language == "kk"
