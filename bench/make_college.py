"""Build the bench college on the configured database (PostgreSQL) and write its plan as JSON.

    DJANGO_SETTINGS_MODULE=config.settings DATABASE_URL=postgres://... \
        python bench/make_college.py --out /tmp/plan.json [--students 2000] [--minutes 30]

2,000 students in groups of 25, one online stream per group, one slot per stream; every slot starts
at the same minute (the current one) and is running when the command ends. Tickets are authored;
the module's distribution form is "self-choice", and half of the streams are handed out by staff
"placing" tickets (students choose), the other half by staff "generating" them (random). Every user
shares one password, hashed once. Plus a 26th-stream "ceiling" group whose students already have
their questions open: the bench uses them to measure the endpoints' saturation throughput without
touching the scenario's data.

Reuses the demo college's reference-data helpers; everything else is bulk_create.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import transaction  # noqa: E402

from attestation.models import ExamSession, ModuleSettings, Slot, StreamExam, Ticket  # noqa: E402
from college.models import (  # noqa: E402
    AcademicSchedule,
    Group,
    Journal,
    Staff,
    Stream,
    Student,
)
from core import clock  # noqa: E402
from demo.management.commands import demo_college as demo  # noqa: E402

PASSWORD = "bench12345"
PER_GROUP = 25
TICKETS = 30  # more tickets than students in a slot: self-choice never runs dry
CEILING_STUDENTS = 25


def build(students: int, minutes: int) -> dict:
    today = clock.local_today()
    groups_count = -(-students // PER_GROUP)
    demo.save_licenses()
    reference = demo.save_reference()
    demo.save_module_settings()
    settings = ModuleSettings.for_kind(ModuleSettings.Kind.INTERMEDIATE)
    settings.distribution_form = ModuleSettings.DistributionForm.SELF_CHOICE
    settings.save()
    departments, pccs = demo.save_organisation()
    qualification = next(iter(demo.save_specialties().values()))
    periods = demo.save_calendar(today)
    period = periods[demo.current_period_number(today)]
    disciplines = list(demo.save_disciplines(pccs).values())

    # Groups: 80 of the scenario plus the ceiling group.
    names = [f"B-{i:03d}" for i in range(1, groups_count + 1)] + ["B-CEIL"]
    Group.objects.bulk_create(
        Group(
            name=name,
            department=departments[0],
            specialty=qualification.specialty,
            qualification=qualification,
            study_period=reference.study_periods[34],
            technology=reference.technologies[demo.Scale.TRADITIONAL],
            language=reference.languages["kk"],
            course=2,
        )
        for name in names
    )
    groups = Group.objects.in_bulk(names, field_name="name")
    AcademicSchedule.objects.bulk_create(
        AcademicSchedule(
            group=g,
            academic_period=period,
            attestation_starts_on=today - timedelta(days=1),
            attestation_ends_on=today + timedelta(days=30),
        )
        for g in groups.values()
    )

    # Users: one hash for everyone.
    User = get_user_model()
    hashed = make_password(PASSWORD)
    student_names = [f"bs{i:04d}" for i in range(1, students + 1)]
    ceiling_names = [f"bceil{i:02d}" for i in range(1, CEILING_STUDENTS + 1)]
    teacher_names = [f"bt{i:03d}" for i in range(1, groups_count + 2)]
    User.objects.bulk_create(
        [
            User(username=u, password=hashed, last_name="Студент", first_name=u, language="kk")
            for u in student_names + ceiling_names
        ]
        + [
            User(username=u, password=hashed, last_name="Оқытушы", first_name=u, language="kk")
            for u in teacher_names
        ],
        batch_size=1000,
    )
    users = User.objects.in_bulk(student_names + ceiling_names + teacher_names, field_name="username")
    Staff.objects.bulk_create(
        Staff(user=users[u], department=departments[0], pcc=pccs[0], position="Оқытушы")
        for u in teacher_names
    )
    staff = {
        s.user.username: s
        for s in Staff.objects.select_related("user").filter(user__username__in=teacher_names)
    }
    group_of = {}
    for index, username in enumerate(student_names):
        group_of[username] = names[index // PER_GROUP]
    for username in ceiling_names:
        group_of[username] = "B-CEIL"
    Student.objects.bulk_create(
        (
            Student(user=users[u], record_book_number=f"BENCH-{u}", group=groups[group_of[u]])
            for u in student_names + ceiling_names
        ),
        batch_size=1000,
    )
    student_rows = {
        s.user.username: s for s in Student.objects.select_related("user").filter(group__in=groups.values())
    }
    members = {spec.name: [] for spec in demo.ROLES}
    members["Білім алушы"] = [users[u] for u in student_names + ceiling_names]
    members["Оқытушы"] = [users[u] for u in teacher_names]
    demo.save_roles(members)

    # Streams, journals, exams, tickets, slots, sessions.
    Stream.objects.bulk_create(
        Stream(
            name=f"Bench {name}",
            discipline=disciplines[index % len(disciplines)],
            teacher=staff[teacher_names[index]],
            academic_period=period,
        )
        for index, name in enumerate(names)
    )
    streams = {s.name: s for s in Stream.objects.filter(name__startswith="Bench ", academic_period=period)}
    by_group = {}
    for username, group in group_of.items():
        by_group.setdefault(group, []).append(student_rows[username])
    Through = Stream.students.through
    Through.objects.bulk_create(
        (
            Through(stream_id=streams[f"Bench {g}"].pk, student_id=s.pk)
            for g, rows in by_group.items()
            for s in rows
        ),
        batch_size=2000,
    )
    GroupThrough = Stream.groups.through
    GroupThrough.objects.bulk_create(
        GroupThrough(stream_id=streams[f"Bench {g}"].pk, group_id=groups[g].pk) for g in names
    )
    Journal.objects.bulk_create(
        Journal(stream=s, final_form=Journal.FinalForm.WRITTEN, conduct_online=True) for s in streams.values()
    )
    StreamExam.objects.bulk_create(
        StreamExam(stream=s, mode=StreamExam.Mode.TICKETS, ticket_count=TICKETS) for s in streams.values()
    )
    Ticket.objects.bulk_create(
        (
            Ticket(stream=s, number=n, body=f"<p>Билет №{n}: 1) сұрақ; 2) сұрақ; 3) есеп.</p>")
            for s in streams.values()
            for n in range(1, TICKETS + 1)
        ),
        batch_size=2000,
    )
    now = clock.now()
    starts = now.replace(second=0, microsecond=0)
    Slot.objects.bulk_create(
        Slot(stream=s, starts_at=starts, ends_at=starts + timedelta(minutes=minutes))
        for s in streams.values()
    )
    slots = {s.stream_id: s for s in Slot.objects.filter(stream__in=streams.values())}
    sessions = []
    for group, rows in by_group.items():
        stream = streams[f"Bench {group}"]
        for student in rows:
            session = ExamSession(stream=stream, student=student, slot=slots[stream.pk])
            if group == "B-CEIL":  # ready to answer: the ceiling phase autosaves here
                session.ticket_source, session.ticket_at = "generated", now
                session.questions_sent_at = session.questions_viewed_at = now
            sessions.append(session)
    ceiling_stream = streams["Bench B-CEIL"]
    ceiling_ticket = Ticket.objects.get(stream=ceiling_stream, number=1)
    for session in sessions:
        if session.stream_id == ceiling_stream.pk:
            session.ticket = ceiling_ticket
    ExamSession.objects.bulk_create(sessions, batch_size=2000)
    session_pk = {
        (s.student_id): s.pk
        for s in ExamSession.objects.filter(stream__in=streams.values()).only("pk", "student_id")
    }

    plan = {
        "password": PASSWORD,
        "starts_at": starts.isoformat(),
        "minutes": minutes,
        "students": [],
        "staff": [],
        "ceiling": [],
    }
    for index, name in enumerate(names[:-1]):
        stream = streams[f"Bench {name}"]
        mode = "choice" if index % 2 == 0 else "random"
        slot = slots[stream.pk]
        rows = by_group[name]
        plan["staff"].append(
            {
                "username": teacher_names[index],
                "stream": stream.pk,
                "slot": slot.pk,
                "mode": mode,
                "sessions": [session_pk[s.pk] for s in rows],
            }
        )
        for student in rows:
            plan["students"].append(
                {
                    "username": student.user.username,
                    "session": session_pk[student.pk],
                    "stream": stream.pk,
                    "slot": slot.pk,
                    "mode": mode,
                }
            )
    plan["ceiling"] = [{"username": u, "session": session_pk[student_rows[u].pk]} for u in ceiling_names]
    return plan


def open_sessions(plan) -> None:
    """A logged-in Django session for every user of the plan, as if they had signed in before 10:00.

    Logging 2,000 people in through the form costs one Argon2 verification each (about a second of
    CPU here); the bench measures that separately with the share of students that do log in.
    """
    from importlib import import_module

    from django.conf import settings

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    User = get_user_model()
    people = plan["students"] + plan["staff"] + plan["ceiling"]
    users = User.objects.in_bulk([p["username"] for p in people], field_name="username")
    for person in people:
        user = users[person["username"]]
        store = store_class()
        store.update(
            {
                "_auth_user_id": str(user.pk),
                "_auth_user_backend": settings.AUTHENTICATION_BACKENDS[0],
                "_auth_user_hash": user.get_session_auth_hash(),
            }
        )
        store.create()
        person["cookie"] = store.session_key
    plan["session_cookie"] = settings.SESSION_COOKIE_NAME


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--minutes", type=int, default=60, help="slot length from the current minute")
    parser.add_argument("--out", required=True, help="where to write the plan (JSON)")
    parser.add_argument("--sessions", action="store_true", help="open a logged-in session for every user")
    args = parser.parse_args(argv)
    started = time.monotonic()
    with transaction.atomic():
        plan = build(args.students, args.minutes)
        if args.sessions:
            open_sessions(plan)
    Path(args.out).write_text(json.dumps(plan), encoding="utf-8")
    print(
        f"bench college: {len(plan['students'])} students in {len(plan['staff'])} slots starting "
        f"{plan['starts_at']}, {args.minutes} min; built in {time.monotonic() - started:.1f} s -> {args.out}"
    )


if __name__ == "__main__":
    main()
