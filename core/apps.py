from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Installed only for its template tags (``{% load security %}``); core has no models."""

    name = "core"
