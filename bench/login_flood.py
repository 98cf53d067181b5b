# ruff: noqa: S603, S311 — the bench starts its own tools; random names are no secret
"""Login flood benchmark (X-10): what random-name logins cost a signed-in student, and a classroom's logins.

    .venv/bin/python bench/login_flood.py                   # the budget on (the defaults)
    .venv/bin/python bench/login_flood.py --budget-off      # LOGIN_ADDRESS_PER_MINUTE=0: as before
    .venv/bin/python bench/login_flood.py --spread          # the flood from a new address each time

A fresh PostgreSQL database with a small bench college (``make_college.py``: Argon2 password
hashes, production settings, Redis) behind gunicorn (``bench.wsgi``, 5 sync workers as README
recommends). Three phases, each from its own client address (``X-Real-IP`` with
``CLIENT_ADDRESS_HEADER=HTTP_X_REAL_IP``, as behind the README's nginx):

1. **quiet**: a signed-in student's status (``/attestation/sessions/<id>/status/``) every 100 ms;
2. **flood**: the same, while 10 parallel loops POST ``/login/`` with a new random user name each
   time from one address (the pen test's attack), for ``--seconds``;
3. **classroom**: 30 students behind one NAT address sign in within a minute (a third of them
   mistype first), arriving evenly over 45 s — every one must end signed in.

Prints the student's status latency (p50/p95/max) quiet and under the flood, the flood's attempts
(answered 200 = a password hashed, 429 = refused before hashing) and the classroom's outcome; with
``--results`` appends them to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import http.client
import random
import re
import secrets
import string
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import report, small_college
from bench.run import (
    free_port,
    percentile,
    start_server,
    stop,
)

HOST = "127.0.0.1"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    """One client on a keep-alive connection, with its cookies and its address (X-Real-IP)."""

    def __init__(self, port: int, address: str, cookies: dict[str, str] | None = None) -> None:
        self.port, self.address = port, address
        self.cookies = dict(cookies or {})
        self.connection = http.client.HTTPConnection(HOST, port, timeout=120)

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str, float]:
        headers = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "X-Real-IP": self.address,
            "Referer": f"https://{HOST}/login/",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = http.client.HTTPConnection(HOST, self.port, timeout=120)
                if attempt:
                    raise
        elapsed = time.perf_counter() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, text, elapsed

    def login(self, username: str, password: str) -> int:
        from urllib.parse import urlencode

        status, page, _ = self.request("GET", "/login/")
        token = CSRF.search(page)
        if status != 200 or not token:
            return status
        form = urlencode({"csrfmiddlewaretoken": token.group(1), "username": username, "password": password})
        status, _, _ = self.request("POST", "/login/", form)
        return status


def watch_status(port, plan, stop_at, latencies, errors):
    student = plan["students"][0]
    browser = Browser(port, "192.0.2.10", {plan["session_cookie"]: student["cookie"]})
    path = f"/attestation/sessions/{student['session']}/status/"
    while time.monotonic() < stop_at:
        status, _, elapsed = browser.request("GET", path)
        if status == 200:
            latencies.append(elapsed)
        else:
            errors.append(status)
        time.sleep(0.1)


def flood_loop(port, address, stop_at, outcomes, lock):
    """One attacker's loop: a CSRF token once, then a new random user name each time (and, with
    ``address`` None, from a new random address each time: many machines)."""
    from urllib.parse import urlencode

    browser = Browser(port, address or "198.18.0.1")
    _, page, _ = browser.request("GET", "/login/")
    token = CSRF.search(page).group(1)
    while time.monotonic() < stop_at:
        if address is None:
            browser.address = f"198.18.{random.randrange(256)}.{random.randrange(1, 255)}"
        name = "".join(random.choices(string.ascii_lowercase, k=10))
        form = urlencode({"csrfmiddlewaretoken": token, "username": name, "password": "guess-" + name})
        status, _, elapsed = browser.request("POST", "/login/", form)
        with lock:
            outcomes.append((status, elapsed))


def phase_status(port, plan, seconds, flood_address=""):
    """The student's status for ``seconds``; with a ``flood_address`` (None: a new one each attempt)
    10 loops of random-name logins meanwhile."""
    latencies, errors, outcomes, lock = [], [], [], threading.Lock()
    stop_at = time.monotonic() + seconds
    threads = [threading.Thread(target=watch_status, args=(port, plan, stop_at, latencies, errors))]
    if flood_address != "":
        threads += [
            threading.Thread(target=flood_loop, args=(port, flood_address, stop_at, outcomes, lock))
            for _ in range(10)
        ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors, outcomes


def classroom(port, plan, address, spread=45.0):
    """30 students behind one address, arriving evenly over ``spread`` seconds; every third mistypes first."""
    students = plan["students"][1:31]
    results: dict[str, list[int]] = {}
    started = time.monotonic()

    def one(index, student):
        time.sleep(spread * index / len(students))
        browser = Browser(port, address)
        tried = []
        if index % 3 == 0:
            tried.append(browser.login(student["username"], "mistyped-" + plan["password"]))
        tried.append(browser.login(student["username"], plan["password"]))
        results[student["username"]] = tried

    threads = [threading.Thread(target=one, args=(i, s)) for i, s in enumerate(students)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.monotonic() - started


def ms(seconds):
    return f"{seconds * 1000:.0f} ms"


def summary(quiet, flood, room, room_seconds, args, flood_seconds):
    lines = []
    q, f = quiet[0], flood[0]
    lines.append(
        f"student's status, quiet: {len(q)} requests, p50 {ms(percentile(q, 0.5))}, "
        f"p95 {ms(percentile(q, 0.95))}, max {ms(max(q))}; errors {len(quiet[1])}"
    )
    lines.append(
        f"student's status during the flood: {len(f)} requests, p50 {ms(percentile(f, 0.5))}, "
        f"p95 {ms(percentile(f, 0.95))}, max {ms(max(f))}; errors {len(flood[1])}"
    )
    outcomes = flood[2]
    by_status: dict[int, int] = {}
    for status, _ in outcomes:
        by_status[status] = by_status.get(status, 0) + 1
    hashed = by_status.get(200, 0)
    refused = by_status.get(429, 0)
    lines.append(
        f"flood: 10 loops, {len(outcomes)} login attempts in {flood_seconds} s"
        f"{' from many addresses' if args.spread else ' from one address'} — "
        f"{hashed} checked (a password hashed), {refused} refused before hashing (429), "
        f"others { ({k: v for k, v in by_status.items() if k not in (200, 429)}) }; "
        f"{hashed / flood_seconds:.2f} hashes/s"
    )
    refused_times = [e for s, e in outcomes if s == 429]
    if refused_times:
        lines.append(f"a refused attempt's answer: p50 {ms(percentile(refused_times, 0.5))}")
    signed_in = sum(1 for tried in room.values() if tried[-1] == 302)
    mistyped = sum(1 for tried in room.values() if len(tried) > 1)
    lines.append(
        f"classroom: {signed_in} of {len(room)} students signed in from one address within "
        f"{room_seconds:.0f} s ({mistyped} mistyped first; outcomes {sorted({t[-1] for t in room.values()})})"
    )
    budget = "off (LOGIN_ADDRESS_PER_MINUTE=0)" if args.budget_off else "on (defaults)"
    if args.spread:
        budget += ", the flood from a new address each attempt"
    return budget, lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30, help="how long the flood lasts")
    parser.add_argument("--quiet-seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--budget-off", action="store_true", help="LOGIN_ADDRESS_PER_MINUTE=0 (as before)")
    parser.add_argument(
        "--spread", action="store_true", help="the flood from a new address each attempt (many machines)"
    )
    parser.add_argument("--results", action="store_true", help="append the figures to bench/RESULTS.md")
    args = parser.parse_args(argv)
    args.worker_class, args.threads = "sync", 1
    run_id = secrets.randbelow(200) + 20  # addresses of this run only: no count of an earlier run applies
    extra = {"CLIENT_ADDRESS_HEADER": "HTTP_X_REAL_IP"}
    if args.budget_off:
        extra["LOGIN_ADDRESS_PER_MINUTE"] = "0"
    database, env, plan, out = small_college("login-flood", 40, **extra)
    server = None
    try:
        port = free_port()
        server = start_server(env, port, args, out)
        print(f"gunicorn: {args.workers} sync workers on :{port}; Argon2", flush=True)
        quiet = phase_status(port, plan, args.quiet_seconds)
        address = None if args.spread else f"198.51.100.{run_id}"
        flood = phase_status(port, plan, args.seconds, flood_address=address)
        room, room_seconds = classroom(port, plan, f"203.0.113.{run_id}")
        budget, lines = summary(quiet, flood, room, room_seconds, args, args.seconds)
    finally:
        if server is not None:
            stop(server)
        database.drop()
    report(f"Login flood, budget {budget} (`bench/login_flood.py`)", lines, results=args.results)


if __name__ == "__main__":
    main()
