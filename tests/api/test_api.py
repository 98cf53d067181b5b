"""X-12: the REST API per endpoint and persona, its errors, pagination, filters, limits and upserts."""

import datetime

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from access.models import User
from api.models import ApiToken
from attestation.models import ExamSession, Slot, Ticket
from audit.models import AuditEntry
from college import models as c
from imports.models import ExternalRef
from tests import factories as f
from tests.api.seed import BASE, seed

pytestmark = pytest.mark.req("X-12")

V1 = "/api/v1"


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["details"], list)
    return body


# --- authentication ------------------------------------------------------------------------------


def test_no_token_is_401_json(college):
    body = assert_error(Client().get(f"{V1}/streams"), 401, "not_authenticated")
    assert body["details"] == []


def test_unknown_token_is_401(college, token_client):
    assert_error(
        token_client("admin", secret="deadbeef.not-a-token").get(f"{V1}/streams"), 401, "not_authenticated"
    )


def test_revoked_token_is_401(college, token_client):
    token, secret = ApiToken.issue(name="erp", user=college.users["admin"])
    client = token_client("admin", secret=secret)
    assert client.get(f"{V1}/streams").status_code == 200
    token.revoke()
    assert_error(client.get(f"{V1}/streams"), 401, "not_authenticated")


def test_token_is_stored_hashed_with_visible_prefix(college):
    token, secret = ApiToken.issue(name="erp", user=college.users["admin"])
    assert secret.startswith(token.prefix + ".")
    assert secret not in token.secret_hash and len(token.secret_hash) == 64
    assert ApiToken.find_active(secret) == token


def test_token_of_inactive_user_is_401(college, token_client):
    client = token_client("admin")
    User.objects.filter(username="admin").update(is_active=False)
    assert_error(client.get(f"{V1}/streams"), 401, "not_authenticated")


@override_settings(API_RATE_LIMIT=3)
def test_rate_limit_per_token_is_429_with_retry_after(college, token_client):
    client = token_client("teacher")
    for _ in range(3):
        assert client.get(f"{V1}/streams").status_code == 200
    response = client.get(f"{V1}/streams")
    assert_error(response, 429, "rate_limited")
    assert 1 <= int(response["Retry-After"]) <= 60
    # Another token has its own budget.
    assert token_client("teacher").get(f"{V1}/streams").status_code == 200


def test_token_use_is_remembered(college):
    token, secret = ApiToken.issue(name="erp", user=college.users["admin"])
    Client(headers={"Authorization": f"Bearer {secret}"}).get(f"{V1}/streams")
    token.refresh_from_db()
    assert token.last_used_at is not None


# --- reads: streams --------------------------------------------------------------------------------


def stream_names(response):
    assert response.status_code == 200, response.content
    return {s["name"] for s in response.json()["items"]}


ALL = {"Programming — PO-21", "History — EK-31", "Philosophy — PO-21", "Databases — EK-31"}


@pytest.mark.parametrize(
    "persona, expected",
    [
        ("admin", ALL),
        ("registrar", ALL),
        ("teacher", {"Programming — PO-21", "Databases — EK-31"}),
        ("other_teacher", {"History — EK-31", "Philosophy — PO-21"}),
        ("head_dept", ALL - {"History — EK-31", "Databases — EK-31"}),
    ],
)
def test_streams_are_scoped_by_the_access_policy(college, token_client, persona, expected):
    assert stream_names(token_client(persona).get(f"{V1}/streams")) == expected


@pytest.mark.parametrize("persona", ["student", "outsider"])
def test_non_staff_tokens_get_403_on_staff_reads(college, token_client, persona):
    client = token_client(persona)
    stream = college.streams.teacher_a
    for url in (
        f"{V1}/streams",
        f"{V1}/streams/{stream.pk}",
        f"{V1}/streams/{stream.pk}/slots",
        f"{V1}/streams/{stream.pk}/sessions",
        f"{V1}/grades",
    ):
        assert_error(client.get(url), 403, "forbidden")


def test_streams_carry_the_online_flag(college, token_client):
    items = token_client("teacher").get(f"{V1}/streams").json()["items"]
    online = {s["name"]: s["online"] for s in items}
    assert online == {"Programming — PO-21": True, "Databases — EK-31": False}
    assert token_client("teacher").get(f"{V1}/streams?online=false").json()["count"] == 1


def test_teacher_cannot_read_another_teachers_stream(college, token_client):
    other = college.streams.other_b
    client = token_client("teacher")
    assert_error(client.get(f"{V1}/streams/{other.pk}"), 404, "not_found")
    assert_error(client.get(f"{V1}/streams/{other.pk}/slots"), 404, "not_found")
    assert_error(client.get(f"{V1}/streams/{other.pk}/sessions"), 404, "not_found")


def test_pagination_with_limit_and_offset(college, token_client):
    client = token_client("admin")
    first = client.get(f"{V1}/streams?limit=3&offset=0").json()
    second = client.get(f"{V1}/streams?limit=3&offset=3").json()
    assert first["count"] == second["count"] == 4
    assert len(first["items"]) == 3 and len(second["items"]) == 1
    assert {s["id"] for s in first["items"]}.isdisjoint({s["id"] for s in second["items"]})
    assert_error(client.get(f"{V1}/streams?limit=0"), 422, "validation_error")


def test_filter_by_academic_year_and_period(college, token_client):
    period_2 = f.AcademicPeriodFactory(number=2, starts_on=datetime.date(2027, 1, 11))
    f.StreamFactory(name="Spring stream", teacher=college.streams.teacher_a.teacher, academic_period=period_2)
    client = token_client("admin")
    assert stream_names(client.get(f"{V1}/streams?academic_year=2026-2027&academic_period=2")) == {
        "Spring stream"
    }
    assert len(stream_names(client.get(f"{V1}/streams?academic_period=1"))) == 4
    assert stream_names(client.get(f"{V1}/streams?academic_year=1999-2000")) == set()


# --- reads: slots, sessions, grades ----------------------------------------------------------------


@pytest.fixture
def exam(college):
    stream = college.streams.teacher_a
    start = timezone.now() + datetime.timedelta(days=1)
    slot = Slot.objects.create(stream=stream, starts_at=start, ends_at=start + datetime.timedelta(hours=2))
    ticket = Ticket.objects.create(stream=stream, number=7, body="<p>Q</p>")
    student = college.users["student"].student
    session = ExamSession.objects.create(
        stream=stream, student=student, slot=slot, ticket=ticket, ticket_at=start, extra_minutes=15
    )
    return stream, slot, session


def test_slots_of_a_stream(college, token_client, exam):
    stream, slot, _session = exam
    response = token_client("teacher").get(f"{V1}/streams/{stream.pk}/slots")
    assert response.status_code == 200
    [row] = response.json()
    assert row["id"] == slot.pk and row["students"] == 1


def test_sessions_show_ticket_times_and_a_null_grade(college, token_client, exam):
    stream, slot, session = exam
    body = token_client("registrar").get(f"{V1}/streams/{stream.pk}/sessions").json()
    assert body["count"] == 1
    [row] = body["items"]
    assert row["ticket_number"] == 7
    assert row["grade"] is None
    assert row["ends_at"].startswith((slot.ends_at + datetime.timedelta(minutes=15)).strftime("%Y-%m-%d"))


def test_grade_export_per_stream_and_period(college, token_client):
    stream = college.streams.teacher_a
    c.Admission.objects.create(stream=stream, student=college.users["other_student"].student, admitted=False)
    body = token_client("teacher").get(f"{V1}/grades?stream_id={stream.pk}").json()
    rows = {r["record_book_number"]: r for r in body["items"]}
    assert len(rows) == 2 and all(r["grade"] is None for r in rows.values())
    assert rows[college.users["other_student"].student.record_book_number]["admitted"] is False
    assert token_client("teacher").get(f"{V1}/grades?academic_period=2").json()["count"] == 0
    # A teacher exports only streams the policy shows them.
    other = token_client("teacher").get(f"{V1}/grades?stream_id={college.streams.other_b.pk}").json()
    assert other["count"] == 0


# --- upserts ---------------------------------------------------------------------------------------


def put(client, kind, items):
    return client.put(f"{V1}/{kind}", {"items": items}, content_type="application/json")


@pytest.mark.parametrize("persona", ["teacher", "student"])
def test_upserts_need_the_import_right(college, token_client, persona):
    client = token_client(persona)
    for kind, rows in BASE.items():
        assert_error(put(client, kind, rows), 403, "forbidden")
    assert not ExternalRef.objects.exists()


def test_every_upsert_endpoint_creates_then_is_idempotent(college, token_client):
    f.AcademicPeriodFactory()
    client = token_client("admin")
    for kind, rows in BASE.items():
        response = put(client, kind, rows)
        assert response.status_code == 200, (kind, response.content)
        body = response.json()
        # A stream brings its journal along: the journal upsert then updates it.
        assert body["created" if kind != "journals" else "updated"] == len(rows), kind
    counts = {m: m.objects.count() for m in (c.Group, c.Student, c.Stream, c.Admission, User, AuditEntry)}
    for kind, rows in BASE.items():
        body = put(client, kind, rows).json()
        assert (body["created"], body["updated"], body["unchanged"]) == (0, 0, len(rows)), kind
    assert {m: m.objects.count() for m in counts} == counts
    stream = c.Stream.objects.get(name="Algorithms — PO-99")
    assert stream.students.count() == 3 and stream.journal.conduct_online
    assert stream.journal.final_form == "oral"


def test_an_upsert_that_changes_something_is_audited(college, token_client):
    seed()
    client = token_client("admin")
    row = dict(BASE["students"][0], last_name="Renamed")
    body = put(client, "students", [row]).json()
    assert body["updated"] == 1 and body["items"][0]["status"] == "updated"
    entry = AuditEntry.objects.filter(action="sync.students.update").latest("id")
    assert entry.actor == college.users["admin"]
    assert entry.before["user"]["last_name"] == "Surname1" and entry.after["user"]["last_name"] == "Renamed"


def test_invalid_rows_are_422_with_row_and_column_and_nothing_is_saved(college, token_client):
    seed()
    client = token_client("admin")
    rows = [
        dict(BASE["students"][0], external_id="NEW1", record_book_number="ZK-900"),
        dict(BASE["students"][0], external_id="NEW2", record_book_number="ZK-901", group="NO-SUCH-GROUP"),
    ]
    body = assert_error(put(client, "students", rows), 422, "invalid_rows")
    [detail] = body["details"]  # the message is in the interface language; its value is named
    assert (detail["field"], detail["row"], detail["column"]) == (None, 2, "group")
    assert "NO-SUCH-GROUP" in detail["message"]
    assert not c.Student.objects.filter(record_book_number="ZK-900").exists()


def test_schema_violations_are_422_validation_error(college, token_client):
    body = assert_error(
        put(token_client("admin"), "departments", [{"name": "No ID"}]), 422, "validation_error"
    )
    assert any("external_id" in d["field"] for d in body["details"])


def test_malformed_json_is_400(college, token_client):
    response = token_client("admin").put(f"{V1}/departments", "{not json", content_type="application/json")
    assert_error(response, 400, "bad_request")


def test_unknown_path_inside_the_api_is_404_json(college, token_client):
    response = token_client("admin").get(f"{V1}/streams/999999")
    assert_error(response, 404, "not_found")


def test_export_csv_needs_the_import_right(college, token_client):
    seed()
    response = token_client("admin").get(f"{V1}/export/students")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "ZK-001" in response.content.decode()
    assert token_client("registrar").get(f"{V1}/export/students").status_code == 200  # the Registrar role
    assert_error(token_client("teacher").get(f"{V1}/export/students"), 403, "forbidden")
    assert_error(token_client("admin").get(f"{V1}/export/nothing"), 404, "not_found")


# --- browser session and CSRF ----------------------------------------------------------------------


def test_browser_session_reads_and_unsafe_methods_need_csrf(college):
    client = Client(enforce_csrf_checks=True)
    client.force_login(college.users["admin"])
    assert client.get(f"{V1}/streams").status_code == 200
    response = put(client, "departments", [{"external_id": "D9", "name": "X"}])
    assert response.status_code == 403
    assert not c.Department.objects.filter(name="X").exists()


def test_token_requests_need_no_csrf(college, token_client):
    client = token_client("admin")
    client.handler.enforce_csrf_checks = True
    assert put(client, "departments", [{"external_id": "D9", "name": "X"}]).status_code == 200


# --- schema and docs -----------------------------------------------------------------------------


def test_openapi_schema_and_docs_without_cdn(db):
    schema = Client().get(f"{V1}/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert f"{V1}/students" in schema["paths"] and f"{V1}/grades" in schema["paths"]
    page = Client().get(f"{V1}/docs").content.decode()
    assert "cdn" not in page.lower() and "/api/v1/docs/assets/swagger-ui-bundle.js" in page
    asset = Client().get(f"{V1}/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and asset["Content-Type"] == "text/javascript"
    assert Client().get(f"{V1}/docs/assets/..%2Fsettings.py").status_code == 404


@pytest.mark.req("X-12", "GRD-6")
def test_grades_flow_out_through_the_api(college, token_client):
    import datetime

    from django.utils import timezone

    from attestation.models import ExamSession, Slot

    stream = college.streams.teacher_a
    now = timezone.now()
    slot = Slot.objects.create(stream=stream, starts_at=now - datetime.timedelta(hours=2), ends_at=now)
    student = college.users["student"].student
    ExamSession.objects.create(
        stream=stream, student=student, slot=slot, grade_total="5", grade_written="5", graded_at=now
    )
    other = college.users["other_student"].student
    ExamSession.objects.create(stream=stream, student=other, slot=slot, absence="excused", graded_at=now)
    client = token_client("admin")
    rows = {r["student_id"]: r for r in client.get(f"{V1}/grades?stream_id={stream.pk}").json()["items"]}
    assert rows[student.pk]["grade"] == "5" and rows[other.pk]["absence"] == "excused"
    sessions = client.get(f"{V1}/streams/{stream.pk}/sessions").json()["items"]
    assert {s["student_id"]: s["grade_written"] for s in sessions}[student.pk] == "5"
