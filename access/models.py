"""Users, licenses and the Role editor's data (modules, modes, extended rights, scopes).

The rules that read this data live in one place: ``access.policy``.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class User(AbstractUser):
    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True)
    language = models.CharField(
        _("interface language"), max_length=5, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    # Signed in with a one-time password from a login sheet: nothing else opens until they choose
    # their own (access.middleware.FirstPasswordMiddleware).
    must_change_password = models.BooleanField(_("must choose a new password"), default=False)

    @property
    def full_name(self) -> str:
        """Shown "Surname Name Patronymic"; the patronymic may be absent."""
        parts = [self.last_name, self.first_name, self.patronymic]
        return " ".join(p for p in parts if p) or self.username


class License(models.Model):
    class Code(models.TextChoices):
        ONLINE_IA = "online_ia", _("Online intermediate attestation")
        ONLINE_FSA = "online_fsa", _("Online FSA")

    code = models.CharField(_("license"), max_length=20, choices=Code.choices, unique=True)
    enabled = models.BooleanField(_("installed"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("license")
        verbose_name_plural = _("licenses")

    def __str__(self) -> str:
        return self.get_code_display()


class Role(models.Model):
    """A user role of the college. Standard roles carry a ``kind`` the system understands."""

    class Kind(models.TextChoices):
        CUSTOM = "custom", _("Custom role")
        STUDENT = "student", _("Student")
        TEACHER = "teacher", _("Teacher")
        REGISTRAR = "registrar", _("Registrar")
        HEAD_DEPARTMENT = "head_department", _("Head of department")
        HEAD_PCC = "head_pcc", _("Head of PCC")
        ADMINISTRATOR = "administrator", _("Administrator")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CUSTOM)
    # Beside the modules' rights: keeping the college's contingent (groups, students, staff,
    # streams) is the registrar's office's work, not only the system administrator's.
    may_import = models.BooleanField(_("May import the college's data"), default=False)
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="roles")

    class Meta:
        ordering = ["name"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return self.name

    @property
    def is_student_role(self) -> bool:
        return self.kind == self.Kind.STUDENT


class Module(models.TextChoices):
    OIA_STAFF = "oia_staff", _("Online intermediate attestation (staff)")
    OIA_STUDENT = "oia_student", _("Online intermediate attestation (student)")
    FSA_STAFF = "fsa_staff", _("Online FSA (staff)")


MODULE_LICENSE = {
    Module.OIA_STAFF: License.Code.ONLINE_IA,
    Module.OIA_STUDENT: License.Code.ONLINE_IA,
    Module.FSA_STAFF: License.Code.ONLINE_FSA,
}
STAFF_MODULES = {Module.OIA_STAFF, Module.FSA_STAFF}


class RoleModule(models.Model):
    """A module attached to a role in the Role editor, with its mode, extended rights and scopes."""

    class Mode(models.TextChoices):
        READ = "read", pgettext_lazy("access mode", "Read")
        EDIT = "edit", pgettext_lazy("access mode", "Edit")

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="modules")
    module = models.CharField(_("module"), max_length=20, choices=Module.choices)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.EDIT)
    may_define_settings = models.BooleanField(_("May define the module's settings"), default=False)
    may_view_all = models.BooleanField(_("May view all final controls"), default=False)
    may_grade = models.BooleanField(_("May set grades"), default=False)
    study_periods = models.ManyToManyField("college.StudyPeriod", blank=True, verbose_name=_("study periods"))
    departments = models.ManyToManyField("college.Department", blank=True, verbose_name=_("departments"))
    pccs = models.ManyToManyField("college.Pcc", blank=True, verbose_name=_("PCCs"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["role", "module"], name="uniq_role_module"),
            # ADM-4(a): the settings right exists in edit mode only.
            models.CheckConstraint(
                condition=~models.Q(mode="read", may_define_settings=True), name="settings_right_needs_edit"
            ),
        ]
        verbose_name = _("role module")
        verbose_name_plural = _("role modules")

    def __str__(self) -> str:
        return f"{self.role}: {self.get_module_display()}"

    def snapshot(self) -> dict[str, Any]:
        """What the audit log keeps of this attachment: the rights and the scopes."""
        return {
            "mode": self.mode,
            "may_define_settings": self.may_define_settings,
            "may_view_all": self.may_view_all,
            "may_grade": self.may_grade,
            "study_periods": sorted(self.study_periods.values_list("pk", flat=True)),
            "departments": sorted(self.departments.values_list("pk", flat=True)),
            "pccs": sorted(self.pccs.values_list("pk", flat=True)),
        }

    @property
    def is_staff_module(self) -> bool:
        return self.module in STAFF_MODULES

    def clean(self) -> None:
        # ADM-2: the student module belongs to the Student role only, staff modules to staff roles.
        if self.role_id and self.module:
            if self.module == Module.OIA_STUDENT and not self.role.is_student_role:
                raise ValidationError(
                    {"module": _("The student module can be attached to the Student role only.")}
                )
            if self.module in STAFF_MODULES and self.role.is_student_role:
                raise ValidationError({"module": _("A staff module cannot be attached to the Student role.")})
        if self.mode == self.Mode.READ and self.may_define_settings:
            raise ValidationError(
                {"may_define_settings": _("The right to define the module's settings needs edit mode.")}
            )
