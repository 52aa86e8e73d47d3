"""The provider-neutral CTI event API: a PBX bridge drives calls; times are exact; access is limited."""

from datetime import timedelta

import pytest
import time_machine

from frontline.accounts.factories import staff
from frontline.accounts.models import Role
from frontline.accounts.testing import Api
from frontline.connectors.voice.models import CallEvent, CallRecord
from frontline.connectors.voice.tests.conftest import T0
from frontline.customers.factories import CustomerFactory, portal_user
from frontline.routing.models import AgentPresence, Interaction, Queue
from frontline.routing.tests.conftest import make_agent

pytestmark = pytest.mark.django_db


def s(seconds):
    return T0 + timedelta(seconds=seconds)


@pytest.fixture
def bridge():
    return Api(staff(Role.SUPERVISOR, username="pbx-bridge"))


@pytest.fixture
def send(bridge, django_capture_on_commit_callbacks):
    def post(moment, body, api=None):
        with (
            time_machine.travel(moment + timedelta(seconds=1), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            return (api or bridge).post("/cti/events", body)

    return post


def event(line, name, at, **extra):
    return {"line_id": line.pk, "call_id": "1700000000.42", "event": name, "at": at.isoformat(), **extra}


def test_offered_answered_held_resumed_ended_records_exact_times(send, cti_line):
    with time_machine.travel(s(-60), tick=False):
        ana = make_agent(available_at=s(-60))
    offered = send(s(0), event(cti_line, "offered", s(0), **{"from": "09171234567", "to": "+6328999000"}))
    assert offered.status_code == 200, offered.json()
    assert offered.json()["call"]["status"] == "queued"
    for name, at in (("answered", s(30)), ("held", s(60)), ("resumed", s(90))):
        response = send(at, event(cti_line, name, at, agent_id=ana.pk))
        assert response.status_code == 200, response.json()
    assert AgentPresence.objects.get(user=ana).state == "busy"
    ended = send(s(150), event(cti_line, "ended", s(150)))
    body = ended.json()["call"]
    assert (body["wait_seconds"], body["talk_seconds"], body["hold_seconds"]) == (30, 90, 30)
    assert body["status"] == "ended"
    call = CallRecord.objects.select_related("interaction__customer").get()
    assert (call.queued_at, call.answered_at, call.ended_at) == (s(0), s(30), s(150))
    assert call.interaction.customer.contact_points.get().normalized == "+639171234567"
    assert (call.interaction.state, call.interaction.agent, call.interaction.answered_at) == (
        "wrap_up",
        ana,
        s(30),
    )


def test_the_same_event_again_is_a_duplicate_and_changes_nothing(send, cti_line):
    first = send(s(0), event(cti_line, "offered", s(0), **{"from": "+639171234567"}))
    again = [send(s(5), event(cti_line, "offered", s(0), **{"from": "+639171234567"})) for _ in range(2)]
    assert [r.json()["duplicate"] for r in (first, *again)] == [False, True, True]
    assert {r.json()["event_id"] for r in (first, *again)} == {first.json()["event_id"]}
    assert (CallEvent.objects.count(), CallRecord.objects.count(), Interaction.objects.count()) == (1, 1, 1)


def test_answered_by_someone_else_than_the_acd_offered_it_to(send, cti_line):
    with time_machine.travel(s(-60), tick=False):
        ana = make_agent(available_at=s(-60))
        ben = make_agent(available_at=s(-30))
    send(s(0), event(cti_line, "offered", s(0), **{"from": "+639171234567"}))
    interaction = Interaction.objects.get()
    assert (interaction.state, interaction.agent) == ("offered", ana)  # longest idle
    response = send(s(8), event(cti_line, "answered", s(8), agent_id=ben.pk))
    assert response.status_code == 200, response.json()
    interaction.refresh_from_db()
    assert (interaction.state, interaction.agent, interaction.answered_at) == ("connected", ben, s(8))
    assert AgentPresence.objects.get(user=ben).state == "busy"
    assert AgentPresence.objects.get(user=ana).state == "available"


def test_a_transfer_ends_the_first_leg_and_waits_in_the_target_queue(send, cti_line):
    billing = Queue.objects.create(name="Billing", channel="voice")
    with time_machine.travel(s(-60), tick=False):
        ana = make_agent(available_at=s(-60))
    send(s(0), event(cti_line, "offered", s(0), **{"from": "+639171234567"}))
    send(s(10), event(cti_line, "answered", s(10), agent_id=ana.pk))
    response = send(s(70), event(cti_line, "transferred", s(70), target_queue_id=billing.pk))
    assert response.status_code == 200, response.json()
    first, second = Interaction.objects.order_by("id")
    assert (first.state, first.outcome, first.ended_at) == ("wrap_up", "transferred", s(70))
    assert (second.queue, second.state, second.external_id) == (billing, "waiting", "1700000000.42#2")
    call = CallRecord.objects.get()
    assert (call.interaction, call.legs, call.status) == (second, 2, "queued")


def test_abandoned_while_waiting(send, cti_line):
    send(s(0), event(cti_line, "offered", s(0), **{"from": "+639171234567"}))
    body = send(s(25), event(cti_line, "abandoned", s(25))).json()["call"]
    assert (body["status"], body["wait_seconds"], body["talk_seconds"]) == ("abandoned", 25, None)
    assert Interaction.objects.get().state == "abandoned"


@pytest.mark.parametrize(
    ("name", "extra", "field"),
    [
        ("answered", {}, "agent_id"),
        ("answered", {"agent_id": -1}, "agent_id"),
        ("transferred", {"target_queue_id": -1}, "target_queue_id"),
        ("ringing", {}, "event"),
    ],
)
def test_bad_events_are_refused_and_nothing_is_stored(send, cti_line, name, extra, field):
    send(s(0), event(cti_line, "offered", s(0), **{"from": "+639171234567"}))
    response = send(s(5), event(cti_line, name, s(5), **extra))
    assert response.status_code == 422
    assert response.json()["error"]["field"] == field
    assert CallEvent.objects.count() == 1


def test_an_event_for_an_unknown_call_is_404(send, cti_line):
    response = send(s(5), event(cti_line, "ended", s(5)))
    assert response.status_code == 404
    assert CallEvent.objects.count() == 0


def test_access_only_supervisors_and_admins_with_write_tokens(client, send, cti_line):
    body = event(cti_line, "offered", s(0), **{"from": "+639171234567"})
    assert client.post("/api/v1/cti/events", body, content_type="application/json").status_code == 401
    assert send(s(0), body, api=Api(staff(Role.AGENT))).status_code == 403
    assert send(s(0), body, api=Api(portal_user(CustomerFactory()))).status_code == 403
    assert send(s(0), body, api=Api(staff(Role.SUPERVISOR), scope="read")).status_code == 403
    assert CallEvent.objects.count() == 0
    assert send(s(0), body, api=Api(staff(Role.ADMIN))).status_code == 200
