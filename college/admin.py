"""The college's data in Django's admin, every change audited (audit.audited_admin). The journals are
not here: the journal's own screens keep its rules (JRN-3, JRN-4) and its audit trail (#16.1)."""

from django.apps import apps
from django.contrib import admin

from audit.audited_admin import AuditedModelAdmin

# Edited only on the journal's own pages (attestation.views.journals), which check who may and when.
OWN_SCREENS = {"journal", "journalcolumn", "journalmark"}

for model in apps.get_app_config("college").get_models():
    if model._meta.model_name not in OWN_SCREENS:
        admin.site.register(model, AuditedModelAdmin)
