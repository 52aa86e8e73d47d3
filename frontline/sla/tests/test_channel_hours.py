"""Channel hours: configured per plan version or for every plan, read as availability and reply times."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError
from django.test import Client
from django.utils import timezone

from frontline.accounts.factories import staff
from frontline.accounts.models import Role
from frontline.core.errors import Invalid
from frontline.customers.factories import CustomerFactory, portal_user
from frontline.events.models import Event
from frontline.plans import services as plans
from frontline.sla import services
from frontline.sla.models import ChannelHours, SlaClock
from frontline.sla.selectors import channel_availability, expected_reply_at
from frontline.sla.tests.conftest import Api
from frontline.tickets.services import ticket_create

pytestmark = pytest.mark.django_db

MANILA = ZoneInfo("Asia/Manila")
WEEKDAYS = {str(day): [["09:00", "18:00"]] for day in range(5)}
MORNINGS = {str(day): [["08:00", "12:00"]] for day in range(6)}
FRIDAY_EVENING = datetime(2026, 11, 27, 19, 0, tzinfo=MANILA)  # Monday 30 November is Bonifacio Day


@pytest.fixture
def office():
    return services.business_calendar_create(
        actor=None,
        name="Manila office",
        timezone_name="Asia/Manila",
        weekly_hours=WEEKDAYS,
        holiday_country="PH",
    )


@pytest.fixture
def mornings():
    return services.business_calendar_create(
        actor=None, name="Mornings", timezone_name="Asia/Manila", weekly_hours=MORNINGS
    )


@pytest.fixture
def premium_version():
    plan = plans.plan_create(actor=None, name="Premium")
    draft = plans.plan_version_draft(actor=None, plan=plan)
    return plans.plan_version_activate(actor=None, version=draft, at=timezone.now() - timedelta(days=400))


def test_a_plan_versions_hours_win_over_the_default_which_wins_over_always_open(
    office, mornings, premium_version
):
    customer = CustomerFactory()
    at = datetime(2026, 11, 24, 13, 0, tzinfo=MANILA)  # Tuesday afternoon
    assert channel_availability(channel="voice", customer=customer, at=at).is_always_open

    services.channel_hours_create(actor=None, channel="voice", calendar=office, outside_hours="both")
    default = channel_availability(channel="voice", customer=customer, at=at)
    assert (default.is_open, default.opens_at, default.closes_at, default.offers, default.timezone) == (
        True,
        None,
        datetime(2026, 11, 24, 18, 0, tzinfo=MANILA),
        (),
        "Asia/Manila",
    )

    own = services.channel_hours_create(
        actor=None, channel="voice", calendar=mornings, outside_hours="callback", plan_version=premium_version
    )
    found = channel_availability(channel="voice", customer=customer, at=at)
    assert found.channel_hours == own
    assert (found.is_open, found.opens_at, found.offers) == (
        False,
        datetime(2026, 11, 25, 8, 0, tzinfo=MANILA),
        ("callback",),
    )
    assert found.plan_version_id == premium_version.pk


def test_outside_hours_phone_offers_both_voicemail_and_callback(office):
    services.channel_hours_create(actor=None, channel="voice", calendar=office, outside_hours="both")
    found = channel_availability(channel="voice", at=FRIDAY_EVENING)
    assert (found.is_open, found.opens_at, found.offers) == (
        False,
        datetime(2026, 12, 1, 9, 0, tzinfo=MANILA),
        ("voicemail", "callback"),
    )


@pytest.mark.parametrize(
    ("channel", "offer", "field"),
    [
        ("voice", "leave_message", "outside_hours"),
        ("chat", "voicemail", "outside_hours"),
        ("email", "callback", "outside_hours"),
        ("fax", "acknowledge", "channel"),
    ],
)
def test_an_offer_that_does_not_fit_the_channel_is_refused(office, channel, offer, field):
    with pytest.raises(Invalid) as caught:
        services.channel_hours_create(actor=None, channel=channel, calendar=office, outside_hours=offer)
    assert caught.value.field == field
    assert not ChannelHours.objects.exists()


def test_the_database_keeps_one_default_row_per_channel_and_fitting_offers(office):
    ChannelHours.objects.create(channel="chat", calendar=office, outside_hours="leave_message")
    with pytest.raises(IntegrityError):
        ChannelHours.objects.create(channel="chat", calendar=office, outside_hours="callback")


def test_the_database_refuses_an_offer_that_does_not_fit(office):
    with pytest.raises(IntegrityError):
        ChannelHours.objects.create(channel="email", calendar=office, outside_hours="voicemail")


def _policy(office, minutes=120):
    return services.sla_policy_create(
        actor=None, name="Standard", first_response_minutes=minutes, resolution_minutes=2400, calendar=office
    )


def _ticket(at, channel="email", capture=None):
    with time_machine.travel(at, tick=False):
        return ticket_create(
            actor=None, requester=CustomerFactory(), subject="Aircon", channel=channel, created_at=at
        )


def test_expected_reply_is_computed_from_the_policy_before_the_clock_exists(office):
    _policy(office)
    ticket = _ticket(FRIDAY_EVENING)
    assert not SlaClock.objects.filter(ticket=ticket).exists()
    # Two business hours from Tuesday 09:00 (Monday is a holiday).
    assert expected_reply_at(ticket, at=FRIDAY_EVENING) == datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


def test_expected_reply_is_the_frozen_clocks_due_time(office, django_capture_on_commit_callbacks):
    policy = _policy(office)
    # The clock's after-commit work runs on Friday evening too: on a later real date the due time
    # would have passed and the clock would already be breached.
    with time_machine.travel(FRIDAY_EVENING, tick=False), django_capture_on_commit_callbacks(execute=True):
        ticket = _ticket(FRIDAY_EVENING)
    clock = SlaClock.objects.get(ticket=ticket, metric="first_response")
    assert clock.due_at == datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    policy.first_response_minutes = 30  # a later policy change does not move a started clock
    policy.save()
    assert expected_reply_at(ticket, at=FRIDAY_EVENING) == clock.due_at


def test_expected_reply_is_never_before_the_channel_opens(office, mornings):
    services.sla_policy_create(
        actor=None, name="Around the clock", first_response_minutes=60, business_time=False
    )
    services.channel_hours_create(actor=None, channel="email", calendar=mornings, outside_hours="acknowledge")
    saturday_evening = datetime(2026, 11, 28, 20, 0, tzinfo=MANILA)
    ticket = _ticket(saturday_evening)
    # Due Saturday 21:00 by the SLA, but email is answered from Monday 08:00.
    assert expected_reply_at(ticket, at=saturday_evening) == datetime(2026, 11, 30, 0, 0, tzinfo=UTC)


def test_no_first_response_target_promises_nothing(office):
    services.sla_policy_create(actor=None, name="Resolution only", resolution_minutes=600, calendar=office)
    assert expected_reply_at(_ticket(FRIDAY_EVENING), at=FRIDAY_EVENING) is None


# --- API


@pytest.fixture
def supervisor_api():
    return Api(staff(Role.SUPERVISOR))


@pytest.fixture
def agent_api():
    return Api(staff(Role.AGENT))


def _error(response, status):
    assert response.status_code == status, response.content
    return response.json()["error"]


def test_supervisors_create_list_change_and_remove_channel_hours(
    supervisor_api, office, mornings, premium_version
):
    response = supervisor_api.post(
        "/sla/channel-hours",
        {
            "channel": "phone",
            "calendar_id": office.pk,
            "outside_hours": "both",
            "plan_version_id": premium_version.pk,
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert (
        created["channel"],
        created["calendar_id"],
        created["outside_hours"],
        created["plan_version_id"],
    ) == (
        "voice",
        office.pk,
        "both",
        premium_version.pk,
    )
    assert [row["id"] for row in supervisor_api.get("/sla/channel-hours").json()] == [created["id"]]
    response = supervisor_api.patch(
        f"/sla/channel-hours/{created['id']}", {"calendar_id": mornings.pk, "outside_hours": "voicemail"}
    )
    assert response.status_code == 200, response.content
    assert (response.json()["calendar_id"], response.json()["outside_hours"]) == (mornings.pk, "voicemail")
    event = Event.objects.get(verb="channel_hours.updated")
    assert (event.before, event.after) == (
        {"calendar": office.pk, "outside_hours": "both"},
        {"calendar": mornings.pk, "outside_hours": "voicemail"},
    )
    assert supervisor_api.delete(f"/sla/channel-hours/{created['id']}").status_code == 204
    assert not ChannelHours.objects.exists()
    assert Event.objects.filter(verb__startswith="channel_hours.").count() == 3


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"channel": "chat", "outside_hours": "voicemail"}, "outside_hours"),
        ({"channel": "pigeon", "outside_hours": "acknowledge"}, "channel"),
        ({"channel": "email", "outside_hours": "acknowledge", "calendar_id": -1}, "calendar_id"),
        ({"channel": "email", "outside_hours": "acknowledge", "plan_version_id": -1}, "plan_version_id"),
        ({"channel": "email", "outside_hours": "acknowledge", "calendar_id": "x"}, "calendar_id"),
    ],
)
def test_bad_channel_hours_are_422_naming_the_field(supervisor_api, office, body, field):
    error = _error(supervisor_api.post("/sla/channel-hours", {"calendar_id": office.pk, **body}), 422)
    assert error["field"] == field
    assert not ChannelHours.objects.exists()


def test_a_second_default_row_for_a_channel_is_422(supervisor_api, office):
    services.channel_hours_create(actor=None, channel="email", calendar=office, outside_hours="acknowledge")
    body = {"channel": "email", "calendar_id": office.pk, "outside_hours": "acknowledge"}
    assert _error(supervisor_api.post("/sla/channel-hours", body), 422)["field"] == "channel"
    assert ChannelHours.objects.count() == 1


def test_agents_read_but_do_not_change_channel_hours_and_anonymous_callers_are_401(agent_api, office):
    row = services.channel_hours_create(
        actor=None, channel="email", calendar=office, outside_hours="acknowledge"
    )
    assert agent_api.get("/sla/channel-hours").status_code == 200
    body = {"channel": "chat", "calendar_id": office.pk, "outside_hours": "callback"}
    _error(agent_api.post("/sla/channel-hours", body), 403)
    _error(agent_api.patch(f"/sla/channel-hours/{row.pk}", {"outside_hours": "acknowledge"}), 403)
    _error(agent_api.delete(f"/sla/channel-hours/{row.pk}"), 403)
    anonymous = Client()
    assert anonymous.get("/api/v1/sla/channel-hours").status_code == 401
    assert anonymous.get("/api/v1/channels/availability", {"channel": "phone"}).status_code == 401
    response = anonymous.post("/api/v1/sla/channel-hours", data=body, content_type="application/json")
    assert response.status_code == 401
    assert list(ChannelHours.objects.values_list("channel", flat=True)) == ["email"]


def test_staff_see_availability_with_its_source(agent_api, office):
    row = services.channel_hours_create(actor=None, channel="voice", calendar=office, outside_hours="both")
    with time_machine.travel(FRIDAY_EVENING, tick=False):
        response = agent_api.get("/channels/availability", channel="phone")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "channel": "voice",
        "is_open": False,
        "is_always_open": False,
        "opens_at": "2026-12-01T09:00:00+08:00",
        "closes_at": "2026-12-01T18:00:00+08:00",
        "offers": ["voicemail", "callback"],
        "timezone": "Asia/Manila",
        "source": {"channel_hours_id": row.pk, "calendar_id": office.pk, "plan_version_id": None},
    }


def test_a_customer_sees_availability_without_the_staff_fields(office):
    services.channel_hours_create(actor=None, channel="chat", calendar=office, outside_hours="leave_message")
    customer_api = Api(portal_user(CustomerFactory()))
    response = customer_api.get("/channels/availability", channel="chat", at="2026-11-24T10:00:00+08:00")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["is_open"], body["closes_at"], body["offers"], body["source"]) == (
        True,
        "2026-11-24T18:00:00+08:00",
        [],
        None,
    )
    _error(customer_api.get("/channels/availability", channel="chat", customer_id=-1), 404)


def test_availability_of_an_unknown_channel_is_422(agent_api):
    assert _error(agent_api.get("/channels/availability", channel="pigeon"), 422)["field"] == "channel"
