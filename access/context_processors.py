from access.policy import access_for


def navigation(request):
    """The viewer's Access for menus; every menu item the template shows is decided there."""
    if not hasattr(request, "user"):
        return {}
    return {"access": access_for(request)}
