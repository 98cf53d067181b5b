"""Reads scoped to the viewer."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    Aggregate,
    CharField,
    Count,
    DateField,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    TextField,
    Value,
)

from access.policy import access_for
from college.models import (
    AcademicPeriod,
    AcademicYear,
    Group,
    InstructionLanguage,
    Qualification,
    Specialty,
    Stream,
    StudyPeriod,
    TrainingTechnology,
)

# LST-3: the group-level filters of the streams list → the stream's lookup through its groups.
STREAM_GROUP_FILTERS = {
    "technology": "groups__technology",
    "study_period": "groups__study_period",
    "language": "groups__language",
    "specialty": "groups__specialty",
    "qualification": "groups__qualification",
    "group": "groups",
}


GROUP_NAMES_SEPARATOR = "\x1f"  # the ASCII unit separator: never part of a group's name


class _JoinedText(Aggregate):
    """The values joined with a separator: GROUP_CONCAT on SQLite, STRING_AGG on PostgreSQL."""

    function = "GROUP_CONCAT"
    output_field = TextField()

    def __init__(self, expression, separator, **extra):
        super().__init__(expression, Value(separator, output_field=TextField()), **extra)

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="STRING_AGG", **extra_context)


def online_streams_for_staff(request, filters=None):
    """LST-1, LST-2: main streams with "conduct online" on, that the viewer's roles let them see.

    ``filters`` (LST-3) is the cleaned data of ``attestation.filters.StreamFilterForm``; see
    :func:`filter_streams`. The query count does not depend on the number of streams.
    """
    streams = access_for(request).visible_streams().filter(journal__conduct_online=True)
    if filters:
        streams = filter_streams(streams, filters)
    # The groups' names come in the same query (not a prefetch): the page has a fixed query budget.
    group_names = (
        Stream.groups.through.objects.filter(stream=OuterRef("pk"))  # type: ignore[misc]
        .order_by()
        .values("stream")
        .annotate(names=_JoinedText("group__name", GROUP_NAMES_SEPARATOR))
        .values("names")
    )
    return (
        streams.select_related("discipline", "teacher__user", "academic_period__year")
        .annotate(student_count=Count("students", distinct=True), group_names=Subquery(group_names))
        .order_by("discipline__name", "name", "pk")
    )


def stream_group_names(stream):
    """The names of the stream's groups, sorted, from ``online_streams_for_staff``'s annotation."""
    return sorted(filter(None, (stream.group_names or "").split(GROUP_NAMES_SEPARATOR)))


def filter_streams(streams, filters):
    """LST-3: narrow ``streams`` by the search text, the year and period, and the group-level filters.

    A stream matches the group-level filters when one of its groups matches all of them; they are
    applied through a ``pk__in`` subquery, so a stream with several groups never appears twice.
    """
    if filters.get("academic_year"):
        streams = streams.filter(academic_period__year_id=filters["academic_year"])
    if filters.get("academic_period"):
        streams = streams.filter(academic_period_id=filters["academic_period"])
    by_group = {lookup: filters[name] for name, lookup in STREAM_GROUP_FILTERS.items() if filters.get(name)}
    if by_group:
        streams = streams.filter(pk__in=Stream.objects.filter(**by_group).values("pk"))
    text = (filters.get("q") or "").strip()
    if text:
        streams = streams.filter(_stream_search_q(text))
    return streams


_TEACHER_NAME_FIELDS = ("teacher__user__last_name", "teacher__user__first_name", "teacher__user__patronymic")


def _icontains(field_name, text):
    """``icontains``, also for Cyrillic on SQLite, whose LIKE folds the case of ASCII letters only."""
    variants = {text} if text.isascii() else {text, text.lower(), text.upper(), text.capitalize()}
    q = Q()
    for variant in sorted(variants):
        q |= Q(**{f"{field_name}__icontains": variant})
    return q


def _stream_search_q(text):
    """The discipline name contains the text, or every word of it is in the teacher's full name."""
    teacher = Q()
    for word in text.split():
        word_q = Q()
        for name_field in _TEACHER_NAME_FIELDS:
            word_q |= _icontains(name_field, word)
        teacher &= word_q
    return _icontains("discipline__name", text) | teacher


@dataclass(frozen=True)
class FilterOption:
    pk: int
    label: str


@dataclass(frozen=True)
class YearOption(FilterOption):
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None


@dataclass(frozen=True)
class PeriodOption(FilterOption):
    year_id: int = 0
    number: int = 0


@dataclass
class StreamFilterChoices:
    """Every option of the streams list's filters (LST-3), read by :func:`stream_filter_choices`."""

    years: list[YearOption] = field(default_factory=list)
    periods: list[PeriodOption] = field(default_factory=list)
    technologies: list[FilterOption] = field(default_factory=list)
    study_periods: list[FilterOption] = field(default_factory=list)
    languages: list[FilterOption] = field(default_factory=list)
    specialties: list[FilterOption] = field(default_factory=list)
    qualifications: list[FilterOption] = field(default_factory=list)
    groups: list[FilterOption] = field(default_factory=list)

    def current_year(self, today):
        """``AcademicYear.current()`` over the loaded years: the one containing today, else the latest."""
        for year in self.years:  # newest first, as AcademicYear's ordering
            if year.starts_on <= today <= year.ends_on:
                return year
        return self.years[0] if self.years else None

    def periods_of(self, year_id):
        return [p for p in self.periods if p.year_id == year_id]


def stream_filter_choices() -> StreamFilterChoices:
    """The options of the eight filters in ONE query (a UNION), so the page keeps its query budget.

    Each row is (kind, pk, name, code, number, parent, starts_on, ends_on); columns a table lacks are
    NULL. Sorted here: years newest first, periods by number, study periods by length, others by label.
    """
    null_text = Value(None, output_field=CharField())
    null_int = Value(None, output_field=IntegerField())
    null_date = Value(None, output_field=DateField())

    def rows(model, kind, *, name=None, code=null_text, number=null_int, parent=null_int, dates=None):
        starts_on, ends_on = dates or (null_date, null_date)
        return (
            model.objects.order_by()
            .annotate(
                c_kind=Value(kind, output_field=CharField()),
                c_pk=F("pk"),
                c_name=F("name") if name is None else name,
                c_code=code,
                c_number=number,
                c_parent=parent,
                c_starts=starts_on,
                c_ends=ends_on,
            )
            .values_list("c_kind", "c_pk", "c_name", "c_code", "c_number", "c_parent", "c_starts", "c_ends")
        )

    parts = [
        rows(AcademicYear, "year", dates=(F("starts_on"), F("ends_on"))),
        rows(AcademicPeriod, "period", name=null_text, number=F("number"), parent=F("year_id")),
        rows(TrainingTechnology, "technology"),
        rows(StudyPeriod, "study_period", number=F("months")),
        rows(InstructionLanguage, "language"),
        rows(Specialty, "specialty", code=F("code")),
        rows(Qualification, "qualification", code=F("code")),
        rows(Group, "group"),
    ]
    by_kind = defaultdict(list)
    for kind, *row in parts[0].union(*parts[1:], all=True):
        by_kind[kind].append(row)

    def options(kind, sort_key=lambda option: option.label.casefold()):
        found = [FilterOption(pk, f"{code} {name}" if code else name) for pk, name, code, *_ in by_kind[kind]]
        return sorted(found, key=sort_key)

    years = [
        YearOption(pk, name, starts_on=starts_on, ends_on=ends_on)
        for pk, name, _code, _number, _parent, starts_on, ends_on in by_kind["year"]
    ]
    periods = [
        PeriodOption(pk, AcademicPeriod(number=number).label, year_id=year_id, number=number)
        for pk, _name, _code, number, year_id, *_ in by_kind["period"]
    ]
    months = {pk: number for pk, _name, _code, number, *_ in by_kind["study_period"]}
    return StreamFilterChoices(
        years=sorted(years, key=lambda y: (y.starts_on, y.pk), reverse=True),
        periods=sorted(periods, key=lambda p: (p.year_id, p.number)),
        technologies=options("technology"),
        study_periods=options("study_period", sort_key=lambda option: months[option.pk]),
        languages=options("language"),
        specialties=options("specialty"),
        qualifications=options("qualification"),
        groups=options("group"),
    )


def online_streams_for_student(student):
    """The student's streams whose final control is conducted online, each with ``my_session``."""
    from attestation.models import ExamSession

    streams = list(
        Stream.objects.filter(students=student, is_main=True, journal__conduct_online=True)
        .select_related("discipline", "teacher__user", "academic_period__year")
        .prefetch_related(
            Prefetch(
                "exam_sessions",
                queryset=ExamSession.objects.filter(student=student).select_related("slot"),
                to_attr="my_sessions",
            )
        )
        .order_by("-academic_period__starts_on", "discipline__name")
    )
    for stream in streams:
        stream.my_session = stream.my_sessions[0] if stream.my_sessions else None  # type: ignore[attr-defined]
    return streams


def settings_tabs(request):
    """SET-1: the Intermediate attestation tab first; Online FSA when its license and module are on."""
    from access.models import Module
    from attestation.models import ModuleSettings

    tabs = []
    kinds = [
        (ModuleSettings.Kind.INTERMEDIATE, Module.OIA_STAFF),
        (ModuleSettings.Kind.FSA, Module.FSA_STAFF),
    ]
    for kind, module in kinds:
        access = access_for(request, module)
        if access.is_licensed(module) and access.can_view_settings:
            tabs.append({"kind": kind, "label": kind.label, "editable": access.can_edit_settings})
    return tabs
