"""Forms of the stream page. They parse input; the rules live in attestation.services.slots."""

from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attestation.models import StreamExam

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def _datetime_field(label):
    return forms.DateTimeField(
        label=label,
        input_formats=[DATETIME_LOCAL],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        error_messages={"invalid": _("Enter a date and time.")},
    )


def _time_field(label):
    return forms.TimeField(
        label=label,
        input_formats=["%H:%M"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": _("Enter a time.")},
    )


class SlotTimesMixin:
    """A start date-time and an end time on the same day, read in Asia/Almaty."""

    def clean(self):
        data = super().clean()  # type: ignore[misc]
        start, end = data.get("starts_at"), data.get("end_time")
        if start and end:
            local_day = timezone.localtime(start).date()
            data["ends_at"] = timezone.make_aware(datetime.combine(local_day, end))
        return data


class StreamModeForm(forms.Form):
    mode = forms.ChoiceField(label=_("Conduct final control"), choices=StreamExam.Mode.choices)


class StudentIdsField(forms.MultipleChoiceField):
    """Ticked students' ids. Whether each may be scheduled (in the stream, admitted, not yet in a slot)
    is the service's rule, refused there with its own message naming the student — not Django's
    generic "Select a valid choice. 3 is not one of the available choices"."""

    default_error_messages = {
        "invalid_choice": _("Some chosen students are not in this stream. Reload the page.")
    }

    def valid_value(self, value):
        return str(value).isdigit()


class DistributeForm(SlotTimesMixin, forms.Form):
    """SLT-1: "Distribute students by final control dates"."""

    group = forms.ChoiceField(label=_("Group"), required=False)
    starts_at = _datetime_field(_("Date and start time of the final control"))
    end_time = _time_field(_("End time of the final control"))
    students = StudentIdsField(
        label=_("Students"), error_messages={"required": _("Choose at least one student.")}
    )

    def __init__(self, *args, stream, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", _("All"))] + [(str(g.pk), g.name) for g in stream.groups.all()]  # type: ignore[attr-defined]

    def student_ids(self):
        return [int(pk) for pk in self.cleaned_data["students"]]


class SlotEditForm(SlotTimesMixin, forms.Form):
    """SLT-3: before the start the date and times; after it only the end time."""

    starts_at = _datetime_field(_("Date and start time of the final control"))
    end_time = _time_field(_("End time of the final control"))
    # Shown only when the service asks for it: an earlier end of a running slot (see slot_update).
    shorten = forms.BooleanField(required=False, label=_("Yes, end the final control earlier"))

    def __init__(self, *args, slot, started, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "starts_at": timezone.localtime(slot.starts_at),
                "end_time": timezone.localtime(slot.ends_at).time(),
            },
        )
        super().__init__(*args, **kwargs)
        self.slot = slot
        if started:
            # Shown but not editable; a browser does not send it. A crafted POST that does send a
            # different start reaches the service, which refuses it with the reason (#16.4) —
            # Django's ``disabled`` would silently put the stored start in its place.
            field = self.fields["starts_at"]
            field.required = False
            field.widget.attrs["disabled"] = True

    def clean(self):
        if not self.cleaned_data.get("starts_at") and self.fields["starts_at"].widget.attrs.get("disabled"):
            self.cleaned_data["starts_at"] = self.slot.starts_at
        return super().clean()


class ExtraTimeForm(forms.Form):
    minutes = forms.IntegerField(label=_("Extra time, minutes"), min_value=0, max_value=600)


class PlatformForm(forms.Form):
    """PLT-1, PLT-2."""

    platform = forms.CharField(label=_("Platform"), max_length=100, required=False)
    login = forms.CharField(label=_("Login"), max_length=100, required=False)
    password = forms.CharField(label=_("Password"), max_length=100, required=False)
    conference_url = forms.URLField(
        label=_("Conference link"), max_length=500, required=False, assume_scheme="https"
    )
    has_recording = forms.BooleanField(label=_("Has video recording"), required=False)
    show_recording = forms.BooleanField(label=_("Show recording link to students"), required=False)

    def __init__(self, *args, slot, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "platform": slot.platform,
                "login": slot.platform_login,
                "password": slot.platform_password,
                "conference_url": slot.conference_url,
                "has_recording": slot.has_recording,
                "show_recording": slot.show_recording,
            },
        )
        super().__init__(*args, **kwargs)
        self.slot = slot
        posted = self.data.getlist("recording_url") if self.is_bound else None  # type: ignore[attr-defined]
        self.recording_urls = (
            [u.strip() for u in posted] if posted is not None else [r.url for r in slot.recordings.all()]
        )

    def clean(self):
        data = super().clean()
        validator = forms.URLField(max_length=500, assume_scheme="https")
        cleaned = []
        for url in self.recording_urls:
            if not url:
                continue
            try:
                cleaned.append(validator.clean(url))
            except forms.ValidationError:
                self.add_error(None, _("“%(url)s” is not a valid link.") % {"url": url})
        data["recording_urls"] = cleaned  # type: ignore[index]
        return data
