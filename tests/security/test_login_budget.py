"""What anonymous logins may spend on password hashes, whatever names they use (X-10; core/login_budget.py).

Numbers (the defaults): 40 login attempts per address in a sliding minute — a classroom of 30 behind
one NAT address signs in within a minute, with 10 mistypes to spare — then 429 with the seconds to
wait, refused before any password is hashed; one password check at a time per app process, another
waits up to 3 s for its turn, then 429.
"""

import datetime
import threading

import pytest
import time_machine
from django.contrib.auth.hashers import MD5PasswordHasher, get_hashers
from django.urls import reverse

from core import login_budget

NOW = datetime.datetime(2026, 11, 28, 9, 0, 30, tzinfo=datetime.UTC)
RIGHT = "pass12345"


class CountingHasher(MD5PasswordHasher):
    """The tests' hasher, counting every hash it computes (a check, or the dummy one for a name
    that does not exist)."""

    hashed = 0

    def encode(self, password, salt):
        CountingHasher.hashed += 1
        return super().encode(password, salt)


@pytest.fixture(autouse=True)
def counting(settings):
    settings.PASSWORD_HASHERS = ["tests.security.test_login_budget.CountingHasher"]


def hashed():
    """The count of the hasher Django uses (pytest may import this module under another name)."""
    return type(get_hashers()[0]).hashed


def hashes_since(start):
    return hashed() - start


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def attempt(client, username, password="wrong-password", address="10.0.0.1"):
    client.cookies["django_language"] = "en"
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.req("X-10")
def test_new_names_each_time_spend_the_addresss_minute_then_nothing_is_hashed(college, client, clock):
    """The pen test: random user names from one address were never slowed, each costing a hash."""
    start = hashed()
    for n in range(40):
        assert attempt(client, f"nobody-{n}").status_code == 200
    assert hashes_since(start) == 40  # one hash each (for a name that does not exist too)
    refused = attempt(client, "nobody-40")
    assert refused.status_code == 429
    assert hashes_since(start) == 40  # refused before the password is checked
    wait = int(refused["Retry-After"])
    assert 1 <= wait <= 90
    page = refused.content.decode()
    assert f"Many people are signing in from your network right now. Wait {wait} seconds" in page
    assert attempt(client, "teacher", password=RIGHT).status_code == 429  # a real name too
    assert attempt(client, "nobody-41", address="10.0.0.2").status_code == 200  # another address
    clock.shift(datetime.timedelta(seconds=wait))
    assert attempt(client, "teacher", password=RIGHT).status_code == 302  # room again: checked


@pytest.mark.req("X-10")
def test_a_classroom_behind_one_address_signs_in_30_students_within_a_minute(client, clock, db):
    """30 students, one NAT address, within one minute, and 10 mistypes among them: all sign in."""
    from tests import factories as f

    students = [f.StudentFactory().user for _ in range(30)]
    for user in students:
        user.set_password(RIGHT)
        user.save()
    for index, user in enumerate(students):
        clock.shift(datetime.timedelta(seconds=1.9))
        if index % 3 == 0:
            assert attempt(client, user.username, password="mistyped").status_code == 200
        assert attempt(client, user.username, password=RIGHT).status_code == 302, index
        client.logout()


@pytest.mark.req("X-10")
def test_an_attacker_holding_the_address_gets_a_bounded_share(college, client, clock):
    """Hammering from one address for ten minutes: at most 40 hashes a minute, whatever names."""
    tried, start = 0, hashed()
    for second in range(0, 600, 2):
        clock.move_to(NOW + datetime.timedelta(seconds=second))
        for _ in range(5):
            attempt(client, f"x{tried}")
            tried += 1
    assert tried == 1500
    assert hashes_since(start) <= 10 * 40 + 40


@pytest.mark.req("X-10")
def test_parallel_attempts_cannot_overshoot_the_budget(db, settings):
    """The count is the cache's atomic incr: 80 attempts at once, exactly 40 pass."""
    passed, barrier = [], threading.Barrier(80)

    def one():
        barrier.wait()
        try:
            login_budget.spend("10.9.9.9")
            passed.append(1)
        except login_budget.Busy:
            pass

    threads = [threading.Thread(target=one) for _ in range(80)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(passed) == settings.LOGIN_ADDRESS_PER_MINUTE == 40


@pytest.mark.req("X-10")
def test_password_checks_at_once_are_capped_per_process(college, client, settings):
    """While this process's one password check runs, another waits its turn, then gets 429."""
    settings.LOGIN_HASH_WAIT_SECONDS = 1
    holding, release = threading.Event(), threading.Event()

    def hold():
        with login_budget.hashing():
            holding.set()
            release.wait(10)

    start = hashed()
    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(5)
        refused = attempt(client, "teacher", password=RIGHT)
        assert refused.status_code == 429 and refused["Retry-After"] == "1"
        assert "The server is checking many passwords at once. Wait 1 second" in refused.content.decode()
        assert hashes_since(start) == 0
    finally:
        release.set()
        holder.join()
    assert attempt(client, "teacher", password=RIGHT).status_code == 302


@pytest.mark.req("X-10")
def test_the_budget_steps_aside_when_the_cache_is_down(college, client, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(login_budget.cache, "incr", down)
    for n in range(45):
        attempt(client, f"nobody-{n}")
    assert attempt(client, "teacher", password=RIGHT).status_code == 302


@pytest.mark.req("X-10")
@pytest.mark.parametrize(
    ("mine", "last", "at", "expected"),
    [
        (40, 0, 30, 30 + 60 * (1 - 39 / 40)),  # this minute alone is full: it slides out next minute
        (20, 40, 30, 30 - 60 * 19 / 40),  # the last minute's weight has to fall to 19/40
    ],
)
def test_the_wait_is_when_the_sliding_minute_has_room(mine, last, at, expected):
    import math

    assert login_budget._seconds_until_room(1000 * 60 + at, 1000, mine, last, 40) == max(
        1, math.ceil(expected)
    )


@pytest.mark.req("X-10")
def test_a_failed_login_costs_one_hash_not_one_per_listed_backend(college, client):
    """Django's own backend stays listed for old sessions; it must not check a refused password again."""
    for username, password in [("nobody", "wrong"), ("teacher", "wrong"), ("teacher", RIGHT)]:
        start = hashed()
        attempt(client, username, password=password)
        assert hashes_since(start) == 1, username
        client.logout()
