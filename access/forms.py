from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from access.models import STAFF_MODULES, License, Module, Role, RoleModule, User
from college.collation import by_name
from core import login_budget, throttle


class LoginForm(AuthenticationForm):
    """The login form, throttled per user name and address (``core.throttle``); what its password
    checks may cost is bounded per address and per process (``core.login_budget``).

    Its messages are the app's own: Django's "Please enter a correct %(username)s and password"
    puts the user model's field name into the sentence, which came out half Kazakh (#16.12).
    """

    username = forms.CharField(
        label=_("Login"), widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"})
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The login or the password is wrong. Check both and try again."),
        "inactive": _("This account is switched off. Ask the college's administrator."),
    }
    throttled = False
    wait = 0  # seconds, when throttled

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        address = throttle.client_address(self.request) if self.request else "unknown"
        wait = throttle.seconds_to_wait(username, address)
        if wait:
            # No password check while waiting: guessing gains nothing, and the hasher is no DoS lever.
            self.throttled, self.wait = True, wait
            raise forms.ValidationError(throttle.wait_message(wait), code="throttled")
        try:
            if username and self.cleaned_data.get("password"):
                login_budget.spend(address)  # every name counts: new names each time are no way round
            with login_budget.hashing():
                cleaned = super().clean()
        except login_budget.Busy as busy:
            self.throttled, self.wait = True, busy.seconds
            raise forms.ValidationError(busy.message, code="throttled") from None
        except forms.ValidationError:
            throttle.record_failure(username, address)
            raise
        throttle.record_success(username, address)
        return cleaned


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Changing one's own password (#16.11): the current password is checked through the login
    throttle, so this form is no way around it; the labels and messages are the app's own."""

    error_messages = {
        **auth_forms.PasswordChangeForm.error_messages,
        "password_incorrect": _("The current password is wrong."),
        "password_mismatch": _("The two new passwords differ."),
    }
    throttled = False

    def __init__(self, user: Any, *args: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.request = request
        self.fields["old_password"].label = _("Current password")
        self.fields["new_password1"].label = _("New password")
        self.fields["new_password2"].label = _("New password again")
        self.fields["new_password2"].help_text = _("Type the new password once more, to be sure of it.")

    def clean_old_password(self) -> str:
        address = throttle.client_address(self.request) if self.request else "unknown"
        wait = throttle.seconds_to_wait(self.user.get_username(), address)
        if wait:
            self.throttled = True
            raise forms.ValidationError(throttle.wait_message(wait), code="throttled")
        try:
            with login_budget.hashing():
                old = super().clean_old_password()
        except login_budget.Busy as busy:
            self.throttled = True
            raise forms.ValidationError(busy.message, code="throttled") from None
        except forms.ValidationError:
            throttle.record_failure(self.user.get_username(), address)
            raise
        throttle.record_success(self.user.get_username(), address)
        return old


class FirstPasswordForm(auth_forms.SetPasswordForm):  # type: ignore[type-arg]
    """Choosing one's own password after signing in with a login sheet's one-time password."""

    error_messages = {
        **auth_forms.SetPasswordForm.error_messages,
        "password_mismatch": _("The two new passwords differ."),
    }

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.fields["new_password1"].label = _("New password")
        self.fields["new_password2"].label = _("New password again")
        self.fields["new_password2"].help_text = _("Type the new password once more, to be sure of it.")

    def save(self, commit: bool = True) -> Any:
        self.user.must_change_password = False
        return super().save(commit)


class GroupChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A group with how many of its students have never signed in."""

    def label_from_instance(self, obj: Any) -> str:
        return _("%(group)s — %(new)s of %(all)s never signed in") % {
            "group": obj.name,
            "new": obj.new_count,
            "all": obj.student_count,
        }


class LoginSheetForm(forms.Form):
    """Which group's login sheet, for whom, in which format."""

    NEW, EVERYONE = "new", "everyone"

    group = GroupChoiceField(label=_("Group"), queryset=None, empty_label=None)
    students = forms.ChoiceField(
        label=_("Students on the sheet"),
        choices=[
            (NEW, _("Those who have never signed in (new students)")),
            (EVERYONE, _("Every student of the group — their current passwords stop working")),
        ],
        widget=forms.RadioSelect,
        initial=NEW,
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("pdf", _("PDF, to print")), ("xlsx", _("XLSX spreadsheet"))],
        widget=forms.RadioSelect,
        initial="pdf",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from django.db.models import Count, Q

        from college.models import Group

        super().__init__(*args, **kwargs)
        never = Q(students__user__last_login__isnull=True)
        groups = Group.objects.annotate(
            new_count=Count("students", filter=never), student_count=Count("students")
        )
        self.fields["group"].queryset = groups.order_by("name")  # type: ignore[attr-defined]

    @property
    def everyone(self) -> bool:
        return bool(self.cleaned_data.get("students") == self.EVERYONE)


class RoleForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Role
        fields = ["name", "kind", "may_import"]
        help_texts = {
            "may_import": _(
                "Import groups, students, staff, streams, admissions and academic schedules from files, "
                "and print students' login sheets."
            )
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Changing a role between student and staff would orphan its modules: fixed once created.
        if self.instance.pk:
            self.fields["kind"].disabled = True
        if self.instance.pk and self.instance.is_student_role:
            del self.fields["may_import"]  # the college's data is staff work

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("may_import") and data.get("kind") == Role.Kind.STUDENT:
            self.add_error("may_import", _("A student role cannot import the college's data."))
        return data


class RoleModuleForm(forms.Form):
    """One module's block in the Role editor: attached or not, mode, extended rights, scopes."""

    attached = forms.BooleanField(label=_("Attached"), required=False)
    mode = forms.ChoiceField(
        label=_("Mode"),
        choices=RoleModule.Mode.choices,
        initial=RoleModule.Mode.EDIT,
        widget=forms.RadioSelect,
        required=False,
    )
    may_define_settings = forms.BooleanField(
        label=_("May define the module's settings (edit mode only)"), required=False
    )
    may_view_all = forms.BooleanField(label=_("May view all final controls"), required=False)
    may_grade = forms.BooleanField(label=_("May set final-control grades (edit mode only)"), required=False)
    study_periods: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=_("Study periods"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    departments: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=_("Departments"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    pccs: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=_("PCCs"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, role: Role, module: str, **kwargs: Any) -> None:
        from college.models import Department, Pcc, StudyPeriod

        self.role = role
        self.module = module
        self.attachment = role.modules.filter(module=module).first() if role.pk else None
        if self.attachment and "initial" not in kwargs:
            a = self.attachment
            kwargs["initial"] = {
                "attached": True,
                "mode": a.mode,
                "may_define_settings": a.may_define_settings,
                "may_view_all": a.may_view_all,
                "may_grade": a.may_grade,
                "study_periods": list(a.study_periods.all()),
                "departments": list(a.departments.all()),
                "pccs": list(a.pccs.all()),
            }
        super().__init__(*args, prefix=module, **kwargs)  # type: ignore[misc]  # prefix is not in kwargs
        # django-stubs types self.fields as plain Fields: these are ModelMultipleChoiceFields.
        self.fields["study_periods"].queryset = StudyPeriod.objects.all()  # type: ignore[attr-defined]
        self.fields["departments"].queryset = Department.objects.all()  # type: ignore[attr-defined]
        self.fields["pccs"].queryset = Pcc.objects.all()  # type: ignore[attr-defined]
        if not self.is_staff_module:
            for name in ["mode", "may_define_settings", "may_view_all", "may_grade"]:
                del self.fields[name]
            for name in ["study_periods", "departments", "pccs"]:
                del self.fields[name]

    @property
    def title(self) -> str:
        return str(Module(self.module).label)

    @property
    def is_staff_module(self) -> bool:
        return self.module in STAFF_MODULES

    @property
    def scope_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ["study_periods", "departments", "pccs"] if name in self.fields]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("attached"):
            return data
        if self.module == Module.OIA_STUDENT and not self.role.is_student_role:
            raise forms.ValidationError(_("The student module can be attached to the Student role only."))
        if self.is_staff_module and self.role.is_student_role:
            raise forms.ValidationError(_("A staff module cannot be attached to the Student role."))
        if self.is_staff_module:
            data["mode"] = data.get("mode") or RoleModule.Mode.EDIT
            if data["mode"] == RoleModule.Mode.READ and data.get("may_define_settings"):
                self.add_error(
                    "may_define_settings", _("The right to define the module's settings needs edit mode.")
                )
            if data["mode"] == RoleModule.Mode.READ and data.get("may_grade"):
                self.add_error("may_grade", _("The right to set grades needs edit mode."))
        return data

    def save(self) -> RoleModule | None:
        data = self.cleaned_data
        if not data.get("attached"):
            if self.attachment:
                self.attachment.delete()
            return None
        attachment = self.attachment or RoleModule(role=self.role, module=self.module)
        if self.is_staff_module:
            attachment.mode = data["mode"]
            attachment.may_define_settings = data["may_define_settings"]
            attachment.may_view_all = data["may_view_all"]
            attachment.may_grade = data["may_grade"]
        attachment.save()
        if self.is_staff_module:
            attachment.study_periods.set(data["study_periods"])
            attachment.departments.set(data["departments"])
            attachment.pccs.set(data["pccs"])
        return attachment

    def snapshot(self) -> dict[str, Any] | None:
        """What this block holds now, for the audit trail and for tests."""
        attachment = self.role.modules.filter(module=self.module).first()
        return attachment.snapshot() if attachment else None


def modules_for(role: Role) -> list[str]:
    """ADM-2: which modules the editor offers for a role."""
    if role.is_student_role:
        return [Module.OIA_STUDENT]
    return [Module.OIA_STAFF, Module.FSA_STAFF]


class RoleMembersForm(forms.Form):
    members = forms.ModelMultipleChoiceField(
        label=_("Staff members holding this role"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, role: Role, **kwargs: Any) -> None:
        super().__init__(*args, prefix="members", **kwargs)  # type: ignore[misc]  # prefix is not in kwargs
        self.role = role
        staff = User.objects.filter(staff__isnull=False).order_by("last_name", "first_name", "patronymic")
        self.fields["members"].queryset = staff  # type: ignore[attr-defined]
        # The viewer's alphabet (Ә, Қ, І… in their places), not the database's code-point order.
        members = [(u.pk, u.full_name) for u in by_name(staff, user=lambda u: u)]
        self.fields["members"].choices = members  # type: ignore[attr-defined]
        if role.pk and "members" not in self.initial:
            self.initial["members"] = list(
                role.users.filter(staff__isnull=False).values_list("pk", flat=True)
            )

    def save(self) -> None:
        students = list(self.role.users.filter(staff__isnull=True))
        self.role.users.set([*students, *self.cleaned_data["members"]])


class LicensesForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        enabled = set(License.objects.filter(enabled=True).values_list("code", flat=True))
        for code, label in License.Code.choices:
            self.fields[code] = forms.BooleanField(label=label, required=False, initial=code in enabled)

    def save(self) -> None:
        for code, _label in License.Code.choices:
            License.objects.update_or_create(code=code, defaults={"enabled": self.cleaned_data[code]})


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False)
