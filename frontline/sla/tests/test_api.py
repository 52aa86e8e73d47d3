"""The SLA endpoints: success, bad input, callers who must not see or change things."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from frontline.accounts.factories import TeamFactory, staff
from frontline.accounts.models import Role
from frontline.customers.factories import CustomerFactory
from frontline.events.models import Event
from frontline.sla import services
from frontline.sla.models import BusinessCalendarConfig, SlaClock, SlaPolicy
from frontline.sla.tests.conftest import Api
from frontline.tickets.services import ticket_create

pytestmark = pytest.mark.django_db

MANILA = ZoneInfo("Asia/Manila")
WEEKDAYS = {str(day): [["09:00", "18:00"]] for day in range(5)}


@pytest.fixture
def calendar():
    return services.business_calendar_create(
        actor=None,
        name="Manila office",
        timezone_name="Asia/Manila",
        weekly_hours=WEEKDAYS,
        holiday_country="PH",
    )


@pytest.fixture
def policy(calendar):
    return services.sla_policy_create(
        actor=None, name="Standard", first_response_minutes=240, resolution_minutes=480, calendar=calendar
    )


@pytest.fixture
def team():
    return TeamFactory(name="Appliances")


@pytest.fixture
def agent_api(team):
    return Api(staff(Role.AGENT, teams=[team]))


@pytest.fixture
def supervisor_api():
    return Api(staff(Role.SUPERVISOR))


def _ticket(django_capture_on_commit_callbacks, at, **kwargs):
    with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
        return ticket_create(
            actor=None, requester=CustomerFactory(), subject="Aircon", created_at=at, **kwargs
        )


def _error(response, status):
    assert response.status_code == status, response.content
    return response.json()["error"]


def test_staff_see_a_tickets_clocks_with_elapsed_and_remaining_time(
    agent_api, team, policy, django_capture_on_commit_callbacks
):
    ticket = _ticket(django_capture_on_commit_callbacks, datetime(2026, 9, 1, 9, 0, tzinfo=MANILA), team=team)
    with time_machine.travel(datetime(2026, 9, 1, 10, 30, tzinfo=MANILA), tick=False):
        response = agent_api.get(f"/tickets/{ticket.pk}/sla")
    assert response.status_code == 200
    clocks = {clock["metric"]: clock for clock in response.json()}
    first = clocks["first_response"]
    assert (first["state"], first["target_minutes"], first["business_time"]) == ("running", 240, True)
    assert first["due_at"] == "2026-09-01T05:00:00+00:00"
    assert (first["elapsed_seconds"], first["remaining_seconds"]) == (5400.0, 9000.0)
    assert (clocks["resolution"]["elapsed_seconds"], clocks["resolution"]["remaining_seconds"]) == (
        5400.0,
        23400.0,
    )


def test_a_ticket_the_caller_may_not_see_is_not_found(agent_api, policy, django_capture_on_commit_callbacks):
    private = TeamFactory(name="Legal", is_private=True)
    ticket = _ticket(
        django_capture_on_commit_callbacks, datetime(2026, 9, 1, 9, 0, tzinfo=MANILA), team=private
    )
    assert _error(agent_api.get(f"/tickets/{ticket.pk}/sla"), 404)["code"] == "not_found"
    assert _error(agent_api.get("/tickets/-1/sla"), 404)["code"] == "not_found"


def test_supervisors_create_calendars_and_policies_that_staff_list(supervisor_api, agent_api):
    response = supervisor_api.post(
        "/sla/calendars",
        {
            "name": "Sydney",
            "timezone": "Australia/Sydney",
            "weekly_hours": WEEKDAYS,
            "holiday_country": "AU",
            "holiday_subdivision": "NSW",
            "extra_holidays": ["2026-12-24"],
        },
    )
    assert response.status_code == 201, response.content
    calendar = response.json()
    assert (calendar["timezone"], calendar["holiday_subdivision"]) == ("Australia/Sydney", "NSW")
    response = supervisor_api.post(
        "/sla/policies",
        {
            "name": "Urgent",
            "conditions": [{"field": "priority", "op": "eq", "value": "urgent"}],
            "first_response_minutes": 30,
            "calendar_id": calendar["id"],
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["paused_statuses"], created["at_risk_ratio"], created["plan_version_id"]) == (
        ["pending", "on_hold"],
        0.75,
        None,
    )
    listed = agent_api.get("/sla/policies")
    assert [p["name"] for p in listed.json()] == ["Urgent"]
    assert [c["name"] for c in agent_api.get("/sla/calendars").json()] == ["Sydney"]
    assert Event.objects.filter(verb__in=["sla_policy.created", "business_calendar.created"]).count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"timezone": "Mars/Olympus", "weekly_hours": WEEKDAYS}, "timezone"),
        ({"timezone": "Asia/Manila", "weekly_hours": {"0": [["18:00", "09:00"]]}}, "weekly_hours"),
        ({"timezone": "Asia/Manila", "weekly_hours": {"Monday": [["09:00", "18:00"]]}}, "weekly_hours"),
        ({"timezone": "Asia/Manila", "weekly_hours": WEEKDAYS, "holiday_country": "XX"}, "holiday_country"),
        ({"timezone": "Asia/Manila", "weekly_hours": WEEKDAYS, "overrides": {"2026-13-01": []}}, "overrides"),
        ({"timezone": "Asia/Manila"}, "weekly_hours"),
    ],
)
def test_a_bad_calendar_is_refused_with_its_field(supervisor_api, body, field):
    response = supervisor_api.post("/sla/calendars", {"name": "Bad", **body})
    assert _error(response, 422)["field"] == field
    assert not BusinessCalendarConfig.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"first_response_minutes": 30, "calendar_id": -1}, "calendar_id"),
        ({"first_response_minutes": 30, "business_time": True}, "calendar_id"),
        ({"first_response_minutes": 0, "business_time": False}, "first_response_minutes"),
        ({"business_time": False}, "first_response_minutes"),
        ({"first_response_minutes": 30, "business_time": False, "at_risk_ratio": 1.5}, "at_risk_ratio"),
        ({"first_response_minutes": 30, "business_time": False, "plan_version_id": -1}, "plan_version_id"),
        (
            {
                "first_response_minutes": 30,
                "business_time": False,
                "conditions": [{"field": "mood", "op": "eq", "value": "x"}],
            },
            "conditions",
        ),
    ],
)
def test_a_bad_policy_is_refused_with_its_field(supervisor_api, body, field):
    response = supervisor_api.post("/sla/policies", {"name": "Bad", **body})
    assert _error(response, 422)["field"] == field
    assert not SlaPolicy.objects.exists()


def test_agents_may_not_create_policies_or_calendars(agent_api, calendar):
    response = agent_api.post(
        "/sla/policies", {"name": "Mine", "first_response_minutes": 1, "calendar_id": calendar.pk}
    )
    assert _error(response, 403)["code"] == "forbidden"
    response = agent_api.post("/sla/calendars", {"name": "Mine", "timezone": "UTC", "weekly_hours": WEEKDAYS})
    assert _error(response, 403)["code"] == "forbidden"
    assert not SlaPolicy.objects.exists()
    assert BusinessCalendarConfig.objects.count() == 1


def test_supervisors_reapply_the_current_policy_and_agents_may_not(
    supervisor_api, agent_api, team, policy, django_capture_on_commit_callbacks
):
    ticket = _ticket(django_capture_on_commit_callbacks, datetime(2026, 9, 1, 9, 0, tzinfo=MANILA), team=team)
    SlaPolicy.objects.filter(pk=policy.pk).update(first_response_minutes=120)
    assert _error(agent_api.post(f"/tickets/{ticket.pk}/sla/reapply"), 403)["code"] == "forbidden"
    assert SlaClock.objects.get(ticket=ticket, metric="first_response").target_minutes == 240
    with time_machine.travel(datetime(2026, 9, 1, 10, 0, tzinfo=MANILA), tick=False):
        response = supervisor_api.post(f"/tickets/{ticket.pk}/sla/reapply")
    assert response.status_code == 200, response.content
    first = next(clock for clock in response.json() if clock["metric"] == "first_response")
    assert (first["target_minutes"], first["due_at"], first["remaining_seconds"]) == (
        120,
        "2026-09-01T03:00:00+00:00",
        3600.0,
    )
    assert _error(supervisor_api.post("/tickets/-1/sla/reapply"), 404)["code"] == "not_found"


def test_listing_policies_costs_a_fixed_number_of_queries(agent_api, calendar, django_assert_max_num_queries):
    for position in range(5):
        services.sla_policy_create(
            actor=None, name=f"P{position}", position=position, first_response_minutes=10, calendar=calendar
        )
    with django_assert_max_num_queries(8):
        response = agent_api.get("/sla/policies")
    assert len(response.json()) == 5
