"""factory_boy factories for the college and access models."""

import datetime

import factory

from access.models import License, Role, RoleModule, User
from college import models as c


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"Name{n}")
    last_name = factory.Sequence(lambda n: f"Surname{n}")
    patronymic = "Patronymic"
    language = "en"
    password = factory.django.Password("pass12345")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = c.Department

    name = factory.Sequence(lambda n: f"Department {n}")


class PccFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = c.Pcc

    name = factory.Sequence(lambda n: f"PCC {n}")


class SpecialtyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = c.Specialty

    code = factory.Sequence(lambda n: f"0613{n:04d}")
    name = factory.Sequence(lambda n: f"Specialty {n}")


class QualificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = c.Qualification

    code = factory.Sequence(lambda n: f"4S0613{n:04d}")
    name = factory.Sequence(lambda n: f"Qualification {n}")
    specialty = factory.SubFactory(SpecialtyFactory)


class StudyPeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = c.StudyPeriod
        django_get_or_create = ("months",)

    months = 34
    name = factory.LazyAttribute(lambda o: f"{o.months // 12} y {o.months % 12} m")


class TechnologyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = c.TrainingTechnology
        django_get_or_create = ("scale",)

    scale = c.TrainingTechnology.Scale.TRADITIONAL
    name = factory.LazyAttribute(lambda o: o.scale.title())


class LanguageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = c.InstructionLanguage
        django_get_or_create = ("code",)

    code = "kk"
    name = factory.LazyAttribute(lambda o: o.code)


class AcademicYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = c.AcademicYear
        django_get_or_create = ("name",)

    name = "2026-2027"
    starts_on = datetime.date(2026, 9, 1)
    ends_on = datetime.date(2027, 6, 30)


class AcademicPeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = c.AcademicPeriod
        django_get_or_create = ("year", "number")

    year = factory.SubFactory(AcademicYearFactory)
    number = 1
    starts_on = datetime.date(2026, 9, 1)
    ends_on = datetime.date(2027, 1, 10)


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = c.Group

    name = factory.Sequence(lambda n: f"G-{n}")
    department = factory.SubFactory(DepartmentFactory)
    specialty = factory.SubFactory(SpecialtyFactory)
    qualification = factory.SubFactory(QualificationFactory, specialty=factory.SelfAttribute("..specialty"))
    study_period = factory.SubFactory(StudyPeriodFactory)
    technology = factory.SubFactory(TechnologyFactory)
    language = factory.SubFactory(LanguageFactory)


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = c.Student

    user = factory.SubFactory(UserFactory)
    record_book_number = factory.Sequence(lambda n: f"RB-{n:05d}")
    group = factory.SubFactory(GroupFactory)


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = c.Staff

    user = factory.SubFactory(UserFactory)
    pcc = factory.SubFactory(PccFactory)
    department = factory.SubFactory(DepartmentFactory)


class DisciplineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = c.Discipline

    name = factory.Sequence(lambda n: f"Discipline {n}")


class StreamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = c.Stream
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Stream {n}")
    discipline = factory.SubFactory(DisciplineFactory)
    teacher = factory.SubFactory(StaffFactory)
    academic_period = factory.SubFactory(AcademicPeriodFactory)

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        for group in extracted or []:
            self.groups.add(group)
            self.students.add(*group.students.all())

    @factory.post_generation
    def journal(self, create, extracted, **kwargs):
        c.Journal.objects.get_or_create(
            stream=self, defaults={"final_form": c.Journal.FinalForm.WRITTEN, **kwargs}
        )


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Role {n}")
    kind = Role.Kind.CUSTOM


def attach(role, module, **options):
    """Attach a module to a role as the Role editor does, scopes included."""
    scopes = {k: options.pop(k) for k in ("study_periods", "departments", "pccs") if k in options}
    rm = RoleModule.objects.create(role=role, module=module, **options)
    for name, values in scopes.items():
        getattr(rm, name).set(values)
    return rm


def set_license(code, enabled=True):
    License.objects.update_or_create(code=code, defaults={"enabled": enabled})


def stored_settings(kind="intermediate"):
    """The module's settings row, saved (``ModuleSettings.for_kind`` only reads: unsaved defaults)."""
    from attestation.models import ModuleSettings

    return ModuleSettings.objects.get_or_create(kind=kind)[0]
