"""One row of the slot's grading table (GRD-1…GRD-6): the inputs the journal's form asks for,
constrained in the browser to the student's scale.

The browser's constraints only help the grader type; the rules live in
``attestation.services.grades`` (``grade_set``) and decide on the server, exactly as for the
single-student form. So the fields here accept any short text and never refuse a value themselves.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from attestation import grade_scales
from attestation.services.grades import COMMENT_MAX_CHARS, GradeEntry
from college.models import Journal, TrainingTechnology

Form = Journal.FinalForm


def _points_input(label):
    return forms.NumberInput(
        attrs={
            "min": 0,
            "max": 100,
            "step": 1,
            "inputmode": "numeric",
            "aria-label": label,
            "class": "points",
        }
    )


def _traditional_select(label):
    """Digits only: the select stays narrow (the grade's word shows in the row's grade once saved)."""
    choices = [("", "—")] + [
        (str(value), str(value)) for value in sorted(grade_scales.TRADITIONAL_LABELS, reverse=True)
    ]
    return forms.Select(choices=choices, attrs={"aria-label": label})


class GradeRowForm(forms.Form):
    absence = forms.CharField(required=False, max_length=10)
    written = forms.CharField(required=False, max_length=10)
    oral = forms.CharField(required=False, max_length=10)
    total = forms.CharField(required=False, max_length=10)
    comment = forms.CharField(required=False)  # its length is the service's rule
    reason = forms.CharField(required=False, max_length=500)
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, session, student, journal, **kwargs):
        kwargs.setdefault("prefix", f"s{session.pk}")
        kwargs.setdefault(
            "initial",
            {
                "absence": session.absence,
                "written": session.grade_written,
                "oral": session.grade_oral,
                "total": session.grade_total,
                "comment": session.grade_comment,
                "version": session.grade_version,
            },
        )
        super().__init__(*args, **kwargs)
        self.session = session
        name = student.full_name
        self._widgets(name, student.group.technology.scale, journal.final_form)

    def _widgets(self, name, scale, final_form):
        """Labels carry the student's name: the table's header alone does not name the row."""
        fields = self.fields
        fields["absence"].widget = forms.Select(
            choices=[("", _("Present")), *grade_scales.ABSENCE.items()],
            attrs={"aria-label": _("Absence: %(name)s") % {"name": name}, "data-absence": ""},
        )
        for part, label in (("written", _("Written: %(name)s")), ("oral", _("Oral: %(name)s"))):
            label = label % {"name": name}  # type: ignore[assignment]
            widget = (
                _points_input(label)
                if scale == TrainingTechnology.Scale.CREDIT
                else _traditional_select(label)
            )
            widget.attrs["data-grade-part"] = ""
            fields[part].widget = widget
        fields["total"].widget = forms.Select(
            choices=[("", "—"), *grade_scales.PASS_FAIL.items()],
            attrs={"aria-label": _("Total: %(name)s") % {"name": name}, "data-grade-part": ""},
        )
        fields["comment"].widget = forms.Textarea(
            attrs={
                "rows": 2,
                "maxlength": COMMENT_MAX_CHARS,
                "aria-label": _("Comment to %(name)s") % {"name": name},
            }
        )
        fields["reason"].widget = forms.TextInput(
            attrs={
                "aria-label": _("Reason for changing the grade of %(name)s") % {"name": name},
                "placeholder": _("If changed"),
                "data-reason": "",
            }
        )

    def entry(self) -> GradeEntry:
        data = self.cleaned_data
        return GradeEntry(
            session_id=self.session.pk,
            version=data["version"],
            absence=data["absence"],
            written=data["written"],
            oral=data["oral"],
            total=data["total"],
            reason=data["reason"],
            comment=data["comment"],
        )

    def refuse(self, refusal):
        """Show a refusal next to its field (or on the row when it names none)."""
        field = refusal.field if refusal.field in self.fields else None
        if field is not None:
            self.fields[field].widget.attrs["aria-describedby"] = f"{self[field].auto_id}-error"
        self.add_error(field, refusal.message)
