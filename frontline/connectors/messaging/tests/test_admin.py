"""The admin: accounts show the URL to register, failed payloads can be processed again."""

from __future__ import annotations

import pytest

from frontline.connectors.messaging.models import InboundPayload, MessagingAccount
from frontline.connectors.messaging.tests.conftest import fixture_text, meta_post
from frontline.tickets.models import Message

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_account_page_shows_the_webhook_url_to_register(admin_client, x_account):
    response = admin_client.get(f"/admin/messaging_connector/messagingaccount/{x_account.pk}/change/")
    assert response.status_code == 200
    assert f"https://support.aurora.test/inbound/x/{x_account.pk}/" in response.content.decode()


def test_adding_an_account_in_the_admin_sets_the_provider_from_the_kind(admin_client):
    response = admin_client.post(
        "/admin/messaging_connector/messagingaccount/add/",
        {"name": "WhatsApp PH", "kind": "whatsapp_cloud", "sender_id": "106540352242922", "is_active": "on"},
    )
    assert response.status_code == 302
    account = MessagingAccount.objects.get()
    assert (account.provider, account.kind) == ("meta", "whatsapp_cloud")


def test_the_reprocess_action_processes_failed_payloads_again(admin_client, messenger_account):
    meta_post(admin_client, messenger_account, b'{"object": "page"}')
    payload = InboundPayload.objects.get()
    assert payload.status == "failed"
    InboundPayload.objects.filter(pk=payload.pk).update(body=fixture_text("meta_messenger.json"))
    response = admin_client.post(
        "/admin/messaging_connector/inboundpayload/",
        {"action": "reprocess", "_selected_action": [payload.pk]},
    )
    assert response.status_code == 302
    payload.refresh_from_db()
    assert payload.status == "processed"
    assert Message.objects.count() == 1
