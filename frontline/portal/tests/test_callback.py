"""The "call me back" page: a phone number and a slot inside phone hours, through the voice
connector's callback service, with errors that name the field and say when the line is open."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from frontline.connectors.voice.models import CallbackRequest, VoiceLine
from frontline.portal.services import LIMITS
from frontline.routing.models import Queue
from frontline.sla.models import BusinessCalendarConfig, ChannelHours

pytestmark = pytest.mark.django_db

MANILA = ZoneInfo("Asia/Manila")
#: Tuesday 24 November 2026, 10:00 in Manila: the phone line is open.
TUESDAY_MORNING = datetime(2026, 11, 24, 10, 0, tzinfo=MANILA)


@pytest.fixture
def line():
    voice = Queue.objects.create(name="Phone", channel="voice", offer_timeout_seconds=20, wrap_up_seconds=30)
    callbacks = Queue.objects.create(
        name="Callbacks", channel="callback", offer_timeout_seconds=20, wrap_up_seconds=0
    )
    return VoiceLine.objects.create(
        name="Hotline", provider="cti", phone_number="+6328123456", queue=voice, callback_queue=callbacks
    )


@pytest.fixture
def phone_hours():
    """Monday to Friday, 09:00-18:00 Manila time."""
    calendar = BusinessCalendarConfig.objects.create(
        name="Manila office",
        timezone="Asia/Manila",
        weekly_hours={str(d): [["09:00", "18:00"]] for d in range(5)},
    )
    return ChannelHours.objects.create(channel="voice", calendar=calendar, outside_hours="callback")


def ask(client, **changes):
    data = {
        "name": "Lito",
        "phone": "0917 123 4567",
        "preferred_start": "",
        "preferred_end": "",
        "website": "",
    }
    data.update(changes)
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        return client.post("/portal/callback/", data)


def test_a_slot_inside_phone_hours_schedules_a_callback(client, line, phone_hours):
    response = ask(client, preferred_start="2026-11-24T14:00", preferred_end="2026-11-24T15:00")
    assert response["Location"] == "/portal/callback/done/"
    callback = CallbackRequest.objects.get()
    assert (callback.phone, callback.source, callback.line_id) == ("+639171234567", "website", line.pk)
    assert callback.preferred_start == datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
    assert callback.preferred_end == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
    page = client.get("/portal/callback/done/").content.decode()
    assert "We plan to call you from Tuesday 24 November 2026, 14:00 (Asia/Manila)." in page


def test_the_page_shows_the_phone_hours_in_their_zone(client, line, phone_hours):
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        page = client.get("/portal/callback/").content.decode()
    assert "Our phone line is open now, until Tuesday 24 November 2026, 18:00." in page
    assert "Times are in the Asia/Manila time zone." in page


def test_a_slot_outside_phone_hours_is_refused_naming_the_field_and_the_opening(client, line, phone_hours):
    response = ask(client, preferred_start="2026-11-24T20:00")
    page = response.content.decode()
    assert response.status_code == 400
    assert (
        "Call me from (optional): We do not take calls at that time. "
        "The phone line opens again Wednesday 25 November 2026, 09:00." in page
    )
    assert CallbackRequest.objects.count() == 0


def test_a_slot_ending_after_closing_or_before_its_start_is_refused(client, line, phone_hours):
    late = ask(client, preferred_start="2026-11-24T17:00", preferred_end="2026-11-24T19:00").content.decode()
    assert "Call me until (optional): The phone line closes Tuesday 24 November 2026, 18:00" in late
    backwards = ask(
        client, preferred_start="2026-11-24T15:00", preferred_end="2026-11-24T14:00"
    ).content.decode()
    assert "Call me until (optional): The end of the slot must be after its start." in backwards
    past = ask(client, preferred_start="2026-11-24T08:00").content.decode()
    assert "Call me from (optional): Choose a time in the future." in past
    assert CallbackRequest.objects.count() == 0


def test_an_impossible_phone_number_is_refused_naming_the_field(client, line):
    response = ask(client, phone="12")
    assert response.status_code == 400
    assert "Phone number: This is not a phone number we can call." in response.content.decode()
    assert CallbackRequest.objects.count() == 0


def test_without_a_slot_the_callback_is_as_soon_as_possible(client, line, phone_hours):
    assert ask(client)["Location"] == "/portal/callback/done/"
    assert CallbackRequest.objects.get().preferred_start is None


def test_callbacks_are_rate_limited_per_phone(client, line):
    allowed, _window = LIMITS["callback-phone"]
    for _ in range(allowed):
        assert ask(client).status_code == 302
    assert ask(client).status_code == 429
    assert CallbackRequest.objects.count() == allowed


def test_the_honeypot_stores_nothing(client, line):
    assert ask(client, website="spam")["Location"] == "/portal/callback/done/"
    assert CallbackRequest.objects.count() == 0


def test_without_an_active_line_the_page_says_so_and_offers_the_form(client, line):
    VoiceLine.objects.update(active=False)
    page = client.get("/portal/callback/").content.decode()
    assert "Callbacks are not available at the moment." in page
    assert ask(client).status_code == 400
    assert CallbackRequest.objects.count() == 0


def test_a_signed_in_customer_is_answered_in_their_own_language(ana_client, ana, line):
    """The browser asks for English, the customer's profile says Tagalog: the page and its errors agree."""
    ana.language = "fil"
    ana.save()
    data = {"name": "Ana", "phone": "12", "preferred_start": "", "preferred_end": "", "website": ""}
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        response = ana_client.post("/portal/callback/", data, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    page = response.content.decode()
    assert '<html lang="fil">' in page
    assert "Hindi ito numero ng telepono na matatawagan namin." in page
    assert CallbackRequest.objects.count() == 0
