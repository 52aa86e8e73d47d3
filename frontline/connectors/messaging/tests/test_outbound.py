"""Agents' replies leave through each provider's HTTP API (a fake on 127.0.0.1), once, via the outbox."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from django.utils import timezone

from frontline.accounts.factories import staff
from frontline.connectors.messaging import services
from frontline.connectors.messaging.models import OutboundSocialMessage
from frontline.connectors.messaging.tests.conftest import (
    fixture_json,
    fixture_text,
    meta_post,
    twilio_post,
    x_post,
)
from frontline.customers.factories import CustomerFactory
from frontline.tickets.models import Ticket
from frontline.tickets.services import message_add, ticket_create

pytestmark = pytest.mark.django_db(transaction=True)

TWILIO_PATH = "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json"


def reply(ticket: Ticket, text: str = "A courier comes tomorrow."):
    return message_add(actor=staff(), ticket=ticket, direction="outbound", body_text=text)


@pytest.fixture
def sms_thread(client, sms_account, provider, allow_loopback):
    sms_account.api_base_url = provider.base_url
    sms_account.save()
    twilio_post(client, sms_account, fixture_json("twilio_sms.json"))
    return Ticket.objects.get()


def test_an_agent_reply_on_an_sms_ticket_is_sent_through_twilios_messages_api(
    sms_thread, sms_account, provider
):
    provider.answer_json(
        TWILIO_PATH, {"sid": "SMaaaabbbbccccddddeeeeffff00001111", "status": "queued"}, status=201
    )
    reply(sms_thread)
    (request,) = provider.requests
    assert (request.method, request.path) == ("POST", TWILIO_PATH)
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    user, _, password = (
        base64.b64decode(request.headers["Authorization"].removeprefix("Basic ")).decode().partition(":")
    )
    assert (user, password) == ("AC0123456789abcdef0123456789abcdef", "twilio-auth-token-for-tests")
    assert parse_qs(request.body.decode()) == {
        "To": ["+639171234567"],
        "From": ["+14155552671"],
        "Body": ["A courier comes tomorrow."],
        "StatusCallback": [f"https://support.aurora.test/inbound/twilio/{sms_account.pk}/"],
    }
    outbound = OutboundSocialMessage.objects.get()
    assert (outbound.status, outbound.provider_message_id, outbound.attempts) == (
        "sent",
        "SMaaaabbbbccccddddeeeeffff00001111",
        1,
    )


def test_sending_twice_sends_once(sms_thread, provider):
    provider.answer_json(TWILIO_PATH, {"sid": "SM1"}, status=201)
    message = reply(sms_thread)
    outbound = OutboundSocialMessage.objects.get()
    services.outbound_send(outbound_id=outbound.pk)
    services.reply_queue(message_id=message.pk)
    assert len(provider.requests) == 1
    assert OutboundSocialMessage.objects.count() == 1


def test_a_provider_outage_is_retried_later_and_then_sent(sms_thread, provider):
    provider.answer(
        TWILIO_PATH, (503, {}, b"busy"), (201, {"Content-Type": "application/json"}, b'{"sid": "SM2"}')
    )
    reply(sms_thread)
    outbound = OutboundSocialMessage.objects.get()
    assert (outbound.status, outbound.attempts, outbound.sent_at) == ("queued", 1, None)
    assert outbound.error == "503 busy"
    services.outbound_reconcile()  # not due yet: nothing is sent
    assert len(provider.requests) == 1
    OutboundSocialMessage.objects.filter(pk=outbound.pk).update(next_attempt_at=timezone.now())
    services.outbound_reconcile()
    outbound.refresh_from_db()
    assert (outbound.status, outbound.provider_message_id, outbound.attempts) == ("sent", "SM2", 2)
    assert len(provider.requests) == 2


def test_a_refusal_by_the_provider_fails_at_once_with_its_reason(sms_thread, provider):
    provider.answer_json(
        TWILIO_PATH, {"code": 21211, "message": "The 'To' number is not a valid phone number."}, status=400
    )
    reply(sms_thread)
    outbound = OutboundSocialMessage.objects.get()
    assert (outbound.status, outbound.next_attempt_at) == ("failed", None)
    assert outbound.error == "400 21211 The 'To' number is not a valid phone number."


def test_a_send_interrupted_by_a_crash_is_failed_not_repeated(sms_thread, provider):
    provider.answer_json(TWILIO_PATH, {"sid": "SM3"}, status=201)
    reply(sms_thread)
    outbound = OutboundSocialMessage.objects.get()
    OutboundSocialMessage.objects.filter(pk=outbound.pk).update(
        status="sending", next_attempt_at=timezone.now() - timedelta(hours=1)
    )
    services.outbound_reconcile()
    outbound.refresh_from_db()
    assert outbound.status == "failed"
    assert "not resent" in outbound.error
    assert len(provider.requests) == 1


def test_an_api_base_url_inside_our_network_is_refused_without_the_allowlist(sms_thread, provider, settings):
    settings.FRONTLINE_WEBHOOK_ALLOWLIST = []
    reply(sms_thread)
    outbound = OutboundSocialMessage.objects.get()
    assert outbound.status == "failed"
    assert "127.0.0.1 is a loopback address" in outbound.error
    assert provider.requests == []


def test_a_twilio_whatsapp_reply_goes_from_our_whatsapp_sender(
    client, whatsapp_account, provider, allow_loopback
):
    whatsapp_account.api_base_url = provider.base_url
    whatsapp_account.save()
    twilio_post(client, whatsapp_account, {**fixture_json("twilio_whatsapp_media.json"), "NumMedia": "0"})
    provider.answer_json(TWILIO_PATH, {"sid": "SM4"}, status=201)
    reply(Ticket.objects.get())
    form = parse_qs(provider.requests[0].body.decode())
    assert (form["To"], form["From"]) == (["whatsapp:+639171234567"], ["whatsapp:+14155238886"])


def test_a_whatsapp_cloud_reply_posts_to_the_phone_number_ids_messages(
    client, whatsapp_cloud_account, provider, allow_loopback
):
    whatsapp_cloud_account.api_base_url = provider.base_url
    whatsapp_cloud_account.save()
    meta_post(client, whatsapp_cloud_account, fixture_text("meta_whatsapp_text.json"))
    provider.answer_json(
        "/106540352242922/messages",
        {
            "messaging_product": "whatsapp",
            "contacts": [{"input": "16505551234", "wa_id": "16505551234"}],
            "messages": [{"id": "wamid.OUT1"}],
        },
    )
    reply(Ticket.objects.get(), "Yes: blue and grey.")
    (request,) = provider.requests
    assert request.headers["Authorization"] == "Bearer meta-page-token"
    assert json.loads(request.body) == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "16505551234",
        "type": "text",
        "text": {"preview_url": False, "body": "Yes: blue and grey."},
    }
    assert OutboundSocialMessage.objects.get().provider_message_id == "wamid.OUT1"


def test_a_messenger_reply_uses_the_send_api_with_the_psid(
    client, messenger_account, provider, allow_loopback
):
    messenger_account.api_base_url = provider.base_url
    messenger_account.save()
    meta_post(client, messenger_account, fixture_text("meta_messenger.json"))
    provider.answer_json(
        "/110299245208716/messages", {"recipient_id": "6843210987654321", "message_id": "m_OUT1"}
    )
    reply(Ticket.objects.get(), "Yes, 10am to 6pm.")
    assert json.loads(provider.requests[0].body) == {
        "recipient": {"id": "6843210987654321"},
        "messaging_type": "RESPONSE",
        "message": {"text": "Yes, 10am to 6pm."},
    }
    assert OutboundSocialMessage.objects.get().provider_message_id == "m_OUT1"


def test_an_x_reply_is_a_direct_message_to_the_sender(client, x_account, provider, allow_loopback):
    x_account.api_base_url = provider.base_url
    x_account.save()
    x_post(client, x_account, fixture_text("x_dm.json"))
    provider.answer_json(
        "/2/dm_conversations/with/3001969357/messages",
        {"data": {"dm_conversation_id": "3001969357-4337869213", "dm_event_id": "1580705921830768642"}},
        status=201,
    )
    reply(Ticket.objects.get(), "Sorry about that, checking now.")
    (request,) = provider.requests
    assert request.headers["Authorization"] == "Bearer x-user-token"
    assert json.loads(request.body) == {"text": "Sorry about that, checking now."}
    assert OutboundSocialMessage.objects.get().provider_message_id == "1580705921830768642"


def test_notes_inbound_messages_and_tickets_without_a_conversation_send_nothing(sms_thread, provider):
    message_add(actor=staff(), ticket=sms_thread, direction="note", body_text="internal")
    api_ticket = ticket_create(actor=None, requester=CustomerFactory(), subject="typed in", channel="sms")
    reply(api_ticket)  # no provider conversation: the listener must stay quiet, not raise
    assert OutboundSocialMessage.objects.count() == 0
    assert provider.requests == []


def test_a_reply_whose_outbox_row_was_lost_is_queued_by_the_safety_net(sms_thread, provider):
    from frontline.tickets.models import Message

    provider.answer_json(TWILIO_PATH, {"sid": "SM5"}, status=201)
    message = reply(sms_thread)
    OutboundSocialMessage.objects.all().delete()  # the process died between the commit and the outbox row
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert services.unsent_replies_queue() == 1
    assert OutboundSocialMessage.objects.get().message_id == message.pk
    assert services.unsent_replies_queue() == 0
