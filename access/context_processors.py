from functools import cache

from access.policy import access_for


def navigation(request):
    """The viewer's Access for menus; every menu item the template shows is decided there.

    ``settings_tabs`` is a callable, so templates that never ask for it cost no queries.
    """
    if not hasattr(request, "user"):
        return {}
    from attestation.selectors import settings_tabs

    return {"access": access_for(request), "settings_tabs": cache(lambda: settings_tabs(request))}


def csp(request):
    """``csp_nonce`` for inline tags (django-htmx's ``{% htmx_script %}`` reads it from the context).

    Absent when the CSP middleware did not run, so tags then render without a nonce attribute.
    """
    nonce = getattr(request, "csp_nonce", None)
    return {"csp_nonce": nonce} if nonce else {}
