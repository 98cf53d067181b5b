"""``python manage.py demo_college [--password PW]``: a deterministic demo college.

Builds licenses, reference data, departments, PCCs, specialties, groups, the current academic
year with its periods and schedules, 300 students, 25 staff members with roles, disciplines,
streams with journals, marks and admissions. Everything is drawn from ``random.Random(2026)``
and found by a natural key, so re-running changes nothing and prints the same logins.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction

from access.backends import forget_users
from access.models import License, Module, Role, RoleModule
from access.policy import policy_changed
from attestation.models import ModuleSettings
from attestation.services.journal import sync_final_columns
from college.models import (
    AcademicPeriod,
    AcademicSchedule,
    AcademicYear,
    Admission,
    Department,
    Discipline,
    Group,
    InstructionLanguage,
    Journal,
    JournalColumn,
    JournalMark,
    Pcc,
    Qualification,
    Specialty,
    Staff,
    Stream,
    Student,
    StudyPeriod,
    TrainingTechnology,
)
from core.clock import local_today

SEED = 2026
DEFAULT_PASSWORD = "demo12345"
STUDENTS_PER_GROUP = 25
OTHER_PERIOD_STREAMS = 10
ONLINE_STREAMS = 15
NOT_ADMITTED_SHARE = 0.05
NOT_ADMITTED_REASON = "Рейтинг рұқсаты жеткіліксіз"
SUBGROUP_SUFFIX = " (2-топша)"

Scale = TrainingTechnology.Scale
Form = Journal.FinalForm
Kind = JournalColumn.Kind

# --- Reference data -------------------------------------------------------------------------

TECHNOLOGIES = {Scale.TRADITIONAL: "Traditional", Scale.CREDIT: "Credit"}
LANGUAGES = {"kk": "Қазақ тілі", "ru": "Русский язык"}
STUDY_PERIODS = {22: "1 ж 10 ай", 34: "2 ж 10 ай", 46: "3 ж 10 ай"}
DEPARTMENTS = ["Ақпараттық технологиялар бөлімшесі", "Экономика бөлімшесі", "Құрылыс бөлімшесі"]
IT, ECONOMY, BUILDING, GENERAL = range(4)
PCCS = [
    "Ақпараттық технологиялар ПЦК",
    "Экономикалық пәндер ПЦК",
    "Құрылыс пәндері ПЦК",
    "Жалпы білім беретін пәндер ПЦК",
]
# The PCC that teaches each department's specialty disciplines.
DEPARTMENT_PCC = {0: IT, 1: ECONOMY, 2: BUILDING}


class SpecialtySpec(NamedTuple):
    code: str
    name: str
    department: int
    qualifications: tuple[tuple[str, str], ...]


SPECIALTIES = [
    SpecialtySpec(
        "06130100",
        "Бағдарламалық қамтамасыз ету",
        0,
        (
            ("4S06130103", "Бағдарламалық қамтамасыз ету әзірлеушісі"),
            ("4S06130105", "Ақпараттық жүйелер технигі"),
        ),
    ),
    SpecialtySpec(
        "06120100",
        "Есептеу техникасы және ақпараттық желілер",
        0,
        (("4S06120103", "Техник-бағдарламашы"),),
    ),
    SpecialtySpec("04110100", "Есеп және аудит", 1, (("4S04110102", "Бухгалтер"),)),
    SpecialtySpec("04130100", "Менеджмент", 1, (("4S04130101", "Менеджер"),)),
    SpecialtySpec(
        "07320100",
        "Ғимараттар мен құрылыстарды салу және пайдалану",
        2,
        (("4S07320103", "Техник-құрылысшы"), ("3W07320101", "Тас қалаушы")),
    ),
    SpecialtySpec(
        "07320700",
        "Автомобиль жолдары мен аэродромдарды салу және пайдалану",
        2,
        (("4S07320705", "Жол құрылысы технигі"),),
    ),
]
SPECIALTY_DEPARTMENT = {s.code: s.department for s in SPECIALTIES}


class GroupSpec(NamedTuple):
    name: str
    specialty: str
    qualification: str
    months: int
    scale: str
    language: str
    course: int


GROUPS = [
    GroupSpec("ПО-25", "06130100", "4S06130103", 34, Scale.TRADITIONAL, "kk", 2),
    GroupSpec("ПО-25р", "06130100", "4S06130105", 34, Scale.TRADITIONAL, "ru", 2),
    GroupSpec("ЕТ-24", "06120100", "4S06120103", 46, Scale.CREDIT, "kk", 3),
    GroupSpec("ЕТ-24р", "06120100", "4S06120103", 46, Scale.CREDIT, "ru", 3),
    GroupSpec("ЕА-26", "04110100", "4S04110102", 22, Scale.TRADITIONAL, "kk", 1),
    GroupSpec("ЕА-26р", "04110100", "4S04110102", 22, Scale.TRADITIONAL, "ru", 1),
    GroupSpec("М-25", "04130100", "4S04130101", 34, Scale.CREDIT, "kk", 2),
    GroupSpec("М-25р", "04130100", "4S04130101", 34, Scale.CREDIT, "ru", 2),
    GroupSpec("ҒҚ-24", "07320100", "4S07320103", 46, Scale.TRADITIONAL, "kk", 3),
    GroupSpec("ҒҚ-25р", "07320100", "3W07320101", 34, Scale.TRADITIONAL, "ru", 2),
    GroupSpec("ЖҚ-26", "07320700", "4S07320705", 22, Scale.CREDIT, "kk", 1),
    GroupSpec("ЖҚ-26р", "07320700", "4S07320705", 22, Scale.CREDIT, "ru", 1),
]
GROUP_BY_NAME = {g.name: g for g in GROUPS}

# (name, short name for stream names, PCC)
DISCIPLINES = [
    ("Бағдарламалау негіздері", "Бағдарламалау", IT),
    ("Деректер қоры", "Деректер қоры", IT),
    ("Веб-бағдарламалау", "Веб-бағдарламалау", IT),
    ("Компьютерлік желілер", "Желілер", IT),
    ("Операциялық жүйелер", "ОЖ", IT),
    ("Алгоритмдер және деректер құрылымдары", "Алгоритмдер", IT),
    ("Бухгалтерлік есеп", "Бухесеп", ECONOMY),
    ("Экономикалық теория", "Экон. теория", ECONOMY),
    ("Менеджмент негіздері", "Менеджмент", ECONOMY),
    ("Маркетинг", "Маркетинг", ECONOMY),
    ("Қаржы және несие", "Қаржы", ECONOMY),
    ("Инженерлік графика", "Инж. графика", BUILDING),
    ("Құрылыс материалдары", "Құрыл. материалдары", BUILDING),
    ("Құрылыс конструкциялары", "Құрыл. конструкциялары", BUILDING),
    ("Геодезия", "Геодезия", BUILDING),
    ("Қазақ тілі", "Қазақ тілі", GENERAL),
    ("Орыс тілі мен әдебиеті", "Орыс тілі", GENERAL),
    ("Кәсіби шетел тілі", "Шетел тілі", GENERAL),
    ("Математика", "Математика", GENERAL),
    ("Қазақстан тарихы", "Тарих", GENERAL),
    ("Физика", "Физика", GENERAL),
]
DISCIPLINE_SHORT = {name: short for name, short, _pcc in DISCIPLINES}
DISCIPLINE_PCC = {name: pcc for name, _short, pcc in DISCIPLINES}

# --- Names ----------------------------------------------------------------------------------

KK_SURNAMES = [
    "Әбенов", "Серікбаев", "Жұмабаев", "Оспанов", "Тоқтаров", "Ахметов", "Бекенов", "Қасымов",
    "Сәрсенбаев", "Нұрланов", "Ермеков", "Әлиев", "Құрманов", "Исабеков", "Мұратов", "Байжанов",
    "Төлегенов", "Омаров", "Кенжебаев", "Рахымжанов", "Әміржанов", "Дәулетов", "Сыздықов", "Жақыпов",
]  # fmt: skip
KK_MALE = [
    "Ержан", "Нұрлан", "Айдос", "Дәулет", "Бауыржан", "Арман", "Азамат", "Жандос", "Ерлан",
    "Мейіржан", "Нұрсұлтан", "Олжас", "Санжар", "Темірлан", "Алихан", "Ерасыл", "Әлібек", "Диас",
]  # fmt: skip
KK_FEMALE = [
    "Айгерім", "Әсел", "Жанар", "Дана", "Мөлдір", "Гүлназ", "Аружан", "Динара", "Жұлдыз",
    "Назерке", "Сымбат", "Томирис", "Аяулым", "Ақбота", "Інжу", "Дариға", "Балжан", "Айым",
]  # fmt: skip
KK_FATHERS = ["Серік", "Қайрат", "Болат", "Марат", "Ерік", "Асқар", "Талғат", "Нұрлан", "Бақыт", "Жомарт"]
RU_SURNAMES = [
    "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
    "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров",
    "Павлов", "Козлов", "Степанов", "Никитин", "Ильин", "Григорьев",
]  # fmt: skip
RU_MALE = [
    "Александр", "Дмитрий", "Максим", "Артём", "Иван", "Кирилл", "Никита", "Михаил", "Егор",
    "Андрей", "Сергей", "Денис", "Тимур", "Роман",
]  # fmt: skip
RU_FEMALE = [
    "Анастасия", "Мария", "Дарья", "Анна", "Елизавета", "Виктория", "Полина", "Екатерина",
    "Ксения", "Алина", "София", "Валерия",
]  # fmt: skip
RU_PATRONYMICS = [
    ("Александрович", "Александровна"), ("Сергеевич", "Сергеевна"), ("Андреевич", "Андреевна"),
    ("Владимирович", "Владимировна"), ("Николаевич", "Николаевна"), ("Игоревич", "Игоревна"),
    ("Олегович", "Олеговна"), ("Викторович", "Викторовна"), ("Юрьевич", "Юрьевна"),
    ("Дмитриевич", "Дмитриевна"),
]  # fmt: skip


class UserSpec(NamedTuple):
    username: str
    last_name: str
    first_name: str
    patronymic: str
    language: str
    is_staff: bool = False
    is_superuser: bool = False


class StaffSpec(NamedTuple):
    user: UserSpec
    pcc: int | None
    department: int | None
    position: str


TEACHER_PCCS = [IT] * 6 + [ECONOMY] * 4 + [BUILDING] * 4 + [GENERAL] * 6
SPECIAL_STAFF = [
    StaffSpec(
        UserSpec("admin", "Сейітов", "Ерлан", "Болатұлы", "kk", True, True), None, None, "Жүйе әкімшісі"
    ),
    StaffSpec(UserSpec("registrar", "Оспанова", "Гүлнар", "Маратқызы", "kk"), None, None, "Тіркеуші"),
    StaffSpec(
        UserSpec("head_dept", "Құдайбергенов", "Асхат", "Серікұлы", "kk"), GENERAL, 0, "Бөлімше меңгерушісі"
    ),
    StaffSpec(UserSpec("head_pcc", "Исмаилова", "Ләззат", "Қайратқызы", "kk"), IT, 0, "ПЦК меңгерушісі"),
    StaffSpec(UserSpec("teacher_read", "Петрова", "Ольга", "Викторовна", "ru"), IT, 0, "Оқытушы"),
]

# --- Roles ----------------------------------------------------------------------------------

Mode = RoleModule.Mode


class RoleSpec(NamedTuple):
    name: str
    kind: str
    module: str
    mode: str
    may_view_all: bool = False
    may_grade: bool = False
    may_define_settings: bool = False


ROLES = [
    RoleSpec("Білім алушы", Role.Kind.STUDENT, Module.OIA_STUDENT, Mode.EDIT),
    RoleSpec("Оқытушы", Role.Kind.TEACHER, Module.OIA_STAFF, Mode.EDIT),
    RoleSpec("Тіркеуші", Role.Kind.REGISTRAR, Module.OIA_STAFF, Mode.EDIT, True, True, True),
    RoleSpec("Бөлімше басшысы", Role.Kind.HEAD_DEPARTMENT, Module.OIA_STAFF, Mode.READ, True),
    RoleSpec("ПЦК меңгерушісі", Role.Kind.HEAD_PCC, Module.OIA_STAFF, Mode.READ, True),
    RoleSpec("Әкімші", Role.Kind.ADMINISTRATOR, Module.OIA_STAFF, Mode.EDIT, True, False, True),
    RoleSpec("Оқытушы (оқу режимі)", Role.Kind.CUSTOM, Module.OIA_STAFF, Mode.READ),
]

# --- Journals -------------------------------------------------------------------------------

CURRENT_COLUMNS = ["1", "2", "3"]
DEFINED_FORMS = [Form.WRITTEN, Form.WRITTEN_ORAL, Form.ORAL, Form.PASS_FAIL]
FORM_WEIGHTS = [4, 3, 3, 1]


# === Planning: pure data drawn from the seeded generator ====================================


def kazakh_name(rng: random.Random) -> tuple[str, str, str]:
    """A Kazakh (surname, first name, patronymic); about one in seven has no patronymic."""
    female = rng.random() < 0.5
    surname = rng.choice(KK_SURNAMES) + ("а" if female else "")
    first = rng.choice(KK_FEMALE if female else KK_MALE)
    patronymic = rng.choice(KK_FATHERS) + ("қызы" if female else "ұлы")
    return surname, first, patronymic if rng.random() < 0.85 else ""


def russian_name(rng: random.Random) -> tuple[str, str, str]:
    """A Russian (surname, first name, patronymic); about one in seven has no patronymic."""
    female = rng.random() < 0.5
    surname = rng.choice(RU_SURNAMES) + ("а" if female else "")
    first = rng.choice(RU_FEMALE if female else RU_MALE)
    patronymic = rng.choice(RU_PATRONYMICS)[1 if female else 0]
    return surname, first, patronymic if rng.random() < 0.85 else ""


def plan_students(rng: random.Random) -> list[tuple[UserSpec, str, str]]:
    """(user, record-book number, group name) for 25 students of every group, numbered in order."""
    plans = []  # type: ignore[var-annotated]
    for group in GROUPS:
        for _ in range(STUDENTS_PER_GROUP):
            number = len(plans) + 1
            name = kazakh_name(rng) if group.language == "kk" else russian_name(rng)
            user = UserSpec(f"student{number:03d}", *name, group.language)
            plans.append((user, f"RB-{SEED}-{number:04d}", group.name))
    return plans


def plan_teachers(rng: random.Random) -> list[StaffSpec]:
    """teacher01..teacher20: mostly Kazakh names, every fourth Russian; a PCC implies a department."""
    plans = []
    for index, pcc in enumerate(TEACHER_PCCS):
        russian = index % 4 == 3
        name = russian_name(rng) if russian else kazakh_name(rng)
        user = UserSpec(f"teacher{index + 1:02d}", *name, "ru" if russian else "kk")
        department = next((d for d, p in DEPARTMENT_PCC.items() if p == pcc), index % len(DEPARTMENTS))
        plans.append(StaffSpec(user, pcc, department, "Оқытушы"))
    return plans


@dataclass
class StreamPlan:
    """A stream before it exists: what it teaches, to whom, by whom and how it ends."""

    discipline: str
    groups: tuple[str, ...]
    is_main: bool = True
    in_current_period: bool = True
    teacher: str = ""
    online: bool = False
    final_form: str = Form.WRITTEN
    final_grade_set: bool = True

    @property
    def name(self) -> str:
        base = f"{DISCIPLINE_SHORT[self.discipline]} — {', '.join(self.groups)}"
        return base if self.is_main else base + SUBGROUP_SUFFIX

    @property
    def pcc(self) -> int:
        return DISCIPLINE_PCC[self.discipline]


def disciplines_of(pcc: int) -> list[str]:
    return [name for name, _short, p in DISCIPLINES if p == pcc]


def department_groups(department: int, language: str) -> tuple[str, ...]:
    return tuple(
        g.name for g in GROUPS if SPECIALTY_DEPARTMENT[g.specialty] == department and g.language == language
    )


def plan_main_streams(rng: random.Random) -> list[StreamPlan]:
    """40 main streams: 2 specialty ones per group, 2 general ones per department and language, 4 more."""
    plans = []
    for group in GROUPS:
        pool = disciplines_of(DEPARTMENT_PCC[SPECIALTY_DEPARTMENT[group.specialty]])
        plans += [StreamPlan(d, (group.name,)) for d in rng.sample(pool, 2)]
    general = disciplines_of(GENERAL)
    for department in range(len(DEPARTMENTS)):
        for language in LANGUAGES:
            groups = department_groups(department, language)
            plans += [StreamPlan(d, groups) for d in rng.sample(general, 2)]
    for group in rng.sample([g.name for g in GROUPS], 4):  # type: ignore[assignment]
        taken = {p.discipline for p in plans if group in p.groups}
        plans.append(StreamPlan(rng.choice([d for d in general if d not in taken]), (group,)))  # type: ignore[arg-type]
    return plans


def plan_subgroup_streams(
    rng: random.Random, main: list[StreamPlan], teachers: list[StaffSpec]
) -> list[StreamPlan]:
    """A few non-main streams: a second subgroup of some general-subject streams of the current period."""
    general = [p for p in main if p.pcc == GENERAL and p.in_current_period]
    logins = [t.user.username for t in teachers if t.pcc == GENERAL]
    return [
        StreamPlan(p.discipline, p.groups, is_main=False, teacher=rng.choice(logins))
        for p in rng.sample(general, 4)
    ]


# (teacher, a group the stream must teach, the discipline's PCC, online)
CLAIMS = [
    ("teacher01", "ПО-25", IT, True),
    ("teacher01", "ПО-25", IT, True),
    ("teacher01", "ПО-25р", IT, False),
    ("head_pcc", "ЕТ-24", IT, True),
    ("teacher_read", "ЕТ-24р", IT, True),
    ("head_dept", "ПО-25", GENERAL, True),
]


def claim_streams(plans: list[StreamPlan]) -> None:
    """Give the demo logins streams they can try: teacher01 two online and one offline, heads one each."""
    for teacher, group, pcc, online in CLAIMS:
        plan = next(p for p in plans if not p.teacher and group in p.groups and p.pcc == pcc)
        plan.teacher, plan.online = teacher, online


def assign_streams(rng: random.Random, plans: list[StreamPlan], teachers: list[StaffSpec]) -> None:
    """Teachers by PCC, some main streams moved to the other period, online flags up to 15."""
    free = [p for p in plans if not p.teacher]
    for plan in free:
        plan.teacher = rng.choice([t.user.username for t in teachers if t.pcc == plan.pcc])
    for plan in rng.sample(free, OTHER_PERIOD_STREAMS):
        plan.in_current_period = False
    candidates = [p for p in free if p.in_current_period]
    missing = ONLINE_STREAMS - sum(p.online for p in plans)
    for plan in rng.sample(candidates, missing):
        plan.online = True


def assign_final_forms(rng: random.Random, plans: list[StreamPlan]) -> None:
    """Online streams get a defined form; of the others two stay undefined and four are not graded by it."""
    for plan in plans:
        plan.final_form = rng.choices(DEFINED_FORMS, FORM_WEIGHTS)[0]
    offline = [p for p in plans if not p.online]
    rng.shuffle(offline)
    for plan in offline[:2]:
        plan.final_form = Form.UNDEFINED
    for plan in offline[:4]:
        plan.final_grade_set = False


def plan_streams(rng: random.Random, teachers: list[StaffSpec]) -> list[StreamPlan]:
    """All streams with their teachers, periods, online flags and final forms."""
    plans = plan_main_streams(rng)
    claim_streams(plans)
    assign_streams(rng, plans, teachers)
    plans += plan_subgroup_streams(rng, plans, teachers)
    assign_final_forms(rng, plans)
    names = [(p.name, p.in_current_period) for p in plans]
    assert len(set(names)) == len(names), "stream names must be unique within a period"
    return plans


def demo_student(plans: list[StreamPlan]) -> str:
    """The first student (by login) of a group that has an online main stream."""
    online_groups = {g for p in plans if p.online and p.is_main for g in p.groups}
    first = next(i for i, g in enumerate(GROUPS) if g.name in online_groups)
    return f"student{first * STUDENTS_PER_GROUP + 1:03d}"


# === Calendar ===============================================================================


def academic_year_start(today: date) -> int:
    """The year 1 Sept → 30 June containing today; in July and August, the upcoming one."""
    return today.year if today.month >= 7 else today.year - 1


def period_bounds(start: int) -> dict[int, tuple[date, date]]:
    return {
        1: (date(start, 9, 1), date(start + 1, 1, 10)),
        2: (date(start + 1, 1, 11), date(start + 1, 6, 30)),
    }


def regular_attestation(start: int) -> dict[int, tuple[date, date]]:
    return {
        1: (date(start, 12, 15), date(start + 1, 1, 10)),
        2: (date(start + 1, 6, 1), date(start + 1, 6, 30)),
    }


def current_period_number(today: date) -> int:
    _first, second = period_bounds(academic_year_start(today)).values()
    return 2 if second[0] <= today <= second[1] else 1


# === Saving ==================================================================================


def save_licenses() -> None:
    """The online intermediate attestation is installed, the online FSA is not."""
    License.objects.update_or_create(code=License.Code.ONLINE_IA, defaults={"enabled": True})
    License.objects.update_or_create(code=License.Code.ONLINE_FSA, defaults={"enabled": False})


@dataclass
class Reference:
    technologies: dict[str, TrainingTechnology]
    languages: dict[str, InstructionLanguage]
    study_periods: dict[int, StudyPeriod]


def save_reference() -> Reference:
    """Training technologies, languages of instruction and study periods."""
    return Reference(
        technologies={
            scale: TrainingTechnology.objects.update_or_create(scale=scale, defaults={"name": name})[0]
            for scale, name in TECHNOLOGIES.items()
        },
        languages={
            code: InstructionLanguage.objects.update_or_create(code=code, defaults={"name": name})[0]
            for code, name in LANGUAGES.items()
        },
        study_periods={
            months: StudyPeriod.objects.update_or_create(months=months, defaults={"name": name})[0]
            for months, name in STUDY_PERIODS.items()
        },
    )


def save_organisation() -> tuple[list[Department], list[Pcc]]:
    """Departments and PCCs, heads set later once the users exist."""
    departments = [Department.objects.get_or_create(name=name)[0] for name in DEPARTMENTS]
    pccs = [Pcc.objects.get_or_create(name=name)[0] for name in PCCS]
    return departments, pccs


def save_specialties() -> dict[str, Qualification]:
    """Specialties and their qualifications, keyed by code."""
    qualifications = {}
    for spec in SPECIALTIES:
        specialty, _ = Specialty.objects.update_or_create(code=spec.code, defaults={"name": spec.name})
        for code, name in spec.qualifications:
            qualifications[code] = Qualification.objects.update_or_create(
                code=code, defaults={"name": name, "specialty": specialty}
            )[0]
    return qualifications


def save_groups(
    reference: Reference, departments: list[Department], qualifications: dict[str, Qualification]
) -> dict[str, Group]:
    """The 12 groups, Kazakh- and Russian-taught, with all their attributes."""
    groups = {}
    for spec in GROUPS:
        qualification = qualifications[spec.qualification]
        groups[spec.name] = Group.objects.update_or_create(
            name=spec.name,
            defaults={
                "department": departments[SPECIALTY_DEPARTMENT[spec.specialty]],
                "specialty": qualification.specialty,
                "qualification": qualification,
                "study_period": reference.study_periods[spec.months],
                "technology": reference.technologies[spec.scale],
                "language": reference.languages[spec.language],
                "course": spec.course,
            },
        )[0]
    return groups


def save_calendar(today: date) -> dict[int, AcademicPeriod]:
    """The academic year containing today (or the upcoming one) and its two periods."""
    start = academic_year_start(today)
    year, _ = AcademicYear.objects.update_or_create(
        name=f"{start}-{start + 1}",
        defaults={"starts_on": date(start, 9, 1), "ends_on": date(start + 1, 6, 30)},
    )
    return {
        number: AcademicPeriod.objects.update_or_create(
            year=year, number=number, defaults={"starts_on": starts, "ends_on": ends}
        )[0]
        for number, (starts, ends) in period_bounds(start).items()
    }


def save_schedules(groups: dict[str, Group], periods: dict[int, AcademicPeriod], today: date) -> None:
    """Attestation dates per group and period; the current period's cover today and the next weeks."""
    ranges = regular_attestation(academic_year_start(today))
    ranges[current_period_number(today)] = (today - timedelta(days=3), today + timedelta(days=30))
    for group in groups.values():
        for number, period in periods.items():
            starts, ends = ranges[number]
            AcademicSchedule.objects.update_or_create(
                group=group,
                academic_period=period,
                defaults={"attestation_starts_on": starts, "attestation_ends_on": ends},
            )


def save_users(specs: list[UserSpec], password_hash: str) -> dict:
    """Create the missing users in bulk and bring the existing ones in line; all share one hash."""
    User = get_user_model()
    fields = ["last_name", "first_name", "patronymic", "language", "is_staff", "is_superuser", "password"]
    existing = User.objects.in_bulk([s.username for s in specs], field_name="username")
    new, changed = [], []
    for spec in specs:
        values = {**spec._asdict(), "password": password_hash}
        user = existing.get(spec.username)
        if user is None:
            new.append(User(**values))
            continue
        for field in fields:
            setattr(user, field, values[field])
        changed.append(user)
    User.objects.bulk_create(new, batch_size=500)
    User.objects.bulk_update(changed, fields, batch_size=200)
    forget_users([user.pk for user in changed])  # bulk_update sends no signal
    return User.objects.in_bulk([s.username for s in specs], field_name="username")


def save_staff(
    specs: list[StaffSpec], users: dict, departments: list[Department], pccs: list[Pcc]
) -> dict[str, Staff]:
    """A Staff row for every staff user, then the heads of the first department and PCC."""
    staff = {}
    for spec in specs:
        staff[spec.user.username] = Staff.objects.update_or_create(
            user=users[spec.user.username],
            defaults={
                "department": None if spec.department is None else departments[spec.department],
                "pcc": None if spec.pcc is None else pccs[spec.pcc],
                "position": spec.position,
            },
        )[0]
    Department.objects.filter(pk=departments[0].pk).update(head=users["head_dept"])
    Pcc.objects.filter(pk=pccs[0].pk).update(head=users["head_pcc"])
    policy_changed()  # an UPDATE sends no signal: forget the roles cached before the heads were set
    return staff


def save_students(plans: list[tuple[UserSpec, str, str]], users: dict, groups: dict[str, Group]) -> dict:
    """Students by record-book number, created in bulk; returns each group's students in order."""
    existing = Student.objects.in_bulk([rb for _u, rb, _g in plans], field_name="record_book_number")
    new, moved = [], []
    for user, record_book, group in plans:
        student = existing.get(record_book)
        if student is None:
            new.append(
                Student(user=users[user.username], record_book_number=record_book, group=groups[group])
            )
        elif student.group_id != groups[group].pk:
            student.group = groups[group]
            moved.append(student)
    Student.objects.bulk_create(new, batch_size=500)
    Student.objects.bulk_update(moved, ["group"])
    by_group = {name: [] for name in groups}  # type: ignore[var-annotated]
    students = Student.objects.filter(group__in=groups.values()).select_related("group", "user")
    for student in students.order_by("record_book_number"):
        by_group[student.group.name].append(student)
    return by_group


def save_roles(members: dict[str, list]) -> None:
    """The standard roles with their module, mode and rights, and their members."""
    for spec in ROLES:
        role, _ = Role.objects.update_or_create(
            name=spec.name,
            # The standard Registrar role keeps the contingent: it imports the college's data.
            defaults={"kind": spec.kind, "may_import": spec.kind == Role.Kind.REGISTRAR},
        )
        RoleModule.objects.update_or_create(
            role=role,
            module=spec.module,
            defaults={
                "mode": spec.mode,
                "may_view_all": spec.may_view_all,
                "may_grade": spec.may_grade,
                "may_define_settings": spec.may_define_settings,
            },
        )
        role.users.add(*members[spec.name])


def save_disciplines(pccs: list[Pcc]) -> dict[str, Discipline]:
    """About twenty disciplines, each with its PCC."""
    return {
        name: Discipline.objects.update_or_create(name=name, defaults={"pcc": pccs[pcc]})[0]
        for name, _short, pcc in DISCIPLINES
    }


def save_streams(plans, periods, current, disciplines, staff, groups, students_by_group) -> list[Stream]:
    """Streams by (name, period), their groups and all the students of those groups."""
    other = 2 if current == 1 else 1
    streams = []
    for plan in plans:
        stream, _ = Stream.objects.update_or_create(
            name=plan.name,
            academic_period=periods[current if plan.in_current_period else other],
            defaults={
                "discipline": disciplines[plan.discipline],
                "teacher": staff[plan.teacher],
                "is_main": plan.is_main,
            },
        )
        stream.groups.set([groups[g] for g in plan.groups])
        stream.students.set([s for g in plan.groups for s in students_by_group[g]])
        streams.append(stream)
    return streams


def save_journals(plans: list[StreamPlan], streams: list[Stream]) -> list[Journal]:
    """One journal per stream with its final form, grading flag and online flag."""
    return [
        Journal.objects.update_or_create(
            stream=stream,
            defaults={
                "final_form": plan.final_form,
                "final_grade_set": plan.final_grade_set,
                "conduct_online": plan.online,
            },
        )[0]
        for plan, stream in zip(plans, streams, strict=True)
    ]


def save_columns(journals: list[Journal]) -> dict[tuple[int, str], JournalColumn]:
    """Three current-control columns per journal and the final ones its form needs (no final marks)."""
    current_columns = JournalColumn.objects.filter(journal__in=journals, kind=Kind.CURRENT)
    existing = set(current_columns.values_list("journal_id", "title"))
    JournalColumn.objects.bulk_create(
        JournalColumn(journal=journal, kind=Kind.CURRENT, title=title, position=position)
        for journal in journals
        for position, title in enumerate(CURRENT_COLUMNS, 1)
        if (journal.pk, title) not in existing
    )
    for journal in journals:
        sync_final_columns(journal)
    current = JournalColumn.objects.filter(journal__in=journals, kind=Kind.CURRENT)
    return {(c.journal_id, c.title): c for c in current}


def save_module_settings() -> None:
    """Online intermediate attestation is allowed for every study period of the demo college (SET-4)."""
    settings, _created = ModuleSettings.objects.get_or_create(kind=ModuleSettings.Kind.INTERMEDIATE)
    settings.allowed_study_periods.set(StudyPeriod.objects.all())  # for_kind() is for reading (#16.9)


def mark_value(rng: random.Random, scale: str) -> str:
    """A current-control mark: 3 to 5 on the traditional scale, points out of 100 on the credit one."""
    if scale == Scale.CREDIT:
        return str(rng.randint(45, 100))
    return rng.choices(["3", "4", "5"], [2, 5, 4])[0]


def save_marks(rng: random.Random, streams: list[Stream], journals: list[Journal], columns, students) -> None:
    """Current-control marks for every student of every stream; existing marks are kept."""
    marks = []
    for stream, journal in zip(streams, journals, strict=True):
        for student in students[stream.pk]:
            scale = GROUP_BY_NAME[student.group.name].scale
            for title in CURRENT_COLUMNS:
                value = mark_value(rng, scale)
                marks.append(JournalMark(column=columns[journal.pk, title], student=student, value=value))
    JournalMark.objects.bulk_create(marks, batch_size=1000, ignore_conflicts=True)


def save_admissions(rng: random.Random, streams: list[Stream], students, keep_admitted: str) -> None:
    """One admission per stream and student; about 5% lack the admission rating."""
    admissions = []
    for stream in streams:
        for student in students[stream.pk]:
            refused = rng.random() < NOT_ADMITTED_SHARE and student.user.username != keep_admitted
            admissions.append(
                Admission(
                    stream=stream,
                    student=student,
                    admitted=not refused,
                    reason=NOT_ADMITTED_REASON if refused else "",
                )
            )
    Admission.objects.bulk_create(admissions, batch_size=1000, ignore_conflicts=True)


# === The command =============================================================================

LOGINS = [
    ("Administrator", "admin"),
    ("Registrar", "registrar"),
    ("Head of department", "head_dept"),
    ("Head of PCC", "head_pcc"),
    ("Teacher", "teacher01"),
    ("Teacher (read-only role)", "teacher_read"),
]


class Command(BaseCommand):
    help = "Create (or bring up to date) the deterministic demo college and print its logins."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="the password of every demo user")

    def handle(self, *args, password, **options):
        rng = random.Random(SEED)
        today = local_today()
        student_plans = plan_students(rng)
        teachers = plan_teachers(rng)
        stream_plans = plan_streams(rng, teachers)
        demo = demo_student(stream_plans)
        with transaction.atomic():
            self.build(rng, today, password, student_plans, teachers, stream_plans, demo)
        self.report(today, password, student_plans, teachers, stream_plans, demo)

    def build(self, rng, today, password, student_plans, teachers, stream_plans, demo):
        """Save every part of the college, in dependency order."""
        save_licenses()
        reference = save_reference()
        save_module_settings()
        departments, pccs = save_organisation()
        groups = save_groups(reference, departments, save_specialties())
        periods = save_calendar(today)
        save_schedules(groups, periods, today)
        staff_specs = SPECIAL_STAFF + teachers
        users = save_users(
            [s.user for s in staff_specs] + [u for u, _rb, _g in student_plans], make_password(password)
        )
        staff = save_staff(staff_specs, users, departments, pccs)
        students_by_group = save_students(student_plans, users, groups)
        save_roles(role_members(users, teachers, student_plans))
        disciplines = save_disciplines(pccs)
        current = current_period_number(today)
        streams = save_streams(stream_plans, periods, current, disciplines, staff, groups, students_by_group)
        journals = save_journals(stream_plans, streams)
        columns = save_columns(journals)
        stream_students = {
            s.pk: [st for g in p.groups for st in students_by_group[g]]
            for p, s in zip(stream_plans, streams, strict=True)
        }
        save_marks(rng, streams, journals, columns, stream_students)
        save_admissions(rng, streams, stream_students, demo)

    def report(self, today, password, student_plans, teachers, stream_plans, demo):
        """The summary and the table of logins."""
        start = academic_year_start(today)
        main = sum(p.is_main for p in stream_plans)
        self.stdout.write(
            f"Demo college {start}-{start + 1}, current academic period {current_period_number(today)}: "
            f"{len(GROUPS)} groups, {len(student_plans)} students, "
            f"{len(SPECIAL_STAFF) + len(teachers)} staff, "
            f"{main} main streams ({sum(p.online for p in stream_plans)} online) "
            f"and {len(stream_plans) - main} non-main."
        )
        rows = [*LOGINS, ("Student (has online exams)", demo)]
        self.stdout.write("")
        self.stdout.write(f"{'Role':<28}{'Login':<14}Password")
        for role, login in rows:
            self.stdout.write(f"{role:<28}{login:<14}{password}")
        self.stdout.write("")
        self.stdout.write(
            f"All teachers: {teachers[0].user.username}..{teachers[-1].user.username}; "
            f"all students: {student_plans[0][0].username}..{student_plans[-1][0].username}; "
            "same password."
        )


def role_members(users: dict, teachers: list[StaffSpec], student_plans) -> dict[str, list]:
    """Who holds which role; the heads of department and PCC teach too."""
    teaching = [t.user.username for t in teachers] + ["head_dept", "head_pcc"]
    names = {
        "Білім алушы": [u.username for u, _rb, _g in student_plans],
        "Оқытушы": teaching,
        "Тіркеуші": ["registrar"],
        "Бөлімше басшысы": ["head_dept"],
        "ПЦК меңгерушісі": ["head_pcc"],
        "Әкімші": ["admin"],
        "Оқытушы (оқу режимі)": ["teacher_read"],
    }
    return {role: [users[u] for u in usernames] for role, usernames in names.items()}
