"""The webhook endpoints: admins only; success, bad input (422 naming the field), callers who may not."""

import pytest
from django.test import Client

from frontline.accounts.factories import staff
from frontline.accounts.models import Role
from frontline.events.models import Event
from frontline.webhooks import services
from frontline.webhooks.models import WebhookDelivery, WebhookSubscription
from frontline.webhooks.tests.conftest import Api

pytestmark = pytest.mark.django_db

PUBLIC = {"hooks.example.com": ["93.184.216.34"], "inside.example.com": ["10.1.2.3"]}


@pytest.fixture
def admin_api():
    return Api(staff(Role.ADMIN))


@pytest.fixture
def dns(fake_dns):
    fake_dns(PUBLIC)


def _error(response, status):
    assert response.status_code == status, response.content
    return response.json()["error"]


def _create(api, **overrides):
    body = {"name": "Orders", "url": "https://hooks.example.com/frontline", "event_types": ["ticket.*"]}
    return api.post("/webhooks", {**body, **overrides})


def test_an_admin_creates_a_webhook_and_sees_its_secret_once(admin_api, dns):
    response = _create(admin_api)

    assert response.status_code == 201, response.content
    created = response.json()
    subscription = WebhookSubscription.objects.get()
    assert created["secret"] == subscription.secret
    assert created["secret"].startswith("whsec_")
    assert {k: created[k] for k in ("name", "url", "event_types", "active", "consecutive_failures")} == {
        "name": "Orders",
        "url": "https://hooks.example.com/frontline",
        "event_types": ["ticket.*"],
        "active": True,
        "consecutive_failures": 0,
    }
    assert created["created_by_id"] == admin_api.user.pk
    shown = admin_api.get(f"/webhooks/{subscription.pk}").json()
    assert "secret" not in shown
    assert shown["id"] == subscription.pk
    assert [w["id"] for w in admin_api.get("/webhooks").json()] == [subscription.pk]
    event = Event.objects.get(verb="webhook_subscription.created")
    assert subscription.secret not in str(event.after)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"url": "http://127.0.0.1:8000/hook"}, "url", "127.0.0.1 is a loopback address"),
        ({"url": "http://169.254.169.254/latest/"}, "url", "cloud metadata address"),
        (
            {"url": "https://inside.example.com/x"},
            "url",
            "inside.example.com (10.1.2.3) is a private address",
        ),
        ({"url": "http://[fe80::1]/x"}, "url", "link-local"),
        ({"url": "ftp://hooks.example.com/x"}, "url", "only http and https"),
        ({"url": "https://me:pw@hooks.example.com/x"}, "url", "user name or password"),
        ({"url": "https://nowhere.example.com/x"}, "url", "does not resolve"),
        ({"event_types": ["ticket created"]}, "event_types", "is not an event type"),
        ({"event_types": []}, "event_types", None),
        ({"name": "  "}, "name", "the name is empty"),
    ],
)
def test_bad_input_is_refused_naming_the_field(admin_api, dns, overrides, field, message):
    error = _error(_create(admin_api, **overrides), 422)

    assert error["field"] == field
    if message:
        assert message in error["message"]
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR])
def test_agents_and_supervisors_may_not_manage_webhooks(admin_api, dns, role):
    subscription = services.webhook_subscription_create(
        actor=None, name="Orders", url="https://hooks.example.com/x", event_types=["*"]
    )
    api = Api(staff(role))

    for response in (
        api.get("/webhooks"),
        _create(api),
        api.get(f"/webhooks/{subscription.pk}"),
        api.patch(f"/webhooks/{subscription.pk}", {"active": False}),
        api.post(f"/webhooks/{subscription.pk}/rotate-secret"),
        api.get(f"/webhooks/{subscription.pk}/deliveries"),
        api.post(f"/webhooks/{subscription.pk}/ping"),
        api.delete(f"/webhooks/{subscription.pk}"),
    ):
        assert _error(response, 403)["message"] == "only admins may manage webhooks"
    subscription.refresh_from_db()
    assert subscription.active
    assert WebhookSubscription.objects.count() == 1
    assert not WebhookDelivery.objects.exists()


def test_anonymous_callers_are_unauthenticated():
    client = Client()
    assert client.get("/api/v1/webhooks").status_code == 401
    assert client.post("/api/v1/webhooks", data="{}", content_type="application/json").status_code == 401


def test_an_admin_changes_disables_and_reenables_a_webhook(admin_api, dns):
    subscription = services.webhook_subscription_create(
        actor=None, name="Orders", url="https://hooks.example.com/x", event_types=["*"]
    )
    WebhookSubscription.objects.filter(pk=subscription.pk).update(
        active=False, disabled_reason="5 deliveries in a row failed", consecutive_failures=5
    )

    response = admin_api.patch(
        f"/webhooks/{subscription.pk}", {"event_types": ["ticket.created", "message.*"], "active": True}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["event_types"], body["active"], body["disabled_reason"], body["consecutive_failures"]) == (
        ["ticket.created", "message.*"],
        True,
        "",
        0,
    )
    assert (
        _error(admin_api.patch(f"/webhooks/{subscription.pk}", {"url": "http://localhost/"}), 422)["field"]
        == "url"
    )
    assert _error(admin_api.patch("/webhooks/-1", {"active": True}), 404)["code"] == "not_found"


def test_rotating_the_secret_shows_the_new_one(admin_api, dns):
    subscription = services.webhook_subscription_create(
        actor=None, name="Orders", url="https://hooks.example.com/x", event_types=["*"]
    )

    response = admin_api.post(f"/webhooks/{subscription.pk}/rotate-secret")

    assert response.status_code == 200
    subscription.refresh_from_db()
    assert response.json()["secret"] == subscription.secret
    assert Event.objects.filter(
        verb="webhook_subscription.secret_rotated", target_id=subscription.pk
    ).exists()


def test_deleting_a_webhook_removes_it_and_its_log(admin_api, dns):
    subscription = services.webhook_subscription_create(
        actor=None, name="Orders", url="https://hooks.example.com/x", event_types=["*"]
    )
    services.webhook_enqueue(subscription=subscription, event_type="x.y", payload={})

    assert admin_api.delete(f"/webhooks/{subscription.pk}").status_code == 204
    assert not WebhookSubscription.objects.exists()
    assert not WebhookDelivery.objects.exists()


def test_the_delivery_log_is_paged_newest_first(admin_api, dns, django_assert_max_num_queries):
    subscription = services.webhook_subscription_create(
        actor=None, name="Orders", url="https://hooks.example.com/x", event_types=["*"]
    )
    ids = [
        services.webhook_enqueue(subscription=subscription, event_type="x.y", payload={"n": n}).pk
        for n in range(5)
    ]

    with django_assert_max_num_queries(6):
        first = admin_api.get(f"/webhooks/{subscription.pk}/deliveries", limit=3).json()
    second = admin_api.get(
        f"/webhooks/{subscription.pk}/deliveries", limit=3, cursor=first["next_cursor"]
    ).json()

    assert [d["id"] for d in first["items"]] == ids[::-1][:3]
    assert [d["id"] for d in second["items"]] == ids[::-1][3:]
    assert second["next_cursor"] is None
    assert first["items"][0]["status"] == "pending"
    assert first["items"][0]["payload"]["data"] == {"n": 4}
    assert (
        _error(admin_api.get(f"/webhooks/{subscription.pk}/deliveries", status="lost"), 422)["field"]
        == "status"
    )
    assert (
        _error(admin_api.get(f"/webhooks/{subscription.pk}/deliveries", cursor="nope"), 422)["field"]
        == "cursor"
    )
    assert _error(admin_api.get(f"/webhooks/{subscription.pk}/deliveries", limit=0), 422)["field"] == "limit"


def test_an_admin_pings_and_redelivers_over_a_real_connection(
    admin_api, allow_loopback, receiver, django_capture_on_commit_callbacks
):
    subscription = services.webhook_subscription_create(
        actor=None, name="Local", url=receiver.url(), event_types=["*"]
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.post(f"/webhooks/{subscription.pk}/ping")
    assert response.status_code == 202, response.content
    ping = WebhookDelivery.objects.get(pk=response.json()["id"])
    assert (ping.event_type, ping.status) == ("webhook.ping", "delivered")

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.post(f"/webhooks/{subscription.pk}/deliveries/{ping.pk}/redeliver")
    assert response.status_code == 202, response.content
    assert response.json()["event_id"] == ping.event_id
    assert [r.headers["Frontline-Event-Id"] for r in receiver.received] == [ping.event_id] * 2

    other = services.webhook_subscription_create(
        actor=None, name="Other", url=receiver.url(), event_types=["*"]
    )
    assert (
        _error(admin_api.post(f"/webhooks/{other.pk}/deliveries/{ping.pk}/redeliver"), 404)["code"]
        == "not_found"
    )
    services.webhook_subscription_update(actor=None, subscription=subscription, active=False)
    assert (
        _error(admin_api.post(f"/webhooks/{subscription.pk}/deliveries/{ping.pk}/redeliver"), 409)["field"]
        == "active"
    )
    assert _error(admin_api.post(f"/webhooks/{subscription.pk}/ping"), 409)["code"] == "conflict"
    assert len(receiver.received) == 2
