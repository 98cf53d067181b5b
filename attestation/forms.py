from django import forms
from django.utils.translation import gettext_lazy as _

from attestation.models import ModuleSettings
from college.models import StudyPeriod


class ModuleSettingsForm(forms.Form):
    """SET-2…SET-4 for one tab of the settings page."""

    distribute_whole_stream = forms.BooleanField(
        label=_("Distribute tickets over the whole stream"), required=False
    )
    distribution_form = forms.ChoiceField(
        label=_("Ticket distribution form"),
        choices=ModuleSettings.DistributionForm.choices,
        widget=forms.RadioSelect,
    )
    allowed_study_periods = forms.ModelMultipleChoiceField(
        label=_("Allow online intermediate attestation for study periods"),
        queryset=StudyPeriod.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("Unknown study period: %(value)s."),
            "invalid_pk_value": _("Unknown study period: %(pk)s."),
        },
    )
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, instance: ModuleSettings, read_only=False, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "distribute_whole_stream": instance.distribute_whole_stream,
                "distribution_form": instance.distribution_form,
                "allowed_study_periods": sorted(instance.allowed_period_ids()),
                "version": instance.updated_at.isoformat() if instance.updated_at else "",
            },
        )
        super().__init__(*args, prefix=instance.kind, **kwargs)  # type: ignore[misc]
        if read_only:
            for field in self.fields.values():
                field.disabled = True


class JournalSettingsForm(forms.Form):
    """The journal's Settings tab (JRN-1…JRN-3)."""

    final_form = forms.ChoiceField(label=_("Form of final attestation"), required=False)
    final_grade_set = forms.BooleanField(label=_("Grading by final attestation: set"), required=False)
    conduct_online = forms.BooleanField(label=_("Conduct final control online"), required=False)
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, journal, switch, editable, **kwargs):
        from college.models import Journal

        kwargs.setdefault(
            "initial",
            {
                "final_form": journal.final_form,
                "final_grade_set": journal.final_grade_set,
                "conduct_online": journal.conduct_online,
                "version": journal.updated_at.isoformat() if journal.updated_at else "",
            },
        )
        super().__init__(*args, **kwargs)
        self.journal, self.switch = journal, switch
        self.fields["final_form"].choices = Journal.FinalForm.choices  # type: ignore[attr-defined]
        if not switch.shown:
            del self.fields["conduct_online"]
        if switch.locked:
            self.fields["final_grade_set"].disabled = True
            if "conduct_online" in self.fields:
                self.fields["conduct_online"].disabled = True
        if not editable:
            for field in self.fields.values():
                field.disabled = True
