from django.urls import path

from audit import views

app_name = "audit"

# Read-only on purpose: the log is append-only, so there is no route that changes it.
urlpatterns = [
    path("", views.log, name="log"),
    path("csv/", views.log_csv, name="csv"),
]
