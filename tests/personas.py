"""A small college with one user per persona, shared by the tests.

Personas: teacher, other_teacher, registrar, head_dept, head_pcc, reader (read-mode staff with
"view all"), admin, student, other_student, outsider (a user with no role).
"""

from types import SimpleNamespace

import pytest

from access.models import License, Module, Role
from tests import factories as f

PERSONAS = [
    "anonymous",
    "outsider",
    "student",
    "other_student",
    "teacher",
    "other_teacher",
    "registrar",
    "head_dept",
    "head_pcc",
    "reader",
    "admin",
]


def _staff(username, **kwargs):
    return f.StaffFactory(user=f.UserFactory(username=username), **kwargs)


@pytest.fixture
def college(db):
    f.set_license(License.Code.ONLINE_IA, True)
    f.set_license(License.Code.ONLINE_FSA, False)
    dept_a, dept_b = (
        f.DepartmentFactory(name="IT department"),
        f.DepartmentFactory(name="Economics department"),
    )
    pcc_a, pcc_b = f.PccFactory(name="Programming PCC"), f.PccFactory(name="Humanities PCC")
    sp_short = f.StudyPeriodFactory(months=34, name="2 y 10 m")
    sp_long = f.StudyPeriodFactory(months=46, name="3 y 10 m")
    group_a = f.GroupFactory(name="PO-21", department=dept_a, study_period=sp_short)
    group_b = f.GroupFactory(name="EK-31", department=dept_b, study_period=sp_long)

    student = f.StudentFactory(user=f.UserFactory(username="student"), group=group_a)
    other_student = f.StudentFactory(user=f.UserFactory(username="other_student"), group=group_a)
    student_b = f.StudentFactory(user=f.UserFactory(username="student_b"), group=group_b)

    teacher = _staff("teacher", department=dept_a, pcc=pcc_a)
    other_teacher = _staff("other_teacher", department=dept_b, pcc=pcc_b)
    registrar = _staff("registrar", department=None, pcc=None)
    head_dept = _staff("head_dept", department=dept_a, pcc=pcc_b)
    head_pcc = _staff("head_pcc", department=dept_b, pcc=pcc_a)
    reader = _staff("reader", department=None, pcc=None)
    admin = _staff("admin", department=None, pcc=None)
    outsider = f.UserFactory(username="outsider")
    dept_a.head, pcc_a.head = head_dept.user, head_pcc.user
    dept_a.save()
    pcc_a.save()

    roles = SimpleNamespace(
        student=f.RoleFactory(name="Student", kind=Role.Kind.STUDENT),
        teacher=f.RoleFactory(name="Teacher", kind=Role.Kind.TEACHER),
        registrar=f.RoleFactory(name="Registrar", kind=Role.Kind.REGISTRAR, may_import=True),
        head_dept=f.RoleFactory(name="Head of department", kind=Role.Kind.HEAD_DEPARTMENT),
        head_pcc=f.RoleFactory(name="Head of PCC", kind=Role.Kind.HEAD_PCC),
        reader=f.RoleFactory(name="Methodologist", kind=Role.Kind.CUSTOM),
        admin=f.RoleFactory(name="Administrator", kind=Role.Kind.ADMINISTRATOR),
    )
    f.attach(roles.student, Module.OIA_STUDENT)
    f.attach(roles.teacher, Module.OIA_STAFF, mode="edit")
    f.attach(
        roles.registrar,
        Module.OIA_STAFF,
        mode="edit",
        may_view_all=True,
        may_define_settings=True,
        may_grade=True,
    )
    f.attach(roles.head_dept, Module.OIA_STAFF, mode="read", may_view_all=True)
    f.attach(roles.head_pcc, Module.OIA_STAFF, mode="read", may_view_all=True)
    f.attach(roles.reader, Module.OIA_STAFF, mode="read", may_view_all=True)
    roles.student.users.add(student.user, other_student.user, student_b.user)
    roles.teacher.users.add(teacher.user, other_teacher.user, head_dept.user, head_pcc.user)
    roles.registrar.users.add(registrar.user)
    roles.head_dept.users.add(head_dept.user)
    roles.head_pcc.users.add(head_pcc.user)
    roles.reader.users.add(reader.user)
    roles.admin.users.add(admin.user)

    def stream(name, teacher_, group, online=True, **kwargs):
        s = f.StreamFactory(name=name, teacher=teacher_, groups=[group], **kwargs)
        s.journal.conduct_online = online
        s.journal.save()
        return s

    streams = SimpleNamespace(
        # teacher (PCC A), group A (dept A, short study period)
        teacher_a=stream("Programming — PO-21", teacher, group_a),
        # other teacher (PCC B), group B (dept B, long study period)
        other_b=stream("History — EK-31", other_teacher, group_b),
        # other teacher (PCC B), group A (dept A)
        other_a=stream("Philosophy — PO-21", other_teacher, group_a),
        # teacher, group B, not online
        teacher_b_offline=stream("Databases — EK-31", teacher, group_b, online=False),
    )
    users = {
        "outsider": outsider,
        "student": student.user,
        "other_student": other_student.user,
        "student_b": student_b.user,
        "teacher": teacher.user,
        "other_teacher": other_teacher.user,
        "registrar": registrar.user,
        "head_dept": head_dept.user,
        "head_pcc": head_pcc.user,
        "reader": reader.user,
        "admin": admin.user,
    }
    return SimpleNamespace(
        users=users,
        roles=roles,
        streams=streams,
        departments=(dept_a, dept_b),
        pccs=(pcc_a, pcc_b),
        study_periods=(sp_short, sp_long),
        groups=(group_a, group_b),
    )


@pytest.fixture
def login(client):
    """``login(user)`` → the test client signed in as that user (or anonymous for None)."""

    def _login(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return _login
