"""The inbox (X-10): own notifications only, newest first, unread marked; mark one / all read."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications import kinds
from notifications.context_processors import unread
from notifications.models import Notification
from tests import factories as f
from tests.html import shown_page

START = datetime.datetime(2026, 12, 1, 5, 0, tzinfo=datetime.UTC)
INBOX = reverse("notifications:inbox")
READ_ALL = reverse("notifications:read_all")


def read_url(notification):
    return reverse("notifications:read", args=[notification.pk])


def make(user, name, *, minutes_ago=0, link="", read=False):
    row = Notification.objects.create(
        recipient=user,
        kind=kinds.SLOT_SCHEDULED,
        params=kinds.encode_params({"name": name, "start_at": START}),
        link=link,
        read_at=timezone.now() if read else None,
    )
    Notification.objects.filter(pk=row.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=minutes_ago)
    )
    row.refresh_from_db()
    return row


@pytest.fixture
def alice(db):
    return f.UserFactory(username="alice", language="en")


@pytest.fixture
def bob(db):
    return f.UserFactory(username="bob", language="en")


@pytest.mark.req("X-10")
def test_inbox_lists_only_own_newest_first_with_unread_marked(alice, bob, login):
    make(alice, "Oldest", minutes_ago=30, read=True)
    make(alice, "Newest", minutes_ago=1, link="/attestation/my/")
    make(alice, "Middle", minutes_ago=10)
    make(bob, "Bob's secret", minutes_ago=5)
    page = shown_page(login(alice).get(INBOX))
    assert "Bob&#x27;s secret" not in page and "Bob's secret" not in page
    positions = [page.index(f"final control {name} is set") for name in ("Newest", "Middle", "Oldest")]
    assert positions == sorted(positions)
    assert page.count('class="notification unread"') == 2
    assert page.count('<span class="visually-hidden">New: </span>') == 2
    assert page.count('class="dot"') == 2
    assert "01.12.2026 10:00" in page
    assert 'action="/notifications/read-all/"' in page


@pytest.mark.req("X-10")
def test_opening_the_inbox_marks_nothing_read(alice, login):
    make(alice, "A")
    login(alice).get(INBOX)
    assert Notification.objects.get().read_at is None


@pytest.mark.req("X-10")
def test_inbox_shows_text_in_the_viewers_language(alice, login):
    """Russian catalogue may not translate the message yet: it must still render with the values."""
    alice.language = "ru"
    alice.save()
    make(alice, "Программирование")
    response = login(alice).get(INBOX)
    assert response["Content-Language"] == "ru"
    page = response.content.decode()
    assert "Программирование" in page and "01.12.2026 10:00" in page


@pytest.mark.req("X-10")
def test_inbox_is_paginated_by_twenty(alice, login):
    for i in range(25):
        make(alice, f"N{i:02d}", minutes_ago=i)
    client = login(alice)
    first = shown_page(client.get(INBOX))
    assert first.count('<li class="notification') == 20 and "N00" in first and "N24" not in first
    second = client.get(INBOX, {"page": 2}).content.decode()
    assert second.count('<li class="notification') == 5 and "N24" in second


@pytest.mark.req("X-10")
def test_empty_inbox(alice, login):
    page = shown_page(login(alice).get(INBOX))
    assert "No messages yet." in page and 'class="badge unread"' not in page
    assert 'action="/notifications/read-all/"' not in page


@pytest.mark.req("X-10")
def test_mark_read_opens_the_link(alice, login):
    row = make(alice, "A", link="/attestation/my/")
    response = login(alice).post(read_url(row))
    assert response.status_code == 302 and response["Location"] == "/attestation/my/"
    row.refresh_from_db()
    assert row.read_at is not None


@pytest.mark.req("X-10")
def test_mark_read_without_link_or_with_stay_returns_to_the_inbox(alice, login):
    no_link = make(alice, "A")
    linked = make(alice, "B", link="/attestation/my/")
    client = login(alice)
    assert client.post(read_url(no_link))["Location"] == INBOX
    assert client.post(read_url(linked), {"stay": "1", "page": "2"})["Location"] == f"{INBOX}?page=2"
    assert not Notification.objects.filter(read_at__isnull=True).exists()


@pytest.mark.req("X-10")
def test_marking_read_again_keeps_the_first_time(alice, login):
    row = make(alice, "A", read=True)
    first = row.read_at
    login(alice).post(read_url(row))
    row.refresh_from_db()
    assert row.read_at == first


@pytest.mark.req("X-10")
def test_mark_read_with_htmx_returns_the_item_and_the_new_badge(alice, login):
    row = make(alice, "A", link="/attestation/my/")
    make(alice, "B")
    response = login(alice).post(read_url(row), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="notification-{row.pk}"' in html and 'class="notification unread"' not in html
    assert 'hx-swap-oob="true"' in html
    assert '<span class="badge unread" aria-label="1 unread">1</span>' in html
    assert '<a class="button small" href="/attestation/my/"' in html


@pytest.mark.req("X-10")
def test_read_all_marks_only_own_unread(alice, bob, login):
    make(alice, "A")
    make(alice, "B")
    bobs = make(bob, "C")
    response = login(alice).post(READ_ALL)
    assert response.status_code == 302 and response["Location"] == INBOX
    assert not alice.notifications.filter(read_at__isnull=True).exists()
    bobs.refresh_from_db()
    assert bobs.read_at is None


@pytest.mark.req("X-10")
def test_another_users_notification_is_404(alice, bob, login):
    bobs = make(bob, "C", link="/attestation/my/")
    assert login(alice).post(read_url(bobs)).status_code == 404
    bobs.refresh_from_db()
    assert bobs.read_at is None


@pytest.mark.req("X-10")
def test_marking_needs_post(alice, login):
    row = make(alice, "A")
    client = login(alice)
    assert client.get(read_url(row)).status_code == 405
    assert client.get(READ_ALL).status_code == 405
    row.refresh_from_db()
    assert row.read_at is None


@pytest.mark.req("X-10")
def test_csrf_is_enforced(alice):
    row = make(alice, "A")
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post(read_url(row)).status_code == 403
    assert client.post(READ_ALL).status_code == 403
    row.refresh_from_db()
    assert row.read_at is None


@pytest.mark.req("X-10")
def test_anonymous_is_sent_to_login(alice, login):
    row = make(alice, "A")
    client = login(None)
    for response in (client.get(INBOX), client.post(read_url(row)), client.post(READ_ALL)):
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    row.refresh_from_db()
    assert row.read_at is None


@pytest.mark.req("X-10")
def test_unread_badge_in_the_page_header(alice, bob, login):
    make(alice, "A")
    make(alice, "B")
    make(alice, "C", read=True)
    make(bob, "D")
    client = login(alice)
    page = client.get(reverse("home"), follow=True).content.decode()
    assert 'href="/notifications/"' in page
    assert '<span class="badge unread" aria-label="2 unread">2</span>' in page
    client.post(READ_ALL)
    page = shown_page(client.get(reverse("home"), follow=True))
    assert 'href="/notifications/"' in page and 'class="badge unread"' not in page


@pytest.mark.req("X-10")
def test_anonymous_pages_have_no_inbox_link(db, client):
    page = shown_page(client.get(reverse("login")))
    assert 'href="/notifications/"' not in page


@pytest.mark.req("X-10")
def test_unread_count_is_lazy(alice, rf, django_assert_num_queries):
    make(alice, "A")
    request = rf.get("/")
    request.user = alice
    with django_assert_num_queries(0):
        context = unread(request)
    with django_assert_num_queries(1):
        assert context["unread_notifications"]() == 1
        assert context["unread_notifications"]() == 1  # cached for the page


@pytest.mark.req("X-10")
def test_inbox_query_count_does_not_grow_with_notifications(alice, login):
    client = login(alice)
    client.get(INBOX)  # the signed-in user and their roles are cached from here on, as in use

    def queries_with(total):
        Notification.objects.all().delete()
        for i in range(total):
            make(alice, f"N{i}", minutes_ago=i, link="/attestation/my/" if i % 2 else "", read=i % 3 == 0)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(INBOX).status_code == 200
        return len(ctx.captured_queries)

    assert queries_with(10) == queries_with(50)


@pytest.mark.req("X-10")
def test_unread_count_is_zero_for_anonymous(rf, db, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert unread(request)["unread_notifications"]() == 0
    assert unread(rf.get("/"))["unread_notifications"]() == 0
