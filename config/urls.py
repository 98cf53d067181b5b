from django.contrib import admin
from django.urls import include, path

from core.i18n_js import javascript_catalog

urlpatterns = [
    path("", include("access.urls")),
    path("college/", include("attestation.urls_journals")),
    path("attestation/", include("attestation.urls")),
    path("notifications/", include("notifications.urls")),
    path("api/", include("api.urls")),
    path("imports/", include("imports.urls")),
    path("administration/audit/", include("access.audit_log_urls")),
    path("django-admin/", admin.site.urls),
    path("jsi18n/<str:language>/", javascript_catalog, name="javascript-catalog"),
]
