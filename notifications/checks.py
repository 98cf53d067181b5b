"""``SITE_URL``: the address e-mails link to (#16.8). Outside a request nothing else knows it, so
production must set it; ``manage.py check --deploy`` fails without it."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register


def site_url_problem(value) -> str | None:
    """Why ``value`` cannot be the site's address, or None when it can."""
    if not value:
        return "SITE_URL is not set."
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"SITE_URL must be an absolute http(s) address, got {value!r}."
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return f"SITE_URL must be the site's root address without a path, got {value!r}."
    return None


@register(Tags.security, deploy=True)
def check_site_url(app_configs, **kwargs):
    problem = site_url_problem(settings.SITE_URL)
    if problem is None:
        return []
    return [
        Error(
            problem,
            hint="Set SITE_URL to the address students and staff open, e.g. https://exam.example.kz: "
            "the links in notification e-mails start with it.",
            id="notifications.E001",
        )
    ]
