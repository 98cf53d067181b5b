"""XSS (X-10): hostile strings saved through the real services into every rich-text and plain field
never become active content on the pages that show them.

Hypothesis mixes known payloads with random text; each example is written into ticket bodies, the
task, the student's draft, the slot's platform fields and the names of a student, a stream and a
discipline, then the tickets page, the session page (staff and student), the stream page and the
journal are parsed with ``html.parser``: no ``<script>`` but our own (``src`` under /static/ or the
request's nonce), no ``on*=`` attribute, no ``javascript:`` URL, no frames or objects.
"""

import contextlib
import re
from html.parser import HTMLParser

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attestation.models import Ticket
from attestation.services import Refused
from attestation.services import answers as answers_service
from attestation.services import slots as slots_service
from attestation.services import tickets as tickets_service
from core.richtext import sanitize
from tests import factories as f

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    '<iframe src="javascript:alert(1)"></iframe>',
    "<body onload=alert(1)>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<<script>script>alert(1)<</script>/script>",
    '<object data="javascript:alert(1)"></object>',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    '<div hx-get="/x" hx-trigger="load">x</div>',
    "{{ 7|add:7 }}{% csrf_token %}",
]

# What a person can type: Django's form fields refuse the NUL character (which PostgreSQL cannot
# store), and the text below goes to the services directly.
typed = st.text(alphabet=st.characters(blacklist_characters="\x00"), max_size=20)
hostile = st.builds(
    lambda parts: "".join(parts),
    st.lists(st.one_of(st.sampled_from(PAYLOADS), typed), min_size=1, max_size=4),
)


class ActiveContent(HTMLParser):
    FORBIDDEN_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset"}
    URL_ATTRS = {"href", "src", "action", "formaction", "data", "xlink:href"}

    def __init__(self, nonce):
        super().__init__(convert_charrefs=True)
        self.nonce = nonce
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            src = attrs.get("src") or ""
            if not (src.startswith("/static/") or (self.nonce and attrs.get("nonce") == self.nonce)):
                self.found.append(f"<script {attrs}>")
        if tag in self.FORBIDDEN_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name == "hx-get" and value == "/x":  # the payload's own htmx attribute survived
                self.found.append(f"<{tag} hx-get=/x>")
            if (
                name in self.URL_ATTRS
                and value
                and re.sub(r"[\s\x00-\x1f]", "", value)
                .lower()
                .startswith(("javascript:", "vbscript:", "data:text/html"))
            ):
                self.found.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag


def active_content(response):
    policy = response.get("Content-Security-Policy", "")
    match = re.search(r"'nonce-([\w-]+)'", policy)
    parser = ActiveContent(match.group(1) if match else None)
    parser.feed(response.content.decode())
    return parser.found


@pytest.fixture
def fresh_stream(scheduled):
    """A stream of the teacher whose tickets are not frozen yet (the tickets page keeps its editor)."""
    stream = f.StreamFactory(teacher=scheduled.users["teacher"].staff, groups=[scheduled.groups[0]])
    stream.journal.conduct_online = True
    stream.journal.save()
    tickets_service.ticket_count_set(actor=scheduled.users["teacher"], stream=stream, count=1)
    return stream


def _store(scheduled, exam, stream, text, version):
    teacher, student = scheduled.users["teacher"], scheduled.users["student"]
    text = f"Q {text}"  # never empty: an empty ticket is refused before any HTML is stored
    tickets_service.ticket_save(actor=teacher, stream=stream, number=1, body=text)
    # The exam's tickets are frozen (numbers handed out): write them as the service would have.
    Ticket.objects.filter(stream=exam.stream).update(body=sanitize(text))
    answers_service.draft_save(actor=student, session_id=exam.pk, text=text, version=version)
    # By-ticket mode has no task (Refused): the ticket body above is what the session page shows.
    with contextlib.suppress(Refused):
        tickets_service.task_save(actor=teacher, session=exam, body=text)
    slots_service.slot_platform_save(
        actor=teacher,
        slot=exam.slot,
        platform=text[:100],
        login=text[:100],
        password=text[:100],
        conference_url="https://meet.example.kz/" + text[:40],
        has_recording=True,
        show_recording=True,
        recording_urls=["https://rec.example.kz/?" + text[:40]],
    )
    student.last_name = text[:150] or "x"
    student.save()
    for obj in (exam.stream, exam.stream.discipline, stream.discipline):
        obj.name = (text[:100] or "x") + " name"
        obj.save()


PAGES = [
    ("teacher", lambda session, stream: reverse("attestation:tickets", args=[stream.pk])),
    ("teacher", lambda session, stream: reverse("attestation:session", args=[session.pk])),
    ("student", lambda session, stream: reverse("attestation:session", args=[session.pk])),
    ("student", lambda session, stream: reverse("attestation:my_exams")),
    (
        "teacher",
        lambda session, stream: (
            reverse("attestation:stream", args=[session.stream_id]) + f"?tab=slot-{session.slot_id}"
        ),
    ),
    ("teacher", lambda session, stream: reverse("attestation:stream_list")),
    ("teacher", lambda session, stream: reverse("journals:journal", args=[session.stream_id])),
]


def test_hostile_text_in_every_field_renders_inert(scheduled, exam, fresh_stream, login):
    counter = iter(range(1, 10_000))

    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(text=hostile)
    def check(text):
        with transaction.atomic():
            _store(scheduled, exam, fresh_stream, text, next(counter))
            for persona, url in PAGES:
                response = login(scheduled.users[persona]).get(url(exam, fresh_stream))
                assert response.status_code == 200, (persona, url(exam, fresh_stream))
                found = active_content(response)
                assert not found, f"{text!r} on {url(exam, fresh_stream)} as {persona}: {found}"
            transaction.set_rollback(True)

    check()


def test_the_checker_sees_active_content():
    class Fake:
        def __init__(self, html):
            self.content = html.encode()

        def get(self, key, default=""):
            return "script-src 'self' 'nonce-abc'"

    assert active_content(Fake('<script nonce="abc">ok</script><script src="/static/a.js"></script>')) == []
    assert active_content(Fake("<script>x</script>"))
    assert active_content(Fake('<img src=x onerror="x">'))
    assert active_content(Fake('<a href=" JAVA\tSCRIPT:x">'))
