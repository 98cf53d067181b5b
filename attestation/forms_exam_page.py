"""Forms of one student's exam page (TSK-1, ANS-1, GRD-2…GRD-5): the task staff give, the answer the
student writes, the grade staff set. Parsing only; the rules live in attestation.rules and the
services (tickets, answers, grades)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.richtext import RichTextFormField


class TaskForm(forms.Form):
    """TSK-1: the individual task of a student (final control without tickets)."""

    body = RichTextFormField(label=_("Task"))


class AnswerForm(forms.Form):
    """ANS-1: the answer's text editor."""

    text = RichTextFormField(label=_("Answer"))


class GradeForm(forms.Form):
    """GRD-2…GRD-5: parts per the form of final attestation, pass/fail, or an absence mark."""

    absence = forms.ChoiceField(
        label=_("Absence"),
        required=False,
        choices=[
            ("", _("Present")),
            ("excused", _("Absent, excused")),
            ("unexcused", _("Absent, unexcused")),
        ],
        widget=forms.RadioSelect,
    )
    written = forms.CharField(label=_("Written"), required=False, max_length=10)
    oral = forms.CharField(label=_("Oral"), required=False, max_length=10)
    total = forms.CharField(label=_("Total"), required=False, max_length=10)
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=500)
    version = forms.IntegerField(widget=forms.HiddenInput)
