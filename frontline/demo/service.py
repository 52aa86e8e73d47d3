"""The demo company's live service set-up: hours, SLAs, the escalation list, managers on call, queues.

Created after the historical tickets are committed, so the history is not measured against SLAs
that did not exist then, and only new contacts are routed and escalated.
"""

from __future__ import annotations

from datetime import time, timedelta

from django.db import transaction

from frontline.accounts.models import Team, User
from frontline.demo.conversations import SALES, SUPPORT
from frontline.escalations import services as escalations
from frontline.escalations.services import Person, StepSpec
from frontline.routing.models import Queue
from frontline.sla import services as sla


@transaction.atomic
def setup_service(*, admin: User, teams: dict[str, Team], leads: dict[str, User]) -> None:
    calendar = sla.business_calendar_create(
        actor=admin,
        name="Manila office",
        timezone_name="Asia/Manila",
        weekly_hours={
            **{str(day): [["08:00", "12:00"], ["13:00", "18:00"]] for day in range(5)},
            "5": [["09:00", "13:00"]],
        },
        holiday_country="PH",
    )
    sla.sla_policy_create(
        actor=admin,
        name="Urgent and high",
        position=10,
        conditions_json=[{"field": "priority", "op": "gte", "value": "high"}],
        first_response_minutes=60,
        next_response_minutes=120,
        resolution_minutes=8 * 60,
        calendar=calendar,
    )
    sla.sla_policy_create(
        actor=admin,
        name="Standard",
        position=100,
        first_response_minutes=4 * 60,
        next_response_minutes=8 * 60,
        resolution_minutes=3 * 9 * 60,
        calendar=calendar,
    )
    roster = escalations.roster_create(actor=admin, name="Managers on call", timezone_name="Asia/Manila")
    rowena, ramon = leads[SALES], leads[SUPPORT]
    escalations.shift_add(
        actor=admin,
        roster=roster,
        person=Person(name=rowena.get_full_name(), user=rowena, phone="+639171110001"),
        weekdays=["mon", "tue", "wed"],
        start=time(0),
        end=time(0),
    )
    escalations.shift_add(
        actor=admin,
        roster=roster,
        person=Person(name=ramon.get_full_name(), user=ramon, phone="+639171110002"),
        weekdays=["thu", "fri", "sat", "sun"],
        start=time(0),
        end=time(0),
    )
    escalations.chain_create(
        actor=admin,
        name="SLA breach ladder",
        trigger="sla_breached",
        calendar=calendar,
        roster=roster,
        steps=[
            StepSpec("notify_assignee", message="The SLA is breached: answer the customer now."),
            StepSpec("notify_team_lead", timedelta(minutes=30), business_time=True),
            StepSpec("raise_priority", timedelta(hours=1), business_time=True),
            StepSpec("page_on_call", timedelta(hours=2), business_time=True),
        ],
    )
    escalations.chain_create(
        actor=admin,
        name="Urgent: tell the lead",
        trigger="urgent",
        roster=roster,
        steps=[StepSpec("notify_team_lead"), StepSpec("page_on_call", timedelta(minutes=30))],
    )
    Queue.objects.create(name="Phone", channel="voice", strategy="longest_idle", wrap_up_seconds=60)
    Queue.objects.create(name="Chat", channel="chat", strategy="ring_all", wrap_up_seconds=30)
    del teams  # queues serve everyone for now: the demo's teams share the phone and chat lines
