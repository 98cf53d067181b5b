"""The module's own data: settings per attestation kind, exam slots and exam sessions.

An exam session is one row per student per stream; most pages are views of these rows and most
actions move one of them forward (schedule → ticket → questions sent → viewed → answered → graded).
"""

import os
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from attestation.files import INLINE, private_storage


class ModuleSettings(models.Model):
    """SET-1…SET-5: one row per attestation kind (the Intermediate attestation and Online FSA tabs)."""

    class Kind(models.TextChoices):
        INTERMEDIATE = "intermediate", _("Intermediate attestation")
        FSA = "fsa", _("Online FSA")

    class DistributionForm(models.TextChoices):
        SELF_CHOICE = "self_choice", _("Students choose tickets themselves")
        RANDOM = "random", _("Random distribution of ticket numbers")

    kind = models.CharField(_("attestation kind"), max_length=20, choices=Kind.choices, unique=True)
    distribute_whole_stream = models.BooleanField(_("Distribute tickets over the whole stream"), default=True)
    distribution_form = models.CharField(
        _("Ticket distribution form"),
        max_length=20,
        choices=DistributionForm.choices,
        default=DistributionForm.RANDOM,
    )
    allowed_study_periods = models.ManyToManyField(
        "college.StudyPeriod",
        blank=True,
        verbose_name=_("Allow online intermediate attestation for study periods"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("module settings")
        verbose_name_plural = _("module settings")

    def __str__(self):
        return self.get_kind_display()

    @classmethod
    def for_kind(cls, kind=Kind.INTERMEDIATE):
        """The settings to read: the stored row, or the defaults (unsaved) — a read never writes."""
        return cls.objects.filter(kind=kind).first() or cls(kind=kind)

    @classmethod
    def locked(cls, kind):
        """The row to change, created if missing and locked until the transaction ends; also whether
        it was created just now (so its version before this change was "never saved")."""
        obj, created = cls.objects.get_or_create(kind=kind)
        return cls.objects.select_for_update().get(pk=obj.pk), created

    def allowed_period_ids(self) -> set[int]:
        """SET-4: the study periods allowed online (none while the settings were never saved)."""
        if self.pk is None:
            return set()
        return set(self.allowed_study_periods.values_list("pk", flat=True))


class StreamExam(models.Model):
    """The stream's final control in the module: how it is conducted (STR-2)."""

    class Mode(models.TextChoices):
        TICKETS = "tickets", _("By tickets")
        NO_TICKETS = "no_tickets", _("Without tickets")

    stream = models.OneToOneField("college.Stream", on_delete=models.CASCADE, related_name="exam")
    mode = models.CharField(
        _("Conduct final control"), max_length=20, choices=Mode.choices, default=Mode.TICKETS
    )
    # TKT-2: how many tickets the stream's final control uses; None until saved.
    ticket_count = models.PositiveSmallIntegerField(_("Number of tickets"), null=True, blank=True)

    class Meta:
        verbose_name = _("stream's final control")
        verbose_name_plural = _("streams' final controls")

    def __str__(self):
        return f"{self.stream}: {self.get_mode_display()}"

    @classmethod
    def for_stream(cls, stream):
        """The stream's final control to read: the stored row, or the defaults (unsaved) — a page
        view never writes (#16.9); :meth:`locked` gives the row to change."""
        return cls.objects.filter(stream=stream).first() or cls(stream=stream)

    @classmethod
    def locked(cls, stream):
        """The row to change: created if missing, locked until the transaction ends."""
        obj, _created = cls.objects.get_or_create(stream=stream)
        return cls.objects.select_for_update().get(pk=obj.pk)


class Slot(models.Model):
    """Students of a stream scheduled for one start date-time and end time (a tab of the stream page)."""

    # Not stored: what the stream page's views work out for its template (views/stream_page.py).
    rows: list
    started: bool
    membership_editable: bool
    board_full: bool

    stream = models.ForeignKey("college.Stream", on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("end"))
    # NTF-1: the start the students were notified of; the button returns when the start changes.
    notified_start = models.DateTimeField(_("notified start"), null=True, blank=True)
    # NTF-1: when the last notification went out and to how many students (shown on the slot).
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)
    notified_count = models.PositiveIntegerField(_("students notified"), null=True, blank=True)
    # PLT-1, PLT-2: the conducting platform.
    platform = models.CharField(_("Platform"), max_length=100, blank=True)
    platform_login = models.CharField(_("Login"), max_length=100, blank=True)
    platform_password = models.CharField(_("Password"), max_length=100, blank=True)
    conference_url = models.URLField(_("Conference link"), max_length=500, blank=True)
    has_recording = models.BooleanField(_("Has video recording"), default=False)
    show_recording = models.BooleanField(_("Show recording link to students"), default=False)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start"
            )
        ]
        verbose_name = _("slot")
        verbose_name_plural = _("slots")

    def __str__(self):
        return f"{self.stream} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def has_platform(self):
        return bool(self.platform or self.conference_url)

    @property
    def needs_notification(self):
        return self.notified_start != self.starts_at


class RecordingLink(models.Model):
    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="recordings")
    url = models.URLField(_("Recording link"), max_length=500)

    class Meta:
        ordering = ["id"]
        verbose_name = _("recording link")
        verbose_name_plural = _("recording links")

    def __str__(self):
        return self.url


def ticket_upload_to(instance, filename):
    return f"tickets/{instance.stream_id}/{filename}"


class Ticket(models.Model):
    """A numbered set of exam questions of a stream: sanitised text and/or one file (TKT-4)."""

    stream = models.ForeignKey("college.Stream", on_delete=models.CASCADE, related_name="tickets")
    number = models.PositiveSmallIntegerField(_("Ticket No."))
    body = models.TextField(_("Ticket content"), blank=True)
    file = models.FileField(_("File"), upload_to=ticket_upload_to, storage=private_storage, blank=True)
    file_name = models.CharField(_("file name"), max_length=120, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["stream", "number"], name="uniq_ticket_number")]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")

    def __str__(self):
        return f"{self.stream} №{self.number}"

    @property
    def has_content(self):
        """TKT-3: a ticket counts as entered with a file or non-empty text."""
        return bool(self.file) or bool(self.body.strip())


class ExamSession(models.Model):
    """One student's final control in one stream."""

    stream = models.ForeignKey("college.Stream", on_delete=models.CASCADE, related_name="exam_sessions")
    student = models.ForeignKey("college.Student", on_delete=models.CASCADE, related_name="exam_sessions")
    slot = models.ForeignKey(Slot, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions")
    # extra time for this student only (accommodation), added to the slot's end.
    extra_minutes = models.PositiveSmallIntegerField(_("extra time, minutes"), default=0)

    class TicketSource(models.TextChoices):
        GENERATED = "generated", _("generated")
        CHOSEN = "chosen", _("chosen by the student")

    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.PROTECT, related_name="sessions"
    )
    ticket_source = models.CharField(
        _("ticket source"), max_length=10, choices=TicketSource.choices, blank=True
    )
    ticket_at = models.DateTimeField(_("ticket received"), null=True, blank=True)
    placed_at = models.DateTimeField(_("tickets placed"), null=True, blank=True)
    questions_sent_at = models.DateTimeField(_("questions sent"), null=True, blank=True)
    questions_viewed_at = models.DateTimeField(_("Questions viewed"), null=True, blank=True)
    task = models.TextField(_("Task"), blank=True)
    task_updated_at = models.DateTimeField(_("task updated"), null=True, blank=True)
    # the latest autosaved draft (never lost, readable by the teacher) and the sent answer.
    draft = models.TextField(_("draft"), blank=True)
    draft_version = models.PositiveIntegerField(_("draft version"), default=0)
    draft_saved_at = models.DateTimeField(_("draft saved"), null=True, blank=True)
    answer = models.TextField(_("Answer"), blank=True)
    answer_sent_at = models.DateTimeField(_("Answer sent"), null=True, blank=True)
    # GRD-1…GRD-6: the grade; parts per the journal's form of final attestation.
    absence = models.CharField(
        _("absence"),
        max_length=10,
        blank=True,
        choices=[("excused", _("Absent, excused")), ("unexcused", _("Absent, unexcused"))],
    )
    grade_written = models.CharField(_("written"), max_length=10, blank=True)
    grade_oral = models.CharField(_("oral"), max_length=10, blank=True)
    grade_total = models.CharField(_("total"), max_length=10, blank=True)
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    grade_version = models.PositiveIntegerField(_("grade version"), default=0)
    # A comment to the student with the grade: plain text, escaped wherever shown; the student sees
    # it on the exam page once graded.
    grade_comment = models.TextField(_("Comment to the student"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stream", "student"], name="uniq_session_per_stream"),
            # X-3, the last guard: a ticket a student chose is nobody else's choice in that slot.
            models.UniqueConstraint(
                fields=["slot", "ticket"],
                condition=models.Q(ticket_source="chosen"),
                name="one_chooser_per_ticket_in_slot",
            ),
        ]
        verbose_name = _("exam session")
        verbose_name_plural = _("exam sessions")

    def __str__(self):
        return f"{self.stream} / {self.student}"

    @property
    def ends_at(self):
        """The student's own deadline: the slot's end plus their extra time."""
        if self.slot is None:
            return None
        return self.slot.ends_at + timedelta(minutes=self.extra_minutes)


def answer_upload_to(instance, filename):
    return f"answers/{instance.session.stream_id}/{instance.session_id}/{filename}"


class AnswerFile(models.Model):
    """A file attached to a student's answer (ANS-1); removable until the answer is sent."""

    session = models.ForeignKey(ExamSession, on_delete=models.CASCADE, related_name="answer_files")
    file = models.FileField(_("File"), upload_to=answer_upload_to, storage=private_storage)
    file_name = models.CharField(_("file name"), max_length=120)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("answer file")
        verbose_name_plural = _("answer files")

    def __str__(self):
        return self.file_name

    @property
    def opens_in_browser(self) -> bool:
        """An image: its link opens it in a new tab (files.attachment serves it inline)."""
        return os.path.splitext(self.file_name.lower())[1] in INLINE


class GradeChange(models.Model):
    """The history of a grade: who changed it, when, from what to what, and why."""

    session = models.ForeignKey(ExamSession, on_delete=models.CASCADE, related_name="grade_changes")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)
    before = models.JSONField(_("before"))
    after = models.JSONField(_("after"))
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("grade change")
        verbose_name_plural = _("grade changes")

    def __str__(self):
        return f"{self.session}: {self.before} → {self.after}"
