from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from access.policy import Access, access_for

View = Callable[..., HttpResponseBase]


def _guard(check: Callable[[Access], None]) -> Callable[[View], View]:
    """Anonymous → login; a failed check raises (404 for what must not be seen, 403 otherwise)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            check(access_for(request))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _administrator(access: Access) -> None:
    if not access.is_administrator:
        raise PermissionDenied


def _importer(access: Access) -> None:
    if not access.can_import_college_data:
        raise PermissionDenied


def _staff_module(access: Access) -> None:
    # ADM-1: without the license nothing of the module exists, not even its URLs.
    if not access.license_ia:
        raise Http404
    if not access.has_staff_module:
        raise PermissionDenied


def _student_module(access: Access) -> None:
    if not access.license_ia:
        raise Http404
    if not access.has_student_module:
        raise PermissionDenied


administrator_required = _guard(_administrator)
import_required = _guard(_importer)
staff_module_required = _guard(_staff_module)
student_module_required = _guard(_student_module)
