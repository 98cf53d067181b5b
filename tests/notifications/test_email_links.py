"""E-mails link to the site with its host (#16.8): ``SITE_URL`` is the address every link starts with.

It used to be read but never defined, so the e-mails carried "/attestation/my/" — a path no mail
reader can open. Production must set it (``check --deploy`` fails without it: see
tests/security/test_headers_and_login.py); without a usable one an e-mail carries no link at all.
"""

import re

import pytest
from django.urls import reverse

from attestation.models import ModuleSettings
from attestation.services import slots as slots_service
from attestation.services import tickets as tickets_service
from notifications import kinds
from notifications.checks import site_url_problem
from notifications.services import notify
from tests import factories as f
from tests.exams import at, author

SITE = "https://exam.example.kz"
# Anything a mail reader might take for a link: a URL, or a path starting with a slash.
LINKISH = re.compile(r"(?:https?://\S+|(?<![\w/])/[\w\-./?=&%]+)")


def links_in(body: str) -> list[str]:
    return LINKISH.findall(body)


def assert_absolute(body: str) -> list[str]:
    links = links_in(body)
    for link in links:
        assert link.startswith(SITE + "/"), f"not an absolute link to the site: {link!r} in\n{body}"
    return links


@pytest.mark.req("X-10", "NTF-1", "PLC-2")
def test_the_e_mails_of_a_real_exam_day_link_to_the_site_with_its_host(
    scheduled,
    clock,
    settings,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    settings.SITE_URL = SITE
    college, teacher = scheduled, scheduled.users["teacher"]
    stream = college.streams.teacher_a
    for name in ("student", "other_student"):
        user = college.users[name]
        user.email = f"{name}@example.kz"
        user.save()
    stored = f.stored_settings()
    stored.distribution_form = ModuleSettings.DistributionForm.SELF_CHOICE
    stored.save()
    author(college, stream, count=2)
    student_ids = list(stream.students.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        slot = slots_service.slot_create(
            actor=teacher, stream=stream, student_ids=student_ids, starts_at=at(28, 10), ends_at=at(28, 12)
        )
        slots_service.slot_notify(actor=teacher, slot=slot)  # NTF-1
    clock.move_to(at(28, 10, 30))  # tickets are placed once the final control has started
    with django_capture_on_commit_callbacks(execute=True):
        sessions = list(slot.sessions.values_list("pk", flat=True))
        tickets_service.tickets_place(actor=teacher, slot=slot, session_ids=sessions)  # PLC-2
    assert len(mailoutbox) >= 4
    for message in mailoutbox:
        assert assert_absolute(message.body), message.body  # each carries a link, and it is absolute


@pytest.mark.req("X-10")
@pytest.mark.parametrize("kind", sorted(kinds.KINDS))
def test_every_kind_of_e_mail_links_absolutely(
    kind, settings, db, mailoutbox, django_capture_on_commit_callbacks
):
    settings.SITE_URL = SITE + "/"  # a trailing slash does not double
    user = f.UserFactory(username="mail", email="mail@example.kz", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[user], kind=kind, params={"name": "Programming"}, link=reverse("attestation:my_exams")
        )
    [message] = mailoutbox
    assert assert_absolute(message.body) == [SITE + reverse("attestation:my_exams")]


@pytest.mark.req("X-10")
def test_without_a_usable_site_url_an_e_mail_carries_no_link(settings, db, mailoutbox, caplog):
    settings.SITE_URL = ""
    user = f.UserFactory(username="mail", email="mail@example.kz", language="en")
    from notifications.services import email_for

    [row] = notify(recipients=[user], kind=kinds.SLOT_SCHEDULED, params={}, link="/attestation/my/")
    body = email_for(user, row).body
    assert links_in(body) == []
    assert "SITE_URL" in caplog.text


@pytest.mark.req("X-10")
def test_what_counts_as_a_usable_site_url():
    assert site_url_problem("https://exam.example.kz") is None
    assert site_url_problem("http://127.0.0.1:8000/") is None
    assert site_url_problem("") == "SITE_URL is not set."
    for bad in ("exam.example.kz", "/attestation", "ftp://exam.example.kz", "https://exam.example.kz/app"):
        assert site_url_problem(bad), bad
