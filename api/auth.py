"""API authentication: per-integration bearer tokens (rate-limited per token), or the browser session.

A token authenticates as its user, so the user's roles decide what it may do through the one
access policy. Only the token scheme is exempt from CSRF (it is never sent by a browser on its
own); the session scheme keeps ninja's CSRF check for unsafe methods.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from api.models import ApiToken

DEFAULT_RATE_LIMIT = 120  # requests per minute and token


def rate_limit() -> int:
    return getattr(settings, "API_RATE_LIMIT", DEFAULT_RATE_LIMIT)


class RateLimited(HttpError):
    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(429, "Too many requests.")


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        if not token or len(token) > 200:
            return None
        api_token = ApiToken.find_active(token)
        if api_token is None:
            return None
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
