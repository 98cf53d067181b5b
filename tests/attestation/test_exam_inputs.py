"""#16.6: the exam page's JSON endpoints bound what they accept — a clear 400, never a 500 (X-1, X-2).

Versions that overflow a database integer, non-numbers, JSON nested thousands deep, and drafts
longer than a sent answer may be are refused at the edge and change nothing; a fuzz run of
arbitrary JSON bodies finds no server error.
"""

import json

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.richtext import RICH_TEXT_MAX
from tests.exams import draft

pytestmark = pytest.mark.req("X-1", "X-2")


def post_raw(client, session, body):
    return client.post(
        reverse("attestation:draft_save", args=[session.pk]), body, content_type="application/json"
    )


@pytest.mark.parametrize(
    "version", ["2147483648", "9223372036854775808", "1e308", "Infinity", "-Infinity", "NaN", "-1", "true"]
)
def test_a_version_out_of_range_or_not_an_integer_is_refused_and_changes_nothing(
    scheduled,
    exam,
    login,
    version,
):
    client = login(scheduled.users["student"])
    assert draft(client, exam, "<p>kept</p>", 4).status_code == 200
    response = post_raw(client, exam, f'{{"text": "<p>lost?</p>", "version": {version}}}')
    assert response.status_code == 400
    assert response.json()["error"] == "The draft could not be read."
    exam.refresh_from_db()
    assert (exam.draft, exam.draft_version) == ("<p>kept</p>", 4)


def test_the_largest_version_the_database_holds_is_accepted(scheduled, exam, login):
    client = login(scheduled.users["student"])
    assert draft(client, exam, "<p>far ahead</p>", 2**31 - 1).status_code == 200
    exam.refresh_from_db()
    assert exam.draft_version == 2**31 - 1


def test_json_nested_thousands_deep_is_refused(scheduled, exam, login):
    client = login(scheduled.users["student"])
    response = post_raw(client, exam, "[" * 5000 + "]" * 5000)
    assert response.status_code == 400
    nested = '{"version": 1, "text": "x", "extra": ' + "[" * 5000 + "]" * 5000 + "}"
    assert post_raw(client, exam, nested).status_code == 400


def test_a_draft_is_capped_like_a_sent_answer(scheduled, exam, login):
    client = login(scheduled.users["student"])
    fits = "<p>" + "a" * (RICH_TEXT_MAX - 7) + "</p>"
    assert draft(client, exam, fits, 1).status_code == 200
    response = draft(client, exam, "<p>" + "a" * 1_900_000 + "</p>", 2)
    assert response.status_code == 400
    assert response.json()["error"] == "The text is too long."
    exam.refresh_from_db()
    assert exam.draft_version == 1 and len(exam.draft) == RICH_TEXT_MAX


def test_bad_input_from_another_student_is_still_a_404(scheduled, exam, login):
    client = login(scheduled.users["other_student"])
    assert post_raw(client, exam, "[" * 5000).status_code == 404
    assert draft(client, exam, "<p>" + "a" * 300_000 + "</p>", 2).status_code == 404


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=50),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=JSON | st.fixed_dictionaries({"version": JSON, "text": JSON}))
def test_fuzzed_autosave_bodies_never_answer_a_server_error(scheduled, exam, login, payload):
    client = login(scheduled.users["student"])
    body = json.dumps(payload, allow_nan=True)
    response = post_raw(client, exam, body)
    assert response.status_code in (200, 400, 409), (body, response.status_code)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=200))
def test_fuzzed_raw_bytes_never_answer_a_server_error(scheduled, exam, login, body):
    client = login(scheduled.users["student"])
    assert post_raw(client, exam, body).status_code in (200, 400, 409)
