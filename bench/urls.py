"""The project's urls plus the bench's trivial endpoint (mounted only by bench/wsgi.py)."""

from django.http import HttpResponse
from django.urls import include, path


def ping(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/ping/", ping), path("", include("config.urls"))]
