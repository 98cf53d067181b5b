"""Login sheets: the first way in for students the registrar's office has just imported (X-13).

A sheet is per group: each student's name, login and a new one-time password, as XLSX or a
printable PDF. Making it sets those passwords (Argon2 hashes only — the clear text exists in the
file and nowhere else, shown once) and marks each account so that the first sign-in asks the
student to choose their own password before anything else opens. By default a sheet holds the
group's students who have never signed in; "every student" also resets the others' passwords
(their signed-in sessions end). Who may: the import right (``Access.can_import_college_data``).
Audited as ``students.login_sheet`` with the students' ids, never a password.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from access.backends import forget_users
from access.login_help import new_password
from access.models import User
from access.policy import access_for
from audit.models import record
from college.models import Group, Student
from core import clock
from core.pdf import font_paths


@dataclass(frozen=True)
class SheetRow:
    number: int
    name: str
    login: str
    password: str


@dataclass(frozen=True)
class LoginSheet:
    group: Group
    rows: tuple[SheetRow, ...]

    @property
    def title(self) -> str:
        return _("Login sheet: group %(group)s") % {"group": self.group.name}

    def filename(self, ext: str) -> str:
        return f"{_('login-sheet')}-{self.group.name}-{clock.local_today():%Y-%m-%d}.{ext}"


def sheet_students(group: Group, *, everyone: bool) -> list[Student]:
    """The group's students a sheet is for: those who have never signed in, or all of them."""
    students = group.students.select_related("user").order_by("user__last_name", "user__first_name", "pk")
    if not everyone:
        students = students.filter(user__last_login__isnull=True)
    return list(students)


def issue(*, actor: Any, group: Group, everyone: bool = False) -> LoginSheet:
    """Give each student of the sheet a new one-time password and return the sheet (never stored)."""
    if not access_for(actor).can_import_college_data:
        raise PermissionDenied
    students = sheet_students(group, everyone=everyone)
    rows = []
    users: list[User] = []
    for number, student in enumerate(students, start=1):
        password = new_password()
        user = student.user
        user.set_password(password)
        user.must_change_password = True
        users.append(user)
        rows.append(SheetRow(number, student.full_name, user.get_username(), password))
    with transaction.atomic():
        User.objects.bulk_update(users, ["password", "must_change_password"], batch_size=500)
        record(
            actor=actor,
            action="students.login_sheet",
            obj=group,
            after={"students": [s.pk for s in students], "everyone": everyone, "sessions_ended": True},
        )
    forget_users([u.pk for u in users])  # bulk_update sends no signal
    return LoginSheet(group, tuple(rows))


def _instructions() -> list[str]:
    address = settings.SITE_URL or ""
    return [
        _("Open %(address)s and sign in with your login and the one-time password below.")
        % {"address": address or _("the college's exam site")},
        _("You will then choose your own password; the one-time password stops working."),
        _("Keep your password to yourself. If you forget it, ask your teacher or the registrar's office."),
    ]


def _headings() -> list[str]:
    return [_("No."), _("Student"), _("Login"), _("One-time password")]


def to_xlsx(sheet: LoginSheet) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    page = book.active
    page.title = sheet.group.name[:31]
    page.append([settings.COLLEGE_NAME or _("College")])
    page.append([sheet.title])
    page["B2"].font = Font(bold=True, size=14)
    for line in _instructions():
        page.append([line])
    page.append([])
    page.append(_headings())
    for cell in page[page.max_row]:
        cell.font = Font(bold=True)
    for row in sheet.rows:
        # Every cell as text: a name or login starting with "=" never becomes a formula.
        page.append([row.number, row.name, row.login, row.password])
        for cell in page[page.max_row][1:]:
            cell.data_type = "s"
    for letter, width in zip("ABCD", (6, 40, 22, 20), strict=True):
        page.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_pdf(sheet: LoginSheet) -> bytes:
    """A4, one table row per student, each row printed as a slip that can be cut out and handed over."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    regular, bold = font_paths()
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(sheet.title)
    pdf.add_font("Sheet", "", str(regular))
    pdf.add_font("Sheet", "B", str(bold))
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("Sheet", "B", 11)
    pdf.multi_cell(0, 6, settings.COLLEGE_NAME or _("College"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Sheet", "B", 15)
    pdf.multi_cell(0, 9, sheet.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Sheet", "", 10)
    for line in _instructions():
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    with pdf.table(
        col_widths=(10, 80, 45, 45),
        text_align=("CENTER", "LEFT", "LEFT", "LEFT"),
        headings_style=FontFace(emphasis="BOLD", fill_color=(235, 238, 243)),
        line_height=9,
    ) as table:
        table.row(_headings())
        for row in sheet.rows:
            table.row([str(row.number), row.name, row.login, row.password])
    return bytes(pdf.output())
