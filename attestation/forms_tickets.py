"""Forms of the tickets page (TKT, CPY). Parsing only; rules live in attestation.services.tickets."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.richtext import RichTextFormField


class TicketCountForm(forms.Form):
    count = forms.IntegerField(label=_("Number of tickets"), min_value=1, max_value=300)


class TicketForm(forms.Form):
    """The "Questions by ticket" dialog."""

    number = forms.TypedChoiceField(label=_("Ticket"), coerce=int)
    body = RichTextFormField(label=_("Questions"))
    upload = forms.FileField(label=_("Upload file"), required=False)
    remove_file = forms.BooleanField(label=_("Remove the file"), required=False)

    def __init__(self, *args, numbers, ticket=None, **kwargs):
        if ticket is not None:
            kwargs.setdefault("initial", {"number": ticket.number, "body": ticket.body})
            numbers = [ticket.number]
        super().__init__(*args, **kwargs)
        self.ticket = ticket
        self.fields["number"].choices = [(n, str(n)) for n in numbers]  # type: ignore[attr-defined]
        if ticket is not None:
            self.fields["number"].disabled = True
        if ticket is None or not ticket.file:
            del self.fields["remove_file"]


class CopyForm(forms.Form):
    tickets = forms.MultipleChoiceField(error_messages={"required": _("Choose at least one ticket.")})
    targets = forms.MultipleChoiceField(error_messages={"required": _("Choose at least one stream.")})

    def __init__(self, *args, ticket_choices, target_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tickets"].choices = [(str(pk), str(pk)) for pk in ticket_choices]  # type: ignore[attr-defined]
        self.fields["targets"].choices = [(str(pk), str(pk)) for pk in target_choices]  # type: ignore[attr-defined]
