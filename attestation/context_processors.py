"""The module's menu entries for every page (base.html's "Online attestation" menu)."""

from functools import cache

from attestation.selectors import settings_tabs


def module_menu(request):
    """``settings_tabs``: the settings tabs the viewer may open — a callable, so templates that never
    ask for it cost no queries."""
    if not hasattr(request, "user"):
        return {}
    return {"settings_tabs": cache(lambda: settings_tabs(request))}
