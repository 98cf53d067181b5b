"""Every URL is covered by the policy (X-10): each pattern, each persona, one table of answers.

The test walks ``get_resolver()`` (included apps and the API too), fills each path parameter with
a real object of a running exam (the persona college: the student's session with a ticket, the
questions sent and viewed, an answer file; a role, a notification, an API token), and asks the
URL as every persona — GET, or POST for views that only take POST. The expected status of every
URL name lives in :data:`EXPECTED`; a URL name missing there fails the test by name, so a new view
cannot ship without a rule. Only ``django-admin/`` (Django's own, superusers only) is excluded.

Each request runs inside a savepoint that is rolled back, so a POST by one persona (a deletion)
never changes what the next persona sees.

To print the statuses observed now (when adding a view): ``URL_POLICY_SHOW=1 pytest -s <this file>``.
"""

import os
import re
from dataclasses import dataclass, field

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from api.models import ApiToken
from attestation.services import answers as answers_service
from notifications.models import Notification
from tests.exams import PDF
from tests.personas import PERSONAS

EXCLUDED_PREFIXES = ("django-admin/",)


def url_patterns():
    """(name, full route) of every URL pattern, recursively, except the excluded prefixes."""
    found = []

    def walk(resolver, prefix, namespace):
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern)
            if route.startswith(EXCLUDED_PREFIXES):
                continue
            if isinstance(entry, URLResolver):
                ns = namespace
                if entry.namespace:
                    ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry, route, ns)
            elif isinstance(entry, URLPattern):
                name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
                found.append((name or f"<unnamed {route}>", route))

    walk(get_resolver(), "", None)
    return found


# --- the one table ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """Expected status per persona; ``method`` forces GET/POST (default: GET, POST if GET is 405)."""

    default: int
    overrides: dict = field(default_factory=dict)
    method: str | None = None

    def __call__(self, persona):
        return self.overrides.get(persona, self.default)


def rule(default, method=None, **overrides):
    return Rule(default, overrides, method)


LOGIN = 302  # anonymous → redirect to the login page (checked below)
STUDENTS = ("student", "other_student")
READERS = ("head_dept", "head_pcc", "reader")  # read-mode staff with "view all"
STAFF = ("teacher", "registrar", *READERS, "other_teacher")


def staff_view(ok=200, read=None, **extra):
    """A page of the teacher's stream: the stream's staff see it, others are refused or told 404."""
    read = ok if read is None else read
    base = {"anonymous": LOGIN, "teacher": ok, "registrar": ok, "other_teacher": 404}
    return rule(403, **(base | dict.fromkeys(READERS, read) | extra))


def staff_change(ok, **extra):
    """A change to the teacher's stream: edit mode only; read mode is refused."""
    return staff_view(ok=ok, read=403, **extra)


def student_own(ok=200, staff=404, **extra):
    """The student's own session: the other student never learns it exists (404)."""
    base = {"anonymous": LOGIN, "student": ok, "other_student": 404}
    return rule(403, **(base | dict.fromkeys(STAFF, staff) | extra))


STUDENT_HELPERS = ("teacher", "other_teacher", "registrar", "admin")  # other_teacher teaches PO-21 too
HEADS = ("head_dept", "head_pcc")  # in edit mode as teachers, but of no stream of the student


def student_help(ok):
    return rule(403, anonymous=LOGIN, **(dict.fromkeys(STUDENT_HELPERS, ok) | dict.fromkeys(HEADS, 404)))


def admin_only(ok=200, **extra):
    return rule(403, **({"anonymous": LOGIN, "admin": ok} | extra))


def api(ok=200, method=None, **extra):
    """The REST API through the browser session: only administrators (401 for anonymous)."""
    return rule(403, method=method, **({"anonymous": 401, "admin": ok} | extra))


EXPECTED: dict[str, Rule] = {
    # --- access ---
    "home": rule(200, anonymous=LOGIN, **dict.fromkeys(STUDENTS, 302)),
    "login": rule(302, anonymous=200),
    "logout": rule(302, method="POST"),
    "set_language": rule(302),
    "role_list": admin_only(),
    "role_create": admin_only(),
    "role_edit": admin_only(),
    "licenses": admin_only(),
    "user_list": admin_only(),
    "user_detail": admin_only(),
    # --- passwords and students' logins (#16.5, #16.11) ---
    "password_change": rule(200, anonymous=LOGIN),
    "password_change_done": rule(200, anonymous=LOGIN),
    # Staff who may help someone (not read mode only); the student's page: those who may help that
    # student (the teachers of their streams in edit mode, the registrar, administrators), 404 to
    # other staff in edit mode.
    "student_logins": rule(403, anonymous=LOGIN, **dict.fromkeys(STUDENT_HELPERS + HEADS, 200)),
    "student_login": student_help(200),
    "student_login_release": student_help(302),
    "student_password_reset": student_help(200),
    # --- college journals ---
    # The list shows only the journals the viewer may open: none for students and outsiders.
    "journals:journal_list": rule(200, anonymous=LOGIN, outsider=403, **dict.fromkeys(STUDENTS, 403)),
    "journals:journal": staff_view(other_teacher=403, admin=200),
    "journals:journal_settings": staff_change(400, other_teacher=403, admin=400),
    "journals:journal_marks": staff_change(302, other_teacher=403, admin=302),
    # --- attestation: staff pages of the teacher's stream (read mode may look, not change) ---
    "attestation:stream_list": rule(
        200, anonymous=LOGIN, outsider=403, admin=403, **dict.fromkeys(STUDENTS, 403)
    ),
    "attestation:stream": staff_view(),
    "attestation:stream_mode": staff_change(400),
    "attestation:slot_create": staff_change(400),
    "attestation:tickets": staff_view(),
    "attestation:ticket_count": staff_change(400),
    "attestation:tickets_renumber": staff_change(400),  # refused: the tickets are handed out
    "attestation:ticket_add": staff_change(400),
    "attestation:ticket_edit": staff_change(400),
    "attestation:ticket_delete": staff_change(400),
    "attestation:tickets_copy": staff_change(400),
    # The ticket has no file: 404 for all; who may fetch a real file is tested in test_files.py.
    "attestation:ticket_file": rule(404, anonymous=LOGIN),
    "attestation:slot_edit": staff_change(400),
    "attestation:slot_delete": staff_change(400),
    "attestation:slot_notify": staff_change(302),
    "attestation:slot_hand_out": staff_change(400),
    "attestation:slot_platform": staff_change(302),
    "attestation:session_unschedule": staff_change(400),
    "attestation:session_extra_time": staff_change(400),
    "attestation:session_move": staff_change(400),
    "attestation:settings": rule(403, anonymous=LOGIN, registrar=200, **dict.fromkeys(READERS, 200)),
    "attestation:grade_sheet_stream": staff_view(),
    "attestation:grade_sheet_slot": staff_view(),
    "attestation:grade_chart_stream": staff_view(),
    "attestation:grade_chart_slot": staff_view(),
    # The slot's grading table: as a session page, 404 to all who may not see the stream; read mode
    # sees it read-only (its POST, 403 for them, is tried per persona in test_slot_grading.py).
    "attestation:slot_grading": staff_view(**dict.fromkeys((*STUDENTS, "outsider", "admin"), 404)),
    # #15: the live streams — the same people as the pages; here (a production WSGI worker, streams
    # carried by uvicorn) those allowed get 503 and their page polls; tests/attestation/test_live.py
    # opens them where they stream.
    "attestation:slot_events": staff_view(503, **dict.fromkeys((*STUDENTS, "outsider", "admin"), 404)),
    # --- attestation: the student's own session (404 to everyone who must not know it) ---
    "attestation:my_exams": rule(403, anonymous=LOGIN, **dict.fromkeys(STUDENTS, 200)),
    "attestation:session": student_own(staff=200, outsider=404, admin=404, other_teacher=404),
    "attestation:ticket_choose": student_own(302, outsider=404, admin=404),
    "attestation:questions_open": student_own(302, outsider=404, admin=404),
    "attestation:session_status": student_own(200, outsider=404, admin=404),
    "attestation:session_events": student_own(503, outsider=404, admin=404),
    "attestation:draft_save": student_own(400, outsider=404, admin=404),
    "attestation:answer_send": student_own(302, outsider=404, admin=404),
    "attestation:answer_file_add": student_own(302, outsider=404, admin=404),
    "attestation:answer_file_delete": student_own(302, outsider=404, admin=404),
    "attestation:answer_file": student_own(200, staff=200, outsider=404, admin=404, other_teacher=404),
    # Staff actions on a session: hidden from students (404); read mode is refused by the service (400).
    # Read mode is refused (403) before the (here empty) input is judged (400).
    "attestation:task_save": student_own(
        404, staff=400, outsider=404, admin=404, other_teacher=404, **dict.fromkeys(READERS, 403)
    ),
    "attestation:grade_set": student_own(
        404, staff=400, outsider=404, admin=404, other_teacher=404, **dict.fromkeys(READERS, 403)
    ),
    # --- notifications (the notification is the student's) ---
    "notifications:inbox": rule(200, anonymous=LOGIN),
    "notifications:read": rule(404, anonymous=LOGIN, student=302),
    "notifications:read_all": rule(302),
    # --- API tokens page, docs and the REST API through the browser session ---
    "api:tokens": admin_only(),
    "api:revoke_token": admin_only(302),
    "api:docs_asset": rule(200),
    "api:v1:openapi-json": rule(200),  # the schema is public: endpoints, no data
    "api:v1:openapi-view": rule(200),
    "api:v1:api-root": rule(404),
    # ninja validates the body (at least one item) before the view's administrator check, so an
    # empty upsert is 422 for every signed-in persona; tests/api proves non-administrators with a
    # valid body are refused. Anonymous callers are stopped first (401).
    **{
        f"api:v1:upsert_{kind}": rule(422, method="PUT", anonymous=401)
        for kind in [
            "departments",
            "pccs",
            "specialties",
            "qualifications",
            "study_periods",
            "groups",
            "students",
            "staff",
            "disciplines",
            "streams",
            "journals",
            "admissions",
            "schedules",
        ]
    },
    "api:v1:export_csv": api(),
    # Reads are scoped to the viewer like the pages: staff see the streams they may see.
    "api:v1:list_streams": api(**dict.fromkeys(STAFF, 200)),
    "api:v1:grade_export": api(**dict.fromkeys(STAFF, 200)),
    "api:v1:get_stream": api(**(dict.fromkeys(STAFF, 200) | {"other_teacher": 404})),
    "api:v1:list_slots": api(**(dict.fromkeys(STAFF, 200) | {"other_teacher": 404})),
    "api:v1:list_sessions": api(**(dict.fromkeys(STAFF, 200) | {"other_teacher": 404})),
    # --- imports and the audit log ---
    "imports:index": admin_only(),
    "imports:preview": admin_only(404),  # an unknown upload token
    "imports:job": admin_only(404),  # an unknown job
    "imports:template": admin_only(),
    "audit:log": admin_only(),
    "audit:csv": admin_only(),
    # --- operations: the exam-day monitor is the administrators'; the probes answer everyone (they
    # say only whether the process can work); the metrics need the token, never a session: without
    # it (here) they do not exist for anyone (tests/operations/test_metrics.py gives the token) ---
    "monitor:monitor": admin_only(),
    "healthz": rule(200),
    "readyz": rule(200),
    "metrics": rule(404),
}


# --- the world the URLs are asked about --------------------------------------------------------


@pytest.fixture
def world(scheduled, exam):
    """The student's running exam plus one object for every other kind of URL parameter."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    users = scheduled.users
    answer_file = answers_service.answer_file_add(
        actor=users["student"],
        session=exam,
        upload=SimpleUploadedFile("work.pdf", PDF, content_type="application/pdf"),
    )
    Notification.objects.create(recipient=users["student"], kind="questions_sent", link="/attestation/my/")
    token, _secret = ApiToken.issue(name="integration", user=users["admin"])
    return {
        "stream": exam.stream,
        "session": exam,
        "slot": exam.slot,
        "ticket": exam.ticket,
        "answer_file": answer_file,
        "role": scheduled.roles.teacher,
        "notification": Notification.objects.get(recipient=users["student"]),
        "token": token,
        "users": users,
        "user": users["teacher"],
    }


# ``pk`` means different things: the first route fragment that matches decides.
PK_BY_ROUTE = [
    ("streams/<int:pk>", "stream"),
    ("sessions/<int:pk>", "session"),
    ("roles/<int:pk>", "role"),
    ("users/<int:pk>", "user"),
    ("tokens/<int:pk>", "token"),
    ("notifications/<int:pk>", "notification"),
]


def path_kwargs(world, name, route):
    table = {
        "stream_pk": world["stream"].pk,
        "slot_pk": world["slot"].pk,
        "session_pk": world["session"].pk,
        "ticket_pk": world["ticket"].pk,
        "file_pk": world["answer_file"].pk,
        "stream_id": world["stream"].pk,
        "student_pk": world["session"].student_id,
        "action": "generate",
        "fmt": "csv" if name.startswith("imports:") else "xlsx",
        "kind": "students" if name.startswith("imports:") else "streams",
        "token": "0" * 32,
        "name": "swagger-ui.css",
    }
    kwargs = {}
    for param in _route_params(route):
        if param == "pk":
            obj = next((world[key] for fragment, key in PK_BY_ROUTE if fragment in route), None)
            assert obj is not None, f"{name}: no object for <pk> in {route!r}: extend PK_BY_ROUTE"
            kwargs["pk"] = obj.pk
        else:
            assert param in table, f"{name}: no value for the path parameter {param!r}: extend the table"
            kwargs[param] = table[param]
    return kwargs


def _route_params(route):
    return re.findall(r"<(?:\w+:)?(\w+)>", route)


def ask(client, url, method):
    if method == "POST":
        return client.post(url)
    if method == "PUT":
        return client.put(url, '{"items": []}', content_type="application/json")
    return client.get(url)


WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
# GETs that write on purpose: opening a notification marks it read; the language link stores the
# user's choice. Every other GET is a read and must not write (#16.9).
WRITING_GETS = {"notifications:read", "set_language"}


def answer(login, world, persona, url, forced_method):
    """(method, status, response, writes) for one persona, inside a savepoint that is rolled back;
    ``writes`` are the SQL statements a GET issued that change rows."""
    with transaction.atomic():
        client = login(world["users"].get(persona))
        method = forced_method or "GET"
        with CaptureQueriesContext(connection) as queries:
            response = ask(client, url, method)
        if response.status_code == 405 and not forced_method:
            method = "POST"
            response = ask(client, url, method)
        transaction.set_rollback(True)
    writes = [q["sql"] for q in queries.captured_queries if WRITE.match(q["sql"])] if method == "GET" else []
    return method, response.status_code, response, writes


# --- the tests -----------------------------------------------------------------------------------

PATTERNS = url_patterns()


def test_every_url_name_has_a_rule():
    missing = sorted({name for name, _route in PATTERNS} - EXPECTED.keys())
    assert not missing, (
        "URLs without an access rule in tests/security/test_url_policy.py EXPECTED: " + ", ".join(missing)
    )


def test_the_table_holds_no_rule_for_a_url_that_is_gone():
    stale = sorted(EXPECTED.keys() - {name for name, _route in PATTERNS})
    assert not stale, "Rules for URL names that no longer exist: " + ", ".join(stale)


@pytest.mark.parametrize(("name", "route"), PATTERNS, ids=[name for name, _route in PATTERNS])
def test_url_answers_every_persona_per_the_table(world, login, settings, name, route):
    settings.LOGIN_THROTTLE_ADDRESS = 10_000
    expected = EXPECTED.get(name)
    assert expected is not None, f"The URL {name!r} ({route}) has no rule in EXPECTED: add one."
    url = reverse(name, kwargs=path_kwargs(world, name, route))
    observed, wrong = {}, []
    for persona in PERSONAS:
        method, status, response, writes = answer(login, world, persona, url, expected.method)
        observed[persona] = status
        if writes and name not in WRITING_GETS:
            wrong.append(f"{persona}: GET {url} wrote to the database: {writes[0][:120]}")
        if status != expected(persona):
            wrong.append(f"{persona}: {method} {url} → {status}, expected {expected(persona)}")
        if (
            persona == "anonymous"
            and status == 302
            and name not in ("logout", "set_language", "api:docs_asset")
        ):
            assert response["Location"].startswith("/login/"), (
                f"{name}: anonymous sent to {response['Location']}"
            )
        assert status != 500, f"{name} as {persona}: server error"
    if os.environ.get("URL_POLICY_SHOW"):
        print(f"\n{name!r}: {observed}")
    assert not wrong, f"{name}:\n  " + "\n  ".join(wrong)
