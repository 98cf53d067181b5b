"""Every file names its rows as the college writes them (X-13): each of the thirteen kinds imports
without a single external ID, referencing other rows by name, code or login — and the same data
with external IDs adopts those rows instead of copying them."""

import pytest

from college import models as c
from imports.entities import ENTITIES
from imports.models import ExternalRef
from imports.tables import import_file
from tests import factories as f

pytestmark = pytest.mark.req("X-13")

# The college as a registrar's files write it: no external IDs anywhere.
BY_NAME = {
    "departments": "name\nБағдарламалау бөлімі\n",
    "pccs": "name\nИнформатика ПЦК\n",
    "specialties": "code,name\n06130100,Бағдарламалық қамтамасыз ету\n",
    "qualifications": "code,name,specialty\n4S06130103,Әзірлеуші,06130100\n",
    "study-periods": "name,months\n2 ж 10 ай,34\n",
    "groups": (
        "name,department,specialty,qualification,study_period,technology,language,course\n"
        "ПО-25,Бағдарламалау бөлімі,06130100,4S06130103,2 ж 10 ай,credit,kk,1\n"
        "ЕТ-24,Бағдарламалау бөлімі,Бағдарламалық қамтамасыз ету,Әзірлеуші,2 ж 10 ай,traditional,ru,2\n"
    ),
    "students": (
        "last_name,first_name,record_book_number,group,iin\n"
        "Әбенов,Арман,ZK-101,ПО-25,000101500011\n"
        "Иванова,Мария,ZK-102,ЕТ-24,\n"
    ),
    "staff": (
        "last_name,first_name,username,department,pcc,position\n"
        "Сейітова,Әйгерім,aseitova,Бағдарламалау бөлімі,Информатика ПЦК,оқытушы\n"
    ),
    "disciplines": "name,pcc\nАлгоритмдер,Информатика ПЦК\n",
    "streams": (
        "name,discipline,teacher,academic_year,academic_period,groups\n"
        "Алгоритмдер — ПО-25 + ЕТ-24,Алгоритмдер,aseitova,{year},1,ПО-25; ЕТ-24\n"
    ),
    "journals": "stream,final_form,conduct_online\nАлгоритмдер — ПО-25 + ЕТ-24,written,yes\n",
    "admissions": "stream,student,admitted,reason\nАлгоритмдер — ПО-25 + ЕТ-24,ZK-102,no,Қарыз\n",
    "schedules": (
        "group,academic_year,academic_period,attestation_starts_on,attestation_ends_on\n"
        "ПО-25,{year},1,20.12.2026,05.01.2027\n"
    ),
}

# The same college from a system that has IDs: every row carries its own and names others by theirs.
BY_ID = {
    "departments": "external_id,name\nD-1,Бағдарламалау бөлімі\n",
    "pccs": "external_id,name\nP-1,Информатика ПЦК\n",
    "specialties": "external_id,code,name\nS-1,06130100,Бағдарламалық қамтамасыз ету\n",
    "qualifications": "external_id,code,name,specialty\nQ-1,4S06130103,Әзірлеуші,S-1\n",
    "study-periods": "external_id,name,months\nSP-1,2 ж 10 ай,34\n",
    "groups": (
        "external_id,name,department,specialty,qualification,study_period,technology,language,course\n"
        "G-1,ПО-25,D-1,S-1,Q-1,SP-1,credit,kk,1\n"
        "G-2,ЕТ-24,D-1,S-1,Q-1,SP-1,traditional,ru,2\n"
    ),
    "students": (
        "external_id,last_name,first_name,record_book_number,group,iin\n"
        "ST-1,Әбенов,Арман,ZK-101,G-1,000101500011\n"
        "ST-2,Иванова,Мария,ZK-102,G-2,\n"
    ),
    "staff": (
        "external_id,last_name,first_name,username,department,pcc,position\n"
        "T-1,Сейітова,Әйгерім,aseitova,D-1,P-1,оқытушы\n"
    ),
    "disciplines": "external_id,name,pcc\nDS-1,Алгоритмдер,P-1\n",
    "streams": (
        "external_id,name,discipline,teacher,academic_year,academic_period,groups\n"
        "STR-1,Алгоритмдер — ПО-25 + ЕТ-24,DS-1,T-1,{year},1,G-1; G-2\n"
    ),
    "journals": "stream,final_form,conduct_online\nSTR-1,written,yes\n",
    "admissions": "stream,student,admitted,reason\nSTR-1,ST-2,no,Қарыз\n",
    "schedules": (
        "group,academic_year,academic_period,attestation_starts_on,attestation_ends_on\n"
        "G-1,{year},1,20.12.2026,05.01.2027\n"
    ),
}


def run(kind, text, tmp_path, year):
    path = tmp_path / f"{kind}.csv"
    path.write_text(text.format(year=year), encoding="utf-8")
    outcome = import_file(ENTITIES[kind], path)
    assert outcome.ok, (kind, outcome.errors)
    return outcome


@pytest.fixture
def year(db):
    return f.AcademicPeriodFactory().year.name


def test_every_kind_imports_without_external_ids_and_then_adopts_them(tmp_path, year):
    assert list(BY_NAME) == list(ENTITIES)  # every kind is covered
    for kind, text in BY_NAME.items():
        outcome = run(kind, text, tmp_path, year)
        assert outcome.created + outcome.updated >= 1, kind  # a stream brings its journal along
    stream = c.Stream.objects.get()
    assert set(stream.groups.values_list("name", flat=True)) == {"ПО-25", "ЕТ-24"}
    assert set(stream.students.values_list("record_book_number", flat=True)) == {"ZK-101", "ZK-102"}
    assert stream.follows_groups and stream.journal.conduct_online
    assert c.Admission.objects.get().reason == "Қарыз"
    assert not ExternalRef.objects.exists()
    # Again without IDs: every row is matched by its natural key and nothing changes.
    for kind, text in BY_NAME.items():
        outcome = run(kind, text, tmp_path, year)
        assert (outcome.created, outcome.updated) == (0, 0), kind
    # With IDs: the same rows are adopted (linked to their IDs), never copied.
    counts = {kind: ENTITIES[kind].model.objects.count() for kind in ENTITIES}
    for kind, text in BY_ID.items():
        outcome = run(kind, text, tmp_path, year)
        assert outcome.created == 0, kind
    assert counts == {kind: ENTITIES[kind].model.objects.count() for kind in ENTITIES}
    assert ExternalRef.objects.filter(kind="streams", external_id="STR-1", object_id=stream.pk).exists()


def test_every_kind_imports_with_external_ids_from_the_start(tmp_path, year):
    for kind, text in BY_ID.items():
        outcome = run(kind, text, tmp_path, year)
        assert outcome.created + outcome.updated >= 1, kind  # a stream brings its journal along
    assert ExternalRef.objects.filter(kind="groups").count() == 2
    assert c.Stream.objects.get().students.count() == 2


def test_a_name_that_fits_two_rows_is_refused_with_the_reason(tmp_path, year):
    run("pccs", BY_NAME["pccs"], tmp_path, year)
    c.Discipline.objects.create(name="Алгоритмдер")
    c.Discipline.objects.create(name="Алгоритмдер")
    run("departments", BY_NAME["departments"], tmp_path, year)
    run("staff", BY_NAME["staff"], tmp_path, year)
    path = tmp_path / "streams.csv"
    path.write_text(BY_NAME["streams"].format(year=year).replace("ПО-25; ЕТ-24", "ПО-25"), encoding="utf-8")
    from django.utils import translation

    with translation.override("en"):
        outcome = import_file(ENTITIES["streams"], path)
    messages = [e.message for e in outcome.errors]
    assert "“Алгоритмдер” names several rows of “Disciplines”: write its external ID instead." in messages
