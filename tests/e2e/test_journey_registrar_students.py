"""From the registrar's file to the exam room, in real Chromium, as people click it (X-13, X-10, SLT-1).

The registrar (Russian interface) downloads the students template, fills in five new students of a
group that exists (named as the college writes it) and two bad rows, uploads it, reads the errors,
comes back with the same kind chosen, fixes the two rows, confirms, and prints the group's login
sheet. One of the new students then signs in on a phone with the sheet's one-time password, chooses
their own, and finds the stream of their group among their final controls.
"""

import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from college.models import Student

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = re.compile(r"\b[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}\b")
PHONE = {"width": 390, "height": 844}
NEW = [  # фамилия, имя, номер зачетной книжки
    ("Қасымов", "Нұрлан", "ЗК-501"),
    ("Әлиева", "Айгерім", "ЗК-502"),
    ("Ахметов", "Ерлан", "ЗК-503"),
    ("Серікова", "Дана", "ЗК-504"),
    ("Ким", "Лия", "ЗК-505"),
]


def fill_template(download, path, rows):
    """The downloaded template with its example row replaced by ``rows`` (its own headers kept)."""
    template = path.with_name("template.xlsx")
    download.save_as(template)
    book = load_workbook(template)
    sheet = book.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    sheet.delete_rows(2, sheet.max_row)
    for row in rows:
        sheet.append([row.get(h, "") for h in headers])
    book.save(path)
    return headers


def students(rows, group):
    return [
        {"фамилия": last, "имя": first, "номер зачетной книжки": book, "группа": group}
        for last, first, book in rows
    ]


@pytest.mark.req("X-13", "X-10", "SLT-1")
def test_the_registrar_imports_five_students_and_one_signs_in_from_the_login_sheet(
    college, new_page, guard, screenshot, tmp_path, task_worker
):
    from tests.e2e.conftest import login

    group = college.groups[0]
    group.name = "ПО-21"
    group.save()
    registrar = college.users["registrar"]
    registrar.language = "ru"
    registrar.save()

    page = guard(new_page(viewport={"width": 1366, "height": 900}))
    login(page, registrar)
    page.get_by_role("link", name="Импорт", exact=True).click()
    expect(page.get_by_role("heading", name="Импорт данных колледжа")).to_be_visible()
    row = page.locator("tr", has=page.get_by_role("cell", name="Обучающиеся", exact=True))
    with page.expect_download() as template:
        row.get_by_role("link", name="XLSX").click()
    headers = fill_template(
        template.value,
        tmp_path / "студенты.xlsx",
        students(NEW, "ПО-21")
        + students([("", "Без фамилии", "ЗК-506")], "ПО-21")
        + students([("Нуров", "Олжас", "ЗК-507")], "ПО-99"),
    )
    assert headers[:3] == ["внешний id", "фамилия", "имя"]  # the template speaks Russian

    page.get_by_label("Содержимое файла").select_option(label="Обучающиеся")
    page.get_by_label("Файл (.csv или .xlsx)").set_input_files(str(tmp_path / "студенты.xlsx"))
    guard.expect(422, "/imports/preview/")
    page.get_by_role("button", name="Загрузить и просмотреть").click()
    errors = page.locator("table.import-errors tbody tr")
    expect(errors).to_have_count(2, timeout=20_000)
    expect(errors.nth(0).locator("td")).to_have_text(["7", "фамилия", "Это значение обязательно."])
    expect(errors.nth(1).locator("td").nth(1)).to_have_text("группа")
    expect(errors.nth(1).locator("td").nth(2)).to_contain_text("«ПО-99»")
    expect(errors.nth(1).locator("td").nth(2)).to_contain_text("ПО-21")  # the closest existing name
    screenshot(page, "1-errors")

    page.get_by_role("link", name="Загрузить исправленный файл").click()
    expect(page.get_by_label("Содержимое файла")).to_have_value("students")  # the kind it left with
    fill_template(
        template.value,
        tmp_path / "студенты-исправлено.xlsx",
        students(NEW, "ПО-21")
        + students([("Оспанов", "Бекзат", "ЗК-506"), ("Нуров", "Олжас", "ЗК-507")], "ПО-21"),
    )
    page.get_by_label("Файл (.csv или .xlsx)").set_input_files(str(tmp_path / "студенты-исправлено.xlsx"))
    page.get_by_role("button", name="Загрузить и просмотреть").click()
    expect(page.get_by_text("Файл без ошибок", exact=False)).to_be_visible(timeout=20_000)
    streams = page.locator(".import-streams")
    expect(streams).to_contain_text("Programming — PO-21")
    expect(streams).to_contain_text("добавятся 7 обучающихся")
    screenshot(page, "2-preview")
    assert not Student.objects.filter(record_book_number="ЗК-501").exists()  # nothing saved yet

    page.get_by_role("button", name="Подтвердить импорт").click()
    expect(page.get_by_role("status")).to_contain_text("создано — 7", timeout=20_000)
    assert college.streams.teacher_a.students.filter(record_book_number__startswith="ЗК-").count() == 7
    screenshot(page, "3-imported")

    page.get_by_role("link", name=re.compile("Лист входа для ПО-21")).click()
    expect(page.get_by_label("Группа")).to_have_value(str(group.pk))
    with page.expect_download() as sheet:
        page.get_by_role("button", name="Сделать лист входа").click()
    assert sheet.value.suggested_filename.endswith(".pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(sheet.value.path()).pages)
    line = next(line for line in text.splitlines() if "Қасымов" in line)
    login_name = Student.objects.get(record_book_number="ЗК-501").user.username
    assert login_name in line
    one_time = PASSWORD.search(line).group(0)
    screenshot(page, "4-login-sheet")

    # The student, on a phone: the sheet's password, then their own.
    phone = guard(new_page(viewport=PHONE))
    phone.goto("/login/")
    phone.locator("#id_username").fill(login_name)
    phone.locator("#id_password").fill(one_time)
    phone.locator("button[type=submit].primary").click()
    expect(phone.get_by_role("heading", name="Құпиясөзіңізді таңдаңыз")).to_be_visible()
    screenshot(phone, "5-first-password")
    phone.get_by_label("Жаңа құпиясөз", exact=True).fill("жасыл алқап 2026")
    phone.get_by_label("Жаңа құпиясөзді қайталаңыз").fill("жасыл алқап 2026")
    phone.get_by_role("button", name="Құпиясөзімді сақтау").click()
    expect(phone.get_by_role("heading", name="Менің қорытынды бақылауларым")).to_be_visible()
    expect(phone.get_by_text(college.streams.teacher_a.discipline.name)).to_be_visible()
    screenshot(phone, "6-my-final-controls")
