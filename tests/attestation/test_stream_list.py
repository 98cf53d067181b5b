"""The streams list "Online intermediate attestation": search, filters, links, pages (LST-1…LST-4)."""

import datetime
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.urls import reverse

from college.models import TrainingTechnology
from tests import factories as f


def list_url(**params):
    url = reverse("attestation:stream_list")
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


@pytest.fixture
def today():
    """A day of the first academic period of the factories' year 2026-2027."""
    with time_machine.travel("2026-11-28 10:00 +0500", tick=False):
        yield datetime.date(2026, 11, 28)


@pytest.fixture
def registrar(today, college, login):
    """Sees every stream (ADM-4(b)), so the filters alone decide what is listed."""
    return login(college.users["registrar"])


def online_stream(name, groups, **kwargs):
    stream = f.StreamFactory(name=name, groups=groups, **kwargs)
    stream.journal.conduct_online = True
    stream.journal.save()
    return stream


def get(client, **params):
    response = client.get(list_url(**params))
    assert response.status_code == 200
    return response.content.decode()


ROW = re.compile(r'<td><a href="([^"]+)">[^<]*</a></td>\s*<td><a href="\1">([^<]*)</a></td>')


def listed(html):
    """The stream names of the table's rows, in order (each row links discipline and stream alike)."""
    return [unescape(name) for _href, name in ROW.findall(html)]


def select(html, name):
    """(options as [(value, label)], the selected value) of the <select name=...>."""
    body = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', body)
    chosen = re.findall(r'<option value="([^"]*)" selected>', body)
    return options, chosen[0] if chosen else None


# --- LST-1, LST-4: the table ----------------------------------------------------------------


@pytest.mark.req("LST-1", "LST-4")
def test_discipline_and_stream_names_link_to_the_stream_page(registrar, college):
    html = get(registrar)
    stream = college.streams.teacher_a
    href = reverse("attestation:stream", args=[stream.pk])
    assert f'<td><a href="{href}">{stream.discipline.name}</a></td>' in html
    assert f'<td><a href="{href}">{stream.name}</a></td>' in html
    assert "<title>Online intermediate attestation" in html


@pytest.mark.req("LST-1")
def test_the_row_shows_teacher_groups_year_period_and_students(registrar, college):
    stream = online_stream(
        "Algorithms — both",
        list(college.groups),
        teacher=college.users["teacher"].staff,
        discipline=f.DisciplineFactory(name="Algorithms"),
    )
    html = get(registrar, q="Algorithms")
    row = re.search(
        r"<tr>\s*<td><a[^>]*>[^<]*</a></td>\s*<td><a[^>]*>Algorithms — both</a></td>(.*?)</tr>", html, re.S
    )
    cells = [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]
    teacher = college.users["teacher"]
    assert cells == [teacher.full_name, "EK-31, PO-21", "2026-2027", "1", str(stream.students.count())]
    assert stream.students.count() == 3


# --- LST-3: defaults ---------------------------------------------------------------------------


@pytest.fixture
def years(college):
    """Last year (one period), this year's second period, and a year whose periods start at 2."""
    last = f.AcademicYearFactory(
        name="2025-2026", starts_on=datetime.date(2025, 9, 1), ends_on=datetime.date(2026, 6, 30)
    )
    last_p1 = f.AcademicPeriodFactory(
        year=last, number=1, starts_on=datetime.date(2025, 9, 1), ends_on=datetime.date(2026, 1, 10)
    )
    this_p1 = college.streams.teacher_a.academic_period
    this_p2 = f.AcademicPeriodFactory(
        year=this_p1.year, number=2, starts_on=datetime.date(2027, 1, 11), ends_on=datetime.date(2027, 6, 30)
    )
    odd = f.AcademicYearFactory(
        name="2024-2025", starts_on=datetime.date(2024, 9, 1), ends_on=datetime.date(2025, 6, 30)
    )
    odd_p2 = f.AcademicPeriodFactory(
        year=odd, number=2, starts_on=datetime.date(2025, 1, 11), ends_on=datetime.date(2025, 6, 30)
    )
    group = college.groups[0]
    return {
        "last": online_stream("Last year's stream", [group], academic_period=last_p1),
        "this_p2": online_stream("Second period stream", [group], academic_period=this_p2),
        "odd": online_stream("Period-2-only year stream", [group], academic_period=odd_p2),
    }


@pytest.mark.req("LST-3")
def test_defaults_are_the_current_year_and_its_first_period(registrar, college, years):
    html = get(registrar)
    period = college.streams.teacher_a.academic_period
    year_options, year = select(html, "academic_year")
    period_options, chosen_period = select(html, "academic_period")
    assert year == str(period.year_id) and chosen_period == str(period.pk)
    # Year and period always have a value: no "All" among their options; the period lists this year's.
    assert [label for _, label in year_options] == ["2026-2027", "2025-2026", "2024-2025"]
    assert period_options == [
        (str(period.pk), "Academic period 1"),
        (str(years["this_p2"].academic_period_id), "Academic period 2"),
    ]
    assert sorted(listed(html)) == ["History — EK-31", "Philosophy — PO-21", "Programming — PO-21"]


@pytest.mark.req("LST-3")
def test_the_current_year_follows_the_calendar(college, login, years):
    with time_machine.travel("2026-03-02 10:00 +0500", tick=False):
        html = get(login(college.users["registrar"]))
    assert select(html, "academic_year")[1] == str(years["last"].academic_period.year_id)
    assert listed(html) == ["Last year's stream"]


@pytest.mark.req("LST-3")
def test_academic_year_and_period_filters_narrow_the_list(registrar, college, years):
    p2 = years["this_p2"].academic_period
    assert listed(get(registrar, academic_period=p2.pk)) == ["Second period stream"]
    # Another year: its first period by default…
    assert listed(get(registrar, academic_year=years["last"].academic_period.year_id)) == [
        "Last year's stream"
    ]
    # …which is the lowest one when the year has no period 1.
    html = get(registrar, academic_year=years["odd"].academic_period.year_id)
    assert select(html, "academic_period")[1] == str(years["odd"].academic_period_id)
    assert listed(html) == ["Period-2-only year stream"]
    # A period left over from the year the user just changed gives way to the new year's first one.
    html = get(registrar, academic_year=years["last"].academic_period.year_id, academic_period=p2.pk)
    assert listed(html) == ["Last year's stream"]


# --- LST-3: search -----------------------------------------------------------------------------


@pytest.fixture
def searchable(today, college):
    teacher = f.StaffFactory(
        user=f.UserFactory(
            username="akhmetov", last_name="Akhmetov", first_name="Nurlan", patronymic="Serikuly"
        )
    )
    kazakh = f.StaffFactory(
        user=f.UserFactory(
            username="omarova", last_name="Омарова", first_name="Әйгерім", patronymic="Болатқызы"
        )
    )
    group = college.groups[0]
    online_stream(
        "Statistics — PO-21", [group], teacher=teacher, discipline=f.DisciplineFactory(name="Statistics")
    )
    online_stream(
        "Kazakh — PO-21", [group], teacher=kazakh, discipline=f.DisciplineFactory(name="Қазақ тілі")
    )


@pytest.mark.req("LST-3")
@pytest.mark.parametrize(
    "query, expected",
    [
        ("Akhmetov", ["Statistics — PO-21"]),  # surname
        ("akhm", ["Statistics — PO-21"]),  # any part, any case
        ("NURLAN", ["Statistics — PO-21"]),  # first name
        ("serik", ["Statistics — PO-21"]),  # patronymic
        ("Akhmetov Nurlan", ["Statistics — PO-21"]),  # the full name
        ("Nurlan Omarova", []),  # two different people
        ("омаров", ["Kazakh — PO-21"]),  # Cyrillic, another case
        ("statis", ["Statistics — PO-21"]),  # discipline name
        ("ҚАЗАҚ", ["Kazakh — PO-21"]),  # Kazakh letters, another case
        ("  Statistics  ", ["Statistics — PO-21"]),  # spaces around
        ("nobody", []),
    ],
)
def test_search_by_teacher_name_or_discipline(registrar, searchable, query, expected):
    html = get(registrar, q=query)
    assert listed(html) == expected
    if not expected:
        assert "No streams match the search and filters." in html


# --- LST-3: the group-level filters --------------------------------------------------------------


def _differing_groups(attribute, college):
    """Two groups that differ in ``attribute`` (and in every attribute made per group)."""
    a = {"study_period": college.study_periods[0]}
    b = {"study_period": f.StudyPeriodFactory(months=22)}
    if attribute == "technology":
        b["technology"] = f.TechnologyFactory(scale=TrainingTechnology.Scale.CREDIT, name="Credit")
    if attribute == "language":
        b["language"] = f.LanguageFactory(code="ru", name="Russian")
    if attribute == "study_period":
        a["technology"] = b["technology"] = f.TechnologyFactory()
    return f.GroupFactory(name="X-1", **a), f.GroupFactory(name="Y-1", **b)


GROUP_FILTERS = {
    "technology": lambda g: g.technology_id,
    "study_period": lambda g: g.study_period_id,
    "language": lambda g: g.language_id,
    "specialty": lambda g: g.specialty_id,
    "qualification": lambda g: g.qualification_id,
    "group": lambda g: g.pk,
}


@pytest.mark.req("LST-3")
@pytest.mark.parametrize("name", list(GROUP_FILTERS))
def test_each_group_level_filter_narrows_the_list(registrar, college, name):
    x, y = _differing_groups(name, college)
    assert GROUP_FILTERS[name](x) != GROUP_FILTERS[name](y)
    online_stream("Stream of X", [x])
    online_stream("Stream of Y", [y])
    online_stream("Stream of X and Y", [x, y])

    html = get(registrar, **{name: GROUP_FILTERS[name](y)})
    assert sorted(listed(html)) == ["Stream of X and Y", "Stream of Y"]
    options, chosen = select(html, name)
    assert options[0] == ("", "All") and chosen == str(GROUP_FILTERS[name](y))
    # The filter is optional: "All" lists everything of the period again.
    assert len(listed(get(registrar, **{name: ""}))) == 6


@pytest.mark.req("LST-3")
def test_group_level_filters_apply_to_one_and_the_same_group(registrar, college):
    x, y = _differing_groups("language", college)
    online_stream("Stream of X and Y", [x, y])
    # Y is Russian; X is not: "group X taught in Russian" is no group of this stream.
    assert listed(get(registrar, group=x.pk, language=y.language_id)) == []
    assert listed(get(registrar, group=y.pk, language=y.language_id)) == ["Stream of X and Y"]


@pytest.mark.req("LST-3")
def test_a_stream_with_two_matching_groups_is_listed_once(registrar, college):
    tech = college.groups[0].technology_id
    online_stream("Both groups", list(college.groups), discipline=f.DisciplineFactory(name="Both"))
    assert college.groups[1].technology_id == tech
    for params in (
        {},
        {"technology": tech},
        {"q": "Both"},
        {"technology": tech, "language": college.groups[0].language_id},
    ):
        html = get(registrar, **params)
        assert listed(html).count("Both groups") == 1, params


# --- LST-3: bookmarkable, paginated, robust ---------------------------------------------------------


@pytest.mark.req("LST-3")
def test_filters_survive_in_the_pagination_links(registrar, college):
    group = college.groups[1]
    for i in range(30):
        online_stream(
            f"Paged {i:02}", [group], discipline=f.DisciplineFactory(name=f"Paged discipline {i:02}")
        )
    html = get(registrar, q="Paged", group=group.pk)
    assert len(listed(html)) == 25
    assert "Page 1 of 2" in html and "30 streams" in html
    href = re.search(r'<a href="([^"]+)" rel="next">', html).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(href).query) == {"q": ["Paged"], "group": [str(group.pk)], "page": ["2"]}

    page_2 = registrar.get(reverse("attestation:stream_list") + href).content.decode()
    assert listed(page_2) == [f"Paged {i:02}" for i in range(25, 30)]
    assert "Page 2 of 2" in page_2
    back = re.search(r'<a href="([^"]+)" rel="prev">', page_2).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(back).query) == {"q": ["Paged"], "group": [str(group.pk)], "page": ["1"]}


@pytest.mark.req("LST-3")
def test_the_form_keeps_its_values_and_reset_returns_to_the_defaults(registrar, college):
    surname = college.users["other_teacher"].last_name
    html = get(registrar, q=surname, study_period=college.study_periods[1].pk)
    assert f'name="q" value="{surname}"' in html
    assert select(html, "study_period")[1] == str(college.study_periods[1].pk)
    assert listed(html) == ["History — EK-31"]
    assert f'<a class="button" href="{reverse("attestation:stream_list")}">Reset</a>' in html
    for name in ("q", *GROUP_FILTERS, "academic_year", "academic_period"):
        assert re.search(rf'<label for="id_{name}">[^<]+</label>', html), name


@pytest.mark.req("LST-3")
@pytest.mark.parametrize(
    "params",
    [
        {"group": "abc"},
        {"technology": "999999"},
        {"academic_year": "999999"},
        {"academic_year": "x"},
        {"academic_period": "999999"},
        {"specialty": "1.5"},
        {"q": "x" * 101},
    ],
)
def test_invalid_filter_values_show_an_error_and_list_nothing(registrar, params):
    html = get(registrar, **params)
    assert "Some filter values are not valid. Correct them or reset the filters." in html
    (name,) = params
    assert re.search(rf'<ul class="errorlist" id="id_{name}_error"><li>[^<]+</li></ul>', html)
    assert listed(html) == []


@pytest.mark.req("LST-3")
def test_an_invalid_page_number_shows_a_page(registrar):
    assert len(listed(get(registrar, page="zz"))) == 3
    assert len(listed(get(registrar, page="99"))) == 3


# --- LST-2: who sees what, filters or not ---------------------------------------------------------


@pytest.mark.req("LST-2")
def test_anonymous_is_sent_to_log_in_and_a_student_is_refused(today, college, login):
    response = login(None).get(list_url(q="History"))
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert login(college.users["student"]).get(list_url(q="History")).status_code == 403


@pytest.mark.req("LST-2")
def test_a_teacher_sees_only_own_streams_whatever_the_filters(today, college, login):
    client = login(college.users["teacher"])
    assert listed(get(client)) == ["Programming — PO-21"]
    assert listed(get(client, q="History")) == []
    assert listed(get(client, group=college.groups[1].pk)) == []  # others' and offline streams
    assert listed(get(client, group=college.groups[0].pk)) == ["Programming — PO-21"]


# --- the query budget ---------------------------------------------------------------------------------


@pytest.mark.req("LST-1", "LST-3")
@pytest.mark.parametrize("filtered", [False, True])
def test_the_query_count_does_not_grow_with_streams(
    registrar, college, django_assert_max_num_queries, filtered
):
    group_a, group_b = college.groups
    teacher = college.users["teacher"]
    params = (
        {"q": teacher.last_name, "technology": group_a.technology_id, "group": group_b.pk} if filtered else {}
    )

    def add_streams(start, stop):
        for i in range(start, stop):
            online_stream(f"Extra {i:02}", [group_a, group_b], teacher=teacher.staff)

    add_streams(0, 10)
    get(registrar, **params)
    with django_assert_max_num_queries(50) as small:
        assert len(listed(get(registrar, **params))) == 10 + (0 if filtered else 3)  # + the college's
    add_streams(10, 60)
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = get(registrar, **params, page=2)
    assert len(listed(html)) == 25 and "Page 2 of 3" in html
