from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttestationConfig(AppConfig):
    name = "attestation"
    verbose_name = _("Online intermediate attestation")

    def ready(self) -> None:
        from attestation.services import membership
        from college.signals import students_moved

        students_moved.connect(membership.on_students_moved, dispatch_uid="attestation.membership")
