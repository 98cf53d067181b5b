from django import forms
from django.utils.translation import gettext_lazy as _

from access.models import User


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. the college's ERP.")
    )
    user = forms.ModelChoiceField(
        label=_("Acts as user"),
        queryset=User.objects.filter(is_active=True).order_by("last_name", "first_name", "username"),
        help_text=_("The token can do exactly what this user's roles allow."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].label_from_instance = lambda u: f"{u.full_name} ({u.username})"  # type: ignore[attr-defined]
