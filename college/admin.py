"""The college's data in Django's admin, every change audited (audit.audited_admin). The journals are
not here: the journal's own screens keep its rules (JRN-3, JRN-4) and its audit trail (#16.1)."""

from django.apps import apps
from django.contrib import admin

from audit.audited_admin import AuditedModelAdmin
from college.models import Student
from college.signals import students_moved

# Edited only on the journal's own pages (attestation.views.journals), which check who may and when.
OWN_SCREENS = {"journal", "journalcolumn", "journalmark"}


class StudentAdmin(AuditedModelAdmin):
    """A student put into another group here joins and leaves streams as an imported one does."""

    def save_model(self, request, obj, form, change):
        before = (
            Student.objects.filter(pk=obj.pk).values_list("group_id", flat=True).first() if change else None
        )
        super().save_model(request, obj, form, change)
        if before != obj.group_id:
            students_moved.send(sender=Student, moves={obj.pk: (before, obj.group_id)}, actor=request.user)


for model in apps.get_app_config("college").get_models():
    if model._meta.model_name not in OWN_SCREENS:
        admin.site.register(model, StudentAdmin if model is Student else AuditedModelAdmin)
