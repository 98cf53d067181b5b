"""Redis stops: pages, autosave, grades and login keep working; only presence degrades (X-10)."""

import json
import shutil
import socket
import subprocess
import time

import pytest
from django.urls import reverse

from attestation import presence

DEAD_REDIS = "redis://127.0.0.1:6390/0"  # nothing listens here


def _redis_cache(settings, url):
    settings.CACHES = {"default": {"BACKEND": "core.cache.RedisCache", "LOCATION": url}}


def test_exam_pages_autosave_and_grades_work_without_redis(scheduled, exam, login, settings):
    _redis_cache(settings, DEAD_REDIS)
    student = login(scheduled.users["student"])
    assert student.get(reverse("attestation:session", args=[exam.pk])).status_code == 200
    assert student.get(reverse("attestation:session_status", args=[exam.pk])).status_code == 200
    response = student.post(
        reverse("attestation:draft_save", args=[exam.pk]),
        json.dumps({"text": "<p>typed while Redis is down</p>", "version": 1}),
        content_type="application/json",
    )
    assert response.status_code == 200
    exam.refresh_from_db()
    assert exam.draft == "<p>typed while Redis is down</p>"

    teacher = login(scheduled.users["teacher"])
    page = teacher.get(reverse("attestation:stream", args=[exam.stream_id]) + f"?tab=slot-{exam.slot_id}")
    assert page.status_code == 200
    assert teacher.get(reverse("attestation:session", args=[exam.pk])).status_code == 200
    assert presence.online([exam.pk]) == set()  # degraded: nobody shows as online


def test_login_works_without_redis_the_throttle_steps_aside(college, client, settings):
    _redis_cache(settings, DEAD_REDIS)
    response = client.post(reverse("login"), {"username": "teacher", "password": "pass12345"})
    assert response.status_code == 302


@pytest.fixture
def spare_redis():
    """A real redis-server on a spare port, stopped and started again by the test."""
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
    processes = []

    def start():
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL)  # noqa: S603
        processes.append(process)
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop():
        processes[-1].terminate()
        processes[-1].wait(10)

    start()
    yield f"redis://127.0.0.1:{port}/0", start, stop
    for process in processes:
        if process.poll() is None:
            process.terminate()
            process.wait(10)


def test_presence_recovers_when_redis_returns(scheduled, exam, login, settings, spare_redis):
    url, start, stop = spare_redis
    _redis_cache(settings, url)
    student = login(scheduled.users["student"])
    status = reverse("attestation:session_status", args=[exam.pk])
    assert student.get(status).status_code == 200
    assert presence.online([exam.pk]) == {exam.pk}

    stop()
    assert student.get(status).status_code == 200
    assert presence.online([exam.pk]) == set()

    start()  # an empty Redis: the next heartbeat brings presence back
    assert student.get(status).status_code == 200
    assert presence.online([exam.pk]) == {exam.pk}
