"""Notification texts: stored as kind + params, rendered in the viewer's language (X-10, NTF-1, PLC-2)."""

import datetime

import pytest
from django.utils import translation

from notifications import kinds
from notifications.models import Notification
from notifications.services import notify
from tests import factories as f

START = datetime.datetime(2026, 12, 1, 5, 0, tzinfo=datetime.UTC)  # 10:00 in Almaty (UTC+5)


def _row(kind, params):
    return Notification(kind=kind, params=kinds.encode_params(params))


@pytest.mark.req("X-10", "NTF-1")
def test_slot_scheduled_message_in_english_with_local_time():
    row = _row(kinds.SLOT_SCHEDULED, {"name": "Programming", "start_at": START})
    assert row.params == {"name": "Programming", "start_at": "2026-12-01T05:00:00+00:00"}
    with translation.override("en"):
        assert kinds.render(row) == "The date and time of final control Programming is set: 01.12.2026 10:00"


@pytest.mark.req("X-10", "PLC-2")
def test_tickets_placed_message_in_english_with_local_time():
    row = _row(
        kinds.TICKETS_PLACED,
        {"discipline": "Databases", "teacher": "Akhmetova Aigerim Serikovna", "start_at": START},
    )
    with translation.override("en"):
        assert kinds.render(row) == (
            "Tickets of final control for discipline Databases are placed, "
            "teacher: Akhmetova Aigerim Serikovna. You need to choose a ticket number. "
            "Date and time of final control: 01.12.2026 10:00"
        )


@pytest.mark.req("X-10", "NTF-1", "PLC-2")
@pytest.mark.parametrize("language", ["kk", "ru"])
@pytest.mark.parametrize(
    "kind, params",
    [
        (kinds.SLOT_SCHEDULED, {"name": "Бағдарламалау", "start_at": START}),
        (
            kinds.TICKETS_PLACED,
            {"discipline": "Бағдарламалау", "teacher": "Ахметова А. С.", "start_at": START},
        ),
    ],
)
def test_other_languages_render_the_same_values(language, kind, params):
    """The Kazakh and Russian texts come with the catalogues; whatever they say, the values are there."""
    row = _row(kind, params)
    with translation.override(language):
        text = kinds.render(row)
    assert "Бағдарламалау" in text and "01.12.2026 10:00" in text


@pytest.mark.req("X-10")
def test_the_row_is_rendered_in_the_language_active_when_shown():
    row = _row(kinds.SLOT_SCHEDULED, {"name": "Programming", "start_at": START})
    with translation.override("en"):
        english = kinds.render(row)
    with translation.override("kk"):
        assert kinds.render(row) == str(kinds.KINDS[kinds.SLOT_SCHEDULED]) % {
            "name": "Programming",
            "start": "01.12.2026 10:00",
        }
    assert english.startswith("The date and time")


@pytest.mark.req("X-10")
@pytest.mark.parametrize(
    "kind, params",
    [
        ("no_such_kind", {"name": "x"}),
        (kinds.SLOT_SCHEDULED, {}),  # placeholders missing
        (kinds.SLOT_SCHEDULED, {"name": "X", "start_at": "not a date"}),
        (kinds.SLOT_SCHEDULED, None),
        (kinds.SLOT_SCHEDULED, ["not", "a", "mapping"]),
    ],
)
def test_rendering_never_crashes(kind, params):
    row = Notification(kind=kind, params=params)
    for language in ("kk", "ru", "en"):
        with translation.override(language):
            assert kinds.render(row)


@pytest.mark.req("X-10")
def test_unknown_kind_and_unparsable_date_render_neutrally():
    with translation.override("en"):
        assert kinds.render(Notification(kind="gone", params={})) == "You have a new notification."
        row = Notification(kind=kinds.SLOT_SCHEDULED, params={"name": "X", "start_at": "soon"})
        assert kinds.render(row) == "The date and time of final control X is set: soon"


@pytest.mark.req("X-10")
def test_a_date_in_another_zone_is_shown_in_almaty_time():
    moscow_evening = datetime.datetime(
        2026, 11, 28, 23, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=3))
    )
    row = _row(kinds.SLOT_SCHEDULED, {"name": "X", "start_at": moscow_evening})
    assert row.params["start_at"] == "2026-11-28T20:30:00+00:00"
    with translation.override("en"):
        assert kinds.render(row).endswith(": 29.11.2026 01:30")


@pytest.mark.req("X-10")
def test_params_convention_is_enforced():
    with pytest.raises(ValueError, match="aware"):
        kinds.encode_params({"start_at": datetime.datetime(2026, 12, 1, 10, 0)})
    with pytest.raises(ValueError, match="_at"):
        kinds.encode_params({"start": START})
    with translation.override("en"):  # not the default Kazakh, whatever ran before
        encoded = kinds.encode_params({"n": 3, "name": translation.gettext_lazy("Kazakh")})
    assert encoded == {"n": 3, "name": "Kazakh"}


@pytest.mark.req("X-10")
def test_notify_rejects_unknown_kinds_and_absolute_links(db):
    user = f.UserFactory()
    with pytest.raises(ValueError, match="kind"):
        notify(recipients=[user], kind="no_such_kind", params={})
    for link in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        with pytest.raises(ValueError, match="site-relative"):
            notify(recipients=[user], kind=kinds.SLOT_SCHEDULED, params={}, link=link)
    assert not Notification.objects.exists()
