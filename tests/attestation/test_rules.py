"""The exam session's rules in one module (#17): the slot's state and the hand-out windows, without
a database (attestation/rules.py)."""

import datetime
from types import SimpleNamespace

import pytest

from attestation import rules
from attestation.rules import SlotState
from tests.exams import at

START, END = at(1, 10), at(1, 12)


def slot(starts_at=START, ends_at=END):
    return SimpleNamespace(starts_at=starts_at, ends_at=ends_at)


def session(**fields):
    values = {
        "slot": slot(),
        "slot_id": 1,
        "extra_minutes": 0,
        "ticket_id": None,
        "questions_sent_at": None,
        "questions_viewed_at": None,
        "placed_at": None,
        "task": "",
        "answer_sent_at": None,
        "draft_version": 0,
    }
    values.update(fields)
    made = SimpleNamespace(**values)
    made.ends_at = made.slot.ends_at + datetime.timedelta(minutes=made.extra_minutes) if made.slot else None
    return made


@pytest.mark.req("SLT-3")
@pytest.mark.parametrize(
    ("now", "state"),
    [
        (at(1, 9, 59), SlotState.BEFORE),
        (START, SlotState.RUNNING),
        (at(1, 11, 59), SlotState.RUNNING),
        (END, SlotState.OVER),
    ],
)
def test_the_slot_state_changes_at_the_start_and_at_the_end(now, state):
    assert rules.slot_state(slot(), now) == state
    assert rules.slot_state(slot(), now) == state.value  # templates compare and print the plain value


@pytest.mark.req("SLT-3", "SLT-5", "X-4")
def test_what_may_change_in_a_slot_follows_its_state():
    assert [rules.slot_start_editable(s) for s in SlotState] == [True, False, False]
    assert [rules.slot_membership_editable(s) for s in SlotState] == [True, False, False]
    assert [rules.slot_times_editable(s) for s in SlotState] == [True, True, False]


@pytest.mark.req("GEN-1", "PLC-1", "SND-1")
def test_hand_out_windows(clock):
    clock.move_to(at(1, 9))
    today = slot()
    assert rules.generation_open(today, SlotState.BEFORE)
    assert not rules.placement_open(SlotState.BEFORE)
    assert not rules.questions_sending_open(today, SlotState.BEFORE)
    assert rules.placement_open(SlotState.RUNNING) and rules.questions_sending_open(today, SlotState.RUNNING)
    assert not rules.generation_open(today, SlotState.OVER)
    tomorrow = slot(at(2, 10), at(2, 12))
    assert not rules.generation_open(tomorrow, SlotState.BEFORE)


@pytest.mark.req("ANS-1", "ANS-2", "TIM-1", "X-4")
def test_answers_open_and_sending_need_the_questions_and_the_time():
    viewed = session(ticket_id=3, questions_viewed_at=START)
    assert not rules.answers_open(viewed, by_tickets=True, now=at(1, 9, 59))
    assert rules.answers_open(viewed, by_tickets=True, now=START)
    assert not rules.answers_open(session(ticket_id=3), by_tickets=True, now=START)
    assert rules.answers_open(session(task="<p>Essay</p>"), by_tickets=False, now=START)
    assert not rules.may_send(viewed, by_tickets=True, now=START, chars=9, file_count=0)
    assert rules.may_send(viewed, by_tickets=True, now=START, chars=0, file_count=1)
    assert not rules.may_send(viewed, by_tickets=True, now=END, chars=10, file_count=0)
    extra = session(ticket_id=3, questions_viewed_at=START, extra_minutes=5)
    assert rules.may_write(extra, by_tickets=True, now=END) and not rules.time_over(extra, END)
    assert not rules.may_write(
        session(ticket_id=3, questions_viewed_at=START, answer_sent_at=START), by_tickets=True, now=START
    )


@pytest.mark.req("STU-2", "STU-3", "STU-4")
def test_what_the_page_shows_to_whom():
    placed = session(placed_at=START)
    assert rules.board_shown(placed, viewer="student", by_tickets=True, state=SlotState.RUNNING)
    assert not rules.board_shown(placed, viewer="staff", by_tickets=True, state=SlotState.RUNNING)
    assert not rules.board_shown(placed, viewer="student", by_tickets=True, state=SlotState.OVER)
    ticket = session(ticket_id=3, questions_sent_at=START)
    assert rules.ticket_shown(ticket, viewer="staff", by_tickets=True, state=SlotState.BEFORE)
    assert not rules.ticket_shown(ticket, viewer="student", by_tickets=True, state=SlotState.BEFORE)
    assert rules.questions_shown(ticket, viewer="staff") and not rules.questions_shown(
        ticket, viewer="student"
    )


@pytest.mark.req("PLT-2", "STU-5")
def test_recordings_show_to_staff_and_to_the_student_when_allowed():
    recorded = SimpleNamespace(has_recording=True, show_recording=False)
    assert rules.recordings_shown(recorded, viewer="staff")
    assert not rules.recordings_shown(recorded, viewer="student")
    assert rules.recordings_shown(SimpleNamespace(has_recording=True, show_recording=True), viewer="student")
    assert not rules.recordings_shown(
        SimpleNamespace(has_recording=False, show_recording=True), viewer="staff"
    )
    assert not rules.recordings_shown(None, viewer="staff")
