"""The security headers every response carries (X-10). Login throttling is ``core.throttle``.

**Content-Security-Policy.** :class:`ContentSecurityPolicyMiddleware` gives every request a fresh
nonce (``request.csp_nonce``; templates get ``csp_nonce`` from
``core.context_processors.csp``) and sends a policy with no ``'unsafe-inline'`` and no
``'unsafe-eval'``: scripts only from our origin or carrying the nonce (the rich-text editor's
import map), styles from our origin, the nonce, or the exact hashes in :data:`STYLE_HASHES`.
A view that needs another policy may set its own ``Content-Security-Policy`` header; it is kept.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import secrets
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

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

    from core.richtext import RichTextFormField

    rendered = RichTextFormField().widget.media.render_importmap()  # type: ignore[attr-defined]  # js_asset's Media
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

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = request.csp_nonce = secrets.token_urlsafe(18)  # type: ignore[attr-defined]
        response = self.get_response(request)
        # Django's technical error pages (DEBUG only) are built on inline CSS and script.
        debug_page = settings.DEBUG and response.status_code in (404, 500)
        if "Content-Security-Policy" not in response and not debug_page:
            response["Content-Security-Policy"] = content_security_policy(nonce)
        response.setdefault("Referrer-Policy", settings.SECURE_REFERRER_POLICY or "same-origin")
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


# --- Cache-Control ------------------------------------------------------------------------------


def keeps_private(request: HttpRequest, response: HttpResponse) -> bool:
    """What no cache may keep: every answer to a signed-in user, every JSON answer and every file
    (an answer, a ticket's questions, a grade sheet, an export). A response that calls itself
    ``public`` (the API docs' assets, static files) stays cacheable."""
    if "public" in response.get("Cache-Control", ""):
        return False
    user = getattr(request, "user", None)
    return bool(
        (user is not None and user.is_authenticated)
        or response.get("Content-Type", "").startswith("application/json")
        or "attachment" in response.get("Content-Disposition", "")
        or getattr(response, "streaming", False)
    )


class PrivateCacheMiddleware:
    """``Cache-Control: private, no-store`` on what :func:`keeps_private` names: a shared computer's
    browser, a proxy or the back button must not show an exam page, a status or a file to the
    next person (X-10)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if keeps_private(request, response):
            patch_cache_control(response, private=True, no_store=True)
        return response
