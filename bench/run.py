# ruff: noqa: S603 — the bench starts its own tools (manage.py, gunicorn, locust) with fixed arguments
"""Exam-day benchmark: fresh database, bench college, gunicorn + uvicorn, locust, data check.

    .venv/bin/python bench/run.py                                  # smoke: 200 students, 90 s
    .venv/bin/python bench/run.py --users 2000 --duration 600      # the whole college
    .venv/bin/python bench/run.py --database sqlite                # the same on SQLite (a file)
    .venv/bin/python bench/run.py --asgi-workers 0                 # no streams: the pages poll

Pages are served by gunicorn (bench.wsgi), the live streams (#15) by uvicorn (config.asgi) beside
it; every student and teacher of locust holds one stream. Prints per endpoint requests, req/s,
p50/p95/p99 and errors; the streams' figures (delivery delay of every event and of those staff
actions cause, events delivered against due per stream and channel, fallbacks, open streams);
the offered load per student in the steady state; each worker's RSS (first, peak, last) for
gunicorn and uvicorn; the ceiling phase (closed loops on the trivial ping, the heartbeat and the
autosave, one at a time) and the ratios, with the stream's keep-alive cost beside the heartbeat's;
then checks the data in the database against what locust last got a 200 for. The summary is
appended to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import hashlib
import json
import os
import resource
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import psutil
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import chaos  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/13")
KEY_PREFIX = os.environ.get("BENCH_KEY_PREFIX", "")  # the cache's KEY_PREFIX: empty unless set
ENDPOINT_ORDER = [
    "login page",
    "login",
    "home",
    "my final controls",
    "exam page",
    "exam page (in place)",
    "student stream open (hello)",
    "status (heartbeat)",
    "status (fallback poll)",
    "board (poll)",
    "board (refetch)",
    "ticket choose",
    "questions open",
    "draft (autosave)",
    "file upload",
    "answer send",
    "stream page",
    "staff stream open (hello)",
    "stream live (poll)",
    "stream live (refetch)",
    "hand-out place",
    "hand-out generate",
    "hand-out send",
    "Aggregated",
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def settings_module():
    return (
        "config.settings_production"
        if (ROOT / "config" / "settings_production.py").exists()
        else "config.settings"
    )


class Database:
    """The bench's fresh database: a PostgreSQL database of its own, or an SQLite file in the output dir."""

    def __init__(self, kind, stamp, out):
        self.kind = kind
        if kind == "sqlite":
            self.path = out / "bench.sqlite3"
            self.name, self.url = str(self.path), f"sqlite:///{self.path}"
        else:
            self.name = f"attestation_bench_{stamp.replace('-', '_')}"
            self.url = f"{PG}/{self.name}"

    @property
    def title(self):
        return "SQLite (WAL, one file)" if self.kind == "sqlite" else "PostgreSQL"

    def create(self):
        if self.kind == "postgresql":
            with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
                conn.execute(f'CREATE DATABASE "{self.name}"')

    def drop(self):
        if self.kind == "postgresql":
            with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        # the SQLite file goes with the output folder

    def connect(self):
        if self.kind == "sqlite":
            return sqlite3.connect(self.path, timeout=60)
        return psycopg.connect(self.url)

    def rows(self, conn, sql, *params):
        """``sql`` with ``{}`` where each list of ``params`` goes (an IN list) or ``%s`` for one value."""
        mark = "?" if self.kind == "sqlite" else "%s"
        lists = [", ".join([mark] * len(p)) for p in params if isinstance(p, list)]
        flat = [v for p in params for v in (p if isinstance(p, list) else [p])]
        return conn.execute(sql.format(*lists), flat).fetchall()


def production_env(database, out, **extra):
    """The bench servers' environment: the production settings on the bench's database and Redis."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module(),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_DEBUG": "0",
        "DATABASE_URL": database.url,
        "REDIS_URL": REDIS,
        "MEDIA_ROOT": str(out / "media"),
        "STATIC_ROOT": str(out / "static"),  # the pages name the hashed files collectstatic writes
        "PYTHONPATH": str(ROOT),
        **extra,
    }


SLOT_LEAD = 5  # seconds: locust's start, before the arrival window opens
ARRIVAL_AFTER_START = 120  # seconds after the slots' start still counted as the arrival (the report)


def schedule_slots(database, plan, arrival, minutes):
    """Every scenario slot starts ``arrival`` seconds (and the lead) from now, in the same second —
    set just before locust starts, so the students' arrival window is exactly before it. The
    ceiling group's slot stays running (its students autosave in the ceiling phase)."""
    starts = datetime.datetime.now(datetime.UTC).replace(microsecond=0) + datetime.timedelta(
        seconds=arrival + SLOT_LEAD
    )
    ends = starts + datetime.timedelta(minutes=minutes)
    slots = sorted({s["slot"] for s in plan["staff"]})
    if database.kind == "sqlite":  # stored as UTC text, as Django writes it
        starts_value, ends_value = (v.replace(tzinfo=None).isoformat(" ") for v in (starts, ends))
    else:
        starts_value, ends_value = starts, ends
    with database.connect() as conn:
        mark = "?" if database.kind == "sqlite" else "%s"
        conn.execute(
            f"UPDATE attestation_slot SET starts_at = {mark}, ends_at = {mark} "  # noqa: S608
            f"WHERE id IN ({', '.join([mark] * len(slots))})",
            [starts_value, ends_value, *slots],
        )
        conn.commit()
    return starts.timestamp()


def flush_redis():
    import redis

    redis.Redis.from_url(REDIS).flushdb()


def run(cmd, env, **kwargs):
    print("$", " ".join(map(str, cmd)), flush=True)
    subprocess.run(cmd, env=env, cwd=ROOT, check=True, **kwargs)


class RssSampler(threading.Thread):
    """Every second: the RSS of each worker of a server (first, peak, last) and the CPU seconds its
    workers have used (a series: the CPU of a window of the run is the difference of two samples)."""

    def __init__(self, master_pid):
        super().__init__(daemon=True)
        self.master = psutil.Process(master_pid)
        self.workers: dict[int, dict] = {}
        self.cpu: list[tuple[float, float]] = []  # (time, CPU seconds of every worker so far)
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.wait(1):
            try:
                children = self.master.children() or [self.master]  # one worker: the process itself
            except psutil.Error:
                return
            for child in children:
                try:
                    if "resource_tracker" in " ".join(child.cmdline()):
                        continue  # uvicorn's multiprocessing helper, not a worker
                    rss = child.memory_info().rss
                    times = child.cpu_times()
                except psutil.Error:
                    continue
                w = self.workers.setdefault(child.pid, {"first": rss, "peak": rss, "last": rss, "cpu": 0})
                w["peak"], w["last"], w["cpu"] = max(w["peak"], rss), rss, times.user + times.system
            self.cpu.append((time.time(), sum(w["cpu"] for w in self.workers.values())))

    def cpu_between(self, start, end):
        """CPU seconds the workers used between two moments (the nearest samples)."""
        inside = [c for t, c in self.cpu if start <= t <= end]
        return (inside[-1] - inside[0]) if len(inside) >= 2 else 0.0

    def table(self, title):
        lines = [f"| {title} pid | first RSS MB | peak RSS MB | last RSS MB |", "|---|---:|---:|---:|"]
        for pid, w in sorted(self.workers.items()):
            lines.append(
                f"| {pid} | {w['first'] / 2**20:.0f} | {w['peak'] / 2**20:.0f} | {w['last'] / 2**20:.0f} |"
            )
        return lines


class ConnectionCounter(threading.Thread):
    """Every few seconds: the established TCP connections to a port (the open streams)."""

    def __init__(self, port, every=3):
        super().__init__(daemon=True)
        self.port, self.every = port, every
        self.samples: list[tuple[float, int]] = []
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.wait(self.every):
            try:
                out = subprocess.run(
                    ["ss", "-Htn", "state", "established", f"( sport = :{self.port} )"],  # noqa: S607
                    capture_output=True,
                    text=True,
                    timeout=10,
                    check=False,
                ).stdout
            except (OSError, subprocess.TimeoutExpired):
                continue
            self.samples.append((time.time(), len(out.splitlines())))

    @property
    def peak(self):
        return max((n for _, n in self.samples), default=0)

    def mean_between(self, start, end):
        inside = [n for t, n in self.samples if start <= t <= end]
        return sum(inside) / len(inside) if inside else 0.0


def start_server(env, port, args, out):
    cmd = [
        BIN / "gunicorn",
        "bench.wsgi:application",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(args.workers),
        "--worker-class", args.worker_class,
        "--threads", str(args.threads),
        "--timeout", "120",
        "--backlog", "4096",
        "--max-requests", "0",
        "--log-level", "warning",
    ]  # fmt: skip
    print("$", " ".join(map(str, cmd)), flush=True)
    log = open(out / "gunicorn.log", "w")  # noqa: SIM115 — closed with the process
    server = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(100):
        try:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/bench/ping/", headers={"X-Forwarded-Proto": "https"}
            )
            with urllib.request.urlopen(request, timeout=2) as r:  # noqa: S310
                if r.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer; see " + str(out / "gunicorn.log"))


def start_streams(env, port, args, out):
    """The live streams (#15) beside gunicorn as production runs them (README): ``manage.py
    serve_live`` — uvicorn on config.asgi (uvloop and httptools, chosen by uvicorn when installed,
    ``--lifespan off``, no access log) on a socket that drops a connection whose keep-alive stays
    unacknowledged (LIVE_SILENT_SECONDS)."""
    cmd = [
        BIN / "python", "manage.py", "serve_live",
        "--host", "127.0.0.1",
        "--port", str(port),
        "--workers", str(args.asgi_workers),
    ]  # fmt: skip
    print("$", " ".join(map(str, cmd)), flush=True)
    log = open(out / "uvicorn.log", "w")  # noqa: SIM115 — closed with the process
    server = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(150):
        try:  # a stream without a session cookie: 403 means the ASGI application answers
            with urllib.request.urlopen(  # noqa: S310
                urllib.request.Request(
                    f"http://127.0.0.1:{port}/attestation/slots/1/events/",
                    headers={"X-Forwarded-Proto": "https"},
                ),
                timeout=2,
            ):
                return server
        except urllib.error.HTTPError:
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("uvicorn did not answer; see " + str(out / "uvicorn.log"))


def stop(server):
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(20)
    except subprocess.TimeoutExpired:
        server.kill()


def wait_drained(port, limit=300):
    """After locust stops, the listen backlog may still hold thousands of requests of stopped users;
    the sync workers serve them all. Wait until a ping is quick again (seconds waited, or None)."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/bench/ping/", headers={"X-Forwarded-Proto": "https"}
        )
        began = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=limit) as r:  # noqa: S310
                if r.status == 200 and time.monotonic() - began < 0.5:
                    return time.monotonic() - started
        except OSError:
            time.sleep(1)
    return None


def locust(env, port, out, prefix, classes, users, spawn_rate, seconds):
    cmd = [
        BIN / "locust",
        "-f", ROOT / "bench" / "locustfile.py",
        "--headless",
        "--host", f"http://127.0.0.1:{port}",
        "-u", str(users),
        "-r", str(spawn_rate),
        "-t", f"{int(seconds)}s",
        "--stop-timeout", "5",
        "--csv", out / prefix,
        "--only-summary",
        "--loglevel", "WARNING",
        *classes,
    ]  # fmt: skip
    print("$", " ".join(map(str, cmd)), flush=True)
    with open(out / f"{prefix}.log", "w") as log:
        subprocess.run(cmd, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, check=False)
    with open(out / f"{prefix}_stats.csv", encoding="utf-8") as fh:
        return {row["Name"]: row for row in csv.DictReader(fh)}


def sha(text):
    return hashlib.sha256((text or "").encode()).hexdigest()


def check_data(database, plan, outcomes, stats, unexplained=None):
    """Every student's last autosave and submission, exactly once; no ticket twice; no failure
    (``unexplained``: the failed requests neither a designed fallback nor a fault's casualty)."""
    problems = []
    sessions = {int(o["session"]): (u, o) for u, o in outcomes.items()}
    ids = list(sessions) or [0]
    conn = database.connect()
    try:
        rows = database.rows(
            conn,
            "SELECT id, draft_version, draft, answer, answer_sent_at, ticket_id FROM attestation_examsession "
            "WHERE id IN ({})",
            ids,
        )
        sends = dict(
            database.rows(
                conn,
                "SELECT CAST(object_id AS BIGINT), count(*) FROM audit_auditentry "
                "WHERE action = 'answer.send' AND object_id IN ({}) GROUP BY 1",
                [str(s) for s in ids],
            )
        )
        files = dict(
            database.rows(
                conn,
                "SELECT session_id, count(*) FROM attestation_answerfile WHERE session_id IN ({}) GROUP BY 1",
                ids,
            )
        )
        doubles = database.rows(
            conn,
            "SELECT slot_id, ticket_id, count(*) FROM attestation_examsession WHERE ticket_source = 'chosen' "
            "GROUP BY 1, 2 HAVING count(*) > 1",
        )
    finally:
        conn.close()
    drafts_ok = sent_ok = files_ok = 0
    sent_expected = with_ticket = in_flight = completed = 0
    for pk, version, draft, answer, sent_at, ticket_id in rows:
        username, o = sessions[pk]
        with_ticket += ticket_id is not None
        # Every student of the scenario gets a ticket, opens the questions and sends: one who never
        # reached sending was stuck on a page that did not move on (2,000-student run, 1 Dec 12:07).
        if ticket_id is None:
            problems.append(f"{username}: never got a ticket")
        elif not o.get("send_tried"):
            problems.append(f"{username}: never reached sending (the page did not move on)")
        else:
            completed += 1
        # A request locust stopped waiting for when the run ended: the server may have done it.
        if o.get("pending_version") == version and sha(draft) == o.get("pending_sha"):
            o = {**o, "version": version, "draft_sha": o["pending_sha"]}
            in_flight += 1
        if o.get("pending_sent_sha") and sent_at is not None and sha(answer) == o["pending_sent_sha"]:
            o = {**o, "sent_sha": o["pending_sent_sha"]}
            in_flight += 1
        if o.get("pending_file") and files.get(pk, 0) == o.get("files", 0) + 1:
            o = {**o, "files": o.get("files", 0) + 1}
            in_flight += 1
        if version != o.get("version", 0):
            problems.append(
                f"{username}: draft version {version} in the database, {o.get('version')} acknowledged"
            )
        elif "sent_sha" not in o and o.get("version") and sha(draft) != o.get("draft_sha"):
            problems.append(f"{username}: the draft text differs from the last acknowledged autosave")
        else:
            drafts_ok += 1
        if "sent_sha" in o:
            sent_expected += 1
            if sent_at is None or sha(answer) != o["sent_sha"] or sends.get(pk, 0) != 1:
                problems.append(f"{username}: submission sent={sent_at} audit entries={sends.get(pk, 0)}")
            else:
                sent_ok += 1
        elif sent_at is not None or sends.get(pk, 0):
            problems.append(f"{username}: a submission locust never got a 302 for")
        if files.get(pk, 0) == o.get("files", 0):
            files_ok += 1
        else:
            problems.append(f"{username}: {files.get(pk, 0)} files stored, {o.get('files', 0)} acknowledged")
    for slot, ticket, count in doubles:
        problems.append(f"slot {slot}: ticket {ticket} chosen by {count} students")
    failures = int(stats.get("Aggregated", {}).get("Failure Count", 0) or 0)
    if unexplained is None:
        unexplained = failures
    if unexplained:
        problems.append(f"{unexplained} requests failed (neither a designed fallback nor a fault's casualty)")
    if len(rows) != len(outcomes):
        problems.append(f"{len(outcomes) - len(rows)} students of locust have no session row")
    return {
        "students": len(outcomes),
        "drafts_ok": drafts_ok,
        "sent_expected": sent_expected,
        "sent_ok": sent_ok,
        "files_ok": files_ok,
        "with_ticket": with_ticket,
        "completed": completed,
        "doubles": len(doubles),
        "in_flight": in_flight,
        "failures": failures,
        "problems": problems,
    }


def percentile(values, q):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def ms(value):
    if value is None:
        return "–"
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.0f} ms"


def published_events():
    """Every channel's last number in Redis (attestation.live): how many events each had."""
    import redis

    client = redis.Redis.from_url(REDIS)
    prefix = f"{KEY_PREFIX}live:seq:"
    keys = list(client.scan_iter(match=prefix + "*", count=1000))
    values = client.mget(keys) if keys else []
    by_kind = {}
    for key, value in zip(keys, values, strict=True):
        kind = key.decode().removeprefix(prefix).split(":", 1)[0]
        channels, events = by_kind.get(kind, (0, 0))
        by_kind[kind] = (channels + 1, events + int(value or 0))
    return by_kind


STAFF_ACTION = ("placed", "ticket (generated)", "questions", "extra_time", "slot", "board")


def stream_figures(data):
    """Delivery delays, events delivered against due, fallbacks — from locust's streams.json."""
    delays = data["delays"]
    everything = [d for values in delays.values() for d in values]
    staff_action = [d for name in STAFF_ACTION for d in delays.get(name, [])]
    totals = {"due": 0, "delivered": 0, "missing": 0, "duplicates": 0, "early": 0, "late": 0}
    broken = {"segments": 0, "due": 0, "missing": 0}
    gaps, unknown = [], 0
    spanning = 0
    for segment in data["segments"]:
        if segment.get("spans_restart"):
            spanning += 1  # its numbers belong to two lives of Redis (--chaos)
            continue
        if segment["end"] is None:
            unknown += 1
            continue
        for channel, seqs in segment["seqs"].items():
            base, end = segment["base"].get(channel, 0), segment["end"].get(channel, 0)
            due = max(0, end - base)
            inside = [n for n in seqs if base < n <= end]
            got = len(set(inside))
            missing = due - got
            if segment["broken"]:
                broken["due"] += due
                broken["missing"] += missing
                continue
            totals["due"] += due
            totals["delivered"] += got
            totals["missing"] += missing
            totals["duplicates"] += len(inside) - got
            totals["early"] += sum(1 for n in seqs if n <= base)
            totals["late"] += sum(1 for n in seqs if n > end)
            if missing:
                lost = sorted(set(range(base + 1, end + 1)) - set(inside))
                gaps.append(f"{segment['user']} ({segment['kind']}) {channel}: missed {lost[:10]}")
        broken["segments"] += bool(segment["broken"])
    per_event = {
        name: (len(values), percentile(values, 0.5), percentile(values, 0.95), max(values))
        for name, values in sorted(delays.items())
        if values
    }
    return {
        "all": (
            len(everything),
            percentile(everything, 0.5),
            percentile(everything, 0.95),
            max(everything, default=None),
        ),
        "staff_action": (
            len(staff_action),
            percentile(staff_action, 0.5),
            percentile(staff_action, 0.95),
            max(staff_action, default=None),
        ),
        "per_event": per_event,
        "totals": totals,
        "broken": broken,
        "gaps": gaps,
        "unknown": unknown,
        "spanning": spanning,
        "segments": len(data["segments"]),
        "counts": data["counts"],
    }


def offered_load(data, end):
    """Requests per second per student after everyone has arrived and the first minute is over."""
    start = max(data["spawned_at"] or data["t0"], data["t0"] + 60)
    end -= 5  # locust stopping
    seconds = end - start
    if seconds < 10:
        return None
    lo, hi = int(start - data["t0"]), int(end - data["t0"])
    per_role = {
        role: sum(n for second, n in series if lo <= second < hi) for role, series in data["requests"].items()
    }
    students = data["students"] or 1
    return {
        "start": lo,
        "end": hi,
        "student": per_role.get("student", 0) / (hi - lo) / students,
        "teacher": per_role.get("teacher", 0) / (hi - lo) / students,
        "window": (start, end),
    }


def live_report(live, counter, users, staff):
    """The streams' section of a run (#15)."""
    if live is None:
        return []
    t, b, c = live["totals"], live["broken"], live["counts"]
    lines = [
        f"Live streams (#15): {live['segments']} stream connections said hello "
        f"({users} students + {staff} staff pages); peak open streams on uvicorn's port "
        f"{counter.peak if counter else '–'}; fallbacks to polling {c.get('fallbacks', 0)}, "
        f"reconnections {c.get('reconnects', 0)}, keep-alives (`clock`, every "
        f"{c.get('keep-alive seconds', '?')} s when quiet) received {c.get('keep-alives', 0)}",
    ]
    lines += [
        f"  - {name}: {n}" for name, n in sorted(c.items()) if name.startswith(("fallback: ", "reconnect: "))
    ][:8]
    n, p50, p95, top = live["all"]
    lines.append(f"- **delivery, every event**: {n} events, p50 {ms(p50)}, p95 {ms(p95)}, max {ms(top)}")
    n, p50, p95, top = live["staff_action"]
    lines.append(
        f"- **delivery, events caused by a staff action** (placed, ticket generated, questions, "
        f"extra time, slot, board) to student pages: {n} events, p50 {ms(p50)}, p95 {ms(p95)}, max {ms(top)} "
        "(target p95 < 2 s)"
    )
    verdict = (
        "**every event due delivered**" if not t["missing"] and not live["unknown"] else "**EVENTS MISSING**"
    )
    lines.append(
        f"- **events delivered vs due** (per stream and channel: the numbers after its hello up to the "
        f"end of the run): delivered {t['delivered']} of {t['due']} due, missing {t['missing']}, "
        f"duplicates {t['duplicates']} — {verdict}; before a stream's hello {t['early']}, after the end "
        f"{t['late']}; streams whose due is unknown (Redis unread) {live['unknown']}; streams broken mid-run "
        f"{b['segments']} (due {b['due']}, missed while breaking {b['missing']}: the page's hello catches up)"
    )
    lines += [f"  - {gap}" for gap in live["gaps"][:10]]
    published = ", ".join(
        f"{kind} {channels} channels / {events} events"
        for kind, (channels, events) in sorted(live["published"].items())
    )
    lines.append(f"- published (channel numbers in Redis at the end): {published or 'none'}")
    load = live.get("load")
    if load:
        lines.append(
            f"- **offered load in the steady state** (seconds {load['start']}–{load['end']} of the run: "
            f"everyone arrived, first minute excluded): **{load['student']:.3f} requests/s per student** "
            f"(target ≤ 0.1), staff {load['teacher']:.3f} more per student"
        )
    else:
        lines.append("- offered load in the steady state: the run is too short (everyone arrived + 1 min)")
    lines += [
        "",
        "| event | received | p50 | p95 | max |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, (n, p50, p95, top) in live["per_event"].items():
        lines.append(
            f"| {name.replace('@staff', ' (staff page)')} | {n} | {ms(p50)} | {ms(p95)} | {ms(top)} |"
        )
    return [*lines, ""]


def keepalive_report(live, ceiling):
    """The stream's cost beside the heartbeat's: CPU per student-minute (#15)."""
    if not live or not live.get("mean_streams") or not live.get("window_minutes"):
        return []
    stream_ms = live["asgi_cpu"] * 1000 / (live["mean_streams"] * live["window_minutes"])
    status = ceiling.get("status", {})
    line = (
        f"Keep-alive cost: the uvicorn workers used {live['asgi_cpu']:.1f} CPU s in the steady window for "
        f"{live['mean_streams']:.0f} open streams on average: **{stream_ms:.1f} CPU ms per stream-minute** "
        "(keep-alives, events, presence refreshes — an upper bound of the keep-alive alone)"
    )
    if status.get("requests") and status.get("cpu"):
        beat_ms = status["cpu"] * 1000 / status["requests"]
        ratio = stream_ms / (12 * beat_ms)
        line += (
            f"; a heartbeat costs gunicorn {beat_ms:.1f} CPU ms (ceiling phase), one every 5 s "
            f"{12 * beat_ms:.0f} ms per student-minute: **stream/heartbeat = {ratio:.3f}**"
        )
    return [line]


def chaos_seconds(args):
    """When each fault comes, in seconds of the scenario (--chaos-at, or a share of the duration)."""
    # Early enough that the scenario's last stretch (the answers sent from 75 % on) finds them recovered.
    at = {"worker": 0.15, "redis": 0.30, "postgres": 0.45}
    seconds = {name: round(share * args.duration) for name, share in at.items()}
    for item in filter(None, args.chaos_at.split(",")):
        name, second = item.split("=")
        seconds[name.strip()] = float(second)
    if args.database == "sqlite":
        seconds.pop("postgres", None)
    return seconds


def fault_ok(fault):
    return fault.get("recovered") is not None or "up" in fault and "recovered" not in fault


def staff_changes(database, outcomes):
    """What teachers did to the driven students' exams, and when (epoch seconds): tickets placed,
    tickets generated, questions sent — each a state the student's page must come to show."""
    by_session = {int(o["session"]): user for user, o in outcomes.items()}
    conn = database.connect()
    try:
        rows = database.rows(
            conn,
            "SELECT id, placed_at, CASE WHEN ticket_source = 'generated' THEN ticket_at END, "
            "questions_sent_at FROM attestation_examsession WHERE id IN ({})",
            list(by_session) or [0],
        )
    finally:
        conn.close()
    changes = []
    for pk, *moments in rows:
        for key, moment in zip(("placed", "has_ticket", "questions_sent"), moments, strict=True):
            if moment is not None:
                if isinstance(moment, str):  # SQLite
                    moment = datetime.datetime.fromisoformat(moment)
                if moment.tzinfo is None:
                    moment = moment.replace(tzinfo=datetime.UTC)
                changes.append((by_session[pk], (key, moment.timestamp())))
    return changes


def chaos_report(faults, started, live, recovery, fallbacks, casualties, unexplained, out):
    """The faults (#28): when, what they cost, how long until each was over."""
    if not faults and not fallbacks and not unexplained:
        return []
    lines = []
    if faults:
        lines.append("Faults (`--chaos`; the run's own Redis and PostgreSQL cluster, bench/chaos.py):")

    def second(t):
        return f"{t - started:.1f} s"

    worker = faults.get("worker")
    if worker:
        took = f"{worker['recovered'] - worker['at']:.2f} s" if worker["recovered"] else "NOT replaced"
        lines.append(
            f"- **gunicorn worker killed** (SIGKILL, pid {worker['pid']}) at {second(worker['at'])} "
            f"(planned {worker['planned']:.0f} s): a new worker in {took}"
        )
    redis = faults.get("redis")
    if redis:
        line = (
            f"- **Redis restarted** at {second(redis['at'])} (planned {redis['planned']:.0f} s): down "
            f"{second(redis['down'])}–{second(redis['up'])} ({redis['up'] - redis['down']:.1f} s, "
            f"back empty); actions whose events could not be published (the servers' log): "
            f"{chaos.not_published(out)}"
        )
        back = (live or {}).get("streams_back")
        if back:
            line += (
                f"; streams: {(live or {}).get('ended_by_outage', 0)} ended by the outage, the first hello "
                f"again {fmt_s(back['first'])} after Redis was back; of the {back['pages']} students "
                f"whose page had a stream before, {back['back']} had one again by the end — half within "
                f"{fmt_s(back['half'])}, 95 % within {fmt_s(back['p95'])}, all within {fmt_s(back['all'])} "
                "(a page whose stream was refused polls, and tries again after 60 s)"
            )
        lines.append(line)
    postgres = faults.get("postgres")
    if postgres:
        took = "NOT answered"
        if postgres["recovered"]:
            after = postgres["recovered"] - postgres["up"]
            took = f"at {second(postgres['recovered'])}, {after:.2f} s after its start began"
        probe = ", ".join(f"{status or 'no answer'} × {n}" for status, n in sorted(postgres["probe"].items()))
        lines.append(
            f"- **PostgreSQL restarted** (stop -m fast) at {second(postgres['at'])} (planned "
            f"{postgres['planned']:.0f} s): down {second(postgres['down'])}–{second(postgres['up'])}; "
            f"a query through the app answered again {took} (probe every 0.1 s: {probe})"
        )
    if fallbacks:
        lines.append(
            "- designed fallbacks (not failures): "
            + "; ".join(f"{name} × {n}" for name, n in sorted(fallbacks.items()))
        )
    if casualties:
        lines.append(
            "- a fault's casualties (requests the killed worker was serving; the page retries them): "
            + "; ".join(f"{name} × {n}" for name, n in sorted(casualties.items()))
        )
    if unexplained:
        kinds = Counter(f"{f['kind']}: {f['name']}" for f in unexplained)
        lines.append(
            "- **other failed requests**: "
            + "; ".join(f"{name} × {n} (first at {second(min(f['t'] for f in unexplained))})"
                        for name, n in kinds.most_common(8))
        )  # fmt: skip
    if recovery:
        result, lost = recovery
        delays = result["delays"]
        how = ", ".join(f"{way} {n}" for way, n in sorted(result["how"].items()))
        lines.append(
            f"- **state the pages could not hear as an event** (of {result['changes']} changes teachers "
            f"made — tickets placed or generated, questions sent): {result['during_outage']} while Redis "
            f"was out, {result['without_stream']} while the page had no open stream; shown by the page "
            f"later {result['learned']} ({how or 'none'}), never {len(lost)} (made in the run's last "
            f"{chaos.LAST_LOOK} s, not judged: {result['too_late']}); time to show after it could: "
            f"p50 {fmt_s(percentile(delays, 0.5))}, p95 {fmt_s(percentile(delays, 0.95))}, "
            f"max {fmt_s(max(delays, default=None))}"
        )
    return [*lines, ""]


def fmt_s(value):
    return "–" if value is None else f"{value:.1f} s"


def machine():
    mem = psutil.virtual_memory().total / 2**30
    load = os.getloadavg()
    return f"{os.cpu_count()} CPU (nproc), {mem:.1f} GiB RAM", "{:.2f} {:.2f} {:.2f}".format(*load)


def endpoint_table(stats, cpu=None):
    """Latency per endpoint (locust) beside the CPU a request of that kind cost gunicorn."""
    cpu = cpu or {}
    lines = [
        "| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors | CPU ms/req | CPU s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    names = [n for n in ENDPOINT_ORDER if n in stats] + sorted(set(stats) - set(ENDPOINT_ORDER))
    for name in names:
        r = stats[name]
        count, spent = cpu.get(name, (0, 0.0))
        mean = f"{spent * 1000 / count:.1f}" if count else "—"
        total = f"{spent:.1f}" if count else "—"
        lines.append(
            f"| {name} | {r['Request Count']} | {float(r['Requests/s']):.1f} | {r['50%']} | {r['95%']} | "
            f"{r['99%']} | {float(r['Max Response Time']):.0f} | {r['Failure Count']} | {mean} | {total} |"
        )
    return lines


# Requests that bring a student from the door to the open questions, and the staff's meanwhile: the
# arrival. The rest (autosave, files, sending) is the steady exam.
STEADY_KINDS = {"draft (autosave)", "file upload", "answer send"}
SIGN_IN_KINDS = {"login page", "login", "home", "my final controls"}
STAFF_KINDS_PREFIXES = ("stream page", "stream live", "hand-out")


def cpu_by_kind(out, start, end):
    """{kind: (requests, CPU seconds)} over [start, end) from the workers' files (bench/wsgi.py)."""
    totals: dict[str, list[float]] = {}
    for path in sorted(out.glob("cpu-*.json")):
        for second, kinds in json.loads(path.read_text(encoding="utf-8")).items():
            if not start <= int(second) < end:
                continue
            for kind, (count, spent) in kinds.items():
                row = totals.setdefault(kind, [0, 0.0])
                row[0] += count
                row[1] += spent
    return {kind: (int(count), spent) for kind, (count, spent) in totals.items()}


def arrival_report(cpu, students, window_cpu, window):
    """CPU per student for the arrival, by request kind (target ≤ 35 ms per student)."""
    if not cpu or not students:
        return []
    arrival = {k: v for k, v in cpu.items() if k not in STEADY_KINDS}
    staff = {k: v for k, v in arrival.items() if k.startswith(STAFF_KINDS_PREFIXES)}
    sign_in = {k: v for k, v in arrival.items() if k in SIGN_IN_KINDS}
    total = sum(spent for _, spent in arrival.values())

    def per(part):
        return sum(spent for _, spent in part.values()) * 1000 / students

    page = per(arrival) - per(sign_in) - per(staff)
    lines = [
        f"**Arrival CPU per student: {total * 1000 / students:.1f} ms** of gunicorn's thread CPU "
        f"(every request but autosave, files and sending, staff included; target ≤ 35): sign-in "
        f"{per(sign_in):.1f} ms, the exam page and what it does {page:.1f} ms, the staff's share "
        f"{per(staff):.1f} ms.",
        "",
        "| request kind (arrival) | requests | per student | CPU ms/req | CPU ms per student |",
        "|---|---:|---:|---:|---:|",
    ]
    for kind, (count, spent) in sorted(arrival.items(), key=lambda kv: -kv[1][1]):
        lines.append(
            f"| {kind} | {count} | {count / students:.2f} | {spent * 1000 / count:.1f} | "
            f"{spent * 1000 / students:.1f} |"
        )
    if window_cpu is not None:
        lines += [
            "",
            f"gunicorn's workers (all their CPU, from /proc) in the arrival window — the run's start to "
            f"{window:.0f} s after the slots' start: {window_cpu:.1f} CPU s, "
            f"{window_cpu * 1000 / students:.1f} ms per student.",
        ]
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description="Exam-day benchmark (see bench/README.md)")
    parser.add_argument(
        "--users", type=int, default=200, help="students driven (staff are added: one per slot)"
    )
    parser.add_argument("--duration", type=int, default=90, help="seconds of the scenario")
    parser.add_argument(
        "--spawn-rate",
        type=float,
        default=None,
        help="users started per second (100 with --arrival: each then waits for its moment; else 10)",
    )
    parser.add_argument(
        "--arrival",
        type=int,
        default=None,
        help="seconds before the slots' start in which the students arrive, each at a random moment "
        "(default: 300, or a quarter of a shorter --duration); 0: everyone as spawned, slots already running",
    )
    parser.add_argument("--college", type=int, default=2000, help="students in the generated college")
    parser.add_argument(
        "--database", choices=["postgresql", "sqlite"], default="postgresql", help="the database served"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="gunicorn's sync workers: 2 × cores with the streams' uvicorn beside (4 here), "
        "2 × cores + 1 without (--asgi-workers 0)",
    )
    parser.add_argument(
        "--asgi-workers",
        type=int,
        default=2,
        help="uvicorn workers serving the live streams (manage.py serve_live); 0: no streams, the pages poll",
    )
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--login-share",
        type=float,
        default=1.0,
        help="students who sign in through the form (the others arrive with a session opened before)",
    )
    parser.add_argument("--ceiling-seconds", type=int, default=20)
    parser.add_argument("--ceiling-users", type=int, default=10)
    parser.add_argument(
        "--chaos",
        action="store_true",
        help="faults during the run on a Redis and a PostgreSQL cluster of the run's own (bench/chaos.py)",
    )
    parser.add_argument(
        "--chaos-at",
        default="",
        help="seconds of the scenario, e.g. worker=20,redis=40,postgres=60 (default 15/30/45 %% of it)",
    )
    parser.add_argument("--chaos-redis-down", type=float, default=10, help="seconds Redis stays down")
    parser.add_argument("--chaos-pg-down", type=float, default=5, help="seconds PostgreSQL stays down")
    parser.add_argument("--keep", action="store_true", help="keep the database and the output folder")
    parser.add_argument("--no-results", action="store_true", help="do not append to bench/RESULTS.md")
    args = parser.parse_args(argv)
    users = min(args.users, args.college)
    if args.arrival is None:
        args.arrival = min(300, args.duration // 4)
    if args.spawn_rate is None:
        args.spawn_rate = 100 if args.arrival else 10
    if args.workers is None:
        args.workers = 2 * (os.cpu_count() or 1) + (0 if args.asgi_workers else 1)
    # 2,000 open streams: a socket each in locust and in uvicorn (children inherit the limit)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 16384:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(16384, hard), hard))

    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = Path(tempfile.mkdtemp(prefix=f"attestation-bench-{stamp}-"))
    own_redis = own_postgres = None
    if args.chaos:  # the machine's shared Redis and PostgreSQL are never restarted: the run's own are
        global PG, REDIS
        own_redis = chaos.OwnRedis(out)
        own_redis.start()
        REDIS = own_redis.url
        if args.database == "postgresql":
            own_postgres = chaos.OwnPostgres(stamp)
            own_postgres.create()
            PG = own_postgres.url
    database = Database(args.database, stamp, out)
    env = production_env(
        database,
        out,
        DB_CONN_MAX_AGE="60",
        LOG_LEVEL="WARNING",
        BENCH_PLAN=str(out / "plan.json"),
        BENCH_OUT=str(out),
        BENCH_STUDENTS=str(users),
        BENCH_DURATION=str(args.duration),
        BENCH_LOGIN_SHARE=str(args.login_share),
        CLIENT_ADDRESS_HEADER="HTTP_X_REAL_IP",  # as behind nginx: locust says each classroom's address
    )
    print(f"output: {out}; database: {database.name}", flush=True)
    database.create()
    flush_redis()
    server = streams = faults = None
    stream_port = 0
    try:
        run([BIN / "python", "manage.py", "migrate", "--noinput", "-v", "0"], env)
        run([BIN / "python", "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
        minutes = args.duration // 60 + 30
        college = ["--students", str(args.college), "--minutes", str(minutes)]
        run([BIN / "python", "bench/make_college.py", *college,
             "--out", out / "plan.json", "--sessions"], env)  # fmt: skip
        plan = json.loads((out / "plan.json").read_text())
        staff = len({s["slot"] for s in plan["students"][:users]})
        port = free_port()
        server = start_server(env, port, args, out)
        sampler = RssSampler(server.pid)
        sampler.start()
        asgi_sampler = counter = None
        if args.asgi_workers:
            stream_port = free_port()
            streams = start_streams(env, stream_port, args, out)
            asgi_sampler, counter = RssSampler(streams.pid), ConnectionCounter(stream_port)
            asgi_sampler.start()
            counter.start()
        if args.chaos:
            faults = chaos.Chaos(
                chaos_seconds(args),
                args.chaos_redis_down,
                args.chaos_pg_down,
                server.pid,
                args.workers,
                port,
                own_redis,
                own_postgres,
            )
        starts_at = schedule_slots(database, plan, args.arrival, minutes) if args.arrival else 0
        started = time.time()
        if faults is not None:
            faults.begin(started)
        stats = locust(
            {
                **env,
                "BENCH_STREAM_PORT": str(stream_port),
                "BENCH_STARTS_AT": str(starts_at),
                "BENCH_ARRIVAL": str(args.arrival),
            },
            port,
            out,
            "main",
            ["Student", "Teacher"],
            users + staff,
            args.spawn_rate,
            args.duration,
        )
        main_seconds = time.time() - started
        main_ended = time.time()
        if faults is not None:
            faults.join(300)
        fault_log = faults.faults if faults is not None else {}
        live = None
        if (out / "streams.json").exists():
            data = json.loads((out / "streams.json").read_text())
            ended_by_outage, spanning = chaos.outage_segments(data["segments"], fault_log.get("redis"))
            live = stream_figures(data)
            live["ended_by_outage"] = ended_by_outage
            if fault_log.get("redis"):
                live["streams_back"] = chaos.streams_back(data["segments"], fault_log["redis"])
            live["load"] = offered_load(data, main_ended)
            live["published"] = published_events()
            if live["load"] and asgi_sampler is not None:
                window = live["load"]["window"]
                live["asgi_cpu"] = asgi_sampler.cpu_between(*window)
                live["mean_streams"] = counter.mean_between(*window)
                live["window_minutes"] = (window[1] - window[0]) / 60
        elif args.asgi_workers:
            print("locust wrote no streams.json; see main.log", flush=True)
        drained = wait_drained(port)  # the data check must see every request the server will ever do
        outcomes = json.loads((out / "outcomes.json").read_text()) if (out / "outcomes.json").exists() else {}
        failures = json.loads((out / "failures.json").read_text()) if (out / "failures.json").exists() else []
        fallbacks, casualties, unexplained = chaos.classify(failures, fault_log)
        check = check_data(database, plan, outcomes, stats, len(unexplained))
        recovery = None
        if args.chaos and live is not None:
            recovery = chaos.recovered_states(
                staff_changes(database, outcomes),
                outcomes,
                data["segments"],
                fault_log.get("redis"),
                main_ended,
            )
            check["problems"] += recovery[1][:20]
        if faults is not None:
            check["problems"] += [f"fault not done: {e}" for e in faults.errors]
            check["problems"] += [f"fault {n} not recovered" for n, f in fault_log.items() if not fault_ok(f)]
            check["problems"] += [f"fault {n} not done" for n in chaos_seconds(args) if n not in fault_log]
        load_after_main = machine()[1]
        ceiling = {}
        for cls, key in (("CeilingPing", "ping"), ("CeilingStatus", "status"), ("CeilingDraft", "draft")):
            began = time.time()
            locust(
                env,
                port,
                out,
                f"ceiling-{key}",
                [cls],
                args.ceiling_users,
                args.ceiling_users,
                args.ceiling_seconds,
            )
            path = out / f"ceiling-{key}.json"
            ceiling[key] = json.loads(path.read_text()) if path.exists() else {"rps": 0, "requests": 0}
            ceiling[key]["phase"] = (began, time.time())
        time.sleep(1.5)  # the last phase's last sample
        for phase in ceiling.values():  # CPU seconds of gunicorn's workers in each phase
            phase["cpu"] = sampler.cpu_between(*phase.pop("phase"))
        arrival_end = (starts_at or started) + ARRIVAL_AFTER_START
        window_cpu = sampler.cpu_between(started, min(arrival_end, main_ended))
        sampler.stopped.set()
        if asgi_sampler is not None:
            asgi_sampler.stopped.set()
            counter.stopped.set()
    finally:
        for process in (server, streams):
            if process is not None:
                stop(process)
        if not args.keep:
            database.drop()
            if own_postgres is not None:
                own_postgres.drop()
        if own_redis is not None:
            own_redis.close()

    # The workers wrote their last CPU counts when they stopped (bench/wsgi.py).
    cpu = cpu_by_kind(out, int(started), int(main_ended) + 1)
    mach, load = machine()
    command = "bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
    lines = [
        f"### {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')} — {users} students + {staff} staff, "
        f"{args.duration} s",
        "",
        f"- command: `.venv/bin/python {command.strip()}`",
        f"- machine: {mach}; load average after the scenario {load_after_main}, at the end {load}",
        f"- server: gunicorn `{args.worker_class}` × {args.workers} workers × {args.threads} threads, "
        + (
            f"`manage.py serve_live` (uvicorn, `config.asgi`) × {args.asgi_workers} workers "
            "for the live streams, "
            if args.asgi_workers
            else "no live streams (the pages poll), "
        )
        + f"`{settings_module()}`, DEBUG off; {database.title}, Redis and locust on the same machine",
        f"- scenario wall time {main_seconds:.0f} s, then "
        + (
            f"{drained:.0f} s until the server's backlog drained"
            if drained is not None
            else "backlog NOT drained"
        )
        + f"; spawn rate {args.spawn_rate}/s; "
        + (
            f"the students arrive at random moments of the {args.arrival} s before the slots' start "
            f"(all {staff} slots start together, {args.arrival + SLOT_LEAD:.0f} s into the run); "
            if args.arrival
            else "the students arrive as spawned, the slots already running; "
        )
        + f"{args.login_share:.0%} of them sign in through the form (Argon2, production session "
        "settings), the others arrive with a session opened before; staff sign in through the form",
        "",
        *endpoint_table(stats, cpu),
        "",
        *arrival_report(cpu, users, window_cpu, ARRIVAL_AFTER_START),
        "",
        *live_report(live, counter, users, staff),
        *chaos_report(fault_log, started, live, recovery, fallbacks, casualties, unexplained, out),
        *sampler.table("gunicorn worker"),
    ]
    if asgi_sampler is not None:
        lines += ["", *asgi_sampler.table("uvicorn worker")]
    ping = ceiling["ping"]["rps"] or 0
    lines += [
        "",
        f"Ceiling ({args.ceiling_users} closed-loop users, {args.ceiling_seconds} s each, same server): "
        + ", ".join(f"{k} {v['rps']:.0f} req/s" for k, v in ceiling.items()),
        f"**ratio heartbeat/trivial = {ceiling['status']['rps'] / ping:.2f}, "
        f"autosave/trivial = {ceiling['draft']['rps'] / ping:.2f}** (target ≥ 0.5)"
        if ping
        else "ratio: the trivial endpoint did not answer",
        *keepalive_report(live, ceiling),
        "",
        f"Data check: {check['students']} students; "
        f"last autosave matches {check['drafts_ok']}/{check['students']}; "
        f"submissions stored exactly once {check['sent_ok']}/{check['sent_expected']}; "
        f"files {check['files_ok']}/{check['students']}; "
        f"with a ticket {check['with_ticket']}/{check['students']}; "
        f"got through to sending {check['completed']}/{check['students']}; "
        f"tickets chosen twice in a slot: {check['doubles']}; failed requests: {check['failures']} "
        f"(designed fallbacks {sum(fallbacks.values())}, a fault's casualties {sum(casualties.values())}, "
        f"other {len(unexplained)}); "
        f"requests cut by the end of the run yet done by the server: {check['in_flight']} — "
        + ("**PASS**" if not check["problems"] else f"**FAIL** ({len(check['problems'])} problems)"),
    ]
    lines += [f"  - {p}" for p in check["problems"][:15]]
    lines.append("")
    report = "\n".join(lines)
    print("\n" + report)
    if not args.no_results:
        with open(ROOT / "bench" / "RESULTS.md", "a", encoding="utf-8") as fh:
            fh.write("\n" + report)
    if not args.keep:
        shutil.rmtree(out, ignore_errors=True)
    else:
        print(f"kept: {out}, database {database.name}")
        if own_postgres is not None:
            drop = f"pg_dropcluster --stop {chaos.PG_VERSION} {own_postgres.name}"
            print(f"its cluster: {own_postgres.url} (then: {drop})")
    complete = live is None or (not live["totals"]["missing"] and not live["unknown"])
    return 0 if not check["problems"] and complete else 1


if __name__ == "__main__":
    sys.exit(main())
