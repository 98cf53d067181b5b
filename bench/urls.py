"""The project's urls plus the bench's own endpoints (mounted only by bench/wsgi.py): a trivial
view (the framework's ceiling) and one query (``--chaos`` probes when the database is back)."""

from django.db import connection
from django.http import HttpResponse
from django.urls import include, path


def ping(request):
    return HttpResponse(b"ok", content_type="text/plain")


def db(request):
    with connection.cursor() as cursor:  # a database that is away: core.resilience answers 503
        cursor.execute("SELECT 1")
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/ping/", ping), path("bench/db/", db), path("", include("config.urls"))]
