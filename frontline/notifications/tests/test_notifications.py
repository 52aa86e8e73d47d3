"""Notifications: stored for their person, emailed when urgent, pushed live, readable only by their owner."""

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers, get_channel_layer
from django.core import mail

from frontline.accounts.factories import staff
from frontline.accounts.models import Role
from frontline.accounts.testing import Api
from frontline.core.errors import Invalid
from frontline.customers.factories import CustomerFactory, portal_user
from frontline.events.models import Event
from frontline.notifications import services
from frontline.notifications.delivery import user_group
from frontline.notifications.models import Notification
from frontline.tickets.services import ticket_create

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def agent():
    return staff(Role.AGENT, email="pat@staff.example.test")


def test_notify_stores_records_event_and_does_not_email_by_default(agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        n = services.notify(user=agent, title="  Ticket waiting  ", body="Please look")
    assert n.title == "Ticket waiting"
    assert not n.emailed
    assert mail.outbox == []
    assert Event.objects.filter(verb="notification.created", target_id=n.pk).exists()


def test_urgent_notification_is_emailed_with_a_ticket_link(agent, django_capture_on_commit_callbacks):
    ticket = ticket_create(actor=None, requester=CustomerFactory(), subject="Oven smoke", body_text="smoke")
    with django_capture_on_commit_callbacks(execute=True):
        n = services.notify(user=agent, title="Paged: SLA breached", ticket=ticket, urgent=True, kind="page")
    assert n.emailed
    [message] = mail.outbox
    assert message.to == ["pat@staff.example.test"]
    assert message.subject == "[URGENT] Paged: SLA breached"
    assert f"/tickets/ticket/{ticket.pk}/" in message.body


def test_no_email_for_a_user_without_address(django_capture_on_commit_callbacks):
    user = staff(Role.AGENT, email="")
    with django_capture_on_commit_callbacks(execute=True):
        n = services.notify(user=user, title="x", urgent=True)
    assert not n.emailed
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("kwargs", "field"), [({"title": " "}, "title"), ({"title": "x", "kind": "spam"}, "kind")]
)
def test_bad_input_names_the_field(agent, kwargs, field):
    with pytest.raises(Invalid) as error:
        services.notify(user=agent, **kwargs)
    assert error.value.field == field
    assert not Notification.objects.exists()


def test_push_reaches_the_users_group(agent, settings, django_capture_on_commit_callbacks):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    try:
        layer = get_channel_layer()
        channel = async_to_sync(layer.new_channel)()
        async_to_sync(layer.group_add)(user_group(agent.pk), channel)
        with django_capture_on_commit_callbacks(execute=True):
            n = services.notify(user=agent, title="Live one")
        message = async_to_sync(layer.receive)(channel)
        assert message["type"] == "notification.created"
        assert message["id"] == n.pk
    finally:
        channel_layers.backends.clear()


def test_api_lists_only_my_notifications_and_marks_read(agent):
    other = staff(Role.AGENT)
    mine = [services.notify(user=agent, title=f"n{i}") for i in range(3)]
    theirs = services.notify(user=other, title="not yours")
    api = Api(agent)
    page = api.get("/notifications", limit=2).json()
    assert [item["id"] for item in page["items"]] == [mine[2].pk, mine[1].pk]
    assert page["unread"] == 3
    rest = api.get("/notifications", limit=2, before_id=page["next_before_id"]).json()
    assert [item["id"] for item in rest["items"]] == [mine[0].pk]
    assert rest["next_before_id"] is None

    response = api.post(f"/notifications/{mine[0].pk}/read", {"read": True})
    assert response.status_code == 200
    assert response.json()["read_at"]
    assert api.get("/notifications", unread=True).json()["unread"] == 2
    assert api.post("/notifications/read-all").json() == {"marked": 2}

    assert api.post(f"/notifications/{theirs.pk}/read", {}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_api_bad_input_and_outsiders(agent, client):
    api = Api(agent)
    response = api.get("/notifications", limit=0)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "limit"
    assert client.get("/api/v1/notifications").status_code == 401
    customer_api = Api(portal_user(CustomerFactory()))
    assert customer_api.get("/notifications").status_code == 403
