from access.policy import access_for


def navigation(request):
    """The viewer's Access for menus; every menu item the template shows is decided there."""
    if not hasattr(request, "user"):
        return {}
    return {"access": access_for(request)}


def csp(request):
    """``csp_nonce`` for inline tags (django-htmx's ``{% htmx_script %}`` reads it from the context).

    Absent when the CSP middleware did not run, so tags then render without a nonce attribute.
    """
    nonce = getattr(request, "csp_nonce", None)
    return {"csp_nonce": nonce} if nonce else {}
