"""Other processes the tests start on this run's test database: a free port, the database's address
for them, and a ``manage.py db_worker`` of django-tasks-db."""

import os
import signal
import socket
import subprocess
import sys
import urllib.parse
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url():
    """This test run's database, as another process reaches it."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"  # the test database's file (an absolute path)
    auth = urllib.parse.quote(db["USER"] or "")
    if db["PASSWORD"]:
        auth += ":" + urllib.parse.quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_env(**extra):
    """The environment of a task worker: the test settings with the database queue on this database;
    the shared cache (SHARED_CACHE_DIR) is this run's, inherited from config/settings_test.py."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": database_url(),
        "TEST_TASKS_IN_DATABASE": "1",
        "DJANGO_DEBUG": "0",
        **{key: str(value) for key, value in extra.items()},
    }


WORKER_OPTIONS = ("--interval", "0.2", "--no-reload", "--no-startup-delay")


class Worker:
    """``manage.py db_worker`` as the deployment runs it, with its output in ``log``."""

    def __init__(self, log_path, **env):
        self.log = open(log_path, "a")  # noqa: SIM115 — closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", *WORKER_OPTIONS],
            cwd=ROOT,
            env=worker_env(**env),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def kill(self):
        """What an OOM kill or ``kill -9`` does: no clean-up at all."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)
        self.log.close()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if not self.log.closed:
            self.log.close()
