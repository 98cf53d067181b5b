"""#16.9: reads never write. Opening a page creates no row: a stream whose final control was never
changed, and a module whose settings were never saved, are shown with their defaults."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from attestation.models import ModuleSettings, StreamExam
from attestation.services import module_settings as settings_service
from attestation.services import slots as slots_service

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def writes_of(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]


@pytest.mark.req("STR-1", "STR-2", "SET-1", "X-10")
def test_opening_the_stream_page_and_the_settings_writes_nothing(scheduled, login):
    stream = scheduled.streams.teacher_a
    StreamExam.objects.filter(stream=stream).delete()
    ModuleSettings.objects.all().delete()
    teacher = login(scheduled.users["teacher"])
    for url in (
        reverse("attestation:stream", args=[stream.pk]),
        reverse("attestation:tickets", args=[stream.pk]),
        reverse("attestation:stream_list"),
    ):
        assert writes_of(teacher, url) == [], url
    registrar = login(scheduled.users["registrar"])
    assert writes_of(registrar, reverse("attestation:settings")) == []
    assert not StreamExam.objects.filter(stream=stream).exists()
    assert not ModuleSettings.objects.exists()


@pytest.mark.req("STR-2", "SET-1")
def test_the_first_change_creates_the_row_the_page_showed_by_default(scheduled, login):
    stream = scheduled.streams.teacher_a
    StreamExam.objects.filter(stream=stream).delete()
    ModuleSettings.objects.all().delete()
    assert StreamExam.for_stream(stream).mode == StreamExam.Mode.TICKETS  # the default, unsaved
    slots_service.stream_mode_set(actor=scheduled.users["teacher"], stream=stream, mode="no_tickets")
    assert StreamExam.objects.get(stream=stream).mode == StreamExam.Mode.NO_TICKETS
    # Never-saved settings carry the version "" in their form; the first save is not "stale".
    saved = settings_service.settings_save(
        actor=scheduled.users["registrar"],
        kind=ModuleSettings.Kind.INTERMEDIATE,
        distribute_whole_stream=False,
        distribution_form=ModuleSettings.DistributionForm.SELF_CHOICE,
        study_periods=[],
        version="",
    )
    assert saved.pk and not ModuleSettings.objects.get().distribute_whole_stream
