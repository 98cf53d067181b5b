"""Grading scales of Kazakh colleges: the credit technology's 100 points with letter and traditional
grade, the traditional 2–5 scale, and pass/fail (GUIDE: "Facts of the Kazakh college context")."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from college.models import TrainingTechnology

# (lowest points, letter, GPA, traditional grade)
CREDIT_SCALE = [
    (95, "A", "4.0", 5),
    (90, "A-", "3.67", 5),
    (85, "B+", "3.33", 4),
    (80, "B", "3.0", 4),
    (75, "B-", "2.67", 4),
    (70, "C+", "2.33", 4),
    (65, "C", "2.0", 3),
    (60, "C-", "1.67", 3),
    (55, "D+", "1.33", 3),
    (50, "D", "1.0", 3),
    (25, "FX", "0.5", 2),
    (0, "F", "0", 2),
]
TRADITIONAL_LABELS = {
    5: _("excellent"),
    4: _("good"),
    3: _("satisfactory"),
    2: _("unsatisfactory"),
}
PASS_FAIL = {"passed": _("Passed"), "failed": _("Not passed")}
ABSENCE = {"excused": _("Absent, excused"), "unexcused": _("Absent, unexcused")}


def credit_row(points: int):
    return next(row for row in CREDIT_SCALE if points >= row[0])


def validate(value: str, scale: str) -> str:
    """A typed grade on the scale, normalised; ValueError with a translated reason otherwise."""
    value = (value or "").strip()
    if scale == TrainingTechnology.Scale.CREDIT:
        if not value.isdigit() or not 0 <= int(value) <= 100:
            raise ValueError(_("Enter points from 0 to 100."))
        return str(int(value))
    if value not in {"2", "3", "4", "5"}:
        raise ValueError(_("Enter a grade from 2 to 5."))
    return value


def total_of(written: str, oral: str, scale: str) -> str:
    """Written and oral together: the average, rounded half up (the rule the README states)."""
    mean = (Decimal(written) + Decimal(oral)) / 2
    return str(int(mean.quantize(Decimal("1"), rounding=ROUND_HALF_UP)))


def display(value: str, scale: str) -> str:
    """How a stored grade reads: points with letter and traditional grade, or 2–5 with its word."""
    if not value:
        return ""
    if value in PASS_FAIL:
        return str(PASS_FAIL[value])
    if value in ABSENCE:
        return str(ABSENCE[value])
    if scale == TrainingTechnology.Scale.CREDIT and value.isdigit():
        _low, letter, _gpa, traditional = credit_row(int(value))
        return f"{value} ({letter}, {traditional})"
    if value.isdigit() and int(value) in TRADITIONAL_LABELS:
        return f"{value} ({TRADITIONAL_LABELS[int(value)]})"
    return value
