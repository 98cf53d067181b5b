"""notify(): rows in the caller's transaction, e-mail after commit in each recipient's language (X-10)."""

import datetime

import pytest
from django.db import transaction

from notifications import kinds
from notifications.models import Notification
from notifications.services import notify
from tests import factories as f

START = datetime.datetime(2026, 12, 1, 5, 0, tzinfo=datetime.UTC)
PARAMS = {"name": "Programming", "start_at": START}


@pytest.fixture
def people(db):
    return {
        "en": f.UserFactory(username="en_mail", email="en@example.kz", language="en"),
        "kk": f.UserFactory(username="kk_mail", email="kk@example.kz", language="kk"),
        "ru": f.UserFactory(username="ru_mail", email="ru@example.kz", language="ru"),
        "no_mail": f.UserFactory(username="no_mail", email="", language="en"),
    }


@pytest.mark.req("X-10")
def test_notify_creates_one_row_per_recipient(people, django_capture_on_commit_callbacks):
    users = list(people.values())
    with django_capture_on_commit_callbacks():
        rows = notify(
            recipients=users + [people["en"]], kind=kinds.SLOT_SCHEDULED, params=PARAMS, link="/attestation/"
        )
    assert len(rows) == 4 and all(row.pk for row in rows)
    stored = Notification.objects.filter(kind=kinds.SLOT_SCHEDULED)
    assert sorted(stored.values_list("recipient__username", flat=True)) == sorted(u.username for u in users)
    row = stored.get(recipient=people["kk"])
    assert row.params == {"name": "Programming", "start_at": "2026-12-01T05:00:00+00:00"}
    assert row.link == "/attestation/" and row.read_at is None and row.created_at


@pytest.mark.req("X-10")
def test_notify_accepts_a_queryset(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        notify(
            recipients=type(people["en"]).objects.filter(email=""), kind=kinds.SLOT_SCHEDULED, params=PARAMS
        )
    assert list(Notification.objects.values_list("recipient", flat=True)) == [people["no_mail"].pk]


@pytest.mark.req("X-10", "NTF-1")
def test_email_goes_after_commit_to_those_with_an_address_in_their_language(
    people, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://exam.example.kz"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(recipients=people.values(), kind=kinds.SLOT_SCHEDULED, params=PARAMS, link="/attestation/my/")
    assert mailoutbox == []  # nothing before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    by_address = {m.to[0]: m for m in mailoutbox}
    assert set(by_address) == {"en@example.kz", "kk@example.kz", "ru@example.kz"}
    assert all(len(m.to) == 1 for m in mailoutbox)
    english = by_address["en@example.kz"]
    assert english.subject == "Online attestation"
    assert english.from_email == "attestation@localhost"
    assert english.body.startswith("The date and time of final control Programming is set: 01.12.2026 10:00")
    assert "https://exam.example.kz/attestation/my/" in english.body
    assert by_address["kk@example.kz"].subject == "Онлайн аттестаттау"
    assert by_address["ru@example.kz"].subject == "Онлайн аттестация"
    for message in mailoutbox:
        assert "Programming" in message.body and "01.12.2026 10:00" in message.body


@pytest.mark.req("X-10")
def test_no_email_for_users_without_an_address(people, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify(recipients=[people["no_mail"]], kind=kinds.SLOT_SCHEDULED, params=PARAMS)
    assert callbacks == [] and mailoutbox == []
    assert Notification.objects.filter(recipient=people["no_mail"]).count() == 1


@pytest.mark.req("X-10")
def test_a_rolled_back_change_sends_nothing(people, mailoutbox, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(recipients=people.values(), kind=kinds.SLOT_SCHEDULED, params=PARAMS)
        raise RuntimeError("the change failed")
    assert callbacks == [] and mailoutbox == []
    assert not Notification.objects.exists()
