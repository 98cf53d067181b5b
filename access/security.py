"""Login throttling and the security headers every response carries (X-10).

**Throttling.** Failed logins are counted per user name and per client address in Django's cache
(Redis in production, so every app process shares the counts). Once a key has
``LOGIN_THROTTLE_USER`` (default 5) / ``LOGIN_THROTTLE_ADDRESS`` (default 50 — a whole computer
room may sit behind one address) failures inside ``LOGIN_THROTTLE_WINDOW`` seconds (default 15
minutes), further attempts are refused with a clear message *without checking the password*, until
the oldest counted failure leaves the window. A successful login clears the user's count. If the
cache is unreachable the throttle is skipped (and logged): an exam must not stop because Redis did.

**Content-Security-Policy.** :class:`ContentSecurityPolicyMiddleware` gives every request a fresh
nonce (``request.csp_nonce``; templates get ``csp_nonce`` from
``access.context_processors.csp``) and sends a policy with no ``'unsafe-inline'`` and no
``'unsafe-eval'``: scripts only from our origin or carrying the nonce (the rich-text editor's
import map), styles from our origin, the nonce, or the exact hashes in :data:`STYLE_HASHES`.
A view that needs another policy may set its own ``Content-Security-Policy`` header; it is kept.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import logging
import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import ngettext

logger = logging.getLogger(__name__)

# --- login throttling ------------------------------------------------------------------------


def _limits():
    window = int(getattr(settings, "LOGIN_THROTTLE_WINDOW", 15 * 60))
    return {
        "user": int(getattr(settings, "LOGIN_THROTTLE_USER", 5)),
        "address": int(getattr(settings, "LOGIN_THROTTLE_ADDRESS", 50)),
    }, window


def client_address(request) -> str:
    """The client's address; behind a reverse proxy name its header in ``CLIENT_ADDRESS_HEADER``.

    Only trust a header the proxy overwrites (e.g. ``HTTP_X_REAL_IP``): a client can forge any
    other. The first address of a comma-separated list is the original client.
    """
    header = getattr(settings, "CLIENT_ADDRESS_HEADER", "")
    value = request.META.get(header, "") if header else ""
    value = value.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "")
    return value or "unknown"


def _keys(username: str, address: str) -> dict[str, str]:
    digest = hashlib.sha256((username or "").strip().casefold().encode()).hexdigest()[:32]
    return {"user": f"login-fail:user:{digest}", "address": f"login-fail:addr:{address}"}


def _recent(stamps, window, now) -> list[float]:
    return [t for t in (stamps or []) if now - t < window]


def _cache_call(method, *args):
    try:
        return getattr(cache, method)(*args)
    except Exception:  # noqa: BLE001 — any cache backend's connection error: fail open, but say so
        logger.warning("Login throttle skipped: the cache is unavailable", exc_info=True)
        return None


def seconds_locked(username: str, address: str) -> int:
    """How long further attempts for this user name or address are refused (0: not locked)."""
    limits, window = _limits()
    keys = _keys(username, address)
    stored = _cache_call("get_many", list(keys.values())) or {}
    now = time.time()
    wait = 0.0
    for kind, key in keys.items():
        stamps = _recent(stored.get(key), window, now)
        if len(stamps) >= limits[kind]:
            # Locked until the failure that completed the limit leaves the window.
            wait = max(wait, stamps[-limits[kind]] + window - now)
    return int(wait + 0.999)


def record_failure(username: str, address: str) -> None:
    limits, window = _limits()
    now = time.time()
    keys = _keys(username, address)
    stored = _cache_call("get_many", list(keys.values()))
    if stored is None:
        return
    for kind, key in keys.items():
        stamps = [*_recent(stored.get(key), window, now), now][-limits[kind] :]
        _cache_call("set", key, stamps, window)


def record_success(username: str, address: str) -> None:
    _cache_call("delete", _keys(username, address)["user"])


def locked_message(seconds: int) -> str:
    minutes = max(1, (seconds + 59) // 60)
    return ngettext(
        "Too many failed logins. For your safety, logging in is paused: try again in %(n)s minute.",
        "Too many failed logins. For your safety, logging in is paused: try again in %(n)s minutes.",
        minutes,
    ) % {"n": minutes}


# --- Content-Security-Policy and other headers -------------------------------------------------


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


# Tiptap (inside django-prose-editor) injects one <style> element when an editor starts; its text
# changes only with the editor's version. tests/e2e/test_xss_browser.py fails if the editor
# injects a style the policy does not allow.
STYLE_HASHES: tuple[str, ...] = ("'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='",)


@functools.cache
def importmap_hashes() -> tuple[str, ...]:
    """The hash of the rich-text editor's import map, so ``{{ form.media }}`` without a nonce works too.

    Computed from the widget's own media (static URLs included), once per process: the nonce from
    ``{% media_with_nonce %}`` is the primary way; this covers any template that renders the media
    plainly.
    """
    import re

    from attestation.richtext import RichTextFormField

    rendered = RichTextFormField().widget.media.render_importmap()
    texts = [m.group(1) for tag in rendered for m in [re.search(r">(.*)</script>", str(tag), re.S)] if m]
    return tuple(_sha256(text) for text in texts)


PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), payment=(), usb=(), interest-cohort=()"
)


def content_security_policy(nonce: str) -> str:
    styles = " ".join(["'self'", f"'nonce-{nonce}'", *STYLE_HASHES])
    scripts = " ".join(["'self'", f"'nonce-{nonce}'", *importmap_hashes()])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            f"style-src {styles}",
            "img-src 'self' data:",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
        ]
    )


class ContentSecurityPolicyMiddleware:
    """A per-request nonce, the CSP header, and the Referrer/Permissions-Policy headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(18)
        response = self.get_response(request)
        # Django's technical error pages (DEBUG only) are built on inline CSS and script.
        debug_page = settings.DEBUG and response.status_code in (404, 500)
        if "Content-Security-Policy" not in response and not debug_page:
            response["Content-Security-Policy"] = content_security_policy(request.csp_nonce)
        response.setdefault(
            "Referrer-Policy", getattr(settings, "SECURE_REFERRER_POLICY", None) or "same-origin"
        )
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
