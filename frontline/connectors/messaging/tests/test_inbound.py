"""Webhooks in: signatures at the door, raw payload stored first, one message per delivery, threading."""

from __future__ import annotations

import json

import pytest

from frontline.connectors.messaging import services
from frontline.connectors.messaging.models import Conversation, InboundPayload, OutboundSocialMessage
from frontline.connectors.messaging.tests.conftest import (
    META_VERIFY,
    X_SECRET,
    fixture_json,
    fixture_text,
    make_account,
    meta_post,
    twilio_post,
    x_post,
)
from frontline.customers.models import ContactPoint, Customer
from frontline.tickets.models import Message, Ticket
from frontline.tickets.services import ticket_update

pytestmark = pytest.mark.django_db(transaction=True)


def nothing_stored() -> bool:
    return (
        InboundPayload.objects.count(),
        Message.objects.count(),
        Ticket.objects.count(),
        Customer.objects.count(),
    ) == (0, 0, 0, 0)


# --- Twilio -----------------------------------------------------------------------------------------


def test_a_signed_twilio_sms_opens_an_sms_ticket_for_the_number(client, sms_account):
    response = twilio_post(client, sms_account, fixture_json("twilio_sms.json"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml"
    assert response.content.decode().endswith("<Response></Response>")
    payload = InboundPayload.objects.get()
    assert (payload.status, payload.provider_message_id) == (
        "processed",
        "SM8a4d2f7b0c1e4f5a9b6c3d2e1f0a9b8c",
    )
    assert b"Body=Hi%2C+my+order" in bytes(payload.body)
    assert payload.headers["X-Twilio-Signature"]
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.subject, ticket.team_id) == (
        "sms",
        "Hi, my order #4411 has not arrived yet.",
        sms_account.team_id,
    )
    message = Message.objects.get()
    assert (message.direction, message.channel, message.external_id, message.body_text) == (
        "inbound",
        "sms",
        "SM8a4d2f7b0c1e4f5a9b6c3d2e1f0a9b8c",
        "Hi, my order #4411 has not arrived yet.",
    )
    contact = ContactPoint.objects.get()
    assert (contact.kind, contact.normalized, contact.customer_id) == (
        "phone",
        "+639171234567",
        ticket.requester_id,
    )
    assert Conversation.objects.get().address == "+639171234567"


def test_a_twilio_delivery_with_a_bad_signature_is_refused_and_nothing_is_stored(client, sms_account):
    params = fixture_json("twilio_sms.json")
    response = twilio_post(client, sms_account, params, token="not-the-auth-token")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "bad_signature"
    assert nothing_stored()


def test_a_twilio_delivery_whose_body_was_altered_after_signing_is_refused(client, sms_account):
    params = fixture_json("twilio_sms.json")
    from frontline.connectors.messaging import signatures

    good = signatures.twilio_signature(
        f"https://support.aurora.test/inbound/twilio/{sms_account.pk}/",
        list(params.items()),
        "twilio-auth-token-for-tests",
    )
    response = twilio_post(
        client, sms_account, {**params, "Body": "Send the refund to account 999"}, signature=good
    )
    assert response.status_code == 403
    assert nothing_stored()


def test_the_same_twilio_delivery_three_times_stores_one_message(client, sms_account):
    params = fixture_json("twilio_sms.json")
    for _ in range(3):
        assert twilio_post(client, sms_account, params).status_code == 200
    assert (InboundPayload.objects.count(), Ticket.objects.count(), Message.objects.count()) == (1, 1, 1)


def test_a_second_sms_continues_the_open_ticket_and_a_solved_one_is_not_continued(client, sms_account):
    first = fixture_json("twilio_sms.json")
    twilio_post(client, sms_account, first)
    ticket = Ticket.objects.get()
    second = {**first, "MessageSid": "SM00000000000000000000000000000002", "Body": "Any news?"}
    second["SmsSid"] = second["SmsMessageSid"] = second["MessageSid"]
    twilio_post(client, sms_account, second)
    assert Ticket.objects.count() == 1
    assert list(ticket.messages.values_list("body_text", flat=True)) == [first["Body"], "Any news?"]

    ticket_update(actor=None, ticket=ticket, status="solved")
    third = {**first, "MessageSid": "SM00000000000000000000000000000003", "Body": "New problem"}
    twilio_post(client, sms_account, third)
    newest = Ticket.objects.exclude(pk=ticket.pk).get()
    assert (newest.subject, newest.requester_id) == ("New problem", ticket.requester_id)
    assert ticket.messages.count() == 2


def test_the_same_number_on_another_account_opens_its_own_ticket(client, sms_account):
    other = make_account("sms", sender_id="+14155550000")
    params = fixture_json("twilio_sms.json")
    twilio_post(client, sms_account, params)
    twilio_post(
        client, other, {**params, "MessageSid": "SM00000000000000000000000000000009", "To": "+14155550000"}
    )
    assert Ticket.objects.count() == 2
    assert Customer.objects.count() == 1


def test_a_twilio_whatsapp_message_is_a_social_ticket_found_by_phone(client, whatsapp_account, sms_account):
    twilio_post(client, sms_account, fixture_json("twilio_sms.json"))
    params = {**fixture_json("twilio_whatsapp_media.json"), "NumMedia": "0"}
    assert twilio_post(client, whatsapp_account, params).status_code == 200
    whatsapp = Ticket.objects.get(channel="social")
    assert whatsapp.requester_id == Ticket.objects.get(channel="sms").requester_id  # same phone, same person
    assert Conversation.objects.get(ticket=whatsapp).address == "whatsapp:+639171234567"
    assert whatsapp.messages.get().body_text == "This is the broken part"


def test_an_inactive_or_unknown_account_answers_404(client, sms_account):
    sms_account.is_active = False
    sms_account.save()
    assert twilio_post(client, sms_account, fixture_json("twilio_sms.json")).status_code == 404
    assert (
        client.post(
            "/inbound/twilio/-1/", data="a=b", content_type="application/x-www-form-urlencoded"
        ).status_code
        == 404
    )
    assert nothing_stored()


def test_a_twilio_status_callback_marks_the_outbox_row_delivered(client, sms_account):
    twilio_post(client, sms_account, fixture_json("twilio_sms.json"))
    ticket = Ticket.objects.get()
    outbound = OutboundSocialMessage.objects.create(
        account=sms_account,
        ticket=ticket,
        recipient="+639171234567",
        text="On its way",
        status="sent",
        provider_message_id="SM1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c",
    )
    assert twilio_post(client, sms_account, fixture_json("twilio_status_delivered.json")).status_code == 200
    outbound.refresh_from_db()
    assert outbound.status == "delivered"
    assert outbound.delivered_at is not None
    assert (
        InboundPayload.objects.get(provider_message_id="SM1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c:delivered").status
        == "processed"
    )
    assert Message.objects.count() == 1  # a status is not a message


def test_a_twilio_failed_status_records_the_error(client, sms_account):
    twilio_post(client, sms_account, fixture_json("twilio_sms.json"))
    outbound = OutboundSocialMessage.objects.create(
        account=sms_account,
        ticket=Ticket.objects.get(),
        recipient="+639171234567",
        text="x",
        status="sent",
        provider_message_id="SM1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c",
    )
    params = {
        **fixture_json("twilio_status_delivered.json"),
        "MessageStatus": "undelivered",
        "SmsStatus": "undelivered",
        "ErrorCode": "30003",
    }
    twilio_post(client, sms_account, params)
    outbound.refresh_from_db()
    assert (outbound.status, outbound.error) == ("failed", "Twilio error 30003")


# --- Meta -------------------------------------------------------------------------------------------


def test_meta_subscription_handshake_echoes_the_challenge_for_our_verify_token(client, messenger_account):
    url = f"/inbound/meta/{messenger_account.pk}/"
    good = client.get(
        url, {"hub.mode": "subscribe", "hub.verify_token": META_VERIFY, "hub.challenge": "1158201444"}
    )
    assert (good.status_code, good.content) == (200, b"1158201444")
    bad = client.get(
        url, {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1158201444"}
    )
    assert bad.status_code == 403
    assert b"1158201444" not in bad.content


def test_a_signed_messenger_message_opens_a_social_ticket_for_the_psid(client, messenger_account):
    response = meta_post(client, messenger_account, fixture_text("meta_messenger.json"))
    assert (response.status_code, response.content) == (200, b"EVENT_RECEIVED")
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.subject) == ("social", "Hello, is the store in Makati open on Sunday?")
    contact = ContactPoint.objects.get()
    assert (contact.kind, contact.network, contact.normalized) == ("social", "facebook", "6843210987654321")
    assert Message.objects.get().external_id.startswith("m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM")


def test_a_meta_delivery_with_a_bad_signature_is_refused_and_nothing_is_stored(client, messenger_account):
    body = fixture_text("meta_messenger.json")
    assert meta_post(client, messenger_account, body, secret="not-the-app-secret").status_code == 403
    assert meta_post(client, messenger_account, body, signature="").status_code == 403
    assert nothing_stored()


def test_the_same_meta_delivery_three_times_stores_one_message(client, whatsapp_cloud_account):
    body = fixture_text("meta_whatsapp_text.json")
    for _ in range(3):
        assert meta_post(client, whatsapp_cloud_account, body).status_code == 200
    assert (InboundPayload.objects.count(), Ticket.objects.count(), Message.objects.count()) == (1, 1, 1)


def test_a_whatsapp_cloud_message_finds_the_customer_by_phone_with_their_profile_name(
    client, whatsapp_cloud_account
):
    meta_post(client, whatsapp_cloud_account, fixture_text("meta_whatsapp_text.json"))
    customer = Customer.objects.get()
    assert (customer.first_name, customer.last_name) == ("Sheena", "Nelson")
    assert customer.contact_points.get().normalized == "+16505551234"
    assert Conversation.objects.get().address == "16505551234"


def test_an_instagram_message_on_the_same_app_is_attributed_to_its_own_account(client, messenger_account):
    instagram = make_account("instagram")
    meta_post(client, messenger_account, fixture_text("meta_instagram.json"))  # one app, one callback URL
    conversation = Conversation.objects.get()
    assert conversation.account_id == instagram.pk
    assert ContactPoint.objects.get().network == "instagram"


def test_a_meta_message_for_a_page_we_do_not_have_is_ignored(client, messenger_account):
    body = fixture_text("meta_messenger.json").replace(b"110299245208716", b"999999999999999")
    meta_post(client, messenger_account, body)
    payload = InboundPayload.objects.get()
    assert payload.status == "ignored"
    assert "addressed to 999999999999999" in payload.error
    assert Ticket.objects.count() == 0


def test_a_messenger_echo_of_our_own_message_is_ignored(client, messenger_account):
    data = fixture_json("meta_messenger.json")
    data["entry"][0]["messaging"][0]["message"]["is_echo"] = True
    meta_post(client, messenger_account, json.dumps(data).encode())
    assert InboundPayload.objects.get().status == "ignored"
    assert Message.objects.count() == 0


def test_a_whatsapp_failed_status_fails_the_outbox_row_with_metas_reason(client, whatsapp_cloud_account):
    meta_post(client, whatsapp_cloud_account, fixture_text("meta_whatsapp_text.json"))
    outbound = OutboundSocialMessage.objects.create(
        account=whatsapp_cloud_account,
        ticket=Ticket.objects.get(),
        recipient="16505551234",
        text="x",
        status="sent",
        provider_message_id="wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA",
    )
    meta_post(client, whatsapp_cloud_account, fixture_text("meta_whatsapp_status_failed.json"))
    outbound.refresh_from_db()
    assert (outbound.status, outbound.error) == ("failed", "WhatsApp error 131047: Re-engagement message")


def test_a_signed_but_unreadable_delivery_is_kept_as_failed_and_can_be_reprocessed(client, messenger_account):
    assert meta_post(client, messenger_account, b'{"object": "page", "entry": "oops"}').status_code == 200
    payload = InboundPayload.objects.get()
    assert payload.status == "failed"
    assert payload.error.startswith("unreadable:")
    assert payload.provider_message_id.startswith("sha256:")
    InboundPayload.objects.filter(pk=payload.pk).update(body=fixture_text("meta_messenger.json"))
    payload = services.payload_reprocess(actor=None, payload=payload)
    assert payload.status == "processed"
    assert Message.objects.count() == 1


# --- X ----------------------------------------------------------------------------------------------


def test_x_crc_check_answers_with_the_response_token(client, x_account):
    from frontline.connectors.messaging import signatures

    response = client.get(f"/inbound/x/{x_account.pk}/", {"crc_token": "Zjk2MTY4NTQ2"})
    assert response.status_code == 200
    assert response.json() == signatures.x_crc_response("Zjk2MTY4NTQ2", X_SECRET)
    assert response.json()["response_token"].startswith("sha256=")
    assert client.get(f"/inbound/x/{x_account.pk}/").status_code == 400


def test_a_signed_x_direct_message_opens_a_social_ticket(client, x_account):
    assert x_post(client, x_account, fixture_text("x_dm.json")).status_code == 200
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.requester.first_name, ticket.requester.last_name) == (
        "social",
        "Jordan",
        "Brinks",
    )
    assert Message.objects.get().external_id == "954491830116155396"
    assert Conversation.objects.get().address == "3001969357"
    assert ContactPoint.objects.get().network == "x"


def test_an_x_delivery_with_a_bad_signature_is_refused_and_nothing_is_stored(client, x_account):
    body = fixture_text("x_dm.json")
    assert x_post(client, x_account, body, secret="not-the-consumer-secret").status_code == 403
    assert x_post(client, x_account, body, signature="").status_code == 403
    assert nothing_stored()


def test_the_same_x_delivery_three_times_stores_one_message(client, x_account):
    body = fixture_text("x_dm.json")
    for _ in range(3):
        assert x_post(client, x_account, body).status_code == 200
    assert (InboundPayload.objects.count(), Ticket.objects.count(), Message.objects.count()) == (1, 1, 1)


def test_our_own_x_direct_message_is_not_taken_for_the_customers(client, x_account):
    data = fixture_json("x_dm.json")
    data["direct_message_events"][0]["message_create"]["sender_id"] = "4337869213"
    x_post(client, x_account, json.dumps(data).encode())
    assert InboundPayload.objects.get().status == "ignored"
    assert Message.objects.count() == 0


def test_a_message_redelivered_in_another_batch_is_still_stored_once(client, x_account):
    """A batch has no single id, so it is keyed by its digest; the message id still guards the ticket."""
    single = fixture_json("x_dm.json")
    batch = json.loads(json.dumps(single))
    second = json.loads(json.dumps(single["direct_message_events"][0]))
    second["id"] = "954491830116155397"
    second["message_create"]["message_data"]["text"] = "Also, the box was open."
    batch["direct_message_events"].append(second)
    x_post(client, x_account, json.dumps(single).encode())
    x_post(client, x_account, json.dumps(batch).encode())
    assert InboundPayload.objects.count() == 2
    assert list(Message.objects.order_by("id").values_list("external_id", flat=True)) == [
        "954491830116155396",
        "954491830116155397",
    ]


def test_a_twilio_sms_from_a_sender_name_is_stored_under_that_name(client, sms_account):
    params = {**fixture_json("twilio_sms.json"), "From": "AURORA-Bank", "MessageSid": "SMalnum0001"}

    response = twilio_post(client, sms_account, params)

    assert response.status_code == 200
    payload = InboundPayload.objects.get()
    assert (payload.status, payload.error) == ("processed", "")
    ticket = Ticket.objects.get()
    assert ticket.channel == "sms"
    contact = ContactPoint.objects.get()
    assert (contact.kind, contact.network, contact.normalized, contact.customer_id) == (
        "social",
        "sms",
        "aurora-bank",
        ticket.requester_id,
    )
    twilio_post(client, sms_account, {**params, "MessageSid": "SMalnum0002", "Body": "Again"})
    assert Customer.objects.count() == 1  # the same sender is the same customer
    assert Ticket.objects.get().messages.count() == 2
