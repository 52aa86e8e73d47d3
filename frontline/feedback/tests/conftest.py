"""Feedback test set-up: a plan that asks CSAT on a 1–5 scale, a team with a lead and an agent."""

import pytest

from frontline.accounts.factories import TeamFactory, staff
from frontline.accounts.models import Role
from frontline.customers.factories import CustomerFactory
from frontline.plans import services as plans
from frontline.tickets.services import ticket_create

FEEDBACK = {
    "csat": {"enabled": True, "scale": 5, "low_score": 2},
    "nps": {"interval_days": 90},
    "token_days": 7,
}


@pytest.fixture
def plan_version():
    plan = plans.plan_create(actor=None, name="Everyone")
    version = plans.plan_version_draft(actor=None, plan=plan, settings={"feedback": FEEDBACK})
    return plans.plan_version_activate(actor=None, version=version)


@pytest.fixture
def people():
    team = TeamFactory(name="Front line")
    lead = staff(Role.SUPERVISOR, teams=[team])
    team.lead = lead
    team.save()
    return {"team": team, "lead": lead, "agent": staff(Role.AGENT, teams=[team]), "admin": staff(Role.ADMIN)}


@pytest.fixture
def make_ticket(plan_version, people):
    def make(channel="email", product="Range hood", customer=None, **kwargs):
        return ticket_create(
            actor=None,
            requester=customer or CustomerFactory(),
            subject="Range hood arrived dented",
            body_text="Please help",
            channel=channel,
            team=people["team"],
            assignee=people["agent"],
            product=product,
            **kwargs,
        )

    return make
