from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttestationConfig(AppConfig):
    name = "attestation"
    verbose_name = _("Online intermediate attestation")
