"""The fast paths of the two requests every student sends every few seconds — the heartbeat and the
autosave — in hand-written SQL (#8). (Named for what it is, #17: a fast path beside the ORM path
that explains a refusal, not a second home of the rules.)

At 2,000 students these two are most of the exam's traffic (≈ 400 heartbeats and ≈ 130 autosaves a
second). Written with the ORM, each spent most of its time building the query (joins, ``Exists``
subqueries, the deadline arithmetic) rather than running it: ``bench/profile_endpoint.py`` showed
8.4 ms (heartbeat) and 14 ms (autosave) per request in-process, about two thirds of it in
``django.db.models.sql``. Here each is ONE statement whose text is built once per process; the
rules are the same as the ORM's and the tests run them on SQLite and PostgreSQL:

- the policy: the session's own student, the stream conducted online, and ADM-2's student module
  rule, ``access.policy.STUDENT_MODULE`` (its license installed, the student module attached to a
  role of the Student kind the user holds) — written here by hand from the rule's own values, and
  proven to agree with its ORM statement ``access.policy.student_module_q``
  (tests/attestation/test_fast_paths_agree.py);
- the autosave's rules, :func:`attestation.rules.draft_accepted` (whose parts
  ``answers._own_open_session`` asks to say why; tests/attestation/test_fast_paths_agree.py proves
  they agree): not sent, the slot started, the questions viewed (by tickets) or a task given
  (without tickets), before the student's own end (the slot's end plus their extra time), and a
  newer version than the stored one.

Table and column names come from the models' metadata, so a renamed field cannot silently
diverge; anything unusual (a refusal, a retry) falls back to the ORM path that explains it.
No value from a request is ever formatted into the text: ids, the draft, times and versions are
parameters.
"""

from __future__ import annotations

import datetime
from functools import cache

from django.db import connection
from django.utils.dateparse import parse_datetime

from access.models import License, Role, RoleModule
from access.policy import STUDENT_MODULE
from attestation.models import ExamSession, Slot, StreamExam
from college.models import Journal, Student


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _column(model, field: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(field).column)


def _session(field: str) -> str:
    """A column of the exam session row both statements are about (alias ``exam_session``)."""
    return f"exam_session.{_column(ExamSession, field)}"


def _slot(field: str) -> str:
    return f"slot.{_column(Slot, field)}"


@cache
def _policy_sql() -> str:
    """FROM + WHERE shared by both statements; parameters: session id, user id, user id.

    The two EXISTS are ADM-2's rule :data:`access.policy.STUDENT_MODULE` (``student_module_q`` in the
    ORM): the license enabled, a held role of the Student kind with the student module attached."""
    members = Role.users.through
    return (
        f" FROM {_table(ExamSession)} exam_session"  # noqa: S608 — names from model metadata; values are parameters
        f" JOIN {_table(Student)} student"
        f" ON student.{_column(Student, 'id')} = {_session('student')}"
        f" JOIN {_table(Journal)} journal"
        f" ON journal.{_column(Journal, 'stream')} = {_session('stream')}"
        f" LEFT JOIN {_table(Slot)} slot ON {_slot('id')} = {_session('slot')}"
        f" WHERE {_session('id')} = %s AND student.{_column(Student, 'user')} = %s"
        f" AND journal.{_column(Journal, 'conduct_online')}"
        f" AND EXISTS (SELECT 1 FROM {_table(License)} license"
        f" WHERE license.{_column(License, 'enabled')}"
        f" AND license.{_column(License, 'code')} = '{STUDENT_MODULE.license}')"
        f" AND EXISTS (SELECT 1 FROM {_table(RoleModule)} role_module"
        f" JOIN {_table(Role)} held_role"
        f" ON held_role.{_column(Role, 'id')} = role_module.{_column(RoleModule, 'role')}"
        f" JOIN {_table(members)} member"
        f" ON member.{_column(members, 'role')} = held_role.{_column(Role, 'id')}"
        f" WHERE role_module.{_column(RoleModule, 'module')} = '{STUDENT_MODULE.module}'"
        f" AND held_role.{_column(Role, 'kind')} = '{STUDENT_MODULE.role_kind}'"
        f" AND member.{_column(members, 'user')} = %s)"
    )


@cache
def _heartbeat_sql() -> str:
    return (
        f"SELECT {_session('slot')}, {_slot('ends_at')}, {_session('extra_minutes')},"
        f" {_session('questions_sent_at')} IS NOT NULL, {_session('ticket')} IS NOT NULL,"
        f" {_session('placed_at')} IS NOT NULL, {_session('answer_sent_at')} IS NOT NULL,"
        f" {_session('task')} <> ''" + _policy_sql()
    )


def _own_end_sql() -> str:
    """The student's own end: the slot's end plus their extra minutes."""
    ends, extra = _slot("ends_at"), _session("extra_minutes")
    if connection.vendor == "postgresql":
        return f"({ends} + {extra} * interval '1 minute')"
    # SQLite keeps datetimes as UTC text 'YYYY-MM-DD HH:MM:SS[.ffffff]'; so does datetime() (seconds).
    return f"datetime({ends}, '+' || {extra} || ' minutes')"


@cache
def _autosave_sql() -> str:
    """Parameters: draft, version, saved at; then session id, user id, user id; then now ×2, version.

    The rules are :func:`attestation.rules.draft_accepted`'s (tests/attestation/test_fast_paths_agree.py)."""
    without_tickets = (
        f"EXISTS (SELECT 1 FROM {_table(StreamExam)} stream_exam"  # noqa: S608
        f" WHERE stream_exam.{_column(StreamExam, 'stream')} = {_session('stream')}"
        f" AND stream_exam.{_column(StreamExam, 'mode')} = '{StreamExam.Mode.NO_TICKETS}')"
    )
    rules = (
        f" AND {_session('answer_sent_at')} IS NULL"
        f" AND {_slot('starts_at')} <= %s AND {_own_end_sql()} > %s"
        f" AND (({_session('ticket')} IS NOT NULL AND {_session('questions_viewed_at')} IS NOT NULL"
        f" AND NOT {without_tickets})"
        f" OR ({_session('task')} <> '' AND {without_tickets}))"
        f" AND {_session('draft_version')} < %s"
    )
    table = ExamSession
    head = f"UPDATE {_table(table)} SET {_column(table, 'draft')} = %s,"  # noqa: S608
    head += f" {_column(table, 'draft_version')} = %s, {_column(table, 'draft_saved_at')} = %s"
    pick = f"SELECT {_session('id')}{_policy_sql()}{rules}"
    return f"{head} WHERE {_column(table, 'id')} IN ({pick})"


def _datetime(value) -> datetime.datetime | None:
    """An aware datetime from a raw row: PostgreSQL gives one; SQLite gives naive UTC (or its text)."""
    if value is None:
        return None
    if not isinstance(value, datetime.datetime):
        value = parse_datetime(value)
    return value.replace(tzinfo=datetime.UTC) if value.tzinfo is None else value


def heartbeat(session_id: int, user) -> dict | None:
    """The status of the user's own session, or None when it is not theirs to see (→ 404)."""
    with connection.cursor() as cursor:
        cursor.execute(_heartbeat_sql(), [session_id, user.pk, user.pk])
        row = cursor.fetchone()
    if row is None:
        return None
    slot_id, slot_ends, extra, sent, ticket, placed, answered, task = row
    slot_ends = _datetime(slot_ends)
    return {
        "slot_id": slot_id,
        "ends_at": slot_ends + datetime.timedelta(minutes=extra) if slot_id else None,  # type: ignore[operator]
        "extra_minutes": extra,
        "questions_sent": bool(sent),
        "has_ticket": bool(ticket),
        "placed": bool(placed),
        "answer_sent": bool(answered),
        "task": bool(task),
    }


def autosave(session_id: int, user, html: str, version: int, now: datetime.datetime) -> bool:
    """Store the draft if every rule allows it; False when nothing was written (ask why elsewhere)."""
    stamp = connection.ops.adapt_datetimefield_value(now)
    params = [html, version, stamp, session_id, user.pk, user.pk, stamp, stamp, version]
    with connection.cursor() as cursor:
        cursor.execute(_autosave_sql(), params)
        return cursor.rowcount == 1
