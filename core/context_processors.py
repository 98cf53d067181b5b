"""Template context without a domain (the viewer's Access for menus is ``access.context_processors``)."""

from django.http import HttpRequest


def csp(request: HttpRequest) -> dict[str, str]:
    """``csp_nonce`` for inline tags (django-htmx's ``{% htmx_script %}`` reads it from the context).

    Absent when the CSP middleware did not run, so tags then render without a nonce attribute.
    """
    nonce = getattr(request, "csp_nonce", None)
    return {"csp_nonce": nonce} if nonce else {}
