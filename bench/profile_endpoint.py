"""Where one request's time goes: run an endpoint in-process N times under cProfile, with the
production settings, on a bench college (PostgreSQL + Redis), and print the top functions.

    .venv/bin/python bench/profile_endpoint.py [--endpoint status|draft|page|main|…] [-n 500] [--only REGEX]

Builds a fresh database with bench/make_college.py (a small college is enough), signs one of the
ceiling students in, and calls the endpoint through Django's test client — the whole middleware
stack, no network and no gunicorn — so the figures are the application's own CPU per request.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/13")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    endpoints = [
        "status",
        "draft",
        "ping",
        "board",
        "live",
        "page",
        "main",
        "stream",
        "first",
        "my",
        "home",
        "login",
    ]
    parser.add_argument("--endpoint", choices=endpoints, default="status")
    parser.add_argument("--only", default="", help="print only the functions matching this regex")
    parser.add_argument("-n", type=int, default=500)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="cumulative", help="pstats order: cumulative, tottime…")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="forget the cached users and roles before every call (a student's first request of the day)",
    )
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from bench.run import Database, flush_redis, run

    out = Path(tempfile.mkdtemp(prefix="attestation-profile-"))
    database = Database("postgresql", f"profile-{os.getpid()}", out)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_DEBUG": "0",
        "DATABASE_URL": database.url,
        "REDIS_URL": REDIS,
        "MEDIA_ROOT": str(out / "media"),
        "STATIC_ROOT": str(out / "static"),
        "LOG_LEVEL": "WARNING",  # as the bench's servers
    }
    database.create()
    flush_redis()
    try:
        run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env)
        run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
        run(
            [
                sys.executable,
                "bench/make_college.py",
                "--students",
                "100",
                "--out",
                str(out / "plan.json"),
                "--sessions",
            ],
            env,
        )
        os.environ.update(env)
        measure(args, json.loads((out / "plan.json").read_text()))
    finally:
        from django.db import connections

        connections.close_all()
        database.drop()


def measure(args, plan):
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from access.models import User

    settings.ROOT_URLCONF = "bench.urls"
    ceiling = plan["ceiling"][0]
    client = Client(HTTP_X_FORWARDED_PROTO="https", secure=True)
    # "first", "my", "home": a scenario student before a ticket (the arrival's page); else a ceiling
    # student with the questions open.
    arriving = args.endpoint in ("first", "my", "home")
    person = plan["students"][0] if arriving else ceiling
    if args.endpoint != "login":
        client.force_login(User.objects.get(username=person["username"]))
    base = f"/attestation/sessions/{person['session']}/"
    user_id = User.objects.get(username=person["username"]).pk
    staff = plan["staff"][0]
    version = iter(range(1, 10**9))

    def call():
        if args.endpoint == "status":
            return client.get(base + "status/")
        if args.endpoint == "draft":
            body = json.dumps({"text": "<p>" + "typed " * 200 + "</p>", "version": next(version)})
            return client.post(base + "draft/", body, content_type="application/json")
        if args.cold:
            from access.backends import forget_users
            from access.policy import policy_changed

            policy_changed()
            forget_users([user_id])
        if args.endpoint in ("page", "first"):
            return client.get(base)
        if args.endpoint == "my":
            return client.get("/attestation/my/")
        if args.endpoint == "home":
            return client.get("/")
        if args.endpoint == "login":
            return client.get("/login/")
        if args.endpoint == "main":  # the exam page fetched in place by exam.js (#main only)
            return client.get(base, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="main")
        if args.endpoint == "board":
            return client.get(base + "?partial=board", HTTP_HX_REQUEST="true")
        if args.endpoint == "stream":
            return client.get(f"/attestation/streams/{staff['stream']}/?tab=slot-{staff['slot']}")
        if args.endpoint == "live":
            return client.get(
                f"/attestation/streams/{staff['stream']}/?tab=slot-{staff['slot']}&partial=live",
                HTTP_HX_REQUEST="true",
            )
        return client.get("/bench/ping/")

    if args.endpoint in ("live", "stream"):
        client.force_login(User.objects.get(username=staff["username"]))
    for _ in range(20):  # warm: connections, caches, templates
        assert call().status_code in (200, 302), call().status_code
    queries = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append(((time.perf_counter() - started) * 1000, sql))

    with connection.execute_wrapper(timed):
        call()
    started = time.perf_counter()
    for _ in range(args.n):
        call()
    plain = (time.perf_counter() - started) / args.n * 1000
    started = time.perf_counter()
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.n):
        call()
    profile.disable()
    profiled = (time.perf_counter() - started) / args.n * 1000
    print(
        f"{args.endpoint}: {plain:.2f} ms per request in-process ({profiled:.2f} ms under the profiler), "
        f"{len(queries)} queries:"
    )
    for spent, sql in queries:
        print(f"    {spent:6.2f} ms  {sql[:150]}")
    restrictions = [args.only] if args.only else []
    pstats.Stats(profile).sort_stats(args.sort).print_stats(*restrictions, args.top)


if __name__ == "__main__":
    main()
