"""The student's answer: autosaved drafts, attached files, and sending (ANS-1, ANS-2, TIM-1, X-1, X-3).

The server's clock rules: a draft or a file that arrives after the student's own end time
(the slot's end plus their extra time) is refused with a clear message — the browser keeps
what was typed, and the last draft saved before the end stays readable for the teacher.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from access.policy import access_for
from attestation import fast_paths, live, rules
from attestation.files import safe_name, stored_form, validate_upload
from attestation.models import AnswerFile, ExamSession, StreamExam
from attestation.services import Refused
from audit.models import record
from core import clock
from core.richtext import RICH_TEXT_MAX, plain_length, sanitize

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from access.models import User

MIN_ANSWER_CHARS = rules.MIN_ANSWER_CHARS
MAX_FILES = 10


def answers_open(session: ExamSession, exam: StreamExam | None = None) -> bool:
    """ANS-1 (:func:`attestation.rules.answers_open`) for this session's stream, now."""
    exam = exam or StreamExam.for_stream(session.stream)
    return rules.answers_open(session, by_tickets=exam.mode == StreamExam.Mode.TICKETS, now=clock.now())


def _own_open_session(actor: User, session: ExamSession, *, lock: bool = False) -> ExamSession:
    queryset = ExamSession.objects.select_related("slot", "stream__journal", "student")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    session = queryset.get(pk=session.pk)
    if not access_for(actor).owns_session(session):
        raise Refused(_("This is not your final control."))
    if session.answer_sent_at:
        raise Refused(_("Your answer has already been sent."))
    if not answers_open(session):
        raise Refused(_("The answer can be given once you have the questions or the task."))
    if rules.time_over(session, clock.now()):
        raise Refused(_("Time is over: the answer is no longer accepted. Your last saved draft is kept."))
    return session


class TextTooLong(Refused):
    """A draft longer than an answer may be: refused as bad input (400), the answer stays open."""


def draft_save(
    *, actor: User, session_id: int, text: str, version: int
) -> tuple[int, datetime.datetime | None] | None:
    """X-1: keep the newest draft; returns (version, saved at), or None when nothing was written.

    Autosaves come every 15 s from every writing student, so this is ONE statement
    (``attestation.fast_paths.autosave``): an UPDATE whose WHERE holds the whole policy (own session,
    student module, conduct online) and every rule of ``_own_open_session`` (open for answers,
    before the student's own end, a newer version). When it writes nothing, the caller checks the
    viewer and asks :func:`draft_not_saved` why. A draft is capped like a sent answer
    (:data:`~core.richtext.RICH_TEXT_MAX` after sanitising): :class:`TextTooLong`."""
    clean = sanitize(text)
    if len(clean) > RICH_TEXT_MAX:
        raise TextTooLong(_("The text is too long."))
    now = clock.now()
    if fast_paths.autosave(session_id, actor, clean, version, now):
        return version, now
    return None


def draft_not_saved(*, actor: User, session: ExamSession) -> tuple[int, datetime.datetime | None]:
    """Why an autosave wrote nothing: a refusal with its message (sent, not open, time over), or
    a retry of an older or repeated version — answered with the version the server already has."""
    session = _own_open_session(actor, session)
    return session.draft_version, session.draft_saved_at


def can_send(session: ExamSession, text: str, file_count: int, exam: StreamExam | None = None) -> bool:
    """ANS-2 (:func:`attestation.rules.may_send`) for this text and these files, now."""
    exam = exam or StreamExam.for_stream(session.stream)
    return rules.may_send(
        session,
        by_tickets=exam.mode == StreamExam.Mode.TICKETS,
        now=clock.now(),
        chars=plain_length(text),
        file_count=file_count,
    )


def answer_send(*, actor: User, session: ExamSession, text: str) -> ExamSession:
    """ANS-2: lock, check, send once; a double click or a retry after a timeout gets the same result."""
    with transaction.atomic():
        locked = (
            ExamSession.objects.select_for_update(of=("self",))
            .select_related("slot", "stream")
            .get(pk=session.pk)
        )
        if locked.student.user_id == actor.pk and locked.answer_sent_at:
            return locked  # idempotent: already sent, nothing happens twice
        locked = _own_open_session(actor, locked, lock=True)
        text = sanitize(text)
        if not can_send(locked, text, locked.answer_files.count()):
            raise Refused(
                _("Write at least %(n)s characters or attach a file before sending.")
                % {"n": MIN_ANSWER_CHARS}
            )
        now = clock.now()
        locked.answer, locked.answer_sent_at = text, now
        locked.draft, locked.draft_saved_at = text, now
        locked.save(update_fields=["answer", "answer_sent_at", "draft", "draft_saved_at"])
        record(
            actor=actor,
            action="answer.send",
            obj=locked,
            after={
                "chars": plain_length(text),
                "files": list(locked.answer_files.values_list("file_name", flat=True)),
            },
        )
        live.publish(live.Event.ANSWER, slot_id=locked.slot_id, sessions=[locked.pk])
    return locked


def answer_file_add(*, actor: User, session: ExamSession, upload: UploadedFile) -> AnswerFile:
    upload = stored_form(upload, validate_upload(upload))
    with transaction.atomic():
        session = _own_open_session(actor, session, lock=True)
        if session.answer_files.count() >= MAX_FILES:
            raise Refused(_("At most %(n)s files can be attached.") % {"n": MAX_FILES})
        name = safe_name(upload.name or "")
        # ``validate_upload`` has compared the size: it is known here (``or 0`` only for the type).
        attached = AnswerFile(session=session, file_name=name, size=upload.size or 0)
        attached.file.save(name, upload, save=False)
        attached.save()
        record(actor=actor, action="answer.file_add", obj=session, after={"file": name})
    return attached


def answer_file_delete(*, actor: User, session: ExamSession, attached: AnswerFile) -> None:
    with transaction.atomic():
        session = _own_open_session(actor, session, lock=True)
        if attached.session_id != session.pk:
            raise Refused(_("This is not your file."))
        name, storage, stored = attached.file_name, attached.file.storage, attached.file.name
        attached.delete()
        transaction.on_commit(lambda: storage.delete(stored))
        record(actor=actor, action="answer.file_delete", obj=session, before={"file": name})
