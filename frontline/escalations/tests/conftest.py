"""Escalation test helpers: a Manila calendar, teams with leads, a roster, and a time-travelling step."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from frontline.accounts.factories import TeamFactory, staff
from frontline.accounts.models import Role
from frontline.escalations import services
from frontline.sla import services as sla

MANILA = ZoneInfo("Asia/Manila")


def manila(*args):
    return datetime(*args, tzinfo=MANILA)


@pytest.fixture
def calendar():
    return sla.business_calendar_create(
        actor=None,
        name="Manila office",
        timezone_name="Asia/Manila",
        weekly_hours={str(day): [["09:00", "18:00"]] for day in range(5)},
        holiday_country="PH",
    )


@pytest.fixture
def people():
    lead = staff(Role.SUPERVISOR, email="lead@staff.example.test", first_name="Lea", last_name="Lead")
    team = TeamFactory(name="Front line", lead=lead)
    tier2_lead = staff(Role.SUPERVISOR, email="t2@staff.example.test")
    tier2 = TeamFactory(name="Tier 2", lead=tier2_lead)
    agent = staff(Role.AGENT, teams=[team], email="agent@staff.example.test")
    manager = staff(
        Role.SUPERVISOR, email="manager@staff.example.test", first_name="Mara", last_name="Manager"
    )
    return {"lead": lead, "team": team, "tier2": tier2, "agent": agent, "manager": manager}


@pytest.fixture
def roster(people):
    roster = services.roster_create(actor=None, name="Managers", timezone_name="Asia/Manila")
    services.shift_add(
        actor=None,
        roster=roster,
        person=services.Person(name="Mara Manager", user=people["manager"], phone="+639171234567"),
        weekdays=["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        start=time(0, 0),
        end=time(0, 0),
    )
    return roster


@pytest.fixture
def step(django_capture_on_commit_callbacks):
    """Run `fn` at aware time `at` (frozen), with after-commit listeners running as in production."""

    def run(at, fn, *args, **kwargs):
        with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run
