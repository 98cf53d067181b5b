"""Every persona lands on a sensible page; module pages answer per the policy (ADM-1, ADM-2, LST-1)."""

import pytest
from django.urls import reverse

from tests.personas import PERSONAS

HOME = {
    "anonymous": ("redirect", "/login/"),
    "outsider": (200, "No module is attached to your role yet"),
    "student": ("redirect", reverse("attestation:my_exams")),
    "other_student": ("redirect", reverse("attestation:my_exams")),
    "teacher": (200, "Schedule, conduct and grade final controls of your streams."),
    "other_teacher": (200, "Schedule, conduct and grade final controls of your streams."),
    "registrar": (200, "Schedule, conduct and grade final controls of your streams."),
    "head_dept": (200, "Schedule, conduct and grade final controls of your streams."),
    "head_pcc": (200, "Schedule, conduct and grade final controls of your streams."),
    "reader": (200, "View the conduct of final controls (read mode)."),
    "admin": (200, "Role editor"),
}


@pytest.mark.req("ADM-2")
@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_lands_on_a_sensible_home(college, login, persona):
    expected_status, expected = HOME[persona]
    response = login(college.users.get(persona)).get(reverse("home"))
    if expected_status == "redirect":
        assert response.status_code == 302 and response["Location"].startswith(expected)
    else:
        assert response.status_code == 200
        assert expected in response.content.decode()


STREAM_LIST = {
    "anonymous": 302,
    "outsider": 403,
    "student": 403,
    "other_student": 403,
    "teacher": 200,
    "other_teacher": 200,
    "registrar": 200,
    "head_dept": 200,
    "head_pcc": 200,
    "reader": 200,
    "admin": 403,
}
MY_EXAMS = dict.fromkeys(PERSONAS, 403) | {"anonymous": 302, "student": 200, "other_student": 200}


@pytest.mark.req("ADM-2", "LST-1")
@pytest.mark.parametrize("persona", PERSONAS)
def test_module_pages_answer_per_the_policy(college, login, persona):
    client = login(college.users.get(persona))
    assert client.get(reverse("attestation:stream_list")).status_code == STREAM_LIST[persona]
    assert client.get(reverse("attestation:my_exams")).status_code == MY_EXAMS[persona]


@pytest.mark.req("LST-1", "LST-2")
def test_stream_list_shows_online_main_streams_the_teacher_may_see(college, login):
    page = login(college.users["teacher"]).get(reverse("attestation:stream_list")).content.decode()
    assert "Programming — PO-21" in page
    assert "Databases — EK-31" not in page  # not conducted online
    assert "History — EK-31" not in page  # someone else's


@pytest.mark.req("LST-1")
def test_stream_list_query_count_does_not_grow_with_streams(college, login, django_assert_max_num_queries):
    from tests import factories as f

    client = login(college.users["registrar"])
    client.get(reverse("attestation:stream_list"))
    with django_assert_max_num_queries(15) as small:
        client.get(reverse("attestation:stream_list"))
    for i in range(20):
        stream = f.StreamFactory(
            name=f"Extra {i}", teacher=college.users["teacher"].staff, groups=college.groups
        )
        stream.journal.conduct_online = True
        stream.journal.save()
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(reverse("attestation:stream_list")).content.decode()
    assert "Extra 19" in page


@pytest.mark.req("STU-1")
def test_student_cabinet_lists_own_online_final_controls(college, login):
    page = login(college.users["student"]).get(reverse("attestation:my_exams")).content.decode()
    assert college.streams.teacher_a.discipline.name in page
    assert college.streams.other_a.discipline.name in page
    assert college.streams.other_b.discipline.name not in page  # another group's stream
