from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Core has no models: its template tags (``{% load security %}``), and the task queue's upkeep."""

    name = "core"

    def ready(self) -> None:
        from core import tasks  # the leases' signal receivers

        if tasks.is_worker_process():
            tasks.start_watchdog()
