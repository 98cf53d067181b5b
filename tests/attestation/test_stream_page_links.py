"""#14.2: every link and form inside the stream page's boosted region keeps the page whole.

The region ``#stream-page`` is ``hx-boost`` with ``hx-select="#stream-page"``: htmx fetches a boosted
link or form and swaps in only that element of the answer. An answer that is not the stream page
(the student's session page, a grade sheet download, the streams list) is swapped in as nothing and
wipes the page. So every ``<a href>`` and ``<form>`` in the region must either lead to the stream page
itself (a tab, or an action of ``attestation.views.stream_page`` that answers with the page) or opt
out of boosting (``hx-boost="false"``, or a link opening another tab). The page is rendered in every
slot state with a populated slot, for an editor and a read-mode viewer, and so is its live poll.
"""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.urls import resolve, reverse

from attestation.models import ModuleSettings
from attestation.services import slots as slots_service
from attestation.services import tickets as tickets_service
from college.models import Admission
from tests import factories as f
from tests.exams import at, author

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
STREAM_PAGE_VIEWS = "attestation.views.stream_page"


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    def walk(self):
        for child in self.children:
            yield child
            yield from child.walk()

    def inherited(self, name):
        """The attribute as htmx reads it: from the element or its closest ancestor that has it
        (an ancestor's ``hx-disinherit`` stops the walk, as in htmx)."""
        node = self
        while node is not None:
            if name in node.attrs:
                return node.attrs[name]
            disinherit = (node.attrs.get("hx-disinherit") or "").split() if node is not self else []
            if "*" in disinherit or name in disinherit:
                return None
            node = node.parent
        return None

    def path(self):
        node, names = self, []
        while node is not None and node.tag != "#root":
            names.append(node.tag + (f"#{node.attrs['id']}" if node.attrs.get("id") else ""))
            node = node.parent
        return " > ".join(reversed(names))


class Tree(HTMLParser):
    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("#root", {}, None)
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, attrs, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent


def boosted(node):
    """True when htmx would boost this link or form (htmx 2's boostElement rules)."""
    if node.inherited("hx-boost") != "true":
        return False
    if node.tag == "a":
        href = node.attrs.get("href") or ""
        external = urlsplit(href).netloc != ""
        return not external and node.attrs.get("target", "") in ("", "_self")
    return (node.attrs.get("method") or "get").lower() != "dialog"


def stays_on_stream_page(match, stream, is_link):
    if is_link:
        return match.view_name == "attestation:stream" and match.kwargs == {"pk": stream.pk}
    # Every action of the stream page's module answers with the stream page (a redirect back, or the
    # page re-rendered with the refused dialog open).
    return match.func.__module__ == STREAM_PAGE_VIEWS


# The Tickets page's actions that answer with the Tickets page (its file download does not).
TICKETS_ACTIONS = {
    "ticket_count",
    "tickets_renumber",
    "ticket_add",
    "ticket_edit",
    "ticket_delete",
    "tickets_copy",
}


def stays_on_tickets_page(match, stream, is_link):
    if match.kwargs.get("pk") != stream.pk:
        return False
    return match.url_name == "tickets" if is_link else match.url_name in TICKETS_ACTIONS


def region_attrs(html, region="#stream-page"):
    return next(n.attrs for n in Tree(html).root.walk() if n.attrs.get("id") == region[1:])


def offenders(html, stream, *, inside=None, region="#stream-page", stays=stays_on_stream_page):
    """Boosted links and forms that leave the page, or that would swap in anything but the page.
    ``inside``: the attributes of the region a fragment (the live poll's) is put into."""
    tree = Tree(html)
    if inside is not None:
        wrapper = Node("div", inside, None)
        wrapper.children, tree.root.parent = [tree.root], wrapper
    found = []
    for node in tree.root.walk():
        if node.tag not in ("a", "form") or (node.tag == "a" and "href" not in node.attrs):
            continue
        if not boosted(node):
            continue
        url = node.attrs.get("href") if node.tag == "a" else node.attrs.get("action")
        on_page = url is None or url.startswith("?")  # a tab, or a form posting to the page itself
        if not on_page and not stays(resolve(urlsplit(url).path), stream, node.tag == "a"):
            found.append(f"{node.path()} → {url}")
            continue
        if node.inherited("hx-select") != region or node.inherited("hx-target") != region:
            found.append(
                f"{node.path()} swaps {node.inherited('hx-select')} into {node.inherited('hx-target')}"
            )
    return found


def boosted_count(html):
    return sum(1 for n in Tree(html).root.walk() if n.tag in ("a", "form") and boosted(n))


@pytest.fixture
def busy_stream(scheduled):
    """teacher_a with tickets, self-chosen tickets, a slot today (platform, recordings, notified, one
    student with a ticket, one with placed tickets), a slot tomorrow, and two unscheduled students —
    one not admitted — so every control of the page is rendered."""
    college = scheduled
    stream = college.streams.teacher_a
    teacher = college.users["teacher"]
    group = college.groups[0]
    extra = [f.StudentFactory(group=group) for _ in range(3)]
    stream.students.add(*extra)
    not_admitted = f.StudentFactory(group=group)
    stream.students.add(not_admitted)
    Admission.objects.create(stream=stream, student=not_admitted, admitted=False, reason="Low rating")
    settings = f.stored_settings()
    settings.distribution_form = ModuleSettings.DistributionForm.SELF_CHOICE
    settings.save()
    author(college, stream, count=3)
    personas = [college.users["student"], college.users["other_student"]]
    first = list(stream.students.filter(user__in=personas).values_list("pk", flat=True))
    today = slots_service.slot_create(
        actor=teacher,
        stream=stream,
        student_ids=[*first, extra[0].pk],
        starts_at=at(28, 10),
        ends_at=at(28, 12),
    )
    slots_service.slot_create(
        actor=teacher, stream=stream, student_ids=[extra[1].pk], starts_at=at(1, 10), ends_at=at(1, 12)
    )
    slots_service.slot_platform_save(
        actor=teacher,
        slot=today,
        platform="Zoom",
        login="exam",
        password="secret",
        conference_url="https://zoom.example/j/1",
        has_recording=True,
        show_recording=True,
        recording_urls=["https://video.example/1"],
    )
    slots_service.slot_notify(actor=teacher, slot=today)
    sessions = list(today.sessions.order_by("pk"))
    tickets_service.tickets_generate(actor=teacher, slot=today, session_ids=[sessions[0].pk])
    return college, stream, today


def pages(client, stream, slot):
    url = reverse("attestation:stream", args=[stream.pk])
    whole = {
        "slot": client.get(f"{url}?tab=slot-{slot.pk}"),
        "undistributed": client.get(f"{url}?tab=undistributed"),
    }
    poll = client.get(f"{url}?tab=slot-{slot.pk}&partial=live", headers={"hx-request": "true"})
    return whole, poll


@pytest.mark.req("SLT-6", "X-6", "STR-1")
@pytest.mark.parametrize("persona", ["teacher", "reader"])
@pytest.mark.parametrize("moment", ["before", "running", "over"])
def test_every_boosted_link_and_form_stays_on_the_stream_page(busy_stream, clock, login, persona, moment):
    college, stream, slot = busy_stream
    clock.move_to({"before": at(28, 9, 30), "running": at(28, 10, 30), "over": at(28, 12, 30)}[moment])
    if moment == "running":
        tickets_service.tickets_place(
            actor=college.users["teacher"], slot=slot, session_ids=[slot.sessions.order_by("pk")[1].pk]
        )
    client = login(college.users[persona])
    whole, poll = pages(client, stream, slot)
    for name, response in whole.items():
        assert response.status_code == 200, name
        html = response.content.decode()
        assert 'id="stream-page" hx-boost="true"' in html
        assert offenders(html, stream) == [], name
        assert boosted_count(html) > 0  # the check did look at boosted controls (the tabs at least)
    assert poll.status_code == 200
    assert offenders(poll.content.decode(), stream, inside=region_attrs(whole["slot"].content.decode())) == []


@pytest.mark.req("SLT-6", "X-6")
def test_the_check_catches_what_wiped_the_page(busy_stream, login):
    """The audit itself: the links of #14.1/#14.2 and the live table's forms, as they were, fail it."""
    college, stream, slot = busy_stream
    session = slot.sessions.first()
    sheet = reverse("attestation:grade_sheet_slot", args=[slot.pk, "xlsx"])
    name = reverse("attestation:session", args=[session.pk])
    extra = reverse("attestation:session_extra_time", args=[session.pk])
    region = (
        '<div id="stream-page" hx-boost="true" hx-target="#stream-page" hx-select="#stream-page">{}</div>'
    )
    form = f'<form method="post" action="{extra}"></form>'
    assert offenders(region.format(f'<a href="{sheet}" download>XLSX</a>'), stream)
    assert offenders(region.format(f'<a href="{name}">Name</a>'), stream)
    assert offenders(region.format(f'<div hx-select="#slot-live" hx-target="this">{form}</div>'), stream)
    assert not offenders(region.format(f'<a href="{name}" hx-boost="false">Name</a>'), stream)
    assert not offenders(region.format('<a href="https://zoom.example/j/1" target="_blank">Zoom</a>'), stream)
    assert not offenders(region.format(form), stream)


@pytest.mark.req("TKT-2", "TKT-4")
@pytest.mark.parametrize("persona", ["teacher", "reader"])
def test_every_boosted_link_and_form_stays_on_the_tickets_page(scheduled, login, persona):
    """The same class of defect on the other boosted page: the crumb back to the stream and a ticket's
    file leave the Tickets page, so they are not boosted (the edit dialog is rendered too)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    stream = author(scheduled, count=2)
    ticket = stream.tickets.get(number=1)
    upload = SimpleUploadedFile("questions.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    tickets_service.ticket_save(
        actor=scheduled.users["teacher"],
        stream=stream,
        number=1,
        body="<p>Q</p>",
        upload=upload,
        ticket=ticket,
    )
    client = login(scheduled.users[persona])
    url = reverse("attestation:tickets", args=[stream.pk])
    for page in (client.get(url), client.get(f"{url}?edit={ticket.pk}")):
        assert page.status_code == 200
        html = page.content.decode()
        assert offenders(html, stream, region="#tickets-page", stays=stays_on_tickets_page) == []
        assert boosted_count(html) > 0 or persona == "reader"  # read mode: nothing to submit
