from django.http import HttpRequest

from access.policy import Access, access_for


def navigation(request: HttpRequest) -> dict[str, Access]:
    """The viewer's Access for menus; every menu item the template shows is decided there."""
    if not hasattr(request, "user"):
        return {}
    return {"access": access_for(request)}
