"""Django's admin behind the app's own login (#16.1).

The admin has no login form of its own: ``/django-admin/login/`` sends to the app's login page,
which is throttled (``core.throttle``), so guessing the superuser's password there is the same as
anywhere else. Its "change password" goes to the app's own page, which checks the current password
through the same throttle. Every change made in the admin is audited (``audit.audited_admin``);
models with screens of their own in the app (roles, licenses, journals) are not in the admin at all
(see each app's ``admin.py``): their screens check the rules the admin would bypass.
"""

from typing import Any

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse


class AdminSite(admin.AdminSite):
    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """The app's login page signs everyone in, the admin's users too."""
        if request.user.is_authenticated:
            if self.has_permission(request):
                return redirect(reverse("admin:index", current_app=self.name))
            raise PermissionDenied  # signed in, but not staff of Django's admin
        target = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index", current_app=self.name)
        return redirect_to_login(target)

    def password_change(  # type: ignore[override]  # a redirect, not the admin's page
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return redirect("password_change")

    def password_change_done(  # type: ignore[override]  # a redirect, not the admin's page
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return redirect("password_change_done")
