"""``{% media_with_nonce form.media %}``: a form's media with the request's CSP nonce.

The rich-text editor's media holds an inline ``<script type="importmap">``, which the
Content-Security-Policy only runs when it carries the request's nonce (core/security.py).
"""

from django import forms, template
from js_asset import Media

register = template.Library()


@register.simple_tag(takes_context=True)
def media_with_nonce(context: template.Context, media: forms.Media) -> str:
    nonce = context.get("csp_nonce")
    if nonce is None and context.get("request") is not None:
        nonce = getattr(context["request"], "csp_nonce", None)
    return str(Media.from_media(media, nonce=nonce or "").render())
