"""Middleware without a domain (the language of the signed-in user is ``access.middleware``)."""

from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url


class HtmxLoginRedirectMiddleware:
    """A poll or a partial request whose session has expired must not swap the login page into a
    fragment of the page (the live slot table, the ticket board, the import progress): htmx gets
    ``HX-Redirect`` to the login page instead, with ``next`` set to the page the browser shows."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        htmx = getattr(request, "htmx", None)
        if not htmx or response.status_code not in (301, 302):
            return response
        location = urlsplit(response["Location"])
        if location.path != resolve_url(settings.LOGIN_URL):
            return response
        current = urlsplit(htmx.current_url or "")
        back = current.path + (f"?{current.query}" if current.query else "") if current.path else ""
        target = resolve_url(settings.LOGIN_URL) + (f"?{urlencode({'next': back})}" if back else "")
        redirect = HttpResponse(status=204)
        redirect["HX-Redirect"] = target
        return redirect
