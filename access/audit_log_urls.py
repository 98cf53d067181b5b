from django.urls import path

from access import audit_log_views as views

app_name = "audit"

# The audit log (audit/) is browsed here, one layer up: the page is guarded by the access policy.
# Read-only on purpose: the log is append-only, so there is no route that changes it.
urlpatterns = [
    path("", views.log, name="log"),
    path("csv/", views.log_csv, name="csv"),
]
