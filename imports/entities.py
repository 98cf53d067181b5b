"""The college's entities as the API and the import see them: columns, keys and special rules.

Keys: every entity is keyed by the college's ``external_id`` except journals (keyed by their
stream), admissions (stream + student) and academic schedules (group + academic year + period).
"""

from __future__ import annotations

import re

from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from access.backends import forget_users
from access.models import Role, User
from access.policy import policy_changed
from attestation.services import membership
from audit.models import AuditEntry
from college import models as c
from imports.columns import Column
from imports.sync import BATCH, Entity, RowError, external_ids, jsonable

EXT = Column("external_id", "ref", max_length=64, aliases=("внешний id", "сыртқы id", "код"))
# Where the college has no other system: rows are matched by their natural key instead.
EXT_OPTIONAL = Column(
    "external_id", "ref", required=False, max_length=64, aliases=("внешний id", "сыртқы id", "код")
)
NAME = Column("name", aliases=("название", "наименование", "атауы"))


def ref(name, kind, required=True, aliases=()):
    return Column(name, "ref", required=required, max_length=200, ref=kind, aliases=aliases)


YEAR = Column("academic_year", max_length=20, aliases=("учебный год", "оқу жылы"))
PERIOD = Column(
    "academic_period", "int", minimum=1, maximum=12, aliases=("академический период", "академиялық кезең")
)


def resolve_periods(items, errors):
    """Academic year (by name) + period number → academic_period_id; they must exist."""
    periods = {
        (p.year.name, p.number): p.pk
        for p in c.AcademicPeriod.objects.filter(
            year__name__in={i.values["academic_year"] for i in items}
        ).select_related("year")
    }
    for item in items:
        key = (item.values["academic_year"], item.values["academic_period"])
        if key not in periods:
            errors.append(
                RowError(
                    item.row,
                    "academic_period",
                    _("No academic period %(n)s in the academic year %(year)s.")
                    % {"n": key[1], "year": key[0]},
                )
            )
        else:
            item.fields["academic_period_id"] = periods[key]


class Departments(Entity):
    kind, title, model = "departments", gettext_lazy("Departments"), c.Department
    columns = (EXT_OPTIONAL, NAME)
    adopt_keys = (("name", "name", False),)
    name_keys = ("name",)


class Pccs(Entity):
    kind, title, model = "pccs", gettext_lazy("PCCs"), c.Pcc
    columns = (EXT_OPTIONAL, NAME)
    adopt_keys = (("name", "name", False),)
    name_keys = ("name",)


class Specialties(Entity):
    kind, title, model = "specialties", gettext_lazy("Specialties"), c.Specialty
    columns = (
        EXT_OPTIONAL,
        Column("code", max_length=20, aliases=("код специальности", "мамандық коды")),
        NAME,
    )
    adopt_keys = (("code", "code", True),)
    name_keys = ("code", "name")


class Qualifications(Entity):
    kind, title, model = "qualifications", gettext_lazy("Qualifications"), c.Qualification
    columns = (
        EXT_OPTIONAL,
        Column("code", max_length=20, aliases=("код квалификации", "біліктілік коды")),
        NAME,
        ref("specialty", "specialties", aliases=("специальность", "мамандық")),
    )
    adopt_keys = (("code", "code", True),)
    name_keys = ("code", "name")


class StudyPeriods(Entity):
    kind, title, model = "study-periods", gettext_lazy("Study periods"), c.StudyPeriod
    columns = (
        EXT_OPTIONAL,
        NAME,
        Column("months", "int", minimum=1, maximum=240, aliases=("месяцев", "айлар")),
    )
    adopt_keys = (("months", "months", True),)
    name_keys = ("name",)


class Disciplines(Entity):
    kind, title, model = "disciplines", gettext_lazy("Disciplines"), c.Discipline
    columns = (EXT_OPTIONAL, NAME, ref("pcc", "pccs", required=False, aliases=("пцк", "пцк коды")))
    adopt_keys = (("name", "name", False),)
    name_keys = ("name",)


class Groups(Entity):
    kind, title, model = "groups", gettext_lazy("Groups"), c.Group
    columns = (
        EXT_OPTIONAL,
        Column("name", max_length=50, aliases=("группа", "топ", "название", "атауы")),
        ref("department", "departments", aliases=("отделение", "бөлімше")),
        ref("specialty", "specialties", aliases=("специальность", "мамандық")),
        ref("qualification", "qualifications", aliases=("квалификация", "біліктілік")),
        ref("study_period", "study-periods", aliases=("срок обучения", "оқу мерзімі")),
        Column(
            "technology",
            "choice",
            required=False,
            choices=tuple(c.TrainingTechnology.Scale.values),
            default="traditional",
            aliases=("технология обучения", "оқыту технологиясы"),
        ),
        Column(
            "language", max_length=5, required=False, default="kk", aliases=("язык обучения", "оқыту тілі")
        ),
        Column("course", "int", required=False, minimum=1, maximum=6, default=1, aliases=("курс",)),
    )
    # Group names are unique in the college (the model has no year: a name is the group's for
    # its whole life), so the name alone is the natural key.
    adopt_keys = (("name", "name", True),)
    name_keys = ("name",)
    unmapped = ("technology", "language")
    derived_from = {"technology_id": "technology", "language_id": "language"}

    def extra_fields(self):
        return ["technology_id", "language_id"]

    def resolve_extra(self, items, errors):
        for item in items:
            scale = item.values["technology"]
            tech = c.TrainingTechnology.objects.filter(scale=scale).first()
            if tech is None:
                label = c.TrainingTechnology.Scale(scale).label
                tech = c.TrainingTechnology.objects.create(scale=scale, name=str(label))
            lang, _created = c.InstructionLanguage.objects.get_or_create(
                code=item.values["language"], defaults={"name": item.values["language"]}
            )
            item.fields["technology_id"], item.fields["language_id"] = tech.pk, lang.pk

    def queryset(self):
        return c.Group.objects.select_related("technology", "language")

    def export_value(self, obj, column, refs, own):
        if column.name == "technology":
            return obj.technology.scale
        if column.name == "language":
            return obj.language.code
        return super().export_value(obj, column, refs, own)


# --- people ---------------------------------------------------------------------------------------

USER_COLUMNS = (
    Column("last_name", max_length=150, aliases=("фамилия", "тегі")),
    Column("first_name", max_length=150, aliases=("имя", "аты")),
    Column("patronymic", max_length=150, required=False, aliases=("отчество", "әкесінің аты")),
    Column(
        "email",
        "email",
        max_length=254,
        required=False,
        aliases=("e-mail", "электронная почта", "электрондық пошта"),
    ),
    Column("username", "username", max_length=150, required=False, aliases=("логин", "имя пользователя")),
)
USER_FIELDS = ("last_name", "first_name", "patronymic", "email")


class People(Entity):
    """Students and staff: a person row and its user account, written together."""

    role_kind = ""
    unmapped = ("last_name", "first_name", "patronymic", "email", "username")

    def queryset(self):
        return self.model.objects.select_related("user")

    def default_username(self, item) -> str:
        raise NotImplementedError

    def match(self, items, errors):
        super().match(items, errors)
        if errors:
            return
        # Usernames: new accounts get one derived from the row; nobody's may be taken twice.
        for item in items:
            if not item.values["username"] and item.obj is None:
                item.values["username"] = self.default_username(item)
        wanted = {i.values["username"] for i in items if i.values["username"]}
        holders = dict(User.objects.filter(username__in=wanted).values_list("username", "pk"))
        seen = {}
        for item in items:
            name = item.values["username"]
            if not name:
                continue
            own = item.obj.user_id if item.obj is not None else None
            if (name in holders and holders[name] != own) or name in seen:
                errors.append(RowError(item.row, "username", _("The username %(u)s is taken.") % {"u": name}))
            seen[name] = item.row

    def user_values(self, item) -> dict:
        values = {f: item.values[f] for f in USER_FIELDS}
        if item.values["username"]:
            values["username"] = item.values["username"]
        return values

    def create_kwargs(self, item):
        return {"user": item.extra["user"]}

    def write(self, items, actor):
        new = [i for i in items if i.obj is None]
        for item in new:
            # An unusable password: the person signs in once the college sets one.
            item.extra["user"] = User(**self.user_values(item), password="!" + get_random_string(40))
        User.objects.bulk_create([i.extra["user"] for i in new], batch_size=BATCH)
        super().write(items, actor)
        self.join_role([i.extra["user"].pk for i in new])
        changed, audit = [], []
        for item in items:
            if item.status == "created":
                continue
            user = item.obj.user
            # A stored person keeps what the file has no column for.
            wanted = {f: v for f, v in self.user_values(item).items() if item.brings(f)}
            before = {f: getattr(user, f) for f in wanted}
            diff = [f for f in wanted if before[f] != wanted[f]]
            if diff:
                item.extra.setdefault("diff", {}).update({f: (before[f], wanted[f]) for f in diff})
                for f in diff:
                    setattr(user, f, wanted[f])
                changed.append(user)
                item.status = "updated"
                audit.append(self.audit_entry(actor, "update", item, {"user": before}, {"user": wanted}))
        if changed:
            User.objects.bulk_update(changed, [*USER_FIELDS, "username"], batch_size=BATCH)
            forget_users([user.pk for user in changed])  # bulk_update sends no signal
        AuditEntry.objects.bulk_create(audit, batch_size=BATCH)

    def join_role(self, user_ids):
        role = Role.objects.filter(kind=self.role_kind).order_by("pk").first() if self.role_kind else None
        if role is None or not user_ids:
            return
        through = Role.users.through
        through.objects.bulk_create(
            [through(role_id=role.pk, user_id=pk) for pk in user_ids], batch_size=500, ignore_conflicts=True
        )
        policy_changed()  # bulk_create sends no m2m signal: the cached roles must be forgotten here

    def snapshot(self, obj, fields):  # type: ignore[override]
        snap = {f: jsonable(getattr(obj, f)) for f in fields if f != "user_id"}
        if obj.user_id:
            snap["user"] = {f: getattr(obj.user, f) for f in (*USER_FIELDS, "username")}
        return snap

    def export_value(self, obj, column, refs, own):
        if column.name in (*USER_FIELDS, "username"):
            return getattr(obj.user, column.name)
        return super().export_value(obj, column, refs, own)


class Students(People):
    kind, title, model = "students", gettext_lazy("Students"), c.Student
    role_kind = Role.Kind.STUDENT
    columns = (
        EXT_OPTIONAL,
        *USER_COLUMNS,
        Column("iin", "iin", required=False, max_length=12, aliases=("иин", "жсн", "ИИН", "ЖСН")),
        Column(
            "record_book_number",
            max_length=30,
            aliases=("номер зачетной книжки", "сынақ кітапшасының нөмірі"),
        ),
        ref("group", "groups", aliases=("группа", "топ")),
    )
    adopt_keys = (
        ("iin", "iin", True),
        ("username", "user__username", False),
        ("record_book_number", "record_book_number", True),
    )
    name_keys = ("iin", "user__username", "record_book_number")

    def default_username(self, item):
        return re.sub(r"[^\w.@+-]", "-", item.values["record_book_number"]).lower()

    def after_write(self, items, actor, outcome):
        """New students and students put into another group join (and leave) the streams built on
        their groups, by the one rule of ``attestation.services.membership``."""
        moves = {}
        for item in items:
            if item.status == "created":
                moves[item.obj.pk] = (None, item.obj.group_id)
            elif "group_id" in item.extra.get("diff", {}):
                moves[item.obj.pk] = tuple(item.extra["diff"]["group_id"])
        outcome.memberships = [change.summary() for change in membership.follow_groups(moves, actor)]


class Staff(People):
    kind, title, model = "staff", gettext_lazy("Staff"), c.Staff
    columns = (
        EXT_OPTIONAL,
        *USER_COLUMNS,
        ref("department", "departments", required=False, aliases=("отделение", "бөлімше")),
        ref("pcc", "pccs", required=False, aliases=("пцк",)),
        Column("position", max_length=100, required=False, aliases=("должность", "лауазымы")),
    )

    adopt_keys = (("username", "user__username", False),)
    name_keys = ("user__username",)

    def default_username(self, item):
        base = item.values["external_id"] or f"{item.values['last_name']}-{item.values['first_name']}"
        return "staff-" + re.sub(r"[^\w.@+-]", "-", base).lower()


# --- teaching -----------------------------------------------------------------------------------


class Streams(Entity):
    kind, title, model = "streams", gettext_lazy("Streams"), c.Stream
    columns = (
        EXT_OPTIONAL,
        NAME,
        ref("discipline", "disciplines", aliases=("дисциплина", "пән")),
        ref("teacher", "staff", aliases=("преподаватель", "оқытушы")),
        YEAR,
        PERIOD,
        Column("is_main", "bool", required=False, default=True, aliases=("основной поток", "негізгі ағын")),
        Column("groups", "refs", ref="groups", aliases=("группы", "топтар")),
        Column("students", "refs", ref="students", required=False, aliases=("студенты", "студенттер")),
    )
    unmapped = ("academic_year", "academic_period", "groups", "students")
    derived_from = {"follows_groups": "students"}
    name_keys = ("name",)

    def extra_fields(self):
        return ["academic_period_id", "follows_groups"]

    def resolve_extra(self, items, errors):
        resolve_periods(items, errors)
        for item in items:
            item.fields["m2m_groups"] = set(item.refs.get("groups") or ())
            listed = set(item.refs.get("students") or ())
            # No students listed: the stream is its groups' students, and keeps following the groups.
            item.fields["follows_groups"] = not listed
            item.fields["m2m_students"] = listed
        following = [i for i in items if i.fields["follows_groups"]]
        if following:
            members = c.Student.objects.filter(
                group__in={g for i in following for g in i.fields["m2m_groups"]}
            ).values_list("pk", "group_id")
            by_group: dict[int, set[int]] = {}
            for student_id, group_id in members:
                by_group.setdefault(group_id, set()).add(student_id)
            for item in following:
                item.fields["m2m_students"] = set().union(
                    *(by_group.get(g, set()) for g in item.fields["m2m_groups"])
                )

    def match(self, items, errors):
        super().match(items, errors)
        # (name, academic period) is unique: a row without external ID is that stream; a row with one
        # adopts a hand-made stream; another mapped stream under the name is a clash.
        first_row: dict[tuple, int] = {}
        for item in items:
            key = (item.fields["name"], item.fields["academic_period_id"])
            if key in first_row:
                errors.append(
                    RowError(
                        item.row,
                        "name",
                        _("The same stream as row %(row)s: %(key)s") % {"row": first_row[key], "key": key[0]},
                    )
                )
            first_row.setdefault(key, item.row)
        names = set(first_row)
        holders = {
            (s.name, s.academic_period_id): s
            for s in c.Stream.objects.filter(name__in={n for n, _p in names})
        }
        mapped = external_ids(self.kind, [s.pk for s in holders.values()])
        for item in items:
            holder = holders.get((item.fields["name"], item.fields["academic_period_id"]))
            if holder is None or (item.obj is not None and holder.pk == item.obj.pk):
                continue
            if item.obj is None and not item.external_id:
                item.obj = holder
            elif item.obj is None and holder.pk not in mapped:
                item.obj, item.adopted = holder, True
            else:
                errors.append(RowError(item.row, "name", _("Another stream has this name in this period.")))

    def write_related(self, items, actor):
        audit: list[AuditEntry] = []
        ids = [i.obj.pk for i in items]
        with_journal = set(c.Journal.objects.filter(stream_id__in=ids).values_list("stream_id", flat=True))
        c.Journal.objects.bulk_create(
            [
                c.Journal(stream_id=pk, final_form=c.Journal.FinalForm.WRITTEN)
                for pk in ids
                if pk not in with_journal
            ]
        )
        for name, model_field in (("groups", "group_id"), ("students", "student_id")):
            through = getattr(c.Stream, name).through
            current: dict[int, set[int]] = {}
            for stream_id, other in through.objects.filter(stream_id__in=ids).values_list(
                "stream_id", model_field
            ):
                current.setdefault(stream_id, set()).add(other)
            if name == "students":
                self._keep_held(items, current)
            add, remove = [], []
            for item in items:
                have, want = current.get(item.obj.pk, set()), item.fields[f"m2m_{name}"]
                if have == want:
                    continue
                add += [through(stream_id=item.obj.pk, **{model_field: pk}) for pk in want - have]
                remove += [(item.obj.pk, pk) for pk in have - want]
                if item.status == "unchanged":
                    item.status = "updated"
                audit.append(
                    self.audit_entry(actor, "update", item, {name: sorted(have)}, {name: sorted(want)})
                )
            through.objects.bulk_create(add, batch_size=500)
            for stream_id, pk in remove:
                through.objects.filter(stream_id=stream_id, **{model_field: pk}).delete()
        return audit

    def _keep_held(self, items, current):
        """A member the row would drop stays where the stream holds something of theirs (a slot, an
        answer, a grade): a person decides, and the preview names them. The stream's report lists
        who joins and who leaves."""
        for item in items:
            if not item.brings("students") and item.status != "created" and not item.obj.follows_groups:
                # A hand-picked stream keeps its list when the file has no students column.
                item.fields["m2m_students"] = set(current.get(item.obj.pk, set()))
        leaving = [
            (i.obj.pk, pk) for i in items for pk in current.get(i.obj.pk, set()) - i.fields["m2m_students"]
        ]
        held = membership.held_reasons(leaving)
        people = c.Student.objects.select_related("user").in_bulk(
            {pk for i in items for pk in current.get(i.obj.pk, set()) ^ i.fields["m2m_students"]}
        )
        for item in items:
            have, want = current.get(item.obj.pk, set()), item.fields["m2m_students"]
            kept = {pk for pk in have - want if (item.obj.pk, pk) in held}
            item.fields["m2m_students"] = want | kept
            if item.status == "created" or have == want:
                continue
            change = membership.StreamChange(
                item.obj,
                joined=[people[pk] for pk in sorted(want - have)],
                left=[people[pk] for pk in sorted(have - want - kept)],
                kept=[(people[pk], held[(item.obj.pk, pk)]) for pk in sorted(kept)],
            )
            item.extra["members"] = change.summary()

    def after_write(self, items, actor, outcome):
        outcome.memberships = [i.extra["members"] for i in items if "members" in i.extra]

    def queryset(self):
        return c.Stream.objects.select_related("academic_period__year").prefetch_related("groups", "students")

    def related_ids(self, obj, column):
        return {o.pk for o in getattr(obj, column.name).all()}

    def export_value(self, obj, column, refs, own):
        if column.name == "academic_year":
            return obj.academic_period.year.name
        if column.name == "academic_period":
            return obj.academic_period.number
        if column.name in ("groups", "students"):
            return sorted(
                refs[column.ref][pk] for pk in self.related_ids(obj, column) if pk in refs[column.ref]
            )
        return super().export_value(obj, column, refs, own)


class Journals(Entity):
    kind, title, model = "journals", gettext_lazy("Journals"), c.Journal
    columns = (
        ref("stream", "streams", aliases=("поток", "ағын")),
        Column(
            "final_form",
            "choice",
            required=False,
            default="",
            choices=tuple(v for v in c.Journal.FinalForm.values if v),
            aliases=("форма итоговой аттестации", "қорытынды аттестаттау нысаны"),
        ),
        Column(
            "final_grade_set",
            "bool",
            required=False,
            default=True,
            aliases=("оценка по итоговой аттестации", "қорытынды аттестаттау бойынша баға"),
        ),
        Column("conduct_online", "bool", required=False, default=False, aliases=("онлайн", "онлайн өткізу")),
    )
    natural_key = ("stream_id",)


class Admissions(Entity):
    kind, title, model = "admissions", gettext_lazy("Admissions"), c.Admission
    columns = (
        ref("stream", "streams", aliases=("поток", "ағын")),
        ref("student", "students", aliases=("студент", "білім алушы")),
        Column("admitted", "bool", required=False, default=True, aliases=("допущен", "жіберілді")),
        Column("reason", max_length=200, required=False, aliases=("причина", "себебі")),
    )
    natural_key = ("stream_id", "student_id")


class Schedules(Entity):
    kind, title, model = "schedules", gettext_lazy("Academic schedules"), c.AcademicSchedule
    columns = (
        ref("group", "groups", aliases=("группа", "топ")),
        YEAR,
        PERIOD,
        Column("attestation_starts_on", "date", aliases=("начало аттестации", "аттестаттау басталады")),
        Column("attestation_ends_on", "date", aliases=("конец аттестации", "аттестаттау аяқталады")),
    )
    natural_key = ("group_id", "academic_period_id")
    unmapped = ("academic_year", "academic_period")

    @property
    def key_columns(self):
        return ("group", "academic_year", "academic_period")

    def extra_fields(self):
        return ["academic_period_id"]

    def resolve_extra(self, items, errors):
        resolve_periods(items, errors)
        for item in items:
            if item.values["attestation_ends_on"] < item.values["attestation_starts_on"]:
                errors.append(RowError(item.row, "attestation_ends_on", _("The end is before the start.")))

    def queryset(self):
        return c.AcademicSchedule.objects.select_related("academic_period__year")

    def export_value(self, obj, column, refs, own):
        if column.name == "academic_year":
            return obj.academic_period.year.name
        if column.name == "academic_period":
            return obj.academic_period.number
        return super().export_value(obj, column, refs, own)


ENTITIES: dict[str, Entity] = {
    e.kind: e
    for e in (
        Departments(),
        Pccs(),
        Specialties(),
        Qualifications(),
        StudyPeriods(),
        Groups(),
        Students(),
        Staff(),
        Disciplines(),
        Streams(),
        Journals(),
        Admissions(),
        Schedules(),
    )
}


def entity(kind: str) -> Entity:
    return ENTITIES[kind]
