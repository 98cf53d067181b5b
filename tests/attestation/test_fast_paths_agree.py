"""The fast paths' SQL and the rules module agree (#17.2, X-1, TIM-1, ANS-1, ADM-2).

``attestation/fast_paths.py`` writes the heartbeat and the autosave as one hand-written statement
each; ``attestation/rules.py`` (with the ORM's statement of the policy, ``student_module_q``) says
what they must answer. Hypothesis generates exam sessions — sent or not, questions viewed or not,
a task given or not, by tickets or not, the slot before / running / over, extra time, the licence,
the student module (attached to a Student role or another, its license or another) and "conduct
online" on or off, the owner or another student, older or newer versions — and both must give the
same answer (and the student module rule's Python check, ``Access.has_student_module``, its SQL's).
Runs on SQLite, and on PostgreSQL when DATABASE_URL points there (each example is rolled back to a
savepoint, nothing is left behind).
"""

import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from access.models import License, Module, Role, RoleModule
from access.policy import Access, UserRoles, student_module_q
from attestation import fast_paths, rules
from attestation.models import ExamSession, Slot, StreamExam, Ticket
from college.models import Journal
from tests.exams import at, author, slot_for

NOW = at(1, 11)  # the examples' slots are placed around this moment
# The policy is broken in at most one way per example, the slot is placed mostly around its running
# time and versions are mostly newer, so that a good share of the examples passes every other rule
# and each rule alone decides some (with fair coins almost every example fails several at once).
minutes = st.integers(min_value=0, max_value=100)
# Ways to break the policy; "role_kind" and "other_license" break ADM-2's student module rule
# (access.policy.STUDENT_MODULE) in the ways its SQL spells out: the module attached to a role that is
# not of the Student kind, and another module's license installed instead of the student module's.
BREACHES = ["license", "other_license", "module", "role_kind", "online", "owner"]
exam_sessions = st.fixed_dictionaries(
    {
        "scheduled": st.sampled_from([True] * 7 + [False]),
        "phase": st.sampled_from(["before", "running", "running", "over"]),  # around NOW, before the blur
        "start_gap": minutes,
        "end_gap": minutes,
        "extra_minutes": st.sampled_from([0, 0, 1, 15, 60, 600]),
        "now_shift": st.integers(min_value=-90_000_000, max_value=90_000_000),  # µs, ±90 s around NOW
        "by_tickets": st.booleans(),
        "ticket": st.booleans(),
        "questions_sent": st.booleans(),
        "questions_viewed": st.booleans(),
        "placed": st.booleans(),
        "task": st.booleans(),
        "sent": st.sampled_from([False] * 3 + [True]),
        "stored_version": st.integers(min_value=0, max_value=3),
        "version_step": st.sampled_from([1, 1, 1, 2, 0, -1]),  # newer, the same, or older
        "breach": st.sampled_from([None] * 6 + BREACHES),
    }
)


# A running slot, every rule passed: the examples below each break one rule on purpose, the borders
# random generation finds too rarely to rely on (hypothesis also tries them first, every run).
OPEN = {
    "scheduled": True,
    "phase": "running",
    "start_gap": 30,
    "end_gap": 30,
    "extra_minutes": 0,
    "now_shift": 0,
    "by_tickets": True,
    "ticket": True,
    "questions_sent": True,
    "questions_viewed": True,
    "placed": False,
    "task": False,
    "sent": False,
    "stored_version": 1,
    "version_step": 1,
    "breach": None,
}
BORDERS = [
    OPEN,
    {**OPEN, "sent": True},
    {**OPEN, "questions_viewed": False},
    {**OPEN, "by_tickets": False},  # a ticket viewed, but the stream is without tickets and no task
    {**OPEN, "by_tickets": False, "task": True},
    {**OPEN, "version_step": 0},
    {**OPEN, "phase": "before"},
    {**OPEN, "phase": "over", "end_gap": 10, "extra_minutes": 15},  # inside the student's extra time
    {**OPEN, "phase": "over", "end_gap": 0, "now_shift": 0},  # the own end itself: closed
    {**OPEN, "scheduled": False},
    *({**OPEN, "breach": breach} for breach in BREACHES),
]


def slot_times(case):
    """Whole minutes, as the slot's form saves them; the example's moment is blurred around NOW."""
    start_gap = datetime.timedelta(minutes=case["start_gap"])
    end_gap = datetime.timedelta(minutes=case["end_gap"])
    if case["phase"] == "before":
        starts = NOW + start_gap + datetime.timedelta(minutes=1)
        return starts, starts + end_gap + datetime.timedelta(minutes=1)
    if case["phase"] == "running":
        return NOW - start_gap, NOW + end_gap + datetime.timedelta(minutes=1)
    ends = NOW - end_gap
    return ends - start_gap - datetime.timedelta(minutes=1), ends


def arrange(college, session, case):
    """Store the generated case on the session, its slot, its stream and the policy's rows."""
    stream = session.stream
    slot = Slot.objects.get(pk=session.slot_id)
    starts_at, ends_at = slot_times(case)
    Slot.objects.filter(pk=slot.pk).update(starts_at=starts_at, ends_at=ends_at)
    mode = StreamExam.Mode.TICKETS if case["by_tickets"] else StreamExam.Mode.NO_TICKETS
    StreamExam.objects.update_or_create(stream=stream, defaults={"mode": mode})
    ticket = Ticket.objects.filter(stream=stream).first() if case["ticket"] else None
    ExamSession.objects.filter(pk=session.pk).update(
        slot=slot if case["scheduled"] else None,
        extra_minutes=case["extra_minutes"],
        ticket=ticket,
        questions_sent_at=NOW if case["questions_sent"] else None,
        questions_viewed_at=NOW if case["questions_viewed"] else None,
        placed_at=NOW if case["placed"] else None,
        task="<p>Essay</p>" if case["task"] else "",
        answer_sent_at=NOW if case["sent"] else None,
        draft_version=case["stored_version"],
    )
    if case["breach"] == "license":
        License.objects.filter(code=License.Code.ONLINE_IA).update(enabled=False)
    if case["breach"] == "other_license":
        License.objects.filter(code=License.Code.ONLINE_IA).update(enabled=False)
        License.objects.update_or_create(code=License.Code.ONLINE_FSA, defaults={"enabled": True})
    if case["breach"] == "module":
        RoleModule.objects.filter(module=Module.OIA_STUDENT).delete()
    if case["breach"] == "role_kind":
        Role.objects.filter(modules__module=Module.OIA_STUDENT).update(kind=Role.Kind.CUSTOM)
    if case["breach"] == "online":
        Journal.objects.filter(stream=stream).update(conduct_online=False)
    return college.users["other_student" if case["breach"] == "owner" else "student"]


def _examples(cases):
    def decorate(test):
        for case in reversed(cases):
            test = example(case=case)(test)
        return test

    return decorate


def policy_allows(user, session_id) -> bool:
    """The ORM's statement of the same policy (what the board's poll asks); the student module rule's
    Python statement (``Access.has_student_module``, what the exam page asks) must agree with its SQL."""
    module_held = type(user).objects.filter(student_module_q(user), pk=user.pk).exists()
    assert Access(user, roles=UserRoles.load(user)).has_student_module == module_held
    return (
        ExamSession.objects.filter(student_module_q(user))
        .filter(pk=session_id, student__user=user, stream__journal__conduct_online=True)
        .exists()
    )


def expected_heartbeat(session):
    return {
        "slot_id": session.slot_id,
        "ends_at": session.ends_at,
        "extra_minutes": session.extra_minutes,
        "questions_sent": bool(session.questions_sent_at),
        "has_ticket": bool(session.ticket_id),
        "placed": bool(session.placed_at),
        "answer_sent": bool(session.answer_sent_at),
        "task": bool(session.task),
    }


@pytest.mark.req("X-1", "TIM-1", "ANS-1", "ADM-2", "X-4")
def test_heartbeat_and_autosave_sql_agree_with_the_rules(scheduled):
    author(scheduled, count=2)
    slot = slot_for(scheduled)
    session_id = slot.sessions.get(student__user=scheduled.users["student"]).pk
    seen_states, outcomes = set(), set()

    @settings(
        max_examples=300,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(case=exam_sessions)
    @_examples(BORDERS)
    def agree(case):
        with transaction.atomic():
            session = ExamSession.objects.get(pk=session_id)
            user = arrange(scheduled, session, case)
            now = NOW + datetime.timedelta(microseconds=case["now_shift"])
            version = case["stored_version"] + case["version_step"]
            session = ExamSession.objects.select_related("slot").get(pk=session_id)
            allowed = policy_allows(user, session_id)
            if session.slot_id:
                seen_states.add(rules.slot_state(session.slot, now))

            heartbeat = fast_paths.heartbeat(session_id, user)
            assert heartbeat == (expected_heartbeat(session) if allowed else None)

            accepted = allowed and rules.draft_accepted(
                session, by_tickets=case["by_tickets"], now=now, version=version
            )
            written = fast_paths.autosave(session_id, user, "<p>typed</p>", version, now)
            assert written == accepted, case
            outcomes.add(written)
            stored = ExamSession.objects.get(pk=session_id)
            if written:
                assert (stored.draft, stored.draft_version) == ("<p>typed</p>", version)
            else:
                assert stored.draft_version == case["stored_version"]
            transaction.set_rollback(True)

    agree()
    assert seen_states == set(rules.SlotState) and outcomes == {True, False}  # every state, both answers
