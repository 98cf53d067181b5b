"""X-12: API messages come in the token user's language; Accept-Language, when sent, wins."""

import pytest
from django.test import Client

from api.models import ApiToken
from tests.api.seed import BASE, seed

pytestmark = pytest.mark.req("X-12")

V1 = "/api/v1"

NOT_FOUND = {"kk": "Табылмады.", "ru": "Не найдено.", "en": "Not found."}
FORBIDDEN = {
    "kk": "Сізге бұл әрекетке рұқсат жоқ.",
    "ru": "У вас нет прав на это действие.",
    "en": "You are not allowed to do this.",
}
INVALID_ROWS = {
    "kk": "Кейбір жолдарда қате бар, ештеңе сақталмады.",
    "ru": "Некоторые строки содержат ошибки, ничего не сохранено.",
    "en": "Some rows are not valid; nothing was saved.",
}
UNKNOWN_GROUP = {
    "kk": "«Топтар» ішінде белгісіз сыртқы идентификатор: NOPE",
    "ru": "Неизвестный внешний идентификатор в «Группы»: NOPE",
    "en": "Unknown external ID in “Groups”: NOPE",
}
NO_TOKEN = {
    "kk": "Жарамды API токені қажет.",
    "ru": "Требуется действительный API-токен.",
    "en": "A valid API token is required.",
}
RATE_LIMITED = {
    "kk": "Сұраулар тым көп: біраздан кейін қайталап көріңіз.",
    "ru": "Слишком много запросов: повторите попытку немного позже.",
    "en": "Too many requests: slow down and retry later.",
}
LANGUAGES = ["kk", "ru", "en"]


def client_for(user, language, **headers):
    user.language = language
    user.save(update_fields=["language"])
    _token, secret = ApiToken.issue(name=f"{language} integration", user=user)
    return Client(headers={"Authorization": f"Bearer {secret}", **headers})


def message(response, status):
    assert response.status_code == status, response.content
    return response.json()["message"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_errors_come_in_the_token_users_language(college, language):
    teacher = client_for(college.users["teacher"], language)
    response = teacher.get(f"{V1}/streams/999999")
    assert message(response, 404) == NOT_FOUND[language]
    assert response["Content-Language"] == language and "Accept-Language" in response["Vary"]
    body = {"items": [{"external_id": "D9", "name": "Nope"}]}
    response = teacher.put(f"{V1}/departments", body, content_type="application/json")
    assert message(response, 403) == FORBIDDEN[language]


@pytest.mark.parametrize("language", LANGUAGES)
def test_row_errors_come_in_the_token_users_language_too(college, language):
    seed()
    admin = client_for(college.users["admin"], language)
    rows = [dict(BASE["students"][0], external_id="NEW1", record_book_number="ZK-900", group="NOPE")]
    response = admin.put(f"{V1}/students", {"items": rows}, content_type="application/json")
    assert message(response, 422) == INVALID_ROWS[language]
    assert response.json()["details"][0]["message"] == UNKNOWN_GROUP[language]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_rate_limit_message_too(college, settings, language):
    settings.API_RATE_LIMIT = 1
    teacher = client_for(college.users["teacher"], language)
    assert teacher.get(f"{V1}/streams").status_code == 200
    assert message(teacher.get(f"{V1}/streams"), 429) == RATE_LIMITED[language]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("ru", "ru"),
        ("en-US,en;q=0.9", "en"),
        ("de, kk;q=0.8", "kk"),  # the first language we have
        ("en;q=0.4, ru;q=0.9", "ru"),  # by weight, not by order
        ("de, fr;q=0.5", "ru"),  # none we have: the user's own
        ("*", "ru"),
    ],
)
def test_accept_language_wins_over_the_users_language(college, header, expected):
    teacher = client_for(college.users["teacher"], "ru", **{"Accept-Language": header})
    response = teacher.get(f"{V1}/streams/999999")
    assert message(response, 404) == NOT_FOUND[expected] and response["Content-Language"] == expected


@pytest.mark.parametrize("language", LANGUAGES)
def test_without_a_valid_token_accept_language_is_followed(college, language):
    response = Client(headers={"Authorization": "Bearer nope", "Accept-Language": language}).get(
        f"{V1}/streams"
    )
    assert message(response, 401) == NO_TOKEN[language] and response["Content-Language"] == language


def test_without_a_token_or_header_kazakh_is_the_default(college):
    assert message(Client().get(f"{V1}/streams"), 401) == NO_TOKEN["kk"]


def test_the_browser_session_keeps_the_webs_rule(college, login):
    """Signed in through the browser: the user's language; the browser's Accept-Language is ignored."""
    admin = college.users["admin"]
    admin.language = "ru"
    admin.save(update_fields=["language"])
    browser = login(admin)
    response = browser.get(f"{V1}/streams/999999", HTTP_ACCEPT_LANGUAGE="en")
    assert message(response, 404) == NOT_FOUND["ru"] and response["Content-Language"] == "ru"
