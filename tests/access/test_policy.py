"""The access policy, persona by persona (ADM-1…ADM-6, LST-2)."""

import pytest

from access.models import License, Module
from access.policy import Access
from tests import factories as f

# persona → (streams visible, streams editable, has staff module, may define settings)
EXPECTED = {
    "outsider": (set(), set(), False, False),
    "student": (set(), set(), False, False),
    "teacher": ({"teacher_a", "teacher_b_offline"}, {"teacher_a", "teacher_b_offline"}, True, False),
    "other_teacher": ({"other_b", "other_a"}, {"other_b", "other_a"}, True, False),
    "registrar": (
        {"teacher_a", "teacher_b_offline", "other_b", "other_a"},
        {"teacher_a", "teacher_b_offline", "other_b", "other_a"},
        True,
        True,
    ),
    # ADM-5: heads see exactly their own unit's streams, in read mode.
    "head_dept": ({"teacher_a", "other_a"}, set(), True, False),
    "head_pcc": ({"teacher_a", "teacher_b_offline"}, set(), True, False),
    "reader": ({"teacher_a", "teacher_b_offline", "other_b", "other_a"}, set(), True, False),
    "admin": (set(), set(), False, False),
}


def _names(college, queryset):
    by_pk = {s.pk: name for name, s in vars(college.streams).items()}
    return {by_pk[pk] for pk in queryset.values_list("pk", flat=True)}


@pytest.mark.req("ADM-3", "ADM-4", "ADM-5", "LST-2")
@pytest.mark.parametrize("persona", EXPECTED)
def test_persona_sees_and_edits_exactly_their_streams(college, persona):
    visible, editable, staff_module, settings_right = EXPECTED[persona]
    access = Access(college.users[persona])
    assert _names(college, access.visible_streams()) == visible
    assert _names(college, access.editable_streams()) == editable
    assert access.has_staff_module is staff_module
    assert access.can_edit_settings is settings_right
    for name, stream in vars(college.streams).items():
        assert access.can_view_stream(stream) is (name in visible)
        assert access.can_edit_stream(stream) is (name in editable)


@pytest.mark.req("ADM-2")
@pytest.mark.parametrize("persona", ["student", "other_student", "student_b"])
def test_students_hold_the_student_module_only(college, persona):
    access = Access(college.users[persona])
    assert access.has_student_module
    assert not access.has_staff_module


@pytest.mark.req("ADM-2")
def test_student_module_on_a_staff_role_gives_nothing(college):
    f.attach(college.roles.teacher, Module.OIA_STUDENT)
    assert not Access(college.users["teacher"]).has_student_module


@pytest.mark.req("ADM-1")
def test_without_the_license_no_module_is_in_effect(college):
    f.set_license(License.Code.ONLINE_IA, False)
    for persona in ["teacher", "registrar", "reader"]:
        access = Access(college.users[persona])
        assert not access.has_staff_module
        assert not access.visible_streams().exists()
    assert not Access(college.users["student"]).has_student_module


@pytest.mark.req("ADM-1")
def test_fsa_module_needs_the_fsa_license(college):
    f.attach(college.roles.registrar, Module.FSA_STAFF, mode="edit", may_define_settings=True)
    assert not Access(college.users["registrar"], Module.FSA_STAFF).has_staff_module
    f.set_license(License.Code.ONLINE_FSA, True)
    assert Access(college.users["registrar"], Module.FSA_STAFF).can_edit_settings


@pytest.mark.req("ADM-6")
@pytest.mark.parametrize(
    "scope, expected",
    [
        ("study_periods", {"teacher_a", "other_a"}),
        ("departments", {"other_b", "teacher_b_offline"}),
        ("pccs", {"other_b", "other_a"}),
    ],
)
def test_role_restricted_by_scope_sees_only_matching_streams(college, scope, expected):
    rm = college.roles.registrar.modules.get()
    value = {
        "study_periods": [college.study_periods[0]],
        "departments": [college.departments[1]],
        "pccs": [college.pccs[1]],
    }[scope]
    getattr(rm, scope).set(value)
    assert _names(college, Access(college.users["registrar"]).visible_streams()) == expected


@pytest.mark.req("ADM-6")
def test_scopes_combine_and_apply_to_own_streams_too(college):
    rm = college.roles.teacher.modules.get()
    rm.study_periods.set([college.study_periods[1]])
    assert _names(college, Access(college.users["teacher"]).visible_streams()) == {"teacher_b_offline"}
    rm.departments.set([college.departments[0]])
    assert _names(college, Access(college.users["teacher"]).visible_streams()) == set()


@pytest.mark.req("ADM-4", "ADM-5")
def test_head_without_view_all_sees_only_own_streams(college):
    rm = college.roles.head_dept.modules.get()
    rm.may_view_all = False
    rm.save()
    stream = f.StreamFactory(teacher=college.users["head_dept"].staff, groups=[college.groups[1]])
    visible = set(Access(college.users["head_dept"]).visible_streams().values_list("pk", flat=True))
    assert visible == {stream.pk}


@pytest.mark.req("ADM-3")
def test_several_roles_add_up(college):
    """A user may hold several roles: read-mode view-all plus an edit-mode teacher role."""
    college.roles.reader.users.add(college.users["teacher"])
    access = Access(college.users["teacher"])
    assert len(_names(college, access.visible_streams())) == 4
    assert _names(college, access.editable_streams()) == {"teacher_a", "teacher_b_offline"}


@pytest.mark.req("LST-2")
def test_non_main_streams_are_never_visible(college):
    stream = college.streams.teacher_a
    stream.is_main = False
    stream.save()
    assert not Access(college.users["registrar"]).can_view_stream(stream)


def test_grading_right_needs_edit_mode_or_own_stream(college):
    access = Access(college.users["registrar"])
    assert access.can_grade_stream(college.streams.other_b)
    teacher = Access(college.users["teacher"])
    assert teacher.can_grade_stream(college.streams.teacher_a)
    assert not teacher.can_grade_stream(college.streams.other_b)
    assert not Access(college.users["reader"]).can_grade_stream(college.streams.teacher_a)
