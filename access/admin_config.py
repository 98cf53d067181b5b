"""Django's admin app with the app's own site (``access.admin_site``): in ``INSTALLED_APPS`` instead of
``django.contrib.admin``. A module of its own, imported before the models are ready."""

from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    default_site = "access.admin_site.AdminSite"
