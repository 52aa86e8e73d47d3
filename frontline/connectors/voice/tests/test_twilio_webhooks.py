"""Twilio Voice webhooks end to end: signed payloads in Twilio's form encoding, TwiML answers, routing."""

from datetime import timedelta
from xml.etree import ElementTree

import pytest
import time_machine

from frontline.connectors.voice.models import CallbackRequest, CallEvent, CallRecord
from frontline.connectors.voice.tests.conftest import AUTH_TOKEN, CALL_SID, T0, form, twilio_post
from frontline.connectors.voice.twilio import compute_signature
from frontline.customers.factories import CustomerFactory
from frontline.customers.models import ContactPoint, Customer
from frontline.events.models import Event
from frontline.routing import services as routing
from frontline.routing.models import AgentPresence, Interaction
from frontline.routing.tests.conftest import make_agent
from frontline.tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db


def s(seconds):
    return T0 + timedelta(seconds=seconds)


@pytest.fixture
def at(client, django_capture_on_commit_callbacks):
    """Post to a Twilio endpoint at a frozen moment, running after-commit work (routing) inline."""

    def post(moment, line, endpoint, pairs, **kwargs):
        with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
            return twilio_post(client, line, endpoint, pairs, **kwargs)

    return post


def twiml(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/xml")
    return ElementTree.fromstring(response.content.decode().split("?>", 1)[1])  # noqa: S314  # our own output


def test_a_bad_signature_answers_403_and_stores_nothing(client, line):
    calls = (
        CallEvent.objects.count(),
        CallRecord.objects.count(),
        Interaction.objects.count(),
        Ticket.objects.count(),
    )
    response = twilio_post(client, line, "incoming", form("incoming-call"), token="someone-elses-token")
    assert response.status_code == 403
    missing = twilio_post(client, line, "status", form("status-completed"), signature="")
    assert missing.status_code == 403
    assert (
        (
            CallEvent.objects.count(),
            CallRecord.objects.count(),
            Interaction.objects.count(),
            Ticket.objects.count(),
        )
        == calls
        == (0, 0, 0, 0)
    )
    assert Customer.objects.count() == 0


def test_a_changed_parameter_breaks_the_signature(client, line):
    signed = compute_signature(
        f"https://frontline.example.test/voice/twilio/{line.pk}/incoming", form("incoming-call"), AUTH_TOKEN
    )
    tampered = form("incoming-call", From="+639999999999")
    assert twilio_post(client, line, "incoming", tampered, signature=signed).status_code == 403
    assert CallEvent.objects.count() == 0


def test_the_same_incoming_delivery_three_times_stores_one_call(at, line):
    responses = [at(s(i), line, "incoming", form("incoming-call")) for i in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert CallEvent.objects.count() == 1
    assert CallRecord.objects.count() == 1
    assert Interaction.objects.filter(external_id=CALL_SID).count() == 1
    assert Interaction.objects.count() == 1  # the voice ticket did not also enqueue itself
    assert Ticket.objects.count() == 1
    assert Event.objects.filter(verb="call.started").count() == 1


def test_incoming_call_greets_announces_place_and_wait_and_offers_the_menu(at, line, voice_queue):
    ana = make_agent(available_at=s(-600))
    busy = routing.interaction_enqueue(
        queue=voice_queue, customer=CustomerFactory(), external_id="CA-earlier-1", at=s(-300)
    )
    routing.route_queue(queue=voice_queue, now=s(-300))
    routing.interaction_accept(user=ana, interaction=busy, at=s(-290))
    routing.interaction_enqueue(
        queue=voice_queue, customer=CustomerFactory(), external_id="CA-earlier-2", at=s(-60), route=False
    )
    # Ana takes calls of 240 s on average (the one finished call of this week).
    done = routing.interaction_enqueue(
        queue=voice_queue, customer=CustomerFactory(), external_id="CA-old", at=s(-4000)
    )
    Interaction.objects.filter(pk=done.pk).update(
        state="ended", agent=ana, answered_at=s(-3900), ended_at=s(-3700), wrap_up_ended_at=s(-3660)
    )

    root = twiml(at(s(0), line, "incoming", form("incoming-call")))

    assert [child.tag for child in root] == ["Say", "Say", "Gather", "Enqueue"]
    greeting, position, gather, enqueue = root
    assert (greeting.text, greeting.get("language")) == ("Hello & welcome to <Aurora> appliances.", "en-US")
    # Second in line behind one caller; one agent signed on and busy: two rounds of 240 s = 8 minutes.
    assert position.text == "You are number 2 in line. The expected wait is about 8 minutes."
    assert gather.get("action") == f"https://frontline.example.test/voice/twilio/{line.pk}/gather"
    assert gather.get("numDigits") == "1"
    assert (gather[0].tag, gather[0].text) == ("Say", line.menu_text)
    assert enqueue.text == f"frontline-line-{line.pk}"
    assert enqueue.get("waitUrl") == f"https://frontline.example.test/voice/twilio/{line.pk}/wait"
    assert enqueue.get("action") == f"https://frontline.example.test/voice/twilio/{line.pk}/queue-result"


def test_the_caller_is_matched_by_phone_number_and_gets_a_voice_ticket(at, line):
    maria = CustomerFactory()
    ContactPoint.objects.create(
        customer=maria, kind="phone", value="0917 123 4567", normalized="+639171234567"
    )
    at(s(0), line, "incoming", form("incoming-call"))
    call = CallRecord.objects.select_related("interaction__ticket").get()
    assert call.interaction.customer == maria
    assert (call.interaction.ticket.requester, call.interaction.ticket.channel) == (maria, "voice")
    assert call.interaction.ticket.subject == "Call from +639171234567"
    assert (call.from_number, call.to_number, call.status, call.queued_at) == (
        "+639171234567",
        "+6328123456",
        "queued",
        s(0),
    )


def test_an_unknown_caller_becomes_a_customer_with_that_number(at, line):
    at(s(0), line, "incoming", form("incoming-call", From="+63 917 765 4321"))
    point = ContactPoint.objects.get(kind="phone")
    assert point.normalized == "+639177654321"
    assert CallRecord.objects.get().interaction.customer_id == point.customer_id


def test_pressing_1_asks_for_a_callback_that_keeps_the_place_in_line(at, line, callback_queue):
    at(s(0), line, "incoming", form("incoming-call"))
    root = twiml(at(s(20), line, "gather", form("gather-digit", Digits="1")))
    assert [child.tag for child in root] == ["Say", "Hangup"]
    assert root[0].text.startswith("Thank you. We will call you back")
    call = CallRecord.objects.get()
    assert (call.choice, call.status) == ("callback", "callback")
    assert (call.interaction.state, call.interaction.outcome) == ("fallback", "callback: caller's choice")
    callback = CallbackRequest.objects.get()
    assert (callback.source, callback.phone, callback.call, callback.keep_place_at) == (
        "queue",
        "+639171234567",
        call,
        s(0),
    )
    # Dispatched at once (the line is open): it waits in the callback queue as if since 0 s.
    assert callback.status == "dialing"
    assert (callback.interaction.queue, callback.interaction.channel) == (callback_queue, "callback")
    assert (callback.interaction.enqueued_at, callback.interaction.waiting_since) == (s(20), s(0))
    assert callback.interaction.ticket == call.interaction.ticket
    # A second press (or Twilio retrying) keeps the one callback.
    at(s(21), line, "gather", form("gather-digit", Digits="1", msg="again"))
    assert CallbackRequest.objects.count() == 1


def test_pressing_2_records_a_voicemail_that_lands_on_the_ticket(at, line):
    at(s(0), line, "incoming", form("incoming-call"))
    root = twiml(at(s(20), line, "gather", form("gather-digit", Digits="2")))
    assert [child.tag for child in root] == ["Say", "Record"]
    record = root[1]
    assert record.get("recordingStatusCallback") == (
        f"https://frontline.example.test/voice/twilio/{line.pk}/recording?voicemail=1"
    )
    assert record.get("action") == f"https://frontline.example.test/voice/twilio/{line.pk}/goodbye"
    for _ in range(2):  # Twilio retries the callback: one message
        at(s(60), line, "recording", form("recording-completed"), query="voicemail=1")
    call = CallRecord.objects.select_related("interaction").get()
    url = "https://api.twilio.com/2010-04-01/Accounts/ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/Recordings/RE0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    assert (call.voicemail_url, call.status, call.interaction.state) == (url, "voicemail", "fallback")
    message = Message.objects.get(ticket=call.interaction.ticket_id, direction="inbound")
    assert message.body_text == f"Voicemail from +639171234567 (17 s): {url}"
    assert message.external_id == "voicemail:RE0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    assert CallEvent.objects.filter(kind="twilio.recording").count() == 1


def test_in_the_queue_a_choice_leaves_twilios_queue_and_the_enqueue_action_plays_it(at, line):
    at(s(0), line, "incoming", form("incoming-call"))
    wait = twiml(at(s(10), line, "wait", form("gather-digit", Digits="")))
    assert [child.tag for child in wait] == ["Say", "Gather", "Pause"]
    assert wait[1].get("action").endswith("/gather?in_queue=1")
    left = twiml(at(s(40), line, "gather", form("gather-digit", Digits="2"), query="in_queue=1"))
    assert [child.tag for child in left] == ["Leave"]
    after = twiml(at(s(41), line, "queue-result", form("queue-result-leave")))
    assert [child.tag for child in after] == ["Say", "Record"]


def test_hanging_up_while_waiting_is_an_abandoned_call(at, line):
    at(s(0), line, "incoming", form("incoming-call"))
    for _ in range(3):
        assert at(s(45), line, "status", form("status-completed")).status_code == 200
    call = CallRecord.objects.select_related("interaction").get()
    assert (call.status, call.interaction.state, call.interaction.outcome) == (
        "abandoned",
        "abandoned",
        "abandoned",
    )
    assert (call.ended_at, call.wait_seconds, call.talk_seconds) == (s(45), 45, None)
    assert Event.objects.filter(verb="interaction.abandoned").count() == 1
    assert CallEvent.objects.filter(kind="twilio.status").count() == 1


def test_an_agent_answers_at_the_desk_then_the_call_completes_with_its_talk_time(
    at, line, clock_agent, django_capture_on_commit_callbacks
):
    ana = clock_agent
    at(s(0), line, "incoming", form("incoming-call"))
    interaction = CallRecord.objects.get().interaction
    assert (interaction.state, interaction.agent) == ("offered", ana)
    with time_machine.travel(s(12), tick=False):
        routing.interaction_accept(user=ana, interaction=interaction, at=s(12))
    at(s(200), line, "status", form("status-completed"))
    call = CallRecord.objects.select_related("interaction").get()
    assert (call.status, call.answered_at, call.ended_at) == ("ended", s(12), s(200))
    assert (call.wait_seconds, call.talk_seconds, call.hold_seconds) == (12, 188, 0)
    assert (call.interaction.state, AgentPresence.objects.get(user=ana).state) == ("wrap_up", "wrap_up")
    # Routing ends the wrap-up; its event is mirrored on the call by the listener after commit.
    with django_capture_on_commit_callbacks(execute=True):
        routing.wrap_up_end(interaction=call.interaction, at=s(230))
    call.refresh_from_db()
    assert (call.wrap_up_ended_at, call.after_call_seconds) == (s(230), 30)


@pytest.fixture
def clock_agent():
    with time_machine.travel(s(-60), tick=False):
        return make_agent(available_at=s(-60))
