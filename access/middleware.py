from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.utils import translation
from django.utils.cache import patch_vary_headers

SUPPORTED = {code for code, _name in settings.LANGUAGES}


class UserLanguageMiddleware:
    """X-8: the signed-in user's own language; else the language cookie; else Kazakh.

    The browser's Accept-Language is deliberately ignored: the college's default is Kazakh.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = None
        if user is not None and user.is_authenticated:
            language = user.language
        if language not in SUPPORTED:
            language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in SUPPORTED:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


class HtmxLoginRedirectMiddleware:
    """A poll or a partial request whose session has expired must not swap the login page into a
    fragment of the page (the live slot table, the ticket board, the import progress): htmx gets
    ``HX-Redirect`` to the login page instead, with ``next`` set to the page the browser shows."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
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
