"""#14.8 in real Chromium: students sort as a Kazakh reader expects (А Ә Б … Қ … І … Я), and as a
Russian reader expects once the interface is Russian — on the stream page, in the distribute dialog
and in the grade sheet (SLT-1, SLT-4, X-6, X-8). The database's order (code points) puts Ә, Қ, І
after Я."""

import datetime
import io

import pytest
from django.utils import translation
from playwright.sync_api import expect

from college.models import AcademicSchedule
from core.clock import local_today
from tests import factories as f
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

SURNAMES = ["Яковлев", "Әлиев", "Қасымов", "Ахметов", "Іскаков"]  # as they were created
KAZAKH = ["Ахметов", "Әлиев", "Қасымов", "Іскаков", "Яковлев"]
RUSSIAN = ["Ахметов", "Әлиев", "Іскаков", "Қасымов", "Яковлев"]


def label(language, text):
    """A control's visible label in the interface language (the test reads the catalogue)."""
    with translation.override(language):
        return translation.gettext(text)


def surnames(locator):
    return [name.split()[0] for name in locator.all_inner_texts()]


@pytest.fixture
def kazakh_stream(college):
    group = f.GroupFactory(name="ЕТ-24", department=college.departments[0])
    for number, surname in enumerate(SURNAMES, start=1):
        f.StudentFactory(
            user=f.UserFactory(username=f"kz{number}", last_name=surname, first_name="Нұр", patronymic=""),
            group=group,
        )
    teacher = college.users["teacher"].staff
    stream = f.StreamFactory(name="Қазақ тілі — ЕТ-24", teacher=teacher, groups=[group])
    stream.journal.conduct_online = True
    stream.journal.save()
    today = local_today()
    AcademicSchedule.objects.create(
        group=group,
        academic_period=stream.academic_period,
        attestation_starts_on=today,
        attestation_ends_on=today + datetime.timedelta(days=30),
    )
    return stream


@pytest.mark.req("SLT-1", "SLT-4", "X-6", "X-8")
def test_students_sort_in_the_kazakh_then_the_russian_alphabet(
    college, kazakh_stream, new_page, guard, screenshot
):
    teacher = college.users["teacher"]
    teacher.language = "kk"
    teacher.save()
    page = guard(new_page(viewport={"width": 1366, "height": 900}))
    login(page, teacher)
    page.get_by_text(label("kk", "Online attestation"), exact=True).click()
    page.locator(".menu").get_by_role("link", name=label("kk", "Intermediate attestation")).click()
    page.get_by_role("link", name=kazakh_stream.name).click()

    # The undistributed students, then the same in the distribute dialog.
    undistributed = page.locator("#stream-page > table.table tbody tr td:first-child")
    expect(undistributed).to_have_count(5)
    assert surnames(undistributed) == KAZAKH
    page.get_by_role("button", name=label("kk", "Distribute students")).click()
    dialog = page.locator("#dialog-distribute")
    expect(dialog).to_be_visible()
    assert surnames(dialog.locator("tbody tr td:nth-child(2)")) == KAZAKH
    screenshot(page, "distribute-kk")

    # Schedule all of them: the slot's table keeps the order.
    day = local_today() + datetime.timedelta(days=2)
    dialog.locator("input[type=datetime-local]").fill(f"{day:%Y-%m-%d}T10:00")
    dialog.locator("input[type=time]").fill("12:00")
    dialog.locator("[data-select-all]").check()
    dialog.locator("button[type=submit].primary").click()
    table = page.locator("#slot-live table tbody tr")
    expect(table).to_have_count(5)
    assert surnames(page.locator("#slot-live table tbody tr td:first-child")) == KAZAKH
    screenshot(page, "slot-kk")

    # The grade sheet of the slot in Kazakh: the names in the same order.
    with page.expect_download() as download:
        page.locator(".grade-sheet li").first.get_by_role("link", name="XLSX").click()
    assert xlsx_surnames(download.value) == KAZAKH

    # A Russian reader: І after И, Қ after К.
    page.locator(".language").get_by_role("button", name="Русский").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    assert surnames(page.locator("#slot-live table tbody tr td:first-child")) == RUSSIAN
    screenshot(page, "slot-ru")
    with page.expect_download() as download:
        page.locator(".grade-sheet li").first.get_by_role("link", name="XLSX").click()
    assert xlsx_surnames(download.value) == RUSSIAN


def xlsx_surnames(download):
    """The surnames in the statement's name column (B), below its header row."""
    from openpyxl import load_workbook

    with open(download.path(), "rb") as fh:
        sheet = load_workbook(io.BytesIO(fh.read())).active
    return [row[1].split()[0] for row in sheet.iter_rows(values_only=True) if isinstance(row[0], int)]
