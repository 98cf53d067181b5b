"""The import right (X-13, ADM-1): a right of its own in the Role editor, beside the modules' rights,
held by the standard Registrar role and by administrators; every import door asks the policy."""

import io
from html import unescape
from importlib import import_module

import pytest
from django.apps import apps as global_apps
from django.core.management import CommandError, call_command
from django.urls import reverse

from access.models import Module, Role
from access.policy import access_for
from audit.models import AuditEntry
from tests import factories as f
from tests.html import is_checked, shown_page

pytestmark = pytest.mark.req("X-13", "ADM-1")


def test_the_migration_gives_the_standard_registrar_role_the_right(db):
    registrar = Role.objects.create(name="Тіркеуші", kind=Role.Kind.REGISTRAR)
    teacher = Role.objects.create(name="Оқытушы", kind=Role.Kind.TEACHER)
    migration = import_module("access.migrations.0003_role_may_import")
    migration.registrars_import(global_apps, None)
    registrar.refresh_from_db()
    teacher.refresh_from_db()
    assert registrar.may_import and not teacher.may_import


def test_the_role_editor_grants_the_right_and_audits_it(college, login):
    client = login(college.users["admin"])
    role = college.roles.reader  # read mode, no import right
    page = shown_page(client.get(reverse("role_edit", args=[role.pk])))
    assert "May import the college's data" in unescape(page) and not is_checked(page, "may_import")
    response = client.post(
        reverse("role_edit", args=[role.pk]),
        {
            "name": role.name,
            "may_import": "on",
            "oia_staff-attached": "on",
            "oia_staff-mode": "read",
            "oia_staff-may_view_all": "on",
            "members-members": [college.users["reader"].pk],
        },
    )
    assert response.status_code == 302
    role.refresh_from_db()
    assert role.may_import
    entry = AuditEntry.objects.filter(action="role.update", object_id=str(role.pk)).latest("pk")
    assert (entry.before["may_import"], entry.after["may_import"]) == (False, True)
    # Read mode in the module does not take the right away: it is a right of its own.
    reader = college.users["reader"]
    assert access_for(reader).is_read_only and access_for(reader).can_import_college_data
    assert login(reader).get(reverse("imports:index")).status_code == 200


def test_a_student_role_cannot_import(college, login):
    client = login(college.users["admin"])
    response = client.post(reverse("role_create"), {"name": "Pupils", "kind": "student", "may_import": "on"})
    assert response.status_code == 400
    assert "A student role cannot import the college's data." in unescape(response.content.decode())
    assert not Role.objects.filter(name="Pupils").exists()
    page = client.get(reverse("role_edit", args=[college.roles.student.pk])).content.decode()
    assert 'name="may_import"' not in page


def test_the_menu_and_the_effective_rights_show_who_imports(college, login):
    registrar_page = shown_page(login(college.users["registrar"]).get(reverse("home")))
    assert f'href="{reverse("imports:index")}"' in registrar_page
    teacher_page = login(college.users["teacher"]).get(reverse("home")).content.decode()
    assert f'href="{reverse("imports:index")}"' not in teacher_page
    admin = login(college.users["admin"])
    detail = shown_page(admin.get(reverse("user_detail", args=[college.users["registrar"].pk])))
    assert "May import the college's data: yes — Registrar" in " ".join(unescape(detail).split())
    detail = shown_page(admin.get(reverse("user_detail", args=[college.users["teacher"].pk])))
    assert "May import the college's data: no" in " ".join(unescape(detail).split())


def test_a_custom_role_with_the_right_imports_and_losing_it_stops_a_queued_job(college, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from imports.models import ImportJob

    clerk = f.UserFactory(username="clerk", language="en")
    role = f.RoleFactory(name="Contingent clerk", kind=Role.Kind.CUSTOM, may_import=True)
    role.users.add(clerk)
    client = login(clerk)
    upload = client.post(
        reverse("imports:index"),
        {"kind": "departments", "file": SimpleUploadedFile("d.csv", "name\nЖаңа бөлім\n".encode())},
    )
    assert upload.status_code == 302
    role.may_import = False
    role.save()
    # Their pages are closed now, and a job queued before is refused when it runs.
    assert client.get(upload["Location"]).status_code == 403
    job = ImportJob.objects.create(
        upload="f" * 32, kind="departments", file_name="d.csv", created_by=clerk, language="en"
    )
    from imports import jobs

    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "no longer holds the right" in job.errors[0]["message"]


def test_the_command_asks_the_policy_for_the_named_user(college, tmp_path):
    path = tmp_path / "departments.csv"
    path.write_text("name\nЖаңа бөлім\n", encoding="utf-8")
    with pytest.raises(CommandError, match="does not hold the right to import"):
        call_command("import_college", "departments", str(path), "--user", "teacher", "--language", "en")
    out = io.StringIO()
    call_command(
        "import_college", "departments", str(path), "--user", "registrar", "--language", "en", stdout=out
    )
    assert "Imported: 1 created" in out.getvalue()
    assert AuditEntry.objects.filter(
        action="sync.departments.create", actor=college.users["registrar"]
    ).exists()


def test_the_standard_roles_of_the_demo_college(db):
    call_command("demo_college", stdout=io.StringIO())
    assert Role.objects.get(kind=Role.Kind.REGISTRAR).may_import
    assert not Role.objects.filter(may_import=True).exclude(kind=Role.Kind.REGISTRAR).exists()
    assert Role.objects.get(kind=Role.Kind.REGISTRAR).modules.get(module=Module.OIA_STAFF)
