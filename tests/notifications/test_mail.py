"""Notification e-mails through a real SMTP server (aiosmtpd, tests/smtp.py), through the task queue
(here its immediate backend; tests/operations/test_worker.py runs a real worker): in each recipient's
language with absolute links, retried with backoff when the server says "later", failed with the
server's reason when it says "never", and the failures shown to administrators (X-10, NTF-1)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from notifications import kinds, mail
from notifications.models import Notification
from notifications.services import notify
from tests import factories as f
from tests.notifications.test_email_links import SITE, assert_absolute
from tests.notifications.test_services import PARAMS

LINK = "/attestation/my/"


@pytest.fixture
def people(db):
    return {
        code: f.UserFactory(username=f"{code}_mail", email=f"{code}@example.kz", language=code)
        for code in ("kk", "ru", "en")
    }


def send(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return notify(recipients=people.values(), kind=kinds.SLOT_SCHEDULED, params=PARAMS, link=LINK)


@pytest.mark.req("X-10", "NTF-1")
def test_e_mails_reach_the_smtp_server_in_each_recipients_language_with_absolute_links(
    people, smtp, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = SITE
    settings.DEFAULT_FROM_EMAIL = "exam@college.kz"
    send(people, django_capture_on_commit_callbacks)
    expected = {
        "kk": ("Онлайн аттестаттау", "Қорытынды бақылауды жүргізу күні мен уақыты анықталды"),
        "ru": ("Онлайн аттестация", "Установлены дата и время проведения итогового контроля Programming"),
        "en": ("Online attestation", "The date and time of final control Programming is set"),
    }
    assert len(smtp.messages) == 3
    for language, (subject, text) in expected.items():
        [message] = smtp.to(f"{language}@example.kz")
        assert message.sender == "exam@college.kz" and message.subject == subject
        assert text in message.body and "01.12.2026 10:00" in message.body, message.body
        assert assert_absolute(message.body) == [SITE + LINK]
    rows = Notification.objects.all()
    assert {(row.mail, row.mail_attempts, row.mail_error) for row in rows} == {("sent", 1, "")}
    assert all(row.mailed_at for row in rows)


@pytest.mark.req("X-10")
def test_a_server_that_says_later_gets_the_mail_again_later(
    people, smtp, settings, django_capture_on_commit_callbacks
):
    smtp.busy = 1  # the first message is refused for now (451)
    send(people, django_capture_on_commit_callbacks)
    # The immediate backend cannot wait: the retry runs at once — a worker waits EMAIL_RETRY_SECONDS.
    assert len(smtp.messages) == 3
    attempts = dict(Notification.objects.values_list("recipient__email", "mail_attempts"))
    assert sorted(attempts.values()) == [1, 1, 2]
    assert set(Notification.objects.values_list("mail", flat=True)) == {"sent"}


@pytest.mark.req("X-10")
@pytest.mark.django_db(transaction=True)
def test_the_retry_waits_the_first_delay_in_the_queue(people, smtp, settings):
    """With the database queue the failed mails go back into it, to run after the first delay."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.EMAIL_RETRY_SECONDS = [60, 300]
    smtp.busy = 1
    rows = notify(recipients=people.values(), kind=kinds.SLOT_SCHEDULED, params=PARAMS, link=LINK)
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "notifications.mail.send_mails"
    assert queued.args_kwargs["args"] == [[row.pk for row in rows], 1]
    before = timezone.now()
    assert mail.send_mails.call(*queued.args_kwargs["args"]) == {"sent": 2, "retried": 1, "failed": 0}
    [retry] = DBTaskResult.objects.exclude(pk=queued.pk)
    [waiting] = Notification.objects.filter(mail="queued")
    assert retry.args_kwargs["args"] == [[waiting.pk], 2]
    assert before + timedelta(seconds=59) <= retry.run_after <= timezone.now() + timedelta(seconds=61)
    assert "451" in waiting.mail_error and mail.waiting() == 1


@pytest.mark.req("X-10")
def test_an_address_the_server_refuses_fails_at_once_with_its_reason(
    people, smtp, django_capture_on_commit_callbacks
):
    smtp.refused.add("ru@example.kz")
    send(people, django_capture_on_commit_callbacks)
    assert {m.to[0] for m in smtp.messages} == {"kk@example.kz", "en@example.kz"}
    failed = Notification.objects.get(mail="failed")
    assert failed.recipient.email == "ru@example.kz" and failed.mail_attempts == 1  # never retried
    assert "550" in failed.mail_error and "No such mailbox" in failed.mail_error
    assert list(mail.failures()) == [failed] and mail.failed_count() == 1


@pytest.mark.req("X-10")
def test_an_unreachable_server_is_tried_after_each_delay_then_the_mails_fail(
    people, settings, django_capture_on_commit_callbacks
):
    from tests.processes import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens there
    settings.EMAIL_RETRY_SECONDS = [60, 300, 1800]
    send(people, django_capture_on_commit_callbacks)
    rows = Notification.objects.all()
    assert {(row.mail, row.mail_attempts) for row in rows} == {("failed", 4)}  # the first + 3 retries
    assert all("ConnectionRefusedError" in row.mail_error for row in rows)


@pytest.mark.req("X-10")
def test_email_url_configures_smtp(monkeypatch):
    """``EMAIL_URL`` sets the server, the login, TLS and the timeout in one variable."""
    import importlib

    import config.settings as project_settings

    monkeypatch.setenv(
        "EMAIL_URL", "smtp://mailer%40college.kz:p%40ss@mail.college.kz:587/?tls=True&timeout=7"
    )
    try:
        reloaded = importlib.reload(project_settings)
        assert reloaded.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"
        assert (reloaded.EMAIL_HOST, reloaded.EMAIL_PORT) == ("mail.college.kz", 587)
        assert (reloaded.EMAIL_HOST_USER, reloaded.EMAIL_HOST_PASSWORD) == ("mailer@college.kz", "p@ss")
        assert (reloaded.EMAIL_USE_TLS, reloaded.EMAIL_USE_SSL, reloaded.EMAIL_TIMEOUT) == (True, False, 7)
    finally:
        monkeypatch.delenv("EMAIL_URL")
        importlib.reload(project_settings)
