"""Exam day under load: students and staff of the bench college (see bench/README.md).

Driven by bench/run.py through environment variables:
  BENCH_PLAN      the JSON written by bench/make_college.py
  BENCH_OUT       folder for outcomes.json (what each student last got a 200 for) / ceiling.json
  BENCH_STUDENTS  how many students of the plan to drive (the first N, slot by slot)
  BENCH_DURATION  the run's length in seconds (the scenario's timeline scales with it)

Main classes (scenario): Student, Teacher. Ceiling classes (run alone, one at a time, after the
data check): CeilingPing, CeilingStatus, CeilingDraft — closed loops without waiting.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import random
import re
import time
import uuid
from http.cookiejar import Cookie
from pathlib import Path
from urllib.parse import urlencode

import gevent
from gevent.event import Event
from locust import FastHttpUser, constant, events, task

PLAN = json.loads(Path(os.environ["BENCH_PLAN"]).read_text(encoding="utf-8"))
OUT = os.environ.get("BENCH_OUT", ".")
DRIVEN = int(os.environ.get("BENCH_STUDENTS", len(PLAN["students"])))
DURATION = float(os.environ.get("BENCH_DURATION", "60"))
UPLOAD_SHARE = 0.2
LOGIN_SHARE = float(os.environ.get("BENCH_LOGIN_SHARE", "0.05"))  # students who sign in through the form
STUDENTS = PLAN["students"][:DRIVEN]
SLOTS_DRIVEN = {s["slot"] for s in STUDENTS}
STAFF = [s for s in PLAN["staff"] if s["slot"] in SLOTS_DRIVEN]
_students = itertools.count()
_staff = itertools.count()
_ceiling = itertools.count()
T0 = time.time()
OUTCOMES: dict[str, dict] = {}
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FREE_RE = re.compile(r'name="ticket" value="([0-9a-f]{32})" class="tile-ticket free"')
DIALOG_RE = re.compile(r'<dialog id="dialog-(generate|place|cancel|send)".*?</dialog>', re.S)
IDS_RE = re.compile(r'name="sessions" value="(\d+)"')
WORDS = [
    "жауап",
    "студент",
    "есеп",
    "формула",
    "мысалы",
    "алгоритм",
    "деректер",
    "кесте",
    "нәтиже",
    "сондықтан",
    "answer",
    "data",
]
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@events.test_start.add_listener
def _started(**_kwargs):
    global T0
    T0 = time.time()


def elapsed():
    return time.time() - T0


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class Browser(FastHttpUser):
    """A browser behind the TLS-terminating proxy: it says "https" (X-Forwarded-Proto) and keeps
    the Secure cookies that production settings set, although the bench talks plain HTTP."""

    abstract = True
    connection_timeout = 60.0
    network_timeout = 120.0
    default_headers = {"X-Forwarded-Proto": "https"}
    csrf = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.client.cookiejar._policy.secure_protocols = ("https", "wss", "http")
        self.origin = self.host.replace("http://", "https://", 1)

    def sign_in(self, person, by_form):
        """Through the login form, or with the session opened before the exam (see make_college)."""
        if by_form or not person.get("cookie"):
            self.login(person["username"])
            return
        host = self.host.split("//", 1)[1].split(":")[0]
        self.client.cookiejar.set_cookie(
            Cookie(0, PLAN["session_cookie"], person["cookie"], None, False, host, False, False, "/", True,
                   True, None, False, None, None, {})
        )  # fmt: skip

    def login(self, username):
        page = self.client.get("/login/", name="login page")
        token = CSRF_RE.search(page.text).group(1)
        self.client.post(
            "/login/",
            data={"username": username, "password": PLAN["password"], "csrfmiddlewaretoken": token},
            headers={"Referer": self.origin + "/login/"},
            allow_redirects=False,
            name="login",
        )

    def remember_csrf(self, html):
        found = CSRF_RE.search(html or "")
        if found:
            self.csrf = found.group(1)

    def post(self, url, name, **kwargs):
        headers = {"X-CSRFToken": self.csrf, "Referer": self.origin + url, **kwargs.pop("headers", {})}
        return self.client.post(url, name=name, headers=headers, allow_redirects=False, **kwargs)


class Student(Browser):
    """Opens the exam page, gets a ticket, waits for questions, types, maybe uploads, sends."""

    wait_time = constant(1)
    weight = 100

    def on_start(self):
        me = STUDENTS[next(_students) % len(STUDENTS)]
        self.me, self.base = me, f"/attestation/sessions/{me['session']}/"
        self.outcome = OUTCOMES.setdefault(me["username"], {"session": me["session"], "version": 0})
        self.sign_in(me, random.random() < LOGIN_SHARE)
        self.open_page()
        now = time.time()
        self.next_status = now + random.uniform(0, 5)
        self.next_board = 0.0
        self.next_save = 0.0
        self.version, self.text = 0, ""
        self.opened = self.sent = False
        self.status = {}
        self.submit_at = T0 + random.uniform(0.75, 0.95) * DURATION
        self.upload_at = T0 + random.uniform(0.4, 0.7) * DURATION if random.random() < UPLOAD_SHARE else None

    def open_page(self):
        self.remember_csrf(self.client.get(self.base, name="exam page").text)

    @task
    def tick(self):
        now = time.time()
        if now >= self.next_status:
            self.next_status = now + 5
            self.heartbeat()
        status = self.status
        if self.sent or not status:
            return
        if not status["has_ticket"]:
            if self.me["mode"] == "choice" and status["placed"] and now >= self.next_board:
                self.next_board = now + 3
                self.choose()
            return
        if not self.opened:
            if status["questions_sent"]:
                self.post(self.base + "questions/", "questions open", data={"csrfmiddlewaretoken": self.csrf})
                self.open_page()
                self.opened = True
                self.next_save = now + random.uniform(5, 15)
            return
        if self.upload_at and now >= self.upload_at:
            self.upload_at = None
            self.upload()
        if now >= self.submit_at:
            self.send()
        elif now >= self.next_save:
            self.next_save = now + 15
            self.autosave()

    def heartbeat(self):
        with self.client.get(self.base + "status/", name="status (heartbeat)", catch_response=True) as r:
            if r.status_code == 200:
                self.status = r.json()
                r.success()

    def choose(self):
        board = self.client.get(
            self.base + "?partial=board", name="board (poll)", headers={"HX-Request": "true"}
        ).text
        free = FREE_RE.findall(board or "")
        if not free:
            return
        self.post(self.base + "choose/", "ticket choose", data={"ticket": random.choice(free)})
        # The page reloads: its status tells whether this tile was still free.
        self.open_page()
        self.next_status = 0

    def autosave(self):
        self.text += " " + " ".join(random.choices(WORDS, k=8))
        version = self.version + 1
        # In flight: if locust stops the user before the answer, the server may still have saved it.
        self.outcome.update(pending_version=version, pending_sha=sha(self.text.strip()))
        with self.client.post(
            self.base + "draft/",
            name="draft (autosave)",
            json={"text": self.text.strip(), "version": version},
            headers={
                "X-CSRFToken": self.csrf,
                "Referer": self.origin + self.base,
                "Accept": "application/json",
            },
            catch_response=True,
        ) as r:
            if r.status_code == 200 and r.json().get("version") == version:
                self.version = version
                self.outcome.update(version=version, draft_sha=sha(self.text.strip()), chars=len(self.text))
                del self.outcome["pending_version"], self.outcome["pending_sha"]
                r.success()
            elif r.status_code == 200:
                r.failure(f"stale version {r.text[:80]}")

    def upload(self):
        boundary = uuid.uuid4().hex
        body = (
            (
                f"--{boundary}\r\n"
                f'Content-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{self.csrf}\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="upload"; filename="answer.pdf"\r\n'
                "Content-Type: application/pdf\r\n\r\n"
            ).encode()
            + PDF
            + f"\r\n--{boundary}--\r\n".encode()
        )
        self.outcome["pending_file"] = True
        r = self.post(
            self.base + "files/",
            "file upload",
            data=body,
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Accept": "application/json",
            },
        )
        if r.status_code == 200:
            self.outcome["files"] = self.outcome.get("files", 0) + 1
        if r.status_code:  # answered; without an answer (cut by the run's end) the server may have done it
            del self.outcome["pending_file"]

    def send(self):
        text = (self.text or "жауап").strip() + " — соңы."
        self.outcome["pending_sent_sha"] = sha(text)
        r = self.post(
            self.base + "send/", "answer send", data={"text": text, "csrfmiddlewaretoken": self.csrf}
        )
        if r.status_code == 302:
            self.sent = True
            self.outcome.update(sent_sha=sha(text), sent_at=elapsed())
        else:
            self.submit_at = time.time() + 5  # the page would retry
        if r.status_code:  # answered; without an answer (cut by the run's end) the server may have done it
            del self.outcome["pending_sent_sha"]


class Teacher(Browser):
    """Refreshes the slot table every 5 s; places or generates tickets, then sends the questions."""

    wait_time = constant(5)
    fixed_count = len(STAFF)

    def on_start(self):
        self.me = STAFF[next(_staff) % len(STAFF)]
        self.url = f"/attestation/streams/{self.me['stream']}/?tab=slot-{self.me['slot']}"
        self.sign_in(self.me, False)
        self.page = self.client.get(self.url, name="stream page").text
        self.remember_csrf(self.page)

    @task
    def refresh(self):
        """The open page polls the live table every 5 s (as the browser does, a fragment); the
        teacher reloads the whole page every 30 s or so and hands out what its dialogs offer."""
        self.ticks = getattr(self, "ticks", 0) + 1
        self.client.get(self.url + "&partial=live", name="stream live (poll)", headers={"HX-Request": "true"})
        if self.ticks % 6:
            return
        page = self.client.get(self.url, name="stream page").text or ""
        self.remember_csrf(page)
        dialogs = {m.group(1): IDS_RE.findall(m.group(0)) for m in DIALOG_RE.finditer(page)}
        mine = set(map(str, self.me["sessions"]))
        if self.me["mode"] == "choice" and dialogs.get("place"):
            self.hand_out("place", dialogs["place"])
        elif self.me["mode"] == "random" and dialogs.get("generate") and elapsed() > 0.1 * DURATION:
            self.hand_out("generate", dialogs["generate"])
        waiting = set(dialogs.get("generate", [])) & mine  # still without a ticket
        if dialogs.get("send") and (not waiting or elapsed() > 0.3 * DURATION):
            self.hand_out("send", dialogs["send"])

    def hand_out(self, action, ids):
        url = f"/attestation/slots/{self.me['slot']}/hand-out/{action}/"
        with self.client.post(
            url,
            name=f"hand-out {action}",
            data=urlencode({"sessions": ids, "csrfmiddlewaretoken": self.csrf}, doseq=True),
            headers={"Referer": self.origin + self.url, "Content-Type": "application/x-www-form-urlencoded"},
            allow_redirects=False,
            catch_response=True,
        ) as r:
            if r.status_code == 302:
                r.success()
            else:
                r.failure(f"status {r.status_code}")


@events.quitting.add_listener
def _write_outcomes(environment, **_kwargs):
    if OUTCOMES:
        with open(os.path.join(OUT, "outcomes.json"), "w", encoding="utf-8") as fh:
            json.dump(OUTCOMES, fh)
    if CEILING["hits"]:
        start = CEILING["ready_at"] or T0
        hits = [t for t in CEILING["hits"] if t >= start]
        span = (max(hits) - start) if hits else 0
        with open(os.path.join(OUT, f"ceiling-{CEILING['name']}.json"), "w", encoding="utf-8") as fh:
            json.dump({"requests": len(hits), "seconds": span, "rps": len(hits) / span if span else 0}, fh)


# --- ceiling: closed loops on one endpoint, after the scenario --------------------------------------

CEILING = {"hits": [], "ready_at": None, "name": ""}
_ready = Event()
_logged_in = itertools.count(1)


class Ceiling(Browser):
    abstract = True
    wait_time = constant(0)
    endpoint = ""

    def on_start(self):
        CEILING["name"] = self.endpoint
        self.me = PLAN["ceiling"][next(_ceiling) % len(PLAN["ceiling"])]
        self.base = f"/attestation/sessions/{self.me['session']}/"
        self.version = int(time.time() * 1000) % 1_000_000_000  # beyond anything saved before
        if self.endpoint != "ping":
            self.sign_in(self.me, False)
            self.remember_csrf(self.client.get(self.base, name="exam page").text)
        if next(_logged_in) >= self.environment.runner.target_user_count:
            gevent.sleep(1)
            CEILING["ready_at"] = time.time()
            _ready.set()
        _ready.wait()

    def hit(self, response):
        if response.status_code == 200:
            CEILING["hits"].append(time.time())


class CeilingPing(Ceiling):
    endpoint = "ping"

    @task
    def ping(self):
        self.hit(self.client.get("/bench/ping/", name="ping (trivial)"))


class CeilingStatus(Ceiling):
    endpoint = "status"

    @task
    def status(self):
        self.hit(self.client.get(self.base + "status/", name="status (heartbeat)"))


class CeilingDraft(Ceiling):
    endpoint = "draft"

    @task
    def draft(self):
        self.version += 1
        self.hit(
            self.client.post(
                self.base + "draft/",
                name="draft (autosave)",
                json={"text": f"ceiling draft {self.version}", "version": self.version},
                headers={"X-CSRFToken": self.csrf, "Referer": self.origin + self.base},
            )
        )
