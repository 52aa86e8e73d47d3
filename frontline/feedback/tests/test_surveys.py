"""Surveys end to end: CSAT after solving, single-use expiring tokens, the public page, rules, NPS."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from frontline.accounts.testing import Api
from frontline.customers.factories import CustomerFactory
from frontline.escalations import services as escalations
from frontline.escalations.models import EscalationRun
from frontline.events.models import Event
from frontline.feedback import services
from frontline.feedback.models import SurveyInvitation, SurveyResponse
from frontline.tickets.models import Message
from frontline.tickets.services import ticket_update

pytestmark = pytest.mark.django_db


def solve(ticket, capture):
    with capture(execute=True):
        ticket_update(actor=None, ticket=ticket, status="solved")
    return SurveyInvitation.objects.get(ticket=ticket, kind="csat")


def token_of(ticket):
    body = Message.objects.filter(ticket=ticket, direction="outbound").latest("id").body_text
    return re.search(r"/survey/([\w-]+)/", body).group(1)


def test_solving_a_ticket_sends_csat_on_its_channel(make_ticket, people, django_capture_on_commit_callbacks):
    ticket = make_ticket(channel="sms")
    invitation = solve(ticket, django_capture_on_commit_callbacks)
    message = Message.objects.filter(ticket=ticket, direction="outbound").get()
    assert message.channel == "sms"
    assert "from 1 to 5" in message.body_text
    assert (invitation.agent, invitation.team, invitation.product, invitation.scale_high) == (
        people["agent"],
        people["team"],
        "Range hood",
        5,
    )
    assert invitation.expires_at == invitation.sent_at + timedelta(days=7)
    ticket.refresh_from_db()
    assert ticket.status == "solved"
    assert services.csat_send(ticket=ticket) is None  # once per ticket
    phone = make_ticket(channel="voice")
    assert solve(phone, django_capture_on_commit_callbacks).channel == "email"


def test_no_csat_when_the_plan_does_not_ask(people, django_capture_on_commit_callbacks):
    from frontline.tickets.services import ticket_create

    ticket = ticket_create(actor=None, requester=CustomerFactory(), subject="Hi", body_text="x")
    with django_capture_on_commit_callbacks(execute=True):
        ticket_update(actor=None, ticket=ticket, status="solved")
    assert not SurveyInvitation.objects.exists()


def test_survey_tokens_are_single_use_and_expire(make_ticket, django_capture_on_commit_callbacks):
    ticket = make_ticket()
    invitation = solve(ticket, django_capture_on_commit_callbacks)
    token = token_of(ticket)
    client = Client()
    page = client.get(f"/survey/{token}/")
    assert page.status_code == 200
    assert b'name="score"' in page.content
    assert b"csrfmiddlewaretoken" in page.content
    assert client.get("/survey/not-a-token/").status_code == 404
    answered = client.post(f"/survey/{token}/", {"score": "5", "comment": "Great"})
    assert answered.status_code == 200
    response = SurveyResponse.objects.get()
    assert (response.score, response.comment, response.is_low, response.agent_id) == (
        5,
        "Great",
        False,
        ticket.assignee_id,
    )
    assert client.get(f"/survey/{token}/").status_code == 410
    assert client.post(f"/survey/{token}/", {"score": "1"}).status_code == 410
    assert SurveyResponse.objects.count() == 1

    later = make_ticket()
    solve(later, django_capture_on_commit_callbacks)
    late_token = token_of(later)
    with time_machine.travel(invitation.sent_at + timedelta(days=7, seconds=1)):
        assert client.get(f"/survey/{late_token}/").status_code == 410
        with pytest.raises(services.SurveyGone):
            services.survey_respond(token=late_token, data={"score": "4"})
    assert SurveyResponse.objects.count() == 1


def test_the_page_refuses_posts_without_csrf_and_bad_answers(make_ticket, django_capture_on_commit_callbacks):
    ticket = make_ticket()
    solve(ticket, django_capture_on_commit_callbacks)
    token = token_of(ticket)
    assert Client(enforce_csrf_checks=True).post(f"/survey/{token}/", {"score": "5"}).status_code == 403
    bad = Client().post(f"/survey/{token}/", {"score": "9"})
    assert bad.status_code == 422
    assert b"Please choose one." in bad.content
    assert not SurveyResponse.objects.exists()


def test_a_negative_csat_runs_a_rule_on_feedback_received(
    make_ticket, people, django_capture_on_commit_callbacks
):
    """The plan's low-score threshold is 2: only a score of 2 or less records feedback.received.

    The rule is created through the rules API (feedback sits below rules in the layers).
    """
    supervisor = Api(people["lead"])
    created = supervisor.post(
        "/rules",
        {
            "name": "Unhappy customers",
            "kind": "trigger",
            "events": ["feedback.received"],
            "conditions": {"all": [{"field": "event.name", "op": "is", "value": "feedback.received"}]},
            "actions": [{"type": "add_tags", "tags": ["unhappy"]}],
        },
    )
    assert created.status_code == 201, created.content
    happy, unhappy = make_ticket(), make_ticket()
    for ticket, score in ((happy, "3"), (unhappy, "2")):
        solve(ticket, django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            assert Client().post(f"/survey/{token_of(ticket)}/", {"score": score}).status_code == 200
    assert list(unhappy.tags.values_list("name", flat=True)) == ["unhappy"]
    assert not happy.tags.exists()
    event = Event.objects.get(verb="feedback.received")
    assert (event.target_type, event.target_id, event.after["score"], event.after["is_low"]) == (
        "ticket",
        unhappy.pk,
        2,
        True,
    )
    runs = supervisor.get(f"/rules/{created.json()['id']}/runs").json()
    assert [(run["ticket_id"], run["outcome"]) for run in runs] == [(unhappy.pk, "matched")]


def test_a_low_score_on_an_open_ticket_starts_negative_feedback_chains(
    make_ticket, people, django_capture_on_commit_callbacks
):
    chain = escalations.chain_create(
        actor=None,
        name="Unhappy",
        trigger="negative_feedback",
        steps=[escalations.StepSpec(action="notify_team_lead")],
    )
    survey = services.survey_create(
        actor=None,
        name="Range hoods",
        product="Range hood",
        questions=[
            {"key": "quality", "label": "Quality", "kind": "scale", "low": 1, "high": 5, "required": True}
        ],
    )
    ticket = make_ticket()
    _, token = services.survey_invite(actor=None, survey=survey, customer=ticket.requester, ticket=ticket)
    with django_capture_on_commit_callbacks(execute=True):
        response = services.survey_respond(token=token, data={"quality": "1"})
    assert (response.score, response.is_low, response.product) == (1, True, "Range hood")
    run = EscalationRun.objects.get(chain=chain, ticket=ticket)
    assert (run.trigger, run.reason) == ("negative_feedback", "product score 1 of 5")


def test_nps_at_most_once_per_interval(people, plan_version, mailoutbox, django_capture_on_commit_callbacks):
    customer = CustomerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = services.nps_send(actor=None, customer=customer)
    assert (invitation.scale_low, invitation.scale_high, invitation.low_score) == (0, 10, 6)
    assert token in mailoutbox[0].body
    from frontline.core.errors import Conflict

    with pytest.raises(Conflict):
        services.nps_send(actor=None, customer=customer)
    with time_machine.travel(timezone.now() + timedelta(days=91)):
        services.nps_send(actor=None, customer=customer)
    assert SurveyInvitation.objects.filter(kind="nps").count() == 2
