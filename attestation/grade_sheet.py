"""The exam statement (ведомость, X-6) of a slot or a whole stream: XLSX, PDF and a grade chart.

``build(stream, slot=None)`` gathers the data once; ``to_xlsx``, ``to_pdf`` and ``chart_svg`` render
it. Every label is translated with ``gettext`` when rendered, so the files come out in the language
active for the request (Kazakh by default); missing catalogue entries fall back to the English msgid.

Libraries:

- XLSX: openpyxl. Text cells are always written as text (a name starting with "=" never becomes a
  formula) and characters XLSX cannot hold are dropped.
- PDF: fpdf2 (pure Python) embedding a TrueType font subset, so the text stays extractable; the
  font with every Kazakh letter is ``core.pdf.font_paths``'s.
- Chart: plain SVG written here, every label escaped; no JavaScript, no CDN.
"""

import io
import math
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from attestation import grade_scales
from attestation.files import safe_name
from attestation.models import ExamSession
from college import collation
from college.models import Admission, Journal, TrainingTechnology
from core import clock
from core.pdf import font_paths

# Letter groups of the credit scale's chart.
LETTER_GROUPS = ["A", "B", "C", "D", "FX", "F"]


@dataclass
class Row:
    number: int
    name: str
    record_book: str
    group: str
    ticket: str
    grade: str
    bucket: str


@dataclass
class Sheet:
    stream: object
    slot: object | None
    college: str
    discipline: str
    teacher: str
    groups: list[str]
    year: str
    period: str
    dates: list
    heads: list[str]
    final_form: str
    scales: set[str] = field(default_factory=set)
    rows: list[Row] = field(default_factory=list)

    @property
    def title(self):
        return _("Exam statement")

    @property
    def dates_text(self):
        return ", ".join(d.strftime("%d.%m.%Y") for d in self.dates) or "—"

    def filename(self, ext):
        """What a person recognises in a folder of downloads: the statement, the discipline, the
        groups and the day (or the stream's days), e.g. "Ведомость Алгоритмдер ПО-25 2026-12-01.xlsx"."""
        day = self.dates[0] if self.slot is not None and self.dates else clock.local_today()
        parts = [str(self.title), self.discipline, *self.groups, f"{day:%Y-%m-%d}"]
        return safe_name(" ".join(parts)[:150] + f".{ext}")


def college_name():
    return settings.COLLEGE_NAME or _("College")


def bucket_of(session, scale) -> str:
    """The chart's bucket of a session's grade."""
    if session is None:
        return "not_graded"
    if session.absence:
        return f"absent_{session.absence}"
    value = session.grade_total
    if not value:
        return "not_graded"
    if value in grade_scales.PASS_FAIL:
        return value
    if not value.isdigit():
        return "not_graded"
    if scale == TrainingTechnology.Scale.CREDIT:
        letter = grade_scales.credit_row(int(value))[1]
        return letter if letter in {"FX", "F"} else letter[0]
    return value


def bucket_labels() -> dict[str, str]:
    labels = {str(n): f"{n} ({grade_scales.TRADITIONAL_LABELS[n]})" for n in (5, 4, 3, 2)}
    labels |= {letter: letter for letter in LETTER_GROUPS}
    labels |= {key: str(label) for key, label in grade_scales.PASS_FAIL.items()}
    labels |= {f"absent_{key}": str(label) for key, label in grade_scales.ABSENCE.items()}
    labels["not_graded"] = _("Not graded")
    labels["not_admitted"] = _("Not admitted to exam")
    return labels


def build(stream, slot=None) -> Sheet:
    """The statement of one slot (its students) or of the whole stream (all its students)."""
    sessions = ExamSession.objects.filter(stream=stream).select_related("ticket", "slot")
    if slot is not None:
        sessions = sessions.filter(slot=slot)
    by_student = {s.student_id: s for s in sessions}
    students = stream.students.select_related("user", "group__technology", "group__department__head")
    if slot is not None:
        students = students.filter(pk__in=by_student)
    students = collation.by_name(students)  # in the alphabet of the sheet's language
    if slot is not None:
        dates = [timezone.localtime(slot.starts_at).date()]
    else:
        dates = sorted({timezone.localtime(s.starts_at).date() for s in stream.slots.all()})
    groups = list(stream.groups.select_related("department__head").order_by("name"))
    heads = sorted({g.department.head.full_name for g in groups if g.department.head})
    period = stream.academic_period
    sheet = Sheet(
        stream=stream,
        slot=slot,
        college=college_name(),
        discipline=stream.discipline.name,
        teacher=stream.teacher.full_name,
        groups=[g.name for g in groups],
        year=period.year.name,
        period=period.label,
        dates=dates,
        heads=heads,
        final_form=stream.journal.final_form,
    )
    not_admitted = set(
        Admission.objects.filter(stream=stream, admitted=False).values_list("student_id", flat=True)
    )
    for number, student in enumerate(students, start=1):
        session = by_student.get(student.pk)
        scale = student.group.technology.scale
        sheet.scales.add(scale)
        value = (session.absence or session.grade_total) if session else ""
        grade = grade_scales.display(value, scale)
        if not grade and student.pk in not_admitted:
            grade = str(_("Not admitted to exam"))  # the seed's red name, in words on paper
        sheet.rows.append(
            Row(
                number=number,
                name=student.full_name,
                record_book=student.record_book_number,
                group=student.group.name,
                ticket=str(session.ticket.number) if session and session.ticket_id else "—",  # type: ignore[union-attr]
                grade=grade or "—",
                bucket="not_admitted"
                if student.pk in not_admitted and not value
                else bucket_of(session, scale),
            )
        )
    return sheet


def distribution(sheet) -> list[tuple[str, str, int]]:
    """(bucket, label, count) for every bucket of the sheet's scale(s), zeros included."""
    if sheet.final_form == Journal.FinalForm.PASS_FAIL:
        keys = list(grade_scales.PASS_FAIL)
    else:
        keys = []
        if TrainingTechnology.Scale.CREDIT in sheet.scales:
            keys += LETTER_GROUPS
        if TrainingTechnology.Scale.TRADITIONAL in sheet.scales or not keys:
            keys += ["5", "4", "3", "2"]
    keys += [f"absent_{key}" for key in grade_scales.ABSENCE] + ["not_admitted", "not_graded"]
    counts = dict.fromkeys(keys, 0)
    for row in sheet.rows:
        counts[row.bucket] = counts.get(row.bucket, 0) + 1
    labels = bucket_labels()
    return [(key, labels.get(key, key), count) for key, count in counts.items()]


def summary_text(sheet) -> str:
    return "; ".join(f"{label}: {count}" for _key, label, count in distribution(sheet))


# --- the texts of both files ---------------------------------------------------------------------


def _header_lines(sheet):
    return [
        (_("Discipline"), sheet.discipline),
        (_("Teacher"), sheet.teacher),
        (_("Groups") if len(sheet.groups) > 1 else _("Group"), ", ".join(sheet.groups) or "—"),
        (_("Academic year"), sheet.year),
        (_("Academic period"), str(sheet.period)),
        (_("Date") if len(sheet.dates) == 1 else _("Dates"), sheet.dates_text),
    ]


def _columns():
    return [_("No."), _("Student's full name"), _("Record-book number"), _("Ticket number"), _("Grade")]


def _signatures(sheet):
    heads = ", ".join(sheet.heads)
    return [(_("Teacher"), sheet.teacher), (_("Head of department"), heads)]


# --- XLSX -----------------------------------------------------------------------------------------


def to_xlsx(sheet) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Border, Font, Side

    workbook = Workbook()
    ws = workbook.active
    ws.title = "".join(c for c in str(sheet.title) if c not in "[]:*?/\\")[:31] or "Sheet"

    def put(row, col, value, **style):
        cell = ws.cell(row=row, column=col)
        if isinstance(value, int):
            cell.value = value
        else:
            cell.value = ILLEGAL_CHARACTERS_RE.sub("", str(value))
            cell.data_type = "s"  # text stays text: never a formula
        for name, val in style.items():
            setattr(cell, name, val)
        return cell

    bold = Font(bold=True)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    put(1, 1, sheet.college, font=bold)
    put(2, 1, sheet.title, font=Font(bold=True, size=14))
    row = 4
    for label, value in _header_lines(sheet):
        put(row, 1, label, font=bold)
        put(row, 2, value)
        row += 1
    row += 1
    for col, label in enumerate(_columns(), start=1):
        put(row, col, label, font=bold, border=box, alignment=wrap)
    for item in sheet.rows:
        row += 1
        values = [item.number, item.name, item.record_book, item.ticket, item.grade]
        for col, value in enumerate(values, start=1):
            put(row, col, value, border=box, alignment=wrap)
    row += 2
    put(row, 1, _("Grade distribution"), font=bold)
    for _key, label, count in distribution(sheet):
        if count:
            row += 1
            put(row, 2, label)
            put(row, 3, count)
    row += 2
    for label, name in _signatures(sheet):
        put(row, 1, label, font=bold)
        put(row, 2, name)
        put(row, 3, "____________________")
        put(row, 4, _("(signature)"))
        row += 2
    for letter, width in zip("ABCDE", (22, 40, 22, 14, 26), strict=True):
        ws.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- PDF ------------------------------------------------------------------------------------------


def to_pdf(sheet) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    regular, bold = font_paths()
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(str(sheet.title))
    pdf.set_creator(sheet.college)
    pdf.add_font("Sheet", "", str(regular))
    pdf.add_font("Sheet", "B", str(bold))
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("Sheet", "B", 11)
    pdf.multi_cell(0, 6, sheet.college, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Sheet", "B", 15)
    pdf.multi_cell(0, 9, str(sheet.title), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for label, value in _header_lines(sheet):
        pdf.set_font("Sheet", "B", 10)
        pdf.cell(42, 6, f"{label}:")
        pdf.set_font("Sheet", "", 10)
        pdf.multi_cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Sheet", "", 10)
    with pdf.table(
        col_widths=(10, 62, 36, 22, 50),
        text_align=("CENTER", "LEFT", "LEFT", "CENTER", "LEFT"),
        headings_style=FontFace(emphasis="BOLD", fill_color=(235, 238, 243)),
        line_height=6,
    ) as table:
        table.row(_columns())
        for item in sheet.rows:
            table.row([str(item.number), item.name, item.record_book, item.ticket, item.grade])
    pdf.ln(4)
    pdf.set_font("Sheet", "B", 10)
    pdf.cell(0, 6, f"{_('Grade distribution')}:", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Sheet", "", 10)
    counted = [f"{label}: {count}" for _key, label, count in distribution(sheet) if count]
    pdf.multi_cell(0, 6, "; ".join(counted) or "—", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    for label, name in _signatures(sheet):
        pdf.set_font("Sheet", "B", 10)
        pdf.cell(48, 7, f"{label}:")
        pdf.set_font("Sheet", "", 10)
        pdf.cell(55, 7, "____________________")
        pdf.multi_cell(0, 7, name or "", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Sheet", "", 7)
        pdf.cell(48, 4, "")
        pdf.cell(55, 4, _("(signature)"), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
    return bytes(pdf.output())


# --- the chart ------------------------------------------------------------------------------------

BAR_COLOURS = {
    "absent_excused": "#8a94a6",
    "absent_unexcused": "#c2410c",
    "not_admitted": "#b42318",
    "not_graded": "#c9ced8",
}
CHART_FONT_PX = 13
# A generous average advance per character: Cyrillic and Latin words measure 0.50–0.57 em in the
# browsers' sans-serif (DejaVu Sans, Arial); 0.6 em leaves room, so no label is cut (#14.13).
CHART_CHAR_PX = 0.6 * CHART_FONT_PX


def _text_px(text) -> int:
    return math.ceil(len(text) * CHART_CHAR_PX)


def chart_svg(sheet) -> str:
    """A horizontal bar chart of the distribution; every text escaped. The label column is as wide as
    the longest label in the active language ("Отсутствовал, без уважительной причины" is long)."""
    rows = distribution(sheet)
    bar_w, row_h, top = 260, 26, 34
    label_w = max(120, max((_text_px(label) for _key, label, _count in rows), default=0) + 16)
    title = _("Grade distribution: %(discipline)s") % {"discipline": sheet.discipline}
    if sheet.slot is not None:
        title = f"{title}, {sheet.dates_text}"
    heading = Truncator(title).chars(64)
    width, height = max(label_w + bar_w + 50, _text_px(heading) + 10), top + row_h * len(rows) + 10
    peak = max((count for _key, _label, count in rows), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-title chart-desc" '
        f'font-family="sans-serif" font-size="{CHART_FONT_PX}">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(summary_text(sheet))}</desc>',
        f'<text x="0" y="18" font-weight="bold">{escape(heading)}</text>',
    ]
    for index, (key, label, count) in enumerate(rows):
        y = top + index * row_h
        length = round(bar_w * count / peak)
        colour = BAR_COLOURS.get(key, "#2f6fdf")
        parts.append(
            f'<g class="bar" data-bucket="{escape(key)}" data-count="{count}">'
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{length}" height="{row_h - 8}" fill="{colour}"/>'
            f'<text x="{label_w + length + 6}" y="{y + 16}">{count}</text></g>'
        )
    parts.append("</svg>")
    return "\n".join(parts)
