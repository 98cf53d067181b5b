"""Import templates in the user's language — headers, one example row and a legend.

Headers are the column labels of the user's language (``imports.columns.column_label``; each is a
header the upload accepts, so a filled-in template reads back as it is). The XLSX
has a second sheet "Legend" (what Excel users expect); the CSV holds the header and the example
row only, its legend is on the Import page.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.csv_writer import csv_text
from imports.columns import column_label
from imports.sync import Entity

LEGEND = {
    "external_id": gettext_lazy(
        "The row's ID in the college's other system (Latin letters, digits, _.:/-). Leave empty if "
        "there is none: the row is then matched by its name, code or login."
    ),
    "name": gettext_lazy("The name as the college writes it."),
    "code": gettext_lazy("The code (unique)."),
    "specialty": gettext_lazy("The specialty's code or name."),
    "months": gettext_lazy("The length of study in months."),
    "pcc": gettext_lazy("The PCC's name."),
    "department": gettext_lazy("The department's name."),
    "qualification": gettext_lazy("The qualification's code or name."),
    "study_period": gettext_lazy("The study period's name (e.g. 2 г 10 м) or external ID."),
    "technology": gettext_lazy("traditional or credit."),
    "language": gettext_lazy("Language of instruction: kk, ru or en."),
    "course": gettext_lazy("Year of study, 1 to 6."),
    "last_name": gettext_lazy("Surname."),
    "first_name": gettext_lazy("First name."),
    "patronymic": gettext_lazy("Patronymic, if any."),
    "email": gettext_lazy("E-mail address, if any."),
    "username": gettext_lazy(
        "Login; empty: made from the record-book number (students) or the name (staff)."
    ),
    "iin": gettext_lazy("IIN: 12 digits with the check digit, if the college has it."),
    "record_book_number": gettext_lazy("Record-book number (unique)."),
    "group": gettext_lazy("The group's name as written (e.g. ПО-25) or its external ID."),
    "position": gettext_lazy("Position, if any."),
    "discipline": gettext_lazy("The discipline's name or external ID."),
    "teacher": gettext_lazy("The teacher's login or external ID."),
    "academic_year": gettext_lazy("Academic year, e.g. 2026-2027."),
    "academic_period": gettext_lazy("Academic period number, 1 to 12."),
    "is_main": gettext_lazy("yes or no."),
    "groups": gettext_lazy("The groups as written (e.g. ПО-25; ПО-26) or their external IDs, separated by ;"),
    "students": gettext_lazy(
        "Empty: all students of the groups, and the stream keeps following them (a student who joins "
        "or leaves a group joins or leaves the stream). Or a list of students (IIN, login or "
        "record-book number, separated by ;) for a stream of part of the groups."
    ),
    "stream": gettext_lazy("The stream's name or external ID."),
    "final_form": gettext_lazy("The form of the final control."),
    "final_grade_set": gettext_lazy("yes or no."),
    "conduct_online": gettext_lazy("yes or no."),
    "student": gettext_lazy("The student's external ID, IIN, login or record-book number."),
    "admitted": gettext_lazy("yes or no."),
    "reason": gettext_lazy("Why not admitted, if not."),
    "attestation_starts_on": gettext_lazy("Date, YYYY-MM-DD or DD.MM.YYYY."),
    "attestation_ends_on": gettext_lazy("Date, YYYY-MM-DD or DD.MM.YYYY."),
}

EXAMPLES = {
    "departments": {"name": "Бағдарламалау бөлімі"},
    "pccs": {"name": "Информатика ПЦК"},
    "specialties": {"code": "06130100", "name": "Бағдарламалық қамтамасыз ету"},
    "qualifications": {"code": "4S06130103", "name": "Әзірлеуші", "specialty": "06130100"},
    "study-periods": {"name": "2 г 10 м", "months": 34},
    "disciplines": {"name": "Алгоритмдер", "pcc": "Информатика ПЦК"},
    "groups": {
        "name": "ПО-25",
        "department": "Бағдарламалау бөлімі",
        "specialty": "06130100",
        "qualification": "4S06130103",
        "study_period": "2 г 10 м",
        "technology": "credit",
        "language": "kk",
        "course": 1,
    },
    "students": {
        "last_name": "Әбенов",
        "first_name": "Арман",
        "patronymic": "Серікұлы",
        "email": "arman@example.kz",
        "iin": "000101500011",
        "record_book_number": "ZK-101",
        "group": "ПО-25",
    },
    "staff": {
        "last_name": "Сейітова",
        "first_name": "Әйгерім",
        "username": "aseitova",
        "department": "Бағдарламалау бөлімі",
        "pcc": "Информатика ПЦК",
        "position": "оқытушы",
    },
    "streams": {
        "name": "Алгоритмдер — ПО-25",
        "discipline": "Алгоритмдер",
        "teacher": "aseitova",
        "academic_year": "2026-2027",
        "academic_period": 1,
        "is_main": "yes",
        "groups": "ПО-25",
    },
    "journals": {
        "stream": "Алгоритмдер — ПО-25",
        "final_form": "written",
        "final_grade_set": "yes",
        "conduct_online": "yes",
    },
    "admissions": {"stream": "Алгоритмдер — ПО-25", "student": "ZK-101", "admitted": "no", "reason": "Қарыз"},
    "schedules": {
        "group": "ПО-25",
        "academic_year": "2026-2027",
        "academic_period": 1,
        "attestation_starts_on": "2026-12-20",
        "attestation_ends_on": "2027-01-05",
    },
}


def legend(entity: Entity) -> list[tuple[str, bool, str]]:
    """(header in the user's language, required, what to write) for each column."""
    return [
        (column_label(c.name, kind=entity.kind), c.required, str(LEGEND.get(c.name, "")))
        for c in entity.columns
    ]


def example_row(entity: Entity) -> list:
    example = EXAMPLES.get(entity.kind, {})
    return [example.get(c.name, "") for c in entity.columns]  # type: ignore[attr-defined]


def template_csv(entity: Entity) -> str:
    return csv_text([column_label(c.name, kind=entity.kind) for c in entity.columns], [example_row(entity)])


def template_xlsx(entity: Entity) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = entity.kind
    sheet.append([column_label(c.name, kind=entity.kind) for c in entity.columns])
    sheet.append(example_row(entity))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    notes = book.create_sheet(_("Legend")[:31])
    notes.append([_("Column"), _("Required"), _("What to write")])
    for name, required, text in legend(entity):
        notes.append([name, _("yes") if required else _("no"), text])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
