"""The surrounding college system: just enough of it for the attestation module to read.

Organisation (departments, PCCs), academic structure (specialties, qualifications, study
periods, technologies, languages, years and periods), people (students, staff), and teaching
(disciplines, streams, journals, admissions, academic schedules).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Named(models.Model):
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name


class Department(Named):
    """A students' division of the college (бөлімше)."""

    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("head of department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
    )

    class Meta(Named.Meta):
        verbose_name = _("department")
        verbose_name_plural = _("departments")


class Pcc(Named):
    """A subject-cycle commission (ПЦК): the teachers' department."""

    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("head of PCC"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_pccs",
    )

    class Meta(Named.Meta):
        verbose_name = _("PCC")
        verbose_name_plural = _("PCCs")


class Specialty(Named):
    code = models.CharField(_("code"), max_length=20, unique=True)

    class Meta(Named.Meta):
        verbose_name = _("specialty")
        verbose_name_plural = _("specialties")

    def __str__(self):
        return f"{self.code} {self.name}"


class Qualification(Named):
    code = models.CharField(_("code"), max_length=20, unique=True)
    specialty = models.ForeignKey(Specialty, on_delete=models.CASCADE, related_name="qualifications")

    class Meta(Named.Meta):
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")

    def __str__(self):
        return f"{self.code} {self.name}"


class StudyPeriod(Named):
    """The programme's length, e.g. "2 y 10 m" — an attribute of a group."""

    months = models.PositiveSmallIntegerField(_("length in months"), unique=True)

    class Meta:
        ordering = ["months"]
        verbose_name = _("study period")
        verbose_name_plural = _("study periods")


class TrainingTechnology(Named):
    class Scale(models.TextChoices):
        TRADITIONAL = "traditional", _("Traditional (grades 2–5)")
        CREDIT = "credit", _("Credit (100 points and letter grade)")

    scale = models.CharField(_("grading scale"), max_length=20, choices=Scale.choices, unique=True)

    class Meta(Named.Meta):
        verbose_name = _("training technology")
        verbose_name_plural = _("training technologies")


class InstructionLanguage(Named):
    code = models.CharField(_("code"), max_length=5, unique=True)

    class Meta(Named.Meta):
        verbose_name = _("language of instruction")
        verbose_name_plural = _("languages of instruction")


class AcademicYear(models.Model):
    name = models.CharField(_("name"), max_length=20, unique=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("academic year")
        verbose_name_plural = _("academic years")

    def __str__(self):
        return self.name

    @classmethod
    def current(cls, today=None):
        from core.clock import local_today

        today = today or local_today()
        return cls.objects.filter(starts_on__lte=today, ends_on__gte=today).first() or cls.objects.first()


class AcademicPeriod(models.Model):
    year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="periods")
    number = models.PositiveSmallIntegerField(_("number"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        ordering = ["year__starts_on", "number"]
        constraints = [models.UniqueConstraint(fields=["year", "number"], name="uniq_period_in_year")]
        verbose_name = _("academic period")
        verbose_name_plural = _("academic periods")

    def __str__(self):
        return _("%(year)s, academic period %(number)s") % {"year": self.year, "number": self.number}

    @property
    def label(self):
        return _("Academic period %(number)s") % {"number": self.number}


class Group(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="groups")
    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, related_name="groups")
    qualification = models.ForeignKey(Qualification, on_delete=models.PROTECT, related_name="groups")
    study_period = models.ForeignKey(StudyPeriod, on_delete=models.PROTECT, related_name="groups")
    technology = models.ForeignKey(TrainingTechnology, on_delete=models.PROTECT, related_name="groups")
    language = models.ForeignKey(InstructionLanguage, on_delete=models.PROTECT, related_name="groups")
    course = models.PositiveSmallIntegerField(_("course"), default=1)

    class Meta:
        ordering = ["name"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")

    def __str__(self):
        return self.name


class Person(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)

    class Meta:
        abstract = True

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        return self.user.full_name


class Student(Person):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="student")
    record_book_number = models.CharField(_("record-book number"), max_length=30, unique=True)
    # The individual identification number (12 digits with a check digit), where the college has it.
    iin = models.CharField(_("IIN"), max_length=12, unique=True, null=True, blank=True)
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="students")

    class Meta:
        ordering = ["user__last_name", "user__first_name", "user__patronymic"]
        verbose_name = _("student")
        verbose_name_plural = _("students")


class Staff(Person):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff")
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="staff"
    )
    pcc = models.ForeignKey(Pcc, null=True, blank=True, on_delete=models.SET_NULL, related_name="staff")
    position = models.CharField(_("position"), max_length=100, blank=True)

    class Meta:
        ordering = ["user__last_name", "user__first_name", "user__patronymic"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")


class Discipline(Named):
    pcc = models.ForeignKey(Pcc, null=True, blank=True, on_delete=models.SET_NULL, related_name="disciplines")

    class Meta(Named.Meta):
        verbose_name = _("discipline")
        verbose_name_plural = _("disciplines")


class Stream(models.Model):
    """A teaching stream: one discipline, one teacher, one academic period, one or more groups."""

    name = models.CharField(_("name"), max_length=200)
    discipline = models.ForeignKey(Discipline, on_delete=models.PROTECT, related_name="streams")
    teacher = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="streams")
    academic_period = models.ForeignKey(AcademicPeriod, on_delete=models.PROTECT, related_name="streams")
    is_main = models.BooleanField(_("main stream"), default=True)
    groups = models.ManyToManyField(Group, related_name="streams")
    students = models.ManyToManyField(Student, related_name="streams")
    # A stream built on its groups keeps their members: a student who joins one of its groups joins
    # the stream, one who leaves leaves it (attestation.services.membership states when). A stream
    # whose students were listed one by one (a subgroup) keeps its list.
    follows_groups = models.BooleanField(_("students follow the groups"), default=True)

    class Meta:
        ordering = ["discipline__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "academic_period"], name="uniq_stream_name_in_period")
        ]
        verbose_name = _("stream")
        verbose_name_plural = _("streams")

    def __str__(self):
        return self.name


class Journal(models.Model):
    """The stream's gradebook and its Settings tab."""

    class FinalForm(models.TextChoices):
        UNDEFINED = "", _("Not defined")
        WRITTEN = "written", _("Exam (written)")
        ORAL = "oral", _("Exam (oral)")
        WRITTEN_ORAL = "written_oral", _("Exam (written and oral)")
        PASS_FAIL = "pass_fail", _("Pass/fail")

    stream = models.OneToOneField(Stream, on_delete=models.CASCADE, related_name="journal")
    final_form = models.CharField(
        _("form of final attestation"), max_length=20, choices=FinalForm.choices, blank=True, default=""
    )
    final_grade_set = models.BooleanField(_("grading by final attestation is set"), default=True)
    conduct_online = models.BooleanField(_("conduct final control online"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("journal")
        verbose_name_plural = _("journals")

    def __str__(self):
        return str(self.stream)


class Admission(models.Model):
    """Whether a student is admitted to the stream's final control (positive admission rating)."""

    stream = models.ForeignKey(Stream, on_delete=models.CASCADE, related_name="admissions")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="admissions")
    admitted = models.BooleanField(_("admitted"), default=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["stream", "student"], name="uniq_admission")]
        verbose_name = _("admission")
        verbose_name_plural = _("admissions")

    def __str__(self):
        return f"{self.stream} / {self.student}"


class AcademicSchedule(models.Model):
    """Per group and academic period: the dates of the attestation period."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="schedules")
    academic_period = models.ForeignKey(AcademicPeriod, on_delete=models.CASCADE, related_name="schedules")
    attestation_starts_on = models.DateField(_("attestation starts on"))
    attestation_ends_on = models.DateField(_("attestation ends on"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "academic_period"], name="uniq_schedule"),
            models.CheckConstraint(
                condition=models.Q(attestation_ends_on__gte=models.F("attestation_starts_on")),
                name="schedule_dates_ordered",
            ),
        ]
        verbose_name = _("academic schedule")
        verbose_name_plural = _("academic schedules")

    def __str__(self):
        return f"{self.group} / {self.academic_period}"


class JournalColumn(models.Model):
    """A grade column of the journal: current-control lessons, and the final-control parts."""

    class Kind(models.TextChoices):
        CURRENT = "current", _("Current control")
        FINAL_WRITTEN = "final_written", _("Final control (written)")
        FINAL_ORAL = "final_oral", _("Final control (oral)")
        FINAL = "final", _("Final control")

    journal = models.ForeignKey(Journal, on_delete=models.CASCADE, related_name="columns")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=100)
    position = models.PositiveSmallIntegerField(pgettext_lazy("column order", "position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("journal column")
        verbose_name_plural = _("journal columns")

    def __str__(self):
        return self.title

    @property
    def is_final(self):
        return self.kind != self.Kind.CURRENT


class JournalMark(models.Model):
    column = models.ForeignKey(JournalColumn, on_delete=models.CASCADE, related_name="marks")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="journal_marks")
    value = models.CharField(_("mark"), max_length=10)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["column", "student"], name="uniq_mark")]
        verbose_name = _("journal mark")
        verbose_name_plural = _("journal marks")

    def __str__(self):
        return f"{self.column} / {self.student}: {self.value}"
