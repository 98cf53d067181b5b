"""Pages for passwords and logins (#16.5, #16.11): one's own password, and staff helping a student.

* **Change password** — Django's ``PasswordChangeView`` in the app's layout: the current password
  is checked through the login throttle (a 429 with the seconds to wait), the change is audited,
  and the user's other sessions end (this one is kept).
* **Students' logins** — for staff who may help (``Access.helpable_students``): find a student,
  see their failed logins, *Release login* (forget them) or *Reset password* (a new one, shown
  once on a page nobody's browser keeps).
"""

from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from access import login_help, login_sheet
from access.decorators import import_required
from access.forms import FirstPasswordForm, LoginSheetForm, PasswordChangeForm
from access.models import User
from access.policy import Access, access_for
from college.models import Student
from core import throttle

PER_PAGE = 25


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("password_change_done")

    def get_form_kwargs(self) -> dict[str, Any]:
        return super().get_form_kwargs() | {"request": self.request}

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        # Django keeps this login under a new session key: what it holds open was opened under the old.
        this_login = self.request.session.session_key
        with transaction.atomic():
            response = super().form_valid(form)
            login_help.password_changed(user=form.user, session_key=this_login)
        return response

    def form_invalid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 429 if form.throttled else 400
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"


# --- staff helping a student ---------------------------------------------------------------------


def _helper_access(request: HttpRequest) -> Access:
    access = access_for(request)
    if not access.may_help_students:
        raise PermissionDenied
    return access


def _student_for(request: HttpRequest, student_pk: int) -> Student:
    """The student, if this user may help them; 404 otherwise (403 for those who may help nobody)."""
    access = _helper_access(request)
    students = access.helpable_students(Student.objects.select_related("user", "group"))
    student: Student = get_object_or_404(students, pk=student_pk)
    return student


def _matching(students: QuerySet[Student], text: str) -> QuerySet[Student]:
    """Students whose login, record-book number or name contains each word (any letter case)."""
    for word in text.split():
        variants = {word} if word.isascii() else {word, word.lower(), word.upper(), word.capitalize()}
        word_q = Q()
        for variant in variants:
            for field in ("user__username", "record_book_number", "user__last_name", "user__first_name"):
                word_q |= Q(**{f"{field}__icontains": variant})
        students = students.filter(word_q)
    return students


@login_required
@require_safe
def student_logins(request: HttpRequest) -> HttpResponse:
    access = _helper_access(request)
    query = request.GET.get("q", "").strip()[:100]
    students = access.helpable_students(Student.objects.select_related("user", "group"))
    if query:
        students = _matching(students, query)
    page = Paginator(students.order_by("user__last_name", "user__first_name", "pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = [{"student": s, "failures": throttle.recent_failures(s.user.get_username())} for s in page]
    querystring = urlencode({"q": query}) if query else ""
    context = {"page": page, "rows": rows, "query": query, "querystring": querystring}
    return render(request, "access/student_logins.html", context)


@login_required
@require_safe
def student_login(request: HttpRequest, student_pk: int) -> HttpResponse:
    student = _student_for(request, student_pk)
    return _render_student(request, student)


def _render_student(
    request: HttpRequest, student: Student, *, password: str | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "student": student,
        "failures": throttle.recent_failures(student.user.get_username()),
        "password": password,
    }
    response = render(request, "access/student_login.html", context, status=status)
    if password:
        add_never_cache_headers(response)  # the one-time password is never kept by a browser or proxy
    return response


@login_required
@require_POST
def student_login_release(request: HttpRequest, student_pk: int) -> HttpResponse:
    student = _student_for(request, student_pk)
    forgotten = login_help.release_login(actor=request.user, student=student)
    messages.success(
        request,
        _("The login of %(name)s is released: %(n)s failed attempts are forgotten.")
        % {"name": student.full_name, "n": forgotten},
    )
    return redirect("student_login", student_pk=student.pk)


@login_required
@require_POST
def student_password_reset(request: HttpRequest, student_pk: int) -> HttpResponse:
    student = _student_for(request, student_pk)
    try:
        password = login_help.reset_password(actor=request.user, student=student)
    except login_help.TooManyResets as refused:
        messages.error(request, refused.message)
        return _render_student(request, student, status=429)
    return _render_student(request, student, password=password)


# --- login sheets and the first password ---------------------------------------------------------


@import_required
def student_login_sheet(request: HttpRequest) -> HttpResponse:
    """A group's login sheet (X-13): GET shows the form, POST sets the one-time passwords and answers
    with the file — the only place the passwords ever appear."""
    group_pk = request.GET.get("group", "")
    form = LoginSheetForm(request.POST or None, initial={"group": group_pk} if group_pk.isdigit() else {})
    if request.method == "POST" and form.is_valid():
        group, everyone = form.cleaned_data["group"], form.everyone
        if not login_sheet.sheet_students(group, everyone=everyone):
            message = _("Every student of %(group)s has signed in already: choose “Every student” instead.")
            form.add_error("students", message % {"group": group.name})
        else:
            sheet = login_sheet.issue(actor=request.user, group=group, everyone=everyone)
            return _sheet_file(sheet, form.cleaned_data["format"])
    status = 400 if request.method == "POST" else 200
    return render(request, "access/login_sheet.html", {"form": form}, status=status)


def _sheet_file(sheet: login_sheet.LoginSheet, fmt: str) -> HttpResponse:
    if fmt == "xlsx":
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        response = HttpResponse(login_sheet.to_xlsx(sheet), content_type=content_type)
    else:
        response = HttpResponse(login_sheet.to_pdf(sheet), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, sheet.filename(fmt)) or ""
    add_never_cache_headers(response)  # the passwords are never kept by a browser's cache or a proxy
    return response


@login_required
def first_password(request: HttpRequest) -> HttpResponse:
    """After signing in with a login sheet's one-time password: choose one's own."""
    user = cast(User, request.user)
    if not user.must_change_password:
        return redirect("home")
    form = FirstPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()
            login_help.password_changed(user=user)
        update_session_auth_hash(request, user)  # this session stays signed in
        messages.success(request, _("Your password is saved. Use it from now on."))
        return redirect("home")
    response = render(
        request, "registration/first_password.html", {"form": form}, status=400 if form.errors else 200
    )
    add_never_cache_headers(response)
    return response
