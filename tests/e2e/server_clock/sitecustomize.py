"""The deployment's clock, moved by the browser tests (CI's .ci/deployment stage only).

Browser tests travel in time (time-machine): the exam's morning, its start. Against the in-process
live server that moves the server's clock too; against servers of their own (``E2E_BASE_URL``)
it cannot, so CI starts gunicorn, serve_live and the worker with this folder on ``PYTHONPATH`` and
``E2E_CLOCK_FILE`` set: each process watches that file and keeps its wall clock that many seconds
from the real one (time-machine, ticking — as the tests' own travel), the monotonic clock untouched
so timeouts and the event loops are unaffected. tests/e2e/conftest.py's ``travel`` writes the file.

Not part of the application: production never loads it.
"""

import os
import threading
import time

CLOCK_FILE = os.environ.get("E2E_CLOCK_FILE")


_state: dict = {"traveller": None, "seen": None}  # copied into a fork with the clock it set


def _follow() -> None:
    """Set the clock to the file's offset, if it changed since the last look."""
    import time_machine

    try:
        with open(CLOCK_FILE, encoding="utf-8") as fh:
            text = fh.read().strip()
    except FileNotFoundError:
        text = ""
    if text == _state["seen"]:
        return
    _state["seen"] = text
    if _state["traveller"] is not None:
        _state["traveller"].stop()
        _state["traveller"] = None
    offset = float(text or 0)
    if offset:  # time.time() is the real clock again here
        _state["traveller"] = time_machine.travel(time.time() + offset, tick=True)
        _state["traveller"].start()


def _watch() -> None:
    while True:
        _follow()
        time.sleep(0.05)


def _start() -> None:
    threading.Thread(target=_watch, name="e2e-clock", daemon=True).start()


if CLOCK_FILE:
    _follow()  # the process starts on the tests' clock
    _start()
    os.register_at_fork(after_in_child=_start)  # gunicorn's workers are forks: a watcher each
