"""The one place that answers "may this user do X to Y" (ADM-1…ADM-6).

Everything is derived from the Role editor's data: the roles a user holds, the modules attached
to them (mode, extended rights, scopes) and the licenses installed. Views, templates and the API
ask an :class:`Access` object; nothing else reads ``RoleModule`` to decide.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, Q, QuerySet

from access.models import MODULE_LICENSE, STAFF_MODULES, License, Module, Role, RoleModule
from core.resilience import CACHE_ERRORS

if TYPE_CHECKING:
    from college.models import Stream, Student

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StaffGrant:
    """One role's attachment of a module, flattened for fast checks (and for the cache)."""

    module: str
    role_kind: str
    edit: bool
    may_define_settings: bool
    may_view_all: bool
    may_grade: bool
    study_period_ids: frozenset[int]
    department_ids: frozenset[int]
    pcc_ids: frozenset[int]

    @classmethod
    def from_role_module(cls, rm: RoleModule) -> StaffGrant:
        return cls(
            module=rm.module,
            role_kind=rm.role.kind,
            edit=rm.mode == RoleModule.Mode.EDIT,
            may_define_settings=rm.mode == RoleModule.Mode.EDIT and rm.may_define_settings,
            may_view_all=rm.may_view_all,
            may_grade=rm.may_grade,
            study_period_ids=frozenset(sp.pk for sp in rm.study_periods.all()),
            department_ids=frozenset(d.pk for d in rm.departments.all()),
            pcc_ids=frozenset(p.pk for p in rm.pccs.all()),
        )


def _streams_where(**lookup: Any) -> Q:
    """A Q on the stream's primary key, so many-to-many lookups never duplicate rows."""
    from college.models import Stream

    return Q(pk__in=Stream.objects.filter(**lookup).values("pk"))


@dataclass(frozen=True)
class UserRoles:
    """Everything the policy reads about one user: eight queries, so kept in the cache (Redis when
    configured, shared by every app process) under the policy's generation — any change to
    licenses, roles, their modules, members or scopes, or to department and PCC heads, starts a
    new generation (``access.signals``); ``ROLES_CACHE_SECONDS`` bounds any change made behind
    the ORM's back (a raw UPDATE)."""

    licenses: frozenset[str]
    role_kinds: frozenset[str]
    attachments: tuple[StaffGrant, ...]
    headed_department_ids: frozenset[int]
    headed_pcc_ids: frozenset[int]
    # A role of the user's holds the right to import the college's data.
    may_import: bool = False

    @classmethod
    def load(cls, user: Any) -> UserRoles:
        licenses = frozenset(License.objects.filter(enabled=True).values_list("code", flat=True))
        if not (user and user.is_authenticated):
            return cls(licenses, frozenset(), (), frozenset(), frozenset())
        attachments = tuple(
            StaffGrant.from_role_module(rm)
            for rm in RoleModule.objects.filter(role__users=user)
            .select_related("role")
            .prefetch_related("study_periods", "departments", "pccs")
        )
        roles = list(Role.objects.filter(users=user).values_list("kind", "may_import"))
        return cls(
            licenses=licenses,
            role_kinds=frozenset(kind for kind, _imports in roles),
            attachments=attachments,
            headed_department_ids=frozenset(user.headed_departments.values_list("pk", flat=True)),
            headed_pcc_ids=frozenset(user.headed_pccs.values_list("pk", flat=True)),
            may_import=any(imports for _kind, imports in roles),
        )

    @classmethod
    def cached(cls, user: Any) -> UserRoles:
        """``load``, through the cache; a cache that is down only costs the queries."""
        user_key = user.pk if user and user.is_authenticated else "anonymous"
        try:
            generation = cache.get(GENERATION_KEY) or 0
            key = f"policy:roles:{ROLES_SHAPE}:{generation}:{user_key}"
            roles: UserRoles | None = cache.get(key)
        except CACHE_ERRORS:
            logger.warning("Roles not cached: the cache is unavailable", exc_info=True)
            return cls.load(user)
        if roles is None:
            roles = cls.load(user)
            try:
                cache.set(key, roles, settings.ROLES_CACHE_SECONDS)
            except CACHE_ERRORS:
                logger.warning("Roles not cached: the cache is unavailable", exc_info=True)
        return roles


GENERATION_KEY = "policy:generation"
# Part of every cached roles' key: a release that changes UserRoles' fields never reads the last
# release's pickles (the generation alone survives a deploy).
ROLES_SHAPE = 2


def policy_changed() -> None:
    """Forget every user's cached roles (called on any change the policy reads)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet
        cache.set(GENERATION_KEY, 1, None)
    except CACHE_ERRORS:
        logger.warning("The policy cache could not be reset: the cache is unavailable", exc_info=True)


@dataclass(frozen=True)
class StudentModuleRule:
    """ADM-2, the student module — the one statement of the rule: a user holds it when the
    module's license is installed and a role of theirs of the Student kind has the student module
    attached. :meth:`held` decides it from the user's roles (``Access.has_student_module``),
    :meth:`q` states it in SQL (``student_module_q``); ``attestation/fast_paths.py`` writes the
    same condition by hand from these three values (tests/attestation/test_fast_paths_agree.py
    proves the three agree)."""

    module: str = Module.OIA_STUDENT
    role_kind: str = Role.Kind.STUDENT
    license: str = MODULE_LICENSE[Module.OIA_STUDENT]

    def held(self, licenses: frozenset[str] | set[str], attachments: tuple[StaffGrant, ...]) -> bool:
        return self.license in licenses and any(
            grant.module == self.module and grant.role_kind == self.role_kind for grant in attachments
        )

    def q(self, user: Any) -> Q:
        if not (user and user.is_authenticated):
            return Q(pk__in=[])
        licensed = License.objects.filter(enabled=True, code=self.license)
        attached = RoleModule.objects.filter(module=self.module, role__kind=self.role_kind, role__users=user)
        return Q(Exists(licensed)) & Q(Exists(attached))


STUDENT_MODULE = StudentModuleRule()


class Access:
    """What one user may do in one module, computed once per request."""

    def __init__(self, user: Any, module: str = Module.OIA_STAFF, roles: UserRoles | None = None) -> None:
        roles = roles or UserRoles.cached(user)
        self.user = user
        self.module = module
        self.licenses = set(roles.licenses)
        self.is_authenticated = bool(user and user.is_authenticated)
        self.role_kinds = set(roles.role_kinds)
        self.headed_department_ids = roles.headed_department_ids
        self.headed_pcc_ids = roles.headed_pcc_ids
        self.role_may_import = roles.may_import
        self.grants = tuple(
            grant
            for grant in roles.attachments
            if grant.module == module and grant.module in STAFF_MODULES and self.is_licensed(grant.module)
        )
        self.holds_student_module = STUDENT_MODULE.held(roles.licenses, roles.attachments)

    # --- licenses and modules -------------------------------------------------------------

    def is_licensed(self, module: str) -> bool:
        return MODULE_LICENSE[Module(module)] in self.licenses

    @property
    def license_ia(self) -> bool:
        return License.Code.ONLINE_IA in self.licenses

    @property
    def license_fsa(self) -> bool:
        return License.Code.ONLINE_FSA in self.licenses

    @property
    def is_administrator(self) -> bool:
        return self.is_authenticated and (
            self.user.is_superuser or Role.Kind.ADMINISTRATOR in self.role_kinds
        )

    @property
    def has_staff_module(self) -> bool:
        return bool(self.grants)

    @property
    def has_student_module(self) -> bool:
        """ADM-2: :data:`STUDENT_MODULE` holds for the user, and the user is a student."""
        return self.holds_student_module and hasattr(self.user, "student")

    @property
    def shows_staff_module(self) -> bool:
        """The staff module's pages exist for this user: its license is installed and a role of
        theirs attaches it (menus, the home page's tile, the module's guards)."""
        return self.license_ia and self.has_staff_module

    @property
    def shows_student_module(self) -> bool:
        """The student's pages ("My final controls") exist for this user."""
        return self.license_ia and self.has_student_module

    @property
    def reads_every_stream(self) -> bool:
        """Administrators read every stream (the API's reads), whatever the Role editor attaches."""
        return self.is_administrator

    @property
    def can_read_streams(self) -> bool:
        """The API's reads of streams and their students: administrators and the staff module's holders."""
        return self.reads_every_stream or self.has_staff_module

    def readable_streams(self, queryset: QuerySet[Stream] | None = None) -> QuerySet[Stream]:
        """The streams the API lets this user read: every stream for administrators, what the staff
        module shows (:meth:`visible_streams`) for its holders, none for anybody else."""
        from college.models import Stream

        queryset = Stream.objects.all() if queryset is None else queryset
        if self.reads_every_stream:
            return queryset
        return self.visible_streams(queryset)

    @property
    def can_import_college_data(self) -> bool:
        """X-13: importing the college's data — its files, the import's pages, templates and jobs,
        ``manage.py import_college --user``, and the API's upserts and exports: administrators, and
        the users of a role with the import right (the standard Registrar role holds it). A right of
        its own beside the modules': the staff module's read mode does not take it away."""
        return self.is_authenticated and (self.is_administrator or self.role_may_import)

    @property
    def can_change_college_data(self) -> bool:
        """The API's upserts and exports of the college's data: the import right, by another door."""
        return self.can_import_college_data

    def owns_session(self, session: Any) -> bool:
        """ADM-2, X-10: a student's own action on their exam session (choose a ticket, open the
        questions, answer): the module's license and the student module are the user's, the session
        is their own, and its stream's final control is conducted online. The exam page's view and
        every service that acts for the student ask this; ``student_module_q`` states the same in
        SQL for the hot endpoints."""
        return (
            self.license_ia
            and self.has_student_module
            and session.student.user_id == self.user.pk
            and session.stream.journal.conduct_online
        )

    @property
    def can_edit_module(self) -> bool:
        return any(g.edit for g in self.grants)

    @property
    def is_read_only(self) -> bool:
        """Read mode changes nothing anywhere (ADM-3): the user's roles attach the staff module, and
        only in read mode. Their teacher or registrar standing then grants no change either, in the
        module or in the journals; administrators stay administrators."""
        return bool(self.grants) and not self.can_edit_module and not self.is_administrator

    @property
    def can_edit_settings(self) -> bool:
        """SET-1, ADM-4(a): the right to define the module's settings (edit mode only)."""
        return any(g.may_define_settings for g in self.grants)

    @property
    def can_view_settings(self) -> bool:
        """The settings right edits; a read-mode "view all" role may look without changing."""
        return self.can_edit_settings or any(g.may_view_all and not g.edit for g in self.grants)

    @property
    def can_open_journals(self) -> bool:
        return self.is_authenticated and (
            hasattr(self.user, "staff") or self.is_registrar or self.is_administrator
        )

    @property
    def is_registrar(self) -> bool:
        return Role.Kind.REGISTRAR in self.role_kinds

    # --- streams ---------------------------------------------------------------------------

    def _grant_q(self, grant: StaffGrant) -> Q:
        """Streams one grant lets the user see: own streams, or all within scope (ADM-5, ADM-6)."""
        reach = Q(teacher__user=self.user)
        if grant.may_view_all:
            if grant.role_kind == Role.Kind.HEAD_DEPARTMENT:
                reach |= _streams_where(groups__department__in=list(self.headed_department_ids))
            elif grant.role_kind == Role.Kind.HEAD_PCC:
                reach |= Q(teacher__pcc__in=list(self.headed_pcc_ids))
            else:
                # Not Q(): an empty Q vanishes when OR-ed with another, and "all" must not.
                reach = Q(pk__isnull=False)
        scope = Q(pk__isnull=False)
        if grant.study_period_ids:
            scope &= _streams_where(groups__study_period__in=list(grant.study_period_ids))
        if grant.department_ids:
            scope &= _streams_where(groups__department__in=list(grant.department_ids))
        if grant.pcc_ids:
            scope &= Q(teacher__pcc__in=list(grant.pcc_ids))
        return reach & scope

    def _streams_q(self, grants: Iterable[StaffGrant]) -> Q | None:
        result = None
        for grant in grants:
            q = self._grant_q(grant)
            result = q if result is None else result | q
        return result

    def visible_streams(self, queryset: QuerySet[Stream] | None = None) -> QuerySet[Stream]:
        """LST-2: the main streams this user may see, whatever their online flag."""
        from college.models import Stream

        queryset = Stream.objects.all() if queryset is None else queryset
        q = self._streams_q(self.grants)
        return queryset.none() if q is None else queryset.filter(q, is_main=True)

    def editable_streams(self, queryset: QuerySet[Stream] | None = None) -> QuerySet[Stream]:
        """ADM-3: streams this user may change — visible through a role in edit mode."""
        from college.models import Stream

        queryset = Stream.objects.all() if queryset is None else queryset
        q = self._streams_q([g for g in self.grants if g.edit])
        return queryset.none() if q is None else queryset.filter(q, is_main=True)

    def can_view_stream(self, stream: Stream) -> bool:
        return self.visible_streams().filter(pk=stream.pk).exists()

    def can_edit_stream(self, stream: Stream) -> bool:
        return self.editable_streams().filter(pk=stream.pk).exists()

    def can_grade_stream(self, stream: Stream) -> bool:
        """GRD-1: the stream's teacher, or staff in edit mode with the grading right."""
        if not self.can_edit_stream(stream):
            return False
        if stream.teacher.user_id == self.user.pk:
            return True
        graders = [g for g in self.grants if g.edit and g.may_grade]
        q = self._streams_q(graders)
        return q is not None and type(stream).objects.filter(q, pk=stream.pk).exists()

    # --- the college's journals (JRN) -------------------------------------------------------

    def can_view_journal(self, stream: Stream) -> bool:
        """The stream's teacher, the registrar, administrators, and staff who may see the stream."""
        if not self.is_authenticated:
            return False
        if stream.teacher.user_id == self.user.pk or self.is_registrar or self.is_administrator:
            return True
        return self.can_view_stream(stream)

    def can_edit_journal(self, stream: Stream) -> bool:
        """The stream's teacher, the registrar, administrators and staff allowed to grade it —
        never a user in read mode only (the journal's settings and marks are changes too)."""
        if not self.is_authenticated:
            return False
        if self.is_administrator:
            return True
        if self.is_read_only:
            return False
        if stream.teacher.user_id == self.user.pk or self.is_registrar:
            return True
        return self.can_grade_stream(stream)

    def journal_streams(self, queryset: QuerySet[Stream] | None = None) -> QuerySet[Stream]:
        """The streams whose journals this user may open."""
        from college.models import Stream

        queryset = Stream.objects.all() if queryset is None else queryset
        if not self.is_authenticated:
            return queryset.none()
        if self.is_registrar or self.is_administrator:
            return queryset
        q = Q(teacher__user=self.user)
        grants_q = self._streams_q(self.grants)
        return queryset.filter(q | grants_q if grants_q is not None else q)

    # --- helping a student log in (#16: release a login, reset a password) -----------------

    def helpable_students(self, queryset: QuerySet[Student] | None = None) -> QuerySet[Student]:
        """Students whose login this user may release and whose password they may reset: any student
        for administrators and the registrar; for other staff in edit mode, the students of the
        streams they may change (a teacher: their own streams). Nobody in read mode only."""
        from college.models import Student

        queryset = Student.objects.all() if queryset is None else queryset
        if not self.is_authenticated or self.is_read_only:
            return queryset.none()
        if self.is_administrator or self.is_registrar:
            return queryset
        return queryset.filter(pk__in=self.editable_streams().values("students"))

    def can_help_student(self, student: Student) -> bool:
        return self.helpable_students().filter(pk=student.pk).exists()

    @property
    def may_help_students(self) -> bool:
        """Whether the "Students' logins" page is for this user at all (menus, the page's guard)."""
        if not self.is_authenticated or self.is_read_only:
            return False
        return self.is_administrator or self.is_registrar or self.can_edit_module


def student_module_q(user: Any) -> Q:
    """ADM-2 as one SQL condition (:meth:`StudentModuleRule.q`), for the exam page's hot endpoints
    (heartbeat, autosave, the board's poll) that fold the whole check into the one query which reads
    or writes the session. Pair it with a filter on the session's own student."""
    return STUDENT_MODULE.q(user)


def access_for(request_or_user: Any, module: str = Module.OIA_STAFF) -> Access:
    """The user's Access for a module, cached on the user object for the rest of the request."""
    user = getattr(request_or_user, "user", request_or_user)
    per_request = user.__dict__.setdefault("_access_cache", {})
    if "roles" not in per_request:
        per_request["roles"] = UserRoles.cached(user)
    if module not in per_request:
        per_request[module] = Access(user, module, per_request["roles"])
    access: Access = per_request[module]
    return access


# --- explaining a user's rights (#18.6: roles add up, and the sum is shown) ----------------------


@dataclass(frozen=True)
class ModuleRights:
    """One staff module as a user holds it, summed over their roles, with the roles behind each
    right. ``mode`` is "edit", "read" or "" (not attached); ``scopes`` lists, per role, what its
    restrictions are (empty: no restriction) — the role's streams add up with the other roles'."""

    module: str
    licensed: bool
    mode: str
    mode_roles: tuple[str, ...]
    settings_roles: tuple[str, ...]
    view_all_roles: tuple[str, ...]
    grade_roles: tuple[str, ...]
    scopes: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def label(self) -> str:
        return str(Module(self.module).label)


def _attachments(user: Any) -> list[tuple[str, StaffGrant, RoleModule]]:
    """(role name, StaffGrant, RoleModule) of every role the user holds, from the database."""
    return [
        (rm.role.name, StaffGrant.from_role_module(rm), rm)
        for rm in RoleModule.objects.filter(role__users=user, module__in=STAFF_MODULES)
        .select_related("role")
        .prefetch_related("study_periods", "departments", "pccs")
        .order_by("role__name")
    ]


def explain_rights(user: Any) -> list[ModuleRights]:
    """What ``Access`` grants this user in each staff module, and which role gives each right —
    the same flattening of roles (``StaffGrant``) and the same sums (edit beats read; the settings
    right only with edit mode) as the checks themselves."""
    licenses = set(License.objects.filter(enabled=True).values_list("code", flat=True))
    by_module: dict[str, list[tuple[str, StaffGrant, RoleModule]]] = {}
    for name, grant, rm in _attachments(user):
        by_module.setdefault(grant.module, []).append((name, grant, rm))
    result = []
    for module in [m for m in Module if m in STAFF_MODULES]:
        held = by_module.get(module, [])
        editors = tuple(n for n, g, _rm in held if g.edit)
        mode = "edit" if editors else "read" if held else ""
        result.append(
            ModuleRights(
                module=module,
                licensed=MODULE_LICENSE[module] in licenses,
                mode=mode,
                mode_roles=editors if editors else tuple(n for n, _g, _rm in held),
                settings_roles=tuple(n for n, g, _rm in held if g.may_define_settings),
                view_all_roles=tuple(n for n, g, _rm in held if g.may_view_all),
                # Grading changes grades: a read-mode role's "may set grades" gives nothing.
                grade_roles=tuple(n for n, g, _rm in held if g.edit and g.may_grade),
                scopes=tuple((n, _scope_names(rm)) for n, _g, rm in held),
            )
        )
    return result


def _scope_names(rm: RoleModule) -> tuple[str, ...]:
    return tuple(str(o) for o in (*rm.study_periods.all(), *rm.departments.all(), *rm.pccs.all()))


def _covers(other: StaffGrant, grant: StaffGrant) -> bool:
    scopes = ("study_period_ids", "department_ids", "pcc_ids")
    return all(not getattr(other, s) or getattr(other, s) == getattr(grant, s) for s in scopes)


@dataclass(frozen=True)
class NoEffect:
    """A role's attachment that changes nothing for one member: another role already gives more."""

    user: object
    module: str
    what: str  # "read" | "may_define_settings" | "may_view_all" | "may_grade"
    other_roles: tuple[str, ...]

    @property
    def module_label(self) -> str:
        return str(Module(self.module).label)


def ineffective_grants(role: Role, users: Iterable[Any] | None = None) -> list[NoEffect]:
    """For the role's members (or ``users``): where this role's mode or extended right is already
    given by another of the member's roles — read mode under another role's edit mode, a right
    another role grants too — so adding the member or changing the role has no effect there."""
    mine = {
        rm.module: StaffGrant.from_role_module(rm) for rm in role.modules.filter(module__in=STAFF_MODULES)
    }
    if not mine:
        return []
    members = list(role.users.all() if users is None else users)
    others = (
        RoleModule.objects.filter(role__users__in=members, module__in=mine)
        .exclude(role=role)
        .select_related("role")
        .prefetch_related("study_periods", "departments", "pccs", "role__users")
    )
    found = []
    for user in members:
        theirs = [rm for rm in others if any(u.pk == user.pk for u in rm.role.users.all())]
        for module, grant in mine.items():
            other = [(rm.role.name, StaffGrant.from_role_module(rm)) for rm in theirs if rm.module == module]
            if not other:
                continue
            editors = tuple(n for n, g in other if g.edit)
            if not grant.edit and editors:
                found.append(NoEffect(user, module, "read", editors))
            for right in ("may_define_settings", "may_view_all", "may_grade"):
                # Another role gives the right at least as widely: unrestricted, or the same scopes.
                givers = tuple(n for n, g in other if getattr(g, right) and _covers(g, grant))
                if getattr(grant, right) and givers:
                    found.append(NoEffect(user, module, right, givers))
    return found
