"""API authentication: per-integration bearer tokens (rate-limited per token), or the browser session.

A token authenticates as its user, so the user's roles decide what it may do through the one
access policy. Only the token scheme is exempt from CSRF (it is never sent by a browser on its
own); the session scheme keeps ninja's CSRF check for unsafe methods.

**Language of the messages** (the ``message`` of every error body). For a request authenticated
by token: the ``Accept-Language`` header if it names a language we have (kk, ru, en — an
integration that sends it asks for that language on purpose, per request); else the token user's
own interface language; else Kazakh. A request with no valid token (401) follows
``Accept-Language`` too, if sent. The browser session keeps the web's rule (the user's language,
``access.middleware``): there the browser's ``Accept-Language`` is deliberately ignored, and a
browser does not send a bearer token of its own accord.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.translation.trans_real import parse_accept_lang_header
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from api.models import ApiToken


def rate_limit() -> int:
    """Requests per minute and token (``API_RATE_LIMIT``, declared in config/settings.py)."""
    return settings.API_RATE_LIMIT


class RateLimited(HttpError):
    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(429, "Too many requests.")


def requested_language(request) -> str | None:
    """The first language of ``Accept-Language`` (by weight) that we have, or None."""
    for code, _weight in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        if code == "*":
            continue
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return None


def activate_language(request, user=None) -> None:
    """Accept-Language if it names a language we have, else the user's own (see the module's doc)."""
    supported = {code for code, _name in settings.LANGUAGES}
    language = requested_language(request)
    if language is None and user is not None and user.language in supported:
        language = user.language
    if language is not None:
        translation.activate(language)
        request.LANGUAGE_CODE = language


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        if not token or len(token) > 200:
            return None
        api_token = ApiToken.find_active(token)
        if api_token is None:
            return None
        activate_language(request, api_token.user)
        self.count_request(api_token)
        request.api_token = api_token
        request.user = api_token.user
        return api_token.user

    @staticmethod
    def count_request(api_token):
        """A fixed one-minute window per token in the shared cache."""
        now = time.time()
        window = int(now // 60)
        key = f"api:rate:{api_token.pk}:{window}"
        if cache.add(key, 0, timeout=90):
            # First request of this minute: remember the use (at most one write a minute).
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        try:
            count = cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, timeout=90)
            count = 1
        if count > rate_limit():
            raise RateLimited(retry_after=max(1, 60 - int(now % 60)))


class BrowserSession(SessionAuth):
    """The signed-in browser user (CSRF-checked by ninja for unsafe methods)."""

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None


api_auth = [TokenAuth(), BrowserSession()]
