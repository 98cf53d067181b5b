"""The college's data in Django's admin, every change audited (access.admin_site). The journals are
not here: the journal's own screens keep its rules (JRN-3, JRN-4) and its audit trail (#16.1)."""

from django.apps import apps
from django.contrib import admin

from access.admin_site import AuditedModelAdmin

# Edited only on the journal's own pages (college.views), which check who may and when.
OWN_SCREENS = {"journal", "journalcolumn", "journalmark"}

for model in apps.get_app_config("college").get_models():
    if model._meta.model_name not in OWN_SCREENS:
        admin.site.register(model, AuditedModelAdmin)
