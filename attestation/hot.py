"""The two requests every student sends every few seconds — the heartbeat and the autosave — in
hand-written SQL (#8).

At 2,000 students these two are most of the exam's traffic (≈ 400 heartbeats and ≈ 130 autosaves a
second). Written with the ORM, each spent most of its time building the query (joins, ``Exists``
subqueries, the deadline arithmetic) rather than running it: ``bench/profile_endpoint.py`` showed
8.4 ms (heartbeat) and 14 ms (autosave) per request in-process, about two thirds of it in
``django.db.models.sql``. Here each is ONE statement whose text is built once per process; the
rules are the same as the ORM's and the tests run them on SQLite and PostgreSQL:

- the policy: the session's own student, the student module attached to a Student role the user
  holds, its license installed (``access.policy.student_module_q``), the stream conducted online;
- the autosave's rules (``answers._own_open_session``): not sent, the slot started, the questions
  viewed (by tickets) or a task given (without tickets), before the student's own end (the slot's
  end plus their extra time), and a newer version than the stored one.

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

from access.models import MODULE_LICENSE, License, Module, Role, RoleModule
from attestation.models import ExamSession, Slot, StreamExam
from college.models import Journal, Student


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _c(model, field: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(field).column)


@cache
def _policy_sql() -> str:
    """FROM + WHERE shared by both statements; parameters: session id, user id, user id."""
    s, st, j, sl = "s", "st", "j", "sl"
    users = Role.users.through
    return (
        f" FROM {_t(ExamSession)} {s}"  # noqa: S608 — names from model metadata; values are parameters
        f" JOIN {_t(Student)} {st} ON {st}.{_c(Student, 'id')} = {s}.{_c(ExamSession, 'student')}"
        f" JOIN {_t(Journal)} {j} ON {j}.{_c(Journal, 'stream')} = {s}.{_c(ExamSession, 'stream')}"
        f" LEFT JOIN {_t(Slot)} {sl} ON {sl}.{_c(Slot, 'id')} = {s}.{_c(ExamSession, 'slot')}"
        f" WHERE {s}.{_c(ExamSession, 'id')} = %s AND {st}.{_c(Student, 'user')} = %s"
        f" AND {j}.{_c(Journal, 'conduct_online')}"
        f" AND EXISTS (SELECT 1 FROM {_t(License)} l WHERE l.{_c(License, 'enabled')}"
        f" AND l.{_c(License, 'code')} = '{MODULE_LICENSE[Module.OIA_STUDENT]}')"
        f" AND EXISTS (SELECT 1 FROM {_t(RoleModule)} rm"
        f" JOIN {_t(Role)} r ON r.{_c(Role, 'id')} = rm.{_c(RoleModule, 'role')}"
        f" JOIN {_t(users)} ru ON ru.{_c(users, 'role')} = r.{_c(Role, 'id')}"
        f" WHERE rm.{_c(RoleModule, 'module')} = '{Module.OIA_STUDENT}'"
        f" AND r.{_c(Role, 'kind')} = '{Role.Kind.STUDENT}' AND ru.{_c(users, 'user')} = %s)"
    )


@cache
def _heartbeat_sql() -> str:
    e = ExamSession
    return (
        f"SELECT s.{_c(e, 'slot')}, sl.{_c(Slot, 'ends_at')}, s.{_c(e, 'extra_minutes')},"
        f" s.{_c(e, 'questions_sent_at')} IS NOT NULL, s.{_c(e, 'ticket')} IS NOT NULL,"
        f" s.{_c(e, 'placed_at')} IS NOT NULL, s.{_c(e, 'answer_sent_at')} IS NOT NULL,"
        f" s.{_c(e, 'task')} <> ''" + _policy_sql()
    )


def _own_end_sql() -> str:
    """The student's own end: the slot's end plus their extra minutes."""
    ends, extra = f"sl.{_c(Slot, 'ends_at')}", f"s.{_c(ExamSession, 'extra_minutes')}"
    if connection.vendor == "postgresql":
        return f"({ends} + {extra} * interval '1 minute')"
    # SQLite keeps datetimes as UTC text 'YYYY-MM-DD HH:MM:SS[.ffffff]'; so does datetime() (seconds).
    return f"datetime({ends}, '+' || {extra} || ' minutes')"


@cache
def _autosave_sql() -> str:
    """Parameters: draft, version, saved at; then session id, user id, user id; then now ×2, version."""
    e, x = ExamSession, StreamExam
    without_tickets = (
        f"EXISTS (SELECT 1 FROM {_t(x)} x WHERE x.{_c(x, 'stream')} = s.{_c(e, 'stream')}"  # noqa: S608
        f" AND x.{_c(x, 'mode')} = '{StreamExam.Mode.NO_TICKETS}')"
    )
    rules = (
        f" AND s.{_c(e, 'answer_sent_at')} IS NULL"
        f" AND sl.{_c(Slot, 'starts_at')} <= %s AND {_own_end_sql()} > %s"
        f" AND ((s.{_c(e, 'ticket')} IS NOT NULL AND s.{_c(e, 'questions_viewed_at')} IS NOT NULL"
        f" AND NOT {without_tickets})"
        f" OR (s.{_c(e, 'task')} <> '' AND {without_tickets}))"
        f" AND s.{_c(e, 'draft_version')} < %s"
    )
    head = f"UPDATE {_t(e)} SET {_c(e, 'draft')} = %s, {_c(e, 'draft_version')} = %s,"  # noqa: S608
    pick = f"SELECT s.{_c(e, 'id')}{_policy_sql()}{rules}"
    return f"{head} {_c(e, 'draft_saved_at')} = %s WHERE {_c(e, 'id')} IN ({pick})"


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
        "ends_at": slot_ends + datetime.timedelta(minutes=extra) if slot_id else None,
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
