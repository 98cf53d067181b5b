from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollegeConfig(AppConfig):
    name = "college"
    verbose_name = _("College")
