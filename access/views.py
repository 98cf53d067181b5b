from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from access import services
from access.decorators import administrator_required
from access.forms import (
    LanguageForm,
    LicensesForm,
    LoginForm,
    RoleForm,
    RoleMembersForm,
    RoleModuleForm,
    modules_for,
)
from access.models import Role, User
from access.policy import access_for, explain_rights, ineffective_grants
from college.collation import by_name

# The session key of a language picked before signing in (Django keeps the session's data at login).
CHOSEN_LANGUAGE = "language_chosen_before_login"


class LoginView(auth_views.LoginView):
    """Login, throttled by :class:`LoginForm`: a paused login answers 429 with the form and why."""

    template_name = "access/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_invalid(form)
        if form.throttled:
            response.status_code = 429
            response["Retry-After"] = str(form.wait)
        return response

    def get_default_redirect_url(self) -> str:
        """Where the person lands (:func:`landing`) — at once, not through the home page's redirect:
        a whole college signs in within minutes of an exam, and each hop is a request."""
        return landing(self.request)

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        # a language picked on the login page is the person's choice now, so it beats the one
        # saved on their account (and is saved). A cookie alone is not a choice: on a shared
        # computer it may be the last user's.
        chosen = self.request.session.pop(CHOSEN_LANGUAGE, None)
        response = super().form_valid(form)
        user = form.get_user()
        if chosen in dict(settings.LANGUAGES) and chosen != user.language:
            user.language = chosen
            user.save(update_fields=["language"])
        return response


def landing(request: HttpRequest) -> str:
    """Every role lands somewhere useful: students on their final controls, staff on their modules
    (the home page). Asking the policy here also loads the user's roles into the cache, where the
    pages of the next minutes find them."""
    if access_for(request).shows_student_module:
        return reverse("attestation:my_exams")
    return reverse("home")


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    target = landing(request)
    if target != request.path:
        return redirect(target)
    return render(request, "access/home.html")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """X-8: switch the interface language; remembered on the user and in a cookie."""
    form = LanguageForm(request.POST)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            request.user.language = language
            request.user.save(update_fields=["language"])
        else:
            request.session[CHOSEN_LANGUAGE] = language  # the sign-in that follows keeps it
        response.set_cookie("django_language", language, max_age=365 * 24 * 3600, samesite="Lax")
    return response


# --- Role editor (ADM-1…ADM-6) --------------------------------------------------------------


@administrator_required
def role_list(request: HttpRequest) -> HttpResponse:
    roles = Role.objects.prefetch_related("modules").order_by("name")
    from django.db.models import Count

    roles = roles.annotate(member_count=Count("users", distinct=True))
    return render(request, "access/role_list.html", {"roles": roles})


def _role_forms(request: HttpRequest, role: Role) -> tuple[list[RoleModuleForm], RoleMembersForm | None]:
    data = request.POST if request.method == "POST" else None
    module_forms = [RoleModuleForm(data, role=role, module=m) for m in modules_for(role)]
    members_form = None if role.is_student_role else RoleMembersForm(data, role=role)
    return module_forms, members_form


@administrator_required
def role_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    role = get_object_or_404(Role, pk=pk) if pk else Role(kind=Role.Kind.CUSTOM)
    role_form = RoleForm(request.POST or None, instance=role)
    module_forms, members_form = _role_forms(request, role) if role.pk else ([], None)
    if request.method == "POST":
        forms = [role_form, *module_forms, *([members_form] if members_form else [])]
        if all(f.is_valid() for f in forms):
            role = services.save_role(
                actor=request.user, role_form=role_form, module_forms=module_forms, members_form=members_form
            )
            messages.success(request, _("The role “%(name)s” is saved.") % {"name": role.name})
            if ineffective_grants(role):
                messages.warning(
                    request,
                    _("Some of this role's settings change nothing for some members: see “No effect” below."),
                )
            return redirect("role_edit", pk=role.pk)
        messages.error(request, _("Nothing was saved: correct the errors below."))
        status = 400
    else:
        status = 200
    context = {
        "role": role,
        "role_form": role_form,
        "module_forms": module_forms,
        "members_form": members_form,
        "no_effect": ineffective_grants(role) if role.pk and not role.is_student_role else [],
    }
    return render(request, "access/role_edit.html", context, status=status)


# --- Users and their effective rights (#18.6) ----------------------------------------------------

USERS_SHOWN = 200


@administrator_required
def user_list(request: HttpRequest) -> HttpResponse:
    """Administration → Users: find a user (by login or name) to see their roles and rights."""
    query = (request.GET.get("q") or "").strip()[:50]
    users = User.objects.order_by("last_name", "first_name", "username")
    if query:
        from django.db.models import Q

        users = users.filter(
            Q(username__icontains=query) | Q(last_name__icontains=query) | Q(first_name__icontains=query)
        )
    else:
        users = users.filter(roles__isnull=False).exclude(roles__kind=Role.Kind.STUDENT).distinct()
    # The reader's alphabet (Ә, Қ, І… in their places), not the database's code-point order.
    shown = by_name(users[:USERS_SHOWN], user=lambda u: u)
    return render(request, "access/user_list.html", {"users": shown, "query": query, "limit": USERS_SHOWN})


@administrator_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One user's roles and effective rights: per module the mode, the extended rights and the
    restrictions, each with the role that gives it, and the roles whose settings change nothing."""
    person = get_object_or_404(User, pk=pk)
    roles = list(person.roles.order_by("name"))
    no_effect = [n for role in roles for n in ineffective_grants(role, users=[person])]
    context = {
        "person": person,
        "roles": roles,
        "import_roles": [role.name for role in roles if role.may_import],
        "imports_as_administrator": access_for(person).is_administrator,
        "rights": explain_rights(person),
        "no_effect": no_effect,
    }
    return render(request, "access/user_detail.html", context)


@administrator_required
def licenses(request: HttpRequest) -> HttpResponse:
    form = LicensesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.save_licenses(actor=request.user, form=form)
        messages.success(request, _("Licenses are saved."))
        return redirect("licenses")
    return render(request, "access/licenses.html", {"form": form})
