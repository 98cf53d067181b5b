from django.contrib import admin
from django.urls import include, path

from core import health, metrics

urlpatterns = [
    path("", include("access.urls")),
    path("college/", include("attestation.urls_journals")),
    path("attestation/", include("attestation.urls")),
    path("notifications/", include("notifications.urls")),
    path("api/", include("api.urls")),
    path("imports/", include("imports.urls")),
    path("administration/audit/", include("access.audit_log_urls")),
    path("administration/monitor/", include("monitor.urls")),
    path("django-admin/", admin.site.urls),
    # Operations: for the proxy, systemd and Prometheus (paths without a trailing slash, as they expect).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
]

handler500 = "core.observability.server_error"  # the 500 page with the request id to quote
