"""Live exam by push (#15): what services publish, who may open which stream, the stream on ASGI
and on the development server, presence from the open connection (SLT-6, SND-1, STU-3, X-4, X-5)."""

import asyncio
import concurrent.futures
import datetime
import json
import queue
import re

import pytest
from asgiref.sync import sync_to_async
from asgiref.testing import ApplicationCommunicator
from django.core.asgi import get_asgi_application
from django.test import Client
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from attestation import live, presence
from attestation.live_asgi import with_streams
from attestation.models import ExamSession, ModuleSettings
from attestation.services import answers as answers_service
from attestation.services import grades as grades_service
from attestation.services import slots as slots_service
from attestation.services import tickets as tickets_service
from tests import factories as f
from tests.attestation.conftest import at

pytestmark = pytest.mark.django_db


def prepare(college, count=2):
    """Tickets written and every student of teacher A's stream in a slot 10:00–12:00 on 1 December."""
    stream = college.streams.teacher_a
    teacher = college.users["teacher"]
    tickets_service.ticket_count_set(actor=teacher, stream=stream, count=count)
    for number in range(1, count + 1):
        tickets_service.ticket_save(actor=teacher, stream=stream, number=number, body=f"<p>Q{number}</p>")
    return slots_service.slot_create(
        actor=teacher,
        stream=stream,
        student_ids=[s.pk for s in stream.students.all()],
        starts_at=at(1, 10),
        ends_at=at(1, 12),
    )


def session_of(college, slot, who="student"):
    return ExamSession.objects.get(slot=slot, student__user=college.users[who])


def run_apart(coroutine):
    """``asyncio.run`` in a thread of its own: after a browser test, Playwright's sync API leaves its
    event loop running in the main thread, where ``asyncio.run`` refuses to start (the order of the
    suite would decide whether these tests pass)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture
def listen():
    """``listen(channel, …)`` → a function that returns the events heard since (channel, payload)."""
    opened = []

    def _listen(*channels):
        subscription = live.Subscription(tuple(channels))
        live.hub().subscribe(subscription)
        opened.append(subscription)

        def heard():
            items = []
            while True:
                try:
                    channel, _seq, payload = subscription.inbox.get_nowait()
                except queue.Empty:
                    return items
                items.append((channel, json.loads(payload)))

        return heard

    yield _listen
    for subscription in opened:
        live.hub().unsubscribe(subscription)


def names(heard):
    return [payload["event"] for _channel, payload in heard]


# --- what the services publish ---------------------------------------------------------------------


@pytest.mark.req("SND-1", "SLT-6")
def test_questions_sent_reach_that_students_page_and_the_slot_table_only(
    scheduled, clock, listen, django_capture_on_commit_callbacks
):
    slot = prepare(scheduled)
    teacher = scheduled.users["teacher"]
    mine, other = session_of(scheduled, slot), session_of(scheduled, slot, "other_student")
    clock.move_to(at(1, 10, 1))
    tickets_service.tickets_generate(actor=teacher, slot=slot, session_ids=[mine.pk, other.pk])
    student = listen(live.session_channel(mine.pk))
    other_student = listen(live.session_channel(other.pk))
    staff = listen(live.staff_channel(slot.pk))
    with django_capture_on_commit_callbacks(execute=True):
        tickets_service.questions_send(actor=teacher, slot=slot, session_ids=[mine.pk])
    assert names(student()) == ["questions"]
    assert other_student() == []
    [(_channel, told)] = staff()
    assert told["event"] == "questions" and told["sessions"] == [mine.pk] and told["t"] > 0


@pytest.mark.req("SND-1")
def test_a_refused_action_publishes_nothing(scheduled, clock, listen, django_capture_on_commit_callbacks):
    slot = prepare(scheduled)
    mine = session_of(scheduled, slot)
    student = listen(live.session_channel(mine.pk))
    staff = listen(live.staff_channel(slot.pk), live.slot_channel(slot.pk))
    clock.move_to(at(1, 9))  # before the start: questions cannot be sent
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(tickets_service.Refused):
        tickets_service.questions_send(actor=scheduled.users["teacher"], slot=slot, session_ids=[mine.pk])
    assert student() == [] and staff() == []


@pytest.mark.req("STU-3", "PLC-1")
def test_placing_and_a_taken_tile_reach_the_board_of_every_student_of_the_slot(
    scheduled, clock, listen, django_capture_on_commit_callbacks
):
    settings_row = f.stored_settings()
    settings_row.distribution_form = ModuleSettings.DistributionForm.SELF_CHOICE
    settings_row.save()
    slot = prepare(scheduled)
    mine, other = session_of(scheduled, slot), session_of(scheduled, slot, "other_student")
    clock.move_to(at(1, 10, 1))
    student = listen(live.session_channel(mine.pk), live.slot_channel(slot.pk))
    other_student = listen(live.session_channel(other.pk), live.slot_channel(slot.pk))
    with django_capture_on_commit_callbacks(execute=True):
        tickets_service.tickets_place(
            actor=scheduled.users["teacher"], slot=slot, session_ids=[mine.pk, other.pk]
        )
    assert names(student()) == ["placed"] and names(other_student()) == ["placed"]
    mine.refresh_from_db()
    tile = tickets_service.board(mine)[0]["tile"]
    with django_capture_on_commit_callbacks(execute=True):
        tickets_service.ticket_choose(actor=scheduled.users["student"], session=mine, tile=tile)
    assert sorted(names(student())) == ["board", "ticket"]
    assert names(other_student()) == ["board"]  # the other board refreshes: one tile is grey now


@pytest.mark.req("X-4", "SLT-3")
def test_extra_time_and_a_new_end_carry_the_end_time(
    scheduled, clock, listen, django_capture_on_commit_callbacks
):
    slot = prepare(scheduled)
    teacher = scheduled.users["teacher"]
    mine = session_of(scheduled, slot)
    clock.move_to(at(1, 10, 30))
    student = listen(live.session_channel(mine.pk), live.slot_channel(slot.pk))
    with django_capture_on_commit_callbacks(execute=True):
        slots_service.session_extra_time(actor=teacher, session=mine, minutes=15)
    [(_channel, told)] = student()
    assert told["event"] == "extra_time" and parse_datetime(told["ends_at"]) == at(1, 12, 15)
    with django_capture_on_commit_callbacks(execute=True):
        slots_service.slot_update(actor=teacher, slot=slot, starts_at=slot.starts_at, ends_at=at(1, 12, 30))
    [(channel, told)] = student()
    assert channel == live.slot_channel(slot.pk) and told["event"] == "slot"
    assert parse_datetime(told["ends_at"]) == at(1, 12, 30)


@pytest.mark.req("ANS-2", "GRD-1", "SLT-6")
def test_answer_sent_and_grade_set_reach_the_slot_table_and_the_students_page(
    scheduled, clock, listen, django_capture_on_commit_callbacks
):
    slot = prepare(scheduled)
    teacher, student_user = scheduled.users["teacher"], scheduled.users["student"]
    mine = session_of(scheduled, slot)
    clock.move_to(at(1, 10, 1))
    tickets_service.tickets_generate(actor=teacher, slot=slot, session_ids=[mine.pk])
    tickets_service.questions_send(actor=teacher, slot=slot, session_ids=[mine.pk])
    mine = tickets_service.questions_open(actor=student_user, session=ExamSession.objects.get(pk=mine.pk))
    student = listen(live.session_channel(mine.pk))
    staff = listen(live.staff_channel(slot.pk))
    with django_capture_on_commit_callbacks(execute=True):
        answers_service.answer_send(actor=student_user, session=mine, text="<p>" + "answer " * 10 + "</p>")
    assert names(student()) == ["answer"] and names(staff()) == ["answer"]
    mine = ExamSession.objects.select_related("stream__journal", "student__group__technology").get(pk=mine.pk)
    with django_capture_on_commit_callbacks(execute=True):
        grades_service.grade_set(actor=teacher, session=mine, written="4", version=mine.grade_version)
    assert names(student()) == ["grade"] and names(staff()) == ["grade"]


@pytest.mark.req("STU-4", "SLT-6", "X-5")
def test_questions_opened_reach_the_slot_table_once_and_no_students_page(
    scheduled, clock, listen, django_capture_on_commit_callbacks
):
    slot = prepare(scheduled)
    teacher, student_user = scheduled.users["teacher"], scheduled.users["student"]
    mine = session_of(scheduled, slot)
    clock.move_to(at(1, 10, 1))
    tickets_service.tickets_generate(actor=teacher, slot=slot, session_ids=[mine.pk])
    tickets_service.questions_send(actor=teacher, slot=slot, session_ids=[mine.pk])
    student = listen(live.session_channel(mine.pk))
    staff = listen(live.staff_channel(slot.pk))
    with django_capture_on_commit_callbacks(execute=True):
        tickets_service.questions_open(actor=student_user, session=ExamSession.objects.get(pk=mine.pk))
    [(_channel, told)] = staff()
    assert (told["event"], told["session"]) == ("viewed", mine.pk)
    with django_capture_on_commit_callbacks(execute=True):  # opened again: nothing new to tell
        tickets_service.questions_open(actor=student_user, session=ExamSession.objects.get(pk=mine.pk))
    assert staff() == [] and student() == []


def test_every_event_the_services_publish_is_one_the_pages_listen_for():
    """live.js registers a listener per event name (server-sent events are named): an event it does
    not name never reaches the page."""
    from pathlib import Path

    script = (Path(__file__).resolve().parents[2] / "static" / "js" / "live.js").read_text()
    listened = set(re.findall(r'"([a-z_]+)"', script.split("const NAMES = [", 1)[1].split("]", 1)[0]))
    listened |= set(re.findall(r'source\.addEventListener\("([a-z_]+)"', script))  # hello, bye, error
    assert {str(e) for e in live.Event} <= listened


# --- who may open which stream (the development server's transport) --------------------------------


@pytest.fixture
def streams_on_wsgi(settings):
    settings.LIVE_STREAMS_ON_WSGI = True
    settings.LIVE_KEEPALIVE_SECONDS = 1


def first_chunk(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/event-stream")
    assert response["X-Accel-Buffering"] == "no" and response["Cache-Control"] == "private, no-store"
    chunk = next(iter(response.streaming_content)).decode()
    response.close()
    event, data = chunk.split("event: ", 1)[1].split("\ndata: ", 1)
    return event, json.loads(data.split("\n", 1)[0])


@pytest.mark.req("SLT-6", "X-7")
@pytest.mark.parametrize(
    ("persona", "expected"),
    [("student", 200), ("other_student", 404), ("teacher", 404), ("outsider", 404), (None, 302)],
)
def test_only_the_student_opens_the_stream_of_their_exam_page(
    scheduled, clock, login, streams_on_wsgi, persona, expected
):
    slot = prepare(scheduled)
    mine = session_of(scheduled, slot)
    user = scheduled.users[persona] if persona else None
    response = login(user).get(reverse("attestation:session_events", args=[mine.pk]))
    if expected != 200:
        assert response.status_code == expected
        return
    event, hello = first_chunk(response)
    assert event == "hello"
    assert parse_datetime(hello["ends_at"]) == at(1, 12) and hello["questions_sent"] is False


@pytest.mark.req("SLT-6", "X-5", "X-7")
@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("teacher", 200),
        ("registrar", 200),
        ("admin", 404),
        ("other_teacher", 404),
        ("student", 404),
        ("outsider", 404),
        (None, 302),
    ],
)
def test_staff_who_see_the_stream_open_the_slot_tables_stream(
    scheduled, clock, login, streams_on_wsgi, persona, expected
):
    slot = prepare(scheduled)
    user = scheduled.users[persona] if persona else None
    client = login(user)
    page = client.get(reverse("attestation:stream", args=[slot.stream_id]))
    response = client.get(reverse("attestation:slot_events", args=[slot.pk]))
    if expected == 200:
        assert page.status_code == 200  # the stream opens for exactly those who see the page
        event, hello = first_chunk(response)
        assert event == "hello" and "server_now" in hello
    else:
        assert response.status_code == expected  # nobody learns which slots exist
        assert page.status_code != 200


@pytest.mark.req("SLT-6")
def test_production_wsgi_workers_refuse_streams_so_the_page_polls(scheduled, clock, login, settings):
    settings.LIVE_STREAMS_ON_WSGI = False
    slot = prepare(scheduled)
    client = login(scheduled.users["student"])
    response = client.get(reverse("attestation:session_events", args=[session_of(scheduled, slot).pk]))
    assert response.status_code == 503
    status = client.get(reverse("attestation:session_status", args=[session_of(scheduled, slot).pk]))
    assert status.status_code == 200 and "server_now" in status.json()  # the fallback answers


@pytest.mark.req("SLT-6")
def test_presence_is_the_open_stream(scheduled, clock, login, streams_on_wsgi, listen):
    slot = prepare(scheduled)
    mine = session_of(scheduled, slot)
    staff = listen(live.staff_channel(slot.pk))
    response = login(scheduled.users["student"]).get(reverse("attestation:session_events", args=[mine.pk]))
    chunks = iter(response.streaming_content)
    assert b"event: hello" in next(chunks)
    assert presence.online([mine.pk]) == {mine.pk}
    [(_channel, told)] = staff()
    assert told["event"] == "presence" and told["session"] == mine.pk and told["online"] is True
    response.close()  # the browser went away
    assert presence.online([mine.pk]) == set()
    [(_channel, told)] = staff()
    assert told["event"] == "presence" and told["online"] is False


@pytest.mark.req("SLT-6", "X-5")
def test_a_polling_page_is_online_for_staff_at_its_first_poll_and_grey_after_three_missed(
    scheduled, clock, login, listen
):
    """A page whose stream cannot open (a proxy holds it back) polls its status: the first poll
    tells the slot's table at once; the table's own stream says who is online every keep-alive,
    which is how a page that stopped polling turns grey."""
    slot = prepare(scheduled)
    mine = session_of(scheduled, slot)
    staff = listen(live.staff_channel(slot.pk))
    client = login(scheduled.users["student"])
    status = reverse("attestation:session_status", args=[mine.pk])
    assert client.get(status).status_code == 200
    [(_channel, told)] = staff()
    assert (told["event"], told["session"], told["online"]) == ("presence", mine.pk, True)
    clock.shift(5)
    client.get(status)
    assert staff() == []  # still online: nothing new to tell
    teacher_table = live.LiveStream(live.open_staff(scheduled.users["teacher"], slot.pk))
    teacher_table.next_presence = 0
    assert teacher_table.presence_due()
    frame = teacher_table.presence().decode()
    assert frame.startswith("event: online\n") and json.loads(frame.split("data: ", 1)[1])["online"] == [
        mine.pk
    ]
    clock.shift(presence.POLLED_FRESH_SECONDS)  # the page closed: no poll for 15 s
    teacher_table.next_presence = 0
    assert json.loads(teacher_table.presence().decode().split("data: ", 1)[1])["online"] == []


@pytest.mark.req("SLT-6")
def test_the_slot_tables_presence_follows_a_student_moved_in(scheduled, clock):
    slot = prepare(scheduled)
    mine = session_of(scheduled, slot)
    table = live.LiveStream(live.open_staff(scheduled.users["teacher"], slot.pk))
    presence.touch(mine.pk)
    table.next_presence = 0
    assert json.loads(table.presence().decode().split("data: ", 1)[1])["online"] == [mine.pk]
    assert table.slot_sessions is not None
    table.event((live.staff_channel(slot.pk), 1, json.dumps({"event": "moved", "sessions": [mine.pk]})))
    assert table.slot_sessions is None  # read again at the next snapshot


# --- the stream on ASGI workers --------------------------------------------------------------------


def _scope(path, cookie):
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), (b"cookie", cookie.encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8001),
    }


async def _body(communicator, timeout=5):
    message = await communicator.receive_output(timeout)
    assert message["type"] == "http.response.body", message
    return message["body"].decode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.req("SND-1", "SLT-6", "TIM-1")
def test_asgi_stream_delivers_events_says_time_over_and_ends_presence(scheduled, clock, settings):
    settings.LIVE_KEEPALIVE_SECONDS = 1
    slot = prepare(scheduled)
    teacher = scheduled.users["teacher"]
    mine = session_of(scheduled, slot)
    clock.move_to(at(1, 10, 1))
    tickets_service.tickets_generate(actor=teacher, slot=slot, session_ids=[mine.pk])
    browser = Client()
    browser.force_login(scheduled.users["student"])
    cookie = f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"
    app = with_streams(get_asgi_application())

    async def scenario():
        path = f"/attestation/sessions/{mine.pk}/events/"
        communicator = ApplicationCommunicator(app, _scope(path, cookie))
        await communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
        start = await communicator.receive_output(5)
        assert start["status"] == 200
        assert (b"content-type", b"text/event-stream; charset=utf-8") in start["headers"]
        hello = await _body(communicator)
        assert "event: hello" in hello and '"has_ticket":true' in hello
        assert await sync_to_async(presence.online)([mine.pk]) == {mine.pk}
        await sync_to_async(tickets_service.questions_send)(actor=teacher, slot=slot, session_ids=[mine.pk])
        told = await _body(communicator)
        while told.startswith("event: clock\n"):  # a keep-alive (the server's time) came first
            told = await _body(communicator)
        assert told.startswith("event: questions\n") and f'"ch":"session:{mine.pk}"' in told
        clock.move_to(
            at(1, 12) + datetime.timedelta(seconds=1)
        )  # the student's end passes: the stream says so by itself
        told = await _body(communicator)
        while told.startswith("event: clock\n"):
            told = await _body(communicator)
        assert told.startswith("event: time_over\n")
        await communicator.send_input({"type": "http.disconnect"})
        await communicator.wait(5)
        assert await sync_to_async(presence.online)([mine.pk]) == set()

    run_apart(scenario())


@pytest.mark.django_db(transaction=True)
@pytest.mark.req("SLT-6", "X-7")
def test_asgi_stream_refuses_without_a_session_and_another_students_page(scheduled, clock, settings):
    slot = prepare(scheduled)
    other = session_of(scheduled, slot, "other_student")
    browser = Client()
    browser.force_login(scheduled.users["student"])
    cookie = f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"
    app = with_streams(get_asgi_application())

    async def status(path, cookie_header):
        communicator = ApplicationCommunicator(app, _scope(path, cookie_header))
        await communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
        start = await communicator.receive_output(5)
        await communicator.wait(5)
        return start["status"]

    path = f"/attestation/sessions/{other.pk}/events/"
    assert run_apart(status(path, "")) == 403
    assert run_apart(status(path, cookie)) == 404
    assert run_apart(status(f"/attestation/slots/{slot.pk}/events/", cookie)) == 404


@pytest.mark.req("SLT-6")
def test_serve_live_drops_connections_whose_keepalive_stays_unanswered():
    """A page gone silent (no FIN) ends its stream: the listening socket's TCP_USER_TIMEOUT, which
    every accepted connection inherits, drops it once a keep-alive stays unacknowledged."""
    import socket

    from attestation.management.commands.serve_live import tune

    listener = tune(socket.socket(), 15)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    client = socket.create_connection(listener.getsockname())
    accepted, _ = listener.accept()
    try:
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT) == 15_000
        assert accepted.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
    finally:
        for each in (client, accepted, listener):
            each.close()


@pytest.mark.req("SLT-6", "X-5")
def test_events_cross_processes_through_redis(hub_elsewhere):
    """With REDIS_URL one process publishes and every process's hub hears (PSUBSCRIBE)."""
    elsewhere = hub_elsewhere
    subscription = live.Subscription((live.session_channel(41),))
    elsewhere.subscribe(subscription)
    try:
        live._send(
            [(live.session_channel(41), {"event": "questions"}), (live.session_channel(42), {"event": "x"})]
        )
        channel, seq, payload = subscription.inbox.get(timeout=5)
        assert channel == "session:41" and seq == 1 and json.loads(payload)["event"] == "questions"
        assert subscription.inbox.empty()  # the other channel's event is not this stream's
    finally:
        elsewhere.unsubscribe(subscription)


@pytest.mark.req("STU-3", "X-2")
def test_choosing_a_tile_without_a_slot_is_refused_with_the_reason(scheduled, clock):
    """A stale board posted after the student was unscheduled: the reason, not a server error."""
    slot = prepare(scheduled)
    mine = session_of(scheduled, slot)
    slots_service.session_unschedule(actor=scheduled.users["teacher"], session=mine)
    mine = ExamSession.objects.get(pk=mine.pk)
    with pytest.raises(tickets_service.Refused, match="only during the final control"):
        tickets_service.ticket_choose(actor=scheduled.users["student"], session=mine, tile="0" * 32)
