"""The admin: a subscription gets a secret shown once; deliveries are read-only and redeliverable."""

import pytest
from django.urls import reverse

from frontline.accounts.factories import UserFactory
from frontline.events.models import Event
from frontline.webhooks import services
from frontline.webhooks.models import WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_creating_a_subscription_in_the_admin_checks_the_url_and_shows_the_secret(admin_client):
    url = reverse("admin:webhooks_webhooksubscription_add")
    form = {"name": "Orders", "event_types": '["ticket.*"]', "active": "on", "disabled_reason": ""}

    refused = admin_client.post(url, {**form, "url": "http://127.0.0.1/hook"})
    assert refused.status_code == 200
    assert "127.0.0.1 is a loopback address" in refused.content.decode()
    assert not WebhookSubscription.objects.exists()

    created = admin_client.post(url, {**form, "url": "http://[2606:4700:4700::1111]/hook"}, follow=True)
    subscription = WebhookSubscription.objects.get()
    assert subscription.secret.startswith("whsec_")
    assert subscription.secret in created.content.decode()
    assert Event.objects.filter(verb="webhooksubscription.created_in_admin").exists()


def test_the_delivery_log_is_read_only_and_redelivers(
    admin_client, allow_loopback, receiver, django_capture_on_commit_callbacks
):
    subscription = services.webhook_subscription_create(
        actor=None, name="Local", url=receiver.url(), event_types=["*"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.webhook_enqueue(subscription=subscription, event_type="x.y", payload={})
    change = reverse("admin:webhooks_webhookdelivery_change", args=[delivery.pk])
    assert admin_client.post(change, {"status": "dead"}).status_code == 403

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:webhooks_webhookdelivery_changelist"),
            {"action": "redeliver", "_selected_action": [delivery.pk]},
        )

    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert [r.headers["Frontline-Event-Id"] for r in receiver.received] == [delivery.event_id] * 2
