# ruff: noqa: S603,S607 — the bench starts and stops its own servers with fixed arguments
"""Faults during a bench run (``bench/run.py --chaos``): a gunicorn worker killed, Redis restarted,
PostgreSQL restarted, each at a stated second of the scenario, and what each cost.

Never the machine's shared services: the run gets a Redis of its own (``redis-server`` on a free
port, without persistence, as production runs it) and a PostgreSQL cluster of its own
(``pg_createcluster`` on a free port, trust on 127.0.0.1, dropped at the end) — those are what it
restarts. The faults:

- **worker**: SIGKILL to one gunicorn worker (as the kernel's OOM killer or a segfault would); its
  master starts another. Recovery: until the new worker is up. A request the dead worker was
  serving is cut (a browser retries it: the autosave after 3 s).
- **redis**: writes paused, every channel's event number read (what the open streams were due up
  to), then SHUTDOWN NOSAVE; ``--chaos-redis-down`` seconds later started again, empty.
  Designed: pages and answers keep working from PostgreSQL, events published meanwhile are lost
  (counted from the servers' logs), the streams end and answer 503 until the live hub is back, the
  pages poll, then reopen and compare the state the hello says with what they show.
- **postgres**: ``pg_ctlcluster … stop -m fast`` (open transactions aborted, connections cut),
  ``--chaos-pg-down`` seconds, then started. Designed: every request answers 503 "try again"
  (core/resilience.py) — the exam page keeps the draft and sends it again.

Each fault's recovery is measured from outside: the worker count, a probe of ``/bench/db/`` (one
query through the whole middleware) every 0.1 s, the streams' hellos (locust's streams.json).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import psutil

PG_VERSION = os.environ.get("BENCH_PG_VERSION") or sorted(os.listdir("/etc/postgresql"))[-1]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnRedis:
    """A redis-server of the run's own, restartable at will."""

    def __init__(self, out: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = out / "redis.log"
        self.process: subprocess.Popen | None = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
             "no", "--logfile", str(self.log), "--maxclients", "20000"],
        )  # fmt: skip
        self.wait_ready()

    def wait_ready(self, limit=20.0):
        import redis

        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            with contextlib.suppress(redis.RedisError):
                if redis.Redis(port=self.port, socket_connect_timeout=0.5).ping():
                    return
            time.sleep(0.05)
        raise SystemExit(f"redis-server on {self.port} did not start; see {self.log}")

    def stop(self):
        """Freeze writes, read every channel's number (what the open streams were due), then kill
        it as a crash would (nothing is kept: it runs without persistence, as in production)."""
        import redis

        client = redis.Redis(port=self.port)
        client.execute_command("CLIENT", "PAUSE", "10000", "WRITE")
        keys = list(client.scan_iter(match="*live:seq:*", count=1000))
        values = client.mget(keys) if keys else []
        numbers = {
            k.decode().split("live:seq:", 1)[1]: int(v or 0) for k, v in zip(keys, values, strict=True)
        }
        self.process.kill()
        self.process.wait(10)
        return numbers

    def close(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


class OwnPostgres:
    """A PostgreSQL cluster of the run's own (Debian's pg_createcluster), restartable at will."""

    def __init__(self, stamp: str):
        self.port = free_port()
        self.name = f"bench_{stamp.replace('-', '_')}"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}"

    def create(self):
        subprocess.run(
            ["pg_createcluster", PG_VERSION, self.name, "-p", str(self.port), "--start-conf", "manual",
             "--", "--auth=trust"],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        # As the machine's own cluster is set (its conf.d): loopback only, no autovacuum in a short run.
        conf = Path(f"/etc/postgresql/{PG_VERSION}/{self.name}/conf.d/90-bench.conf")
        conf.write_text("listen_addresses = '127.0.0.1'\nautovacuum = off\nmax_connections = 100\n")
        self.start()

    def ctl(self, *args):
        subprocess.run(["pg_ctlcluster", PG_VERSION, self.name, *args], check=True)

    def start(self):
        self.ctl("start")

    def stop(self):
        self.ctl("stop", "-m", "fast")

    def drop(self):
        subprocess.run(["pg_dropcluster", "--stop", PG_VERSION, self.name], check=False)


def probe(url, timeout=2.0):
    """The status a request gets (0: no answer)."""
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})  # noqa: S310 — our http://
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


class Chaos(threading.Thread):
    """The faults at their seconds of the scenario, each measured until recovered."""

    def __init__(self, at, redis_down, pg_down, gunicorn_pid, workers, port, redis, postgres):
        super().__init__(daemon=True)
        self.at = at  # {"worker": s, "redis": s, "postgres": s} after the scenario's start
        self.redis_down, self.pg_down = redis_down, pg_down
        self.master = psutil.Process(gunicorn_pid)
        self.workers = workers
        self.db_probe = f"http://127.0.0.1:{port}/bench/db/"
        self.redis, self.postgres = redis, postgres
        self.t0 = 0.0
        self.faults: dict[str, dict] = {}
        self.errors: list[str] = []

    def begin(self, t0):
        self.t0 = t0
        self.start()

    def run(self):
        plan = {
            "worker": self.kill_worker,
            "redis": self.restart_redis,
            "postgres": self.restart_postgres,
        }
        for name, second in sorted(self.at.items(), key=lambda item: item[1]):
            time.sleep(max(0.0, self.t0 + second - time.time()))
            try:
                self.faults[name] = {"planned": second, **plan[name]()}
            except Exception as error:  # noqa: BLE001 — reported, and the run fails
                self.errors.append(f"{name}: {type(error).__name__}: {error}")

    def worker_pids(self):
        return {p.pid for p in self.master.children()}

    def kill_worker(self):
        before = self.worker_pids()
        victim = sorted(before)[0]
        at = time.time()
        os.kill(victim, signal.SIGKILL)
        while True:
            now = self.worker_pids()
            if len(now) >= self.workers and now - before:
                return {"at": at, "pid": victim, "recovered": time.time(), "new": sorted(now - before)}
            if time.time() - at > 60:
                return {"at": at, "pid": victim, "recovered": None}
            time.sleep(0.02)

    def restart_redis(self):
        at = time.time()
        numbers = self.redis.stop()
        down = time.time()
        time.sleep(max(0.0, at + self.redis_down - time.time()))
        self.redis.start()
        return {"at": at, "down": down, "up": time.time(), "numbers": numbers}

    def restart_postgres(self):
        at = time.time()
        self.postgres.stop()
        down = time.time()
        answers = []  # (time, status) of the probe until a query works again
        prober = threading.Thread(target=self._probe_until_ok, args=(answers,), daemon=True)
        prober.start()
        time.sleep(max(0.0, at + self.pg_down - time.time()))
        starting = time.time()
        self.postgres.start()  # returns once the server accepts connections
        prober.join(120)
        ok = next((t for t, status in answers if status == 200 and t >= down), None)
        return {
            "at": at,
            "down": down,
            "up": starting,
            "recovered": ok,
            "probe": dict(Counter(status for _, status in answers)),
        }

    def _probe_until_ok(self, answers):
        started = time.time()
        while time.time() - started < 180:
            status = probe(self.db_probe)
            answers.append((time.time(), status))
            if status == 200 and any(s != 200 for _, s in answers):
                return
            time.sleep(0.1)


# --- what the faults cost, from locust's records ---------------------------------------------------

# A request answered with one of these is the design working, not a failure: the polite 503 "try
# again" (a database that went away), a stream refused with 503 while the live hub has no Redis.
FALLBACK_KINDS = ("503 try again", "stream refused 503")


def explained(failure, faults):
    """Which fault explains a failed request, if one does: a connection cut by the killed worker."""
    worker = faults.get("worker")
    if worker and failure["kind"] == "connection cut" and 0 <= failure["t"] - worker["at"] <= 5:
        return "worker"
    return None


def classify(failures, faults):
    fallbacks, casualties, unexplained = {}, {}, []
    for failure in failures:
        if failure["kind"] in FALLBACK_KINDS:
            key = f"{failure['kind']}: {failure['name']}"
            fallbacks[key] = fallbacks.get(key, 0) + 1
        elif explained(failure, faults):
            key = f"{failure['kind']}: {failure['name']}"
            casualties[key] = casualties.get(key, 0) + 1
        else:
            unexplained.append(failure)
    return fallbacks, casualties, unexplained


def outage_segments(segments, redis_fault):
    """Streams the Redis outage ended get the numbers read before the shutdown as their end; a
    stream opened before the restart and still open after it is counted apart (its numbers span
    two Redis lives)."""
    if not redis_fault:
        return 0, 0
    ended = spanning = 0
    numbers = redis_fault["numbers"]
    for segment in segments:
        if segment["opened"] < redis_fault["down"] and (segment.get("closed") or 0) > redis_fault["up"]:
            segment["spans_restart"] = True
            spanning += 1
        elif segment["end"] is None and redis_fault["at"] - 1 <= (segment.get("closed") or 0):
            segment["end"] = {ch: numbers.get(ch, 0) for ch in segment["base"]}
            segment["ended_by_outage"] = True
            ended += 1
    return ended, spanning


def not_published(out: Path):
    """Actions whose events Redis never took (the servers log each one)."""
    count = 0
    for name in ("gunicorn.log", "uvicorn.log"):
        path = out / name
        if path.exists():
            count += path.read_text(errors="replace").count("Live event not published")
    return count


def streams_back(segments, redis_fault):
    """After Redis is back: when the first stream said hello again, and when half, 95 % and all of
    the students whose page had a stream before the outage had one again."""
    before = {s["user"] for s in segments if s["kind"] == "student" and s["opened"] < redis_fault["at"]}
    again = {}
    for s in sorted(segments, key=lambda s: s["opened"]):
        if s["opened"] >= redis_fault["up"] and s["kind"] == "student" and s["user"] in before:
            again.setdefault(s["user"], s["opened"])
    first = min((s["opened"] for s in segments if s["opened"] >= redis_fault["up"]), default=None)
    times = sorted(t - redis_fault["up"] for t in again.values())

    def share(q):
        if not before:
            return None
        n = int(q * len(before) + 0.999)
        return times[n - 1] if n <= len(times) else None

    return {
        "first": None if first is None else first - redis_fault["up"],
        "pages": len(before),
        "back": len(again),
        "half": share(0.5),
        "p95": share(0.95),
        "all": share(1.0),
    }


LAST_LOOK = 10  # s: a change this close to the end may not be shown yet (a polling page looks every 5 s)


def recovered_states(changes, outcomes, segments, redis_fault, run_end):
    """Every change a teacher made to a student's exam (tickets placed or generated, questions sent)
    that the page could not hear as an event — made while Redis was out, or while the page had no
    open stream — and whether the page showed it later, how (the hello compared with what it
    showed, the status poll, a page fetch) and how long after it could have."""
    open_at = {}
    for s in segments:
        if s["kind"] == "student":
            open_at.setdefault(s["user"], []).append((s["opened"], s.get("closed") or run_end))
    result = {"changes": 0, "during_outage": 0, "without_stream": 0, "learned": 0, "how": {}, "delays": []}
    result["too_late"] = 0
    lost = []
    for username, (key, changed_at) in changes:
        if changed_at > run_end - LAST_LOOK:
            result["too_late"] += 1  # the run ended before a page without its stream polled again
            continue
        covered = any(a <= changed_at <= b for a, b in open_at.get(username, []))
        in_outage = bool(redis_fault) and redis_fault["at"] <= changed_at <= redis_fault["up"]
        result["changes"] += 1
        if covered and not in_outage:
            continue
        result["during_outage" if in_outage else "without_stream"] += 1
        learned = (outcomes.get(username, {}).get("learned") or {}).get(key)
        if not learned or learned[0] < changed_at - 1:
            lost.append(f"{username}: {key} at {changed_at:.0f} never shown")
            continue
        result["learned"] += 1
        result["how"][learned[1]] = result["how"].get(learned[1], 0) + 1
        could = max(changed_at, redis_fault["up"]) if in_outage else changed_at
        result["delays"].append(learned[0] - could)
    return result, lost
