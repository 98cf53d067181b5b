# ruff: noqa: S603 — the bench starts its own tools (manage.py, gunicorn, locust) with fixed arguments
"""Exam-day benchmark: fresh database, bench college, gunicorn, locust, data check.

    .venv/bin/python bench/run.py                                  # smoke: 200 students, 90 s
    .venv/bin/python bench/run.py --users 2000 --duration 600      # the whole college
    .venv/bin/python bench/run.py --database sqlite                # the same on SQLite (a file)

Prints per endpoint requests, req/s, p50/p95/p99 and errors; each worker's peak RSS (first vs last);
the ceiling phase (closed loops on the trivial ping, the heartbeat and the autosave, one at a time)
and the ratios; then checks the data in the database against what locust last got a 200 for. The
summary is appended to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import hashlib
import json
import os
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
import urllib.request
from pathlib import Path

import psutil
import psycopg

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/13")
ENDPOINT_ORDER = [
    "login page",
    "login",
    "exam page",
    "status (heartbeat)",
    "board (poll)",
    "ticket choose",
    "questions open",
    "draft (autosave)",
    "file upload",
    "answer send",
    "stream page",
    "stream live (poll)",
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


def flush_redis():
    import redis

    redis.Redis.from_url(REDIS).flushdb()


def run(cmd, env, **kwargs):
    print("$", " ".join(map(str, cmd)), flush=True)
    subprocess.run(cmd, env=env, cwd=ROOT, check=True, **kwargs)


class RssSampler(threading.Thread):
    """Every second: the RSS of each gunicorn worker (first, peak, last)."""

    def __init__(self, master_pid):
        super().__init__(daemon=True)
        self.master = psutil.Process(master_pid)
        self.workers: dict[int, dict] = {}
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.wait(1):
            try:
                children = self.master.children()
            except psutil.Error:
                return
            for child in children:
                try:
                    rss = child.memory_info().rss
                except psutil.Error:
                    continue
                w = self.workers.setdefault(child.pid, {"first": rss, "peak": rss, "last": rss})
                w["peak"], w["last"] = max(w["peak"], rss), rss


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


def check_data(database, plan, outcomes, stats):
    """Every student's last autosave and submission, exactly once; no ticket twice; no failure."""
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
    sent_expected = with_ticket = in_flight = 0
    for pk, version, draft, answer, sent_at, ticket_id in rows:
        username, o = sessions[pk]
        with_ticket += ticket_id is not None
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
    if failures:
        problems.append(f"{failures} requests failed")
    if len(rows) != len(outcomes):
        problems.append(f"{len(outcomes) - len(rows)} students of locust have no session row")
    return {
        "students": len(outcomes),
        "drafts_ok": drafts_ok,
        "sent_expected": sent_expected,
        "sent_ok": sent_ok,
        "files_ok": files_ok,
        "with_ticket": with_ticket,
        "doubles": len(doubles),
        "in_flight": in_flight,
        "failures": failures,
        "problems": problems,
    }


def machine():
    mem = psutil.virtual_memory().total / 2**30
    load = os.getloadavg()
    return f"{os.cpu_count()} CPU (nproc), {mem:.1f} GiB RAM", "{:.2f} {:.2f} {:.2f}".format(*load)


def endpoint_table(stats):
    lines = [
        "| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    names = [n for n in ENDPOINT_ORDER if n in stats] + sorted(set(stats) - set(ENDPOINT_ORDER))
    for name in names:
        r = stats[name]
        lines.append(
            f"| {name} | {r['Request Count']} | {float(r['Requests/s']):.1f} | {r['50%']} | {r['95%']} | "
            f"{r['99%']} | {float(r['Max Response Time']):.0f} | {r['Failure Count']} |"
        )
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description="Exam-day benchmark (see bench/README.md)")
    parser.add_argument(
        "--users", type=int, default=200, help="students driven (staff are added: one per slot)"
    )
    parser.add_argument("--duration", type=int, default=90, help="seconds of the scenario")
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started per second")
    parser.add_argument("--college", type=int, default=2000, help="students in the generated college")
    parser.add_argument(
        "--database", choices=["postgresql", "sqlite"], default="postgresql", help="the database served"
    )
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--login-share", type=float, default=0.05, help="students who sign in through the form"
    )
    parser.add_argument("--ceiling-seconds", type=int, default=20)
    parser.add_argument("--ceiling-users", type=int, default=10)
    parser.add_argument("--keep", action="store_true", help="keep the database and the output folder")
    parser.add_argument("--no-results", action="store_true", help="do not append to bench/RESULTS.md")
    args = parser.parse_args(argv)
    users = min(args.users, args.college)

    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = Path(tempfile.mkdtemp(prefix=f"attestation-bench-{stamp}-"))
    database = Database(args.database, stamp, out)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module(),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_DEBUG": "0",
        "DATABASE_URL": database.url,
        "REDIS_URL": REDIS,
        "DB_CONN_MAX_AGE": "60",
        "MEDIA_ROOT": str(out / "media"),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        "BENCH_PLAN": str(out / "plan.json"),
        "BENCH_OUT": str(out),
        "BENCH_STUDENTS": str(users),
        "BENCH_DURATION": str(args.duration),
        "BENCH_LOGIN_SHARE": str(args.login_share),
    }
    print(f"output: {out}; database: {database.name}", flush=True)
    database.create()
    flush_redis()
    server = None
    try:
        run([BIN / "python", "manage.py", "migrate", "--noinput", "-v", "0"], env)
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
        started = time.time()
        stats = locust(
            env, port, out, "main", ["Student", "Teacher"], users + staff, args.spawn_rate, args.duration
        )
        main_seconds = time.time() - started
        drained = wait_drained(port)  # the data check must see every request the server will ever do
        outcomes = json.loads((out / "outcomes.json").read_text()) if (out / "outcomes.json").exists() else {}
        check = check_data(database, plan, outcomes, stats)
        load_after_main = machine()[1]
        ceiling = {}
        for cls, key in (("CeilingPing", "ping"), ("CeilingStatus", "status"), ("CeilingDraft", "draft")):
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
        sampler.stopped.set()
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                server.kill()
        if not args.keep:
            database.drop()

    mach, load = machine()
    command = "bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
    lines = [
        f"### {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')} — {users} students + {staff} staff, "
        f"{args.duration} s",
        "",
        f"- command: `.venv/bin/python {command.strip()}`",
        f"- machine: {mach}; load average after the scenario {load_after_main}, at the end {load}",
        f"- server: gunicorn `{args.worker_class}` × {args.workers} workers × {args.threads} threads, "
        f"`{settings_module()}`, DEBUG off; {database.title}, Redis and locust on the same machine",
        f"- scenario wall time {main_seconds:.0f} s, then "
        + (
            f"{drained:.0f} s until the server's backlog drained"
            if drained is not None
            else "backlog NOT drained"
        )
        + f"; spawn rate {args.spawn_rate}/s; "
        f"{args.login_share:.0%} of students sign in through the form (Argon2), the others arrive with a "
        "session opened before the start",
        "",
        *endpoint_table(stats),
        "",
        "| worker pid | first RSS MB | peak RSS MB | last RSS MB |",
        "|---|---:|---:|---:|",
    ]
    for pid, w in sorted(sampler.workers.items()):
        lines.append(
            f"| {pid} | {w['first'] / 2**20:.0f} | {w['peak'] / 2**20:.0f} | {w['last'] / 2**20:.0f} |"
        )
    ping = ceiling["ping"]["rps"] or 0
    lines += [
        "",
        f"Ceiling ({args.ceiling_users} closed-loop users, {args.ceiling_seconds} s each, same server): "
        + ", ".join(f"{k} {v['rps']:.0f} req/s" for k, v in ceiling.items()),
        f"**ratio heartbeat/trivial = {ceiling['status']['rps'] / ping:.2f}, "
        f"autosave/trivial = {ceiling['draft']['rps'] / ping:.2f}** (target ≥ 0.5)"
        if ping
        else "ratio: the trivial endpoint did not answer",
        "",
        f"Data check: {check['students']} students; "
        f"last autosave matches {check['drafts_ok']}/{check['students']}; "
        f"submissions stored exactly once {check['sent_ok']}/{check['sent_expected']}; "
        f"files {check['files_ok']}/{check['students']}; "
        f"with a ticket {check['with_ticket']}/{check['students']}; "
        f"tickets chosen twice in a slot: {check['doubles']}; failed requests: {check['failures']}; "
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
    return 0 if not check["problems"] else 1


if __name__ == "__main__":
    sys.exit(main())
