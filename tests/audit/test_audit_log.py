"""X-7: the audit log's browsing page and CSV export, for administrators only; the log is append-only."""

import csv
import datetime
import io
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, reverse_lazy

from access.audit_log_views import PER_PAGE
from access.models import License, Module
from audit.models import AuditEntry, record
from tests.personas import PERSONAS

ALMATY = ZoneInfo("Asia/Almaty")
LOG, CSV = reverse_lazy("audit:log"), reverse_lazy("audit:csv")


def _at(day, hour=12, minute=0):
    """An aware Almaty date-time in January 2026."""
    return datetime.datetime(2026, 1, day, hour, minute, tzinfo=ALMATY)


def _entry(when, *, actor, action, obj, before=None, after=None):
    with time_machine.travel(when, tick=False):
        return record(actor=actor, action=action, obj=obj, before=before, after=after)


def _objects(page: str) -> list[str]:
    """The "object" cells of the log's rows, in order (the object's text, before its type line)."""
    return [
        re.sub(r"\s+", " ", cell).strip()
        for cell in re.findall(r'<td class="audit-object">(.*?)<br>', page, flags=re.S)
    ]


def _row(page: str, text: str) -> str:
    """The table row (in the body) that contains this text."""
    body = page[page.index("<tbody>") :]
    return next(row for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S) if text in row)


def _csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())  # UTF-8 BOM: Excel reads Cyrillic correctly
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.fixture
def log(college):
    """Four entries on different days, by different people, of different actions and objects."""
    users = college.users
    teacher, admin_ = users["teacher"], users["admin"]
    teacher.last_name, teacher.first_name = "Сейтқали", "Әлия"
    teacher.save()
    stream = college.streams.teacher_a
    role = college.roles.reader
    lic = License.objects.get(code=License.Code.ONLINE_FSA)
    return {
        "role": _entry(
            _at(5, 9),
            actor=admin_,
            action="role.update",
            obj=role,
            before={"name": "Methodologist", "modules": {"oia_staff": {"mode": "read", "may_grade": False}}},
            after={"name": "Methodologist", "modules": {"oia_staff": {"mode": "edit", "may_grade": False}}},
        ),
        "license": _entry(
            _at(10, 15),
            actor=admin_,
            action="license.update",
            obj=lic,
            before={"enabled": False},
            after={"enabled": True},
        ),
        "journal": _entry(
            _at(12, 8),
            actor=teacher,
            action="journal.settings",
            obj=stream.journal,
            before={"conduct_online": False},
            after={"conduct_online": True},
        ),
        "stream": _entry(
            _at(20, 23, 30),
            actor=teacher,
            action="stream.mode",
            obj=stream,
            before={"mode": "oral"},
            after={"mode": "written"},
        ),
    }


# --- who may see it --------------------------------------------------------------------------


@pytest.mark.req("X-7")
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url", [LOG, CSV], ids=["log", "csv"])
def test_only_administrators_browse_the_audit_log(college, login, persona, url):
    response = login(college.users.get(persona)).get(url)
    if persona == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
    elif persona == "admin":
        assert response.status_code == 200
    else:
        assert response.status_code == 403


@pytest.mark.req("X-7")
def test_the_administration_menu_links_to_the_log_for_administrators_only(college, login):
    assert f'href="{LOG}"' in login(college.users["admin"]).get(reverse("role_list")).content.decode()
    assert (
        f'href="{LOG}"'
        not in login(college.users["registrar"]).get(reverse("home"), follow=True).content.decode()
    )


# --- append-only -----------------------------------------------------------------------------


@pytest.mark.req("X-7")
def test_an_entry_can_be_neither_changed_nor_deleted(log):
    entry = log["role"]
    entry.action = "role.create"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()
    entry.refresh_from_db()
    assert entry.action == "role.update"
    assert AuditEntry.objects.count() == 4


@pytest.mark.req("X-7")
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("url", [LOG, CSV], ids=["log", "csv"])
def test_no_route_changes_the_log(log, college, login, method, url):
    client = login(college.users["admin"])
    response = getattr(client, method)(url)
    assert response.status_code == 405
    assert AuditEntry.objects.count() == 4


@pytest.mark.req("X-7")
def test_the_log_has_only_reading_routes():
    from access import audit_log_urls as urls

    assert sorted(p.name for p in urls.urlpatterns) == ["csv", "log"]


@pytest.mark.req("X-7")
def test_django_admin_shows_the_log_read_only(log, college, login):
    superuser = college.users["admin"]
    superuser.is_superuser = superuser.is_staff = True
    superuser.save()
    request = RequestFactory().get("/")
    request.user = superuser
    model_admin = admin.site._registry[AuditEntry]
    assert model_admin.has_view_permission(request, log["role"])
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, log["role"])
    assert not model_admin.has_delete_permission(request, log["role"])
    assert "delete_selected" not in model_admin.get_actions(request)

    client = login(superuser)
    entry = log["role"]
    assert client.get(reverse("admin:audit_auditentry_changelist")).status_code == 200
    change_page = client.get(reverse("admin:audit_auditentry_change", args=[entry.pk]))
    assert change_page.status_code == 200 and 'name="_save"' not in change_page.content.decode()
    assert client.post(reverse("admin:audit_auditentry_change", args=[entry.pk]), {}).status_code == 403
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert (
        client.post(reverse("admin:audit_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert AuditEntry.objects.count() == 4


# --- the table -------------------------------------------------------------------------------


@pytest.mark.req("X-7")
def test_newest_first_with_local_time_actor_label_and_only_the_changed_keys(log, college, login):
    page = login(college.users["admin"]).get(LOG).content.decode()
    stream, journal = college.streams.teacher_a, college.streams.teacher_a.journal
    assert _objects(page) == [str(stream), str(journal), "Online FSA", "Methodologist"]
    assert "20.01.2026 23:30:00" in page  # Almaty time, not UTC (18:30)
    assert "Сейтқали Әлия Patronymic" in page
    assert "Role changed" in page and "License changed" in page and "Way of conducting changed" in page
    role_row = _row(page, "Methodologist")
    assert "Role changed" in role_row
    assert re.search(r"modules\.oia_staff\.mode:</span>\s*<code>&quot;read&quot;</code>\s*<span", role_row)
    assert "<code>&quot;edit&quot;</code>" in role_row
    assert "may_grade" not in role_row and "name:" not in role_row  # unchanged keys are not shown


@pytest.mark.req("X-7")
def test_unknown_actions_long_values_and_creations_are_shown_readably(college, login):
    admin_, role = college.users["admin"], college.roles.teacher
    long_text = "Билет " * 40
    _entry(_at(3), actor=admin_, action="role.create", obj=role, after={"name": "Teacher", "kind": "teacher"})
    _entry(
        _at(4), actor=None, action="future.thing", obj=role, before={"body": "x"}, after={"body": long_text}
    )
    page = login(admin_).get(LOG).content.decode()
    assert "future.thing" in page  # no label yet: the raw code
    assert "System" in page  # no actor
    assert '<details class="audit-value">' in page
    summary = re.search(r"<summary><code>(.*?)</code></summary><pre>(.*?)</pre>", page, flags=re.S)
    assert summary[1].startswith("&quot;Билет Билет") and summary[1].endswith("…")  # cut in the row
    assert summary[2] == f"&quot;{long_text}&quot;"  # the whole value in <details>
    assert "Role created" in page
    assert re.search(
        r"name:</span>\s*<code>&quot;Teacher&quot;</code>\s*</li>", page
    )  # no arrow for a creation


@pytest.mark.req("X-7")
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"actor": "сейтқали"}, ["journal", "stream"]),  # Cyrillic surname, any case
        ({"actor": "admin"}, ["license", "role"]),  # the login
        ({"action": "license.update"}, ["license"]),
        ({"object_type": "access.role"}, ["role"]),
        ({"date_from": "2026-01-10"}, ["stream", "journal", "license"]),
        ({"date_to": "2026-01-10"}, ["license", "role"]),
        ({"date_from": "2026-01-06", "date_to": "2026-01-12"}, ["journal", "license"]),
        ({"q": "methodolog"}, ["role"]),
        ({"actor": "admin", "action": "role.update"}, ["role"]),
    ],
)
def test_each_filter_narrows_the_list(log, college, login, params, expected):
    client = login(college.users["admin"])
    assert len(_objects(client.get(LOG).content.decode())) == 4
    page = client.get(LOG, params).content.decode()
    assert _objects(page) == [log[key].object_repr for key in expected]


@pytest.mark.req("X-7")
def test_date_filters_use_local_days(college, login):
    admin_ = college.users["admin"]
    # 00:30 on 10 January in Almaty is still 9 January in UTC.
    _entry(_at(10, 0, 30), actor=admin_, action="role.update", obj=college.roles.teacher)
    client = login(admin_)
    assert len(_objects(client.get(LOG, {"date_from": "2026-01-10"}).content.decode())) == 1
    assert len(_objects(client.get(LOG, {"date_to": "2026-01-09"}).content.decode())) == 0


@pytest.mark.req("X-7")
def test_object_text_search_finds_cyrillic_in_any_case(college, login):
    admin_, role = college.users["admin"], college.roles.teacher
    role.name = "Оқытушы"
    role.save()
    _entry(_at(2), actor=admin_, action="role.update", obj=role)
    client = login(admin_)
    assert _objects(client.get(LOG, {"q": "оқыту"}).content.decode()) == ["Оқытушы"]
    assert _objects(client.get(LOG, {"q": "ОҚЫТУ"}).content.decode()) == ["Оқытушы"]


@pytest.mark.req("X-7")
@pytest.mark.parametrize(
    "params",
    [{"action": "no.such"}, {"date_from": "yesterday"}, {"date_from": "2026-02-01", "date_to": "2026-01-01"}],
)
def test_an_invalid_filter_lists_nothing_and_says_why(log, college, login, params):
    response = login(college.users["admin"]).get(LOG, params)
    assert response.status_code == 200
    page = response.content.decode()
    assert _objects(page) == []
    assert 'class="errors"' in page


@pytest.mark.req("X-7")
def test_pages_of_fifty_keep_the_filters(college, login):
    admin_, role = college.users["admin"], college.roles.teacher
    for i in range(PER_PAGE * 2 + 5):
        _entry(_at(1, 10) + datetime.timedelta(minutes=i), actor=admin_, action="role.update", obj=role)
    _entry(_at(2), actor=admin_, action="license.update", obj=License.objects.first())
    client = login(admin_)
    first = client.get(LOG, {"action": "role.update"}).content.decode()
    assert len(_objects(first)) == PER_PAGE
    assert "?action=role.update&amp;page=2" in first
    assert f'href="{CSV}?action=role.update"' in first
    last = client.get(LOG, {"action": "role.update", "page": 3}).content.decode()
    assert len(_objects(last)) == 5
    assert "?action=role.update&amp;page=2" in last
    assert "01.01.2026 10:00:00" in last  # the oldest is on the last page


@pytest.mark.req("X-7")
def test_the_number_of_queries_does_not_grow_with_the_entries(college, login):
    admin_ = college.users["admin"]
    client = login(admin_)
    users = list(college.users.values())
    objects = [college.roles.teacher, college.streams.teacher_a, License.objects.first()]

    def add(n):
        for i in range(n):
            _entry(
                _at(1 + i % 28),
                actor=users[i % len(users)],
                action=["role.update", "stream.mode", "license.update"][i % 3],
                obj=objects[i % 3],
                before={"n": i},
                after={"n": i + 1},
            )

    def count_queries(params):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(LOG, params).status_code == 200
        return len(ctx.captured_queries)

    client.get(LOG)  # the signed-in user and their roles are cached from here on, as in use
    add(10)
    few = count_queries({}), count_queries({"actor": "surname", "q": "a", "date_from": "2026-01-01"})
    add(90)
    many = count_queries({}), count_queries({"actor": "surname", "q": "a", "date_from": "2026-01-01"})
    assert few == many


# --- CSV -------------------------------------------------------------------------------------


@pytest.mark.req("X-7")
def test_csv_has_a_header_and_every_filtered_entry(log, college, login):
    client = login(college.users["admin"])
    response = client.get(CSV)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    rows = _csv_rows(response)
    assert rows[0] == [
        "Time",
        "Login",
        "Full name",
        "Action",
        "Object type",
        "Object id",
        "Object",
        "Before",
        "After",
    ]
    stream = college.streams.teacher_a
    assert rows[1] == [
        "2026-01-20T23:30:00+05:00",
        "teacher",
        "Сейтқали Әлия Patronymic",
        "stream.mode",
        "college.stream",
        str(stream.pk),
        str(stream),
        '{"mode": "oral"}',
        '{"mode": "written"}',
    ]
    assert [r[3] for r in rows[1:]] == ["stream.mode", "journal.settings", "license.update", "role.update"]

    filtered = _csv_rows(client.get(CSV, {"actor": "Сейтқали", "date_to": "2026-01-15"}))
    assert [r[3] for r in filtered[1:]] == ["journal.settings"]


@pytest.mark.req("X-7")
def test_csv_exports_all_pages_and_round_trips_cyrillic(college, login):
    admin_, role = college.users["admin"], college.roles.teacher
    admin_.last_name, admin_.first_name, admin_.patronymic = "Иванов", "Пётр", "Сергеевич"
    admin_.save()
    role.name = "Әдіскер «ағылшын»"
    role.save()
    for i in range(PER_PAGE + 10):
        _entry(
            _at(3),
            actor=admin_,
            action="role.update",
            obj=role,
            before={"аты": "ескі"},
            after={"аты": f"жаңа {i}"},
        )
    rows = _csv_rows(login(admin_).get(CSV))
    assert len(rows) == 1 + PER_PAGE + 10
    assert {r[2] for r in rows[1:]} == {"Иванов Пётр Сергеевич"}
    assert {r[6] for r in rows[1:]} == {"Әдіскер «ағылшын»"}
    assert rows[1][7] == '{"аты": "ескі"}'
    assert {r[8] for r in rows[1:]} == {f'{{"аты": "жаңа {i}"}}' for i in range(PER_PAGE + 10)}


@pytest.mark.req("X-7")
def test_csv_cells_do_not_start_formulas(college, login):
    admin_, role = college.users["admin"], college.roles.teacher
    role.name = '=HYPERLINK("http://evil.example")'
    role.save()
    _entry(_at(3), actor=admin_, action="role.update", obj=role)
    rows = _csv_rows(login(admin_).get(CSV))
    assert rows[1][6] == "'" + role.name
    assert rows[1][7] == rows[1][8] == ""  # no before/after: empty, not "null"


# --- a change made through the application ---------------------------------------------------


@pytest.mark.req("X-7")
def test_a_role_edited_by_the_administrator_appears_in_the_log(college, login):
    role = college.roles.teacher
    client = login(college.users["admin"])
    post = {
        "name": role.name,
        f"{Module.OIA_STAFF}-attached": "on",
        f"{Module.OIA_STAFF}-mode": "read",
        "members-members": [str(u.pk) for u in role.users.all()],
    }
    assert client.post(reverse("role_edit", args=[role.pk]), post).status_code == 302
    entry = AuditEntry.objects.get(action="role.update")

    page = client.get(LOG, {"action": "role.update"}).content.decode()
    assert _objects(page) == [role.name]
    assert "Role changed" in page
    assert college.users["admin"].full_name in page
    assert re.search(r"modules\.oia_staff\.mode:</span>\s*<code>&quot;edit&quot;</code>", page)
    assert "<code>&quot;read&quot;</code>" in page
    assert "members" not in page.split("audit-changes", 1)[1]  # unchanged: not shown

    rows = _csv_rows(client.get(CSV, {"action": "role.update"}))
    assert [r[1] for r in rows[1:]] == ["admin"]
    assert rows[1][5] == str(entry.object_id)


@pytest.mark.req("X-7")
def test_bulk_updates_and_deletes_are_refused_too(db):
    from django.core.exceptions import PermissionDenied

    from audit.models import AuditEntry

    with pytest.raises(PermissionDenied):
        AuditEntry.objects.all().update(action="x")
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.all().delete()
