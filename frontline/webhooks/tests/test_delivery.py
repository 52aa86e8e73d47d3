"""Deliveries to a real HTTP server on 127.0.0.1: signed, retried with one event id, refused when private.

The server is on loopback, which webhooks may not reach by default; tests that should get through
allowlist it (`allow_loopback`), as an on-premise operator would allowlist an internal host.
Tasks run inline; the retries' ETA tasks wait in Huey's in-memory schedule, and each test runs the
next attempt itself at its moment (time frozen with time-machine).
"""

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from huey.contrib.djhuey import HUEY

from frontline.accounts.factories import staff
from frontline.accounts.models import Role
from frontline.events.models import Event
from frontline.webhooks import services, signing
from frontline.webhooks.models import WebhookDelivery, WebhookSubscription
from frontline.webhooks.tasks import webhook_deliver_task

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DOCS = Path(__file__).resolve().parents[3] / "docs" / "webhooks.md"


def documented_recipe():
    """`verify_frontline_signature` exactly as docs/webhooks.md gives it to integrators."""
    text = DOCS.read_text()
    code = next(
        block
        for block in re.findall(r"```python\n(.*?)```", text, re.S)
        if "def verify_frontline_signature" in block
    )
    namespace: dict[str, object] = {}
    exec(compile(code, str(DOCS), "exec"), namespace)  # noqa: S102  # our own documentation, run as integrators would
    return namespace["verify_frontline_signature"]


@pytest.fixture
def admin():
    return staff(Role.ADMIN)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run `fn` at frozen aware time `at`; after-commit work (the delivery task) runs as in production."""

    def step(at, fn, *args, **kwargs):
        with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return step


def _subscribe(admin, url, event_types=("*",)):
    return services.webhook_subscription_create(
        actor=admin, name="Orders", url=url, event_types=list(event_types)
    )


def _send(run, subscription, at=START, **payload):
    delivery = run(
        at,
        services.webhook_enqueue,
        subscription=subscription,
        event_type="order.shipped",
        payload=payload or {"order": 7},
    )
    delivery.refresh_from_db()
    return delivery


def test_a_delivery_reaches_the_server_signed_as_the_docs_say(admin, allow_loopback, receiver, run):
    subscription = _subscribe(admin, receiver.url())
    delivery = _send(run, subscription, order=7, total="19.90")

    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    assert delivery.delivered_at == START
    assert delivery.next_attempt_at is None
    assert delivery.response_excerpt == "ok"
    [request] = receiver.received
    assert request.path == "/hook"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Frontline-Event-Id"] == delivery.event_id
    assert request.headers["Frontline-Event-Type"] == "order.shipped"
    assert json.loads(request.body) == {
        "id": delivery.event_id,
        "type": "order.shipped",
        "occurred_at": "2026-03-02T09:00:00+00:00",
        "data": {"order": 7, "total": "19.90"},
    }
    header = request.headers["Frontline-Signature"]
    assert header.startswith(f"t={int(START.timestamp())},v1=")
    verify = documented_recipe()
    with time_machine.travel(START + timedelta(seconds=30), tick=False):
        assert verify(subscription.secret, header, request.body) is True
        assert signing.verify(subscription.secret, header, request.body) == int(START.timestamp())
        # Not with another secret, a changed body, or five minutes later
        assert verify("whsec_someone-else", header, request.body) is False
        assert verify(subscription.secret, header, request.body.replace(b"19.90", b"0.01")) is False
    with time_machine.travel(START + timedelta(minutes=6), tick=False):
        assert verify(subscription.secret, header, request.body) is False


def test_failing_responses_are_retried_with_the_same_event_id_and_growing_delays(
    admin, allow_loopback, receiver, run, settings, monkeypatch, huey_schedule
):
    settings.FRONTLINE_WEBHOOK_MAX_ATTEMPTS = 4
    monkeypatch.setattr(services, "_jitter", lambda: 0.5)  # the middle of each jittered wait
    receiver.answer("/hook", (500, {}, b"database is down"))
    subscription = _subscribe(admin, receiver.url())

    delivery = _send(run, subscription)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 1, 500)
    assert delivery.response_excerpt == "database is down"
    # The retry waits in the task queue's schedule for its moment
    assert [(task.args, task.eta) for task in HUEY.scheduled()] == [
        ((delivery.pk,), (START + timedelta(seconds=30)).replace(tzinfo=None))
    ]
    # A task that runs early (or twice) changes nothing
    assert run(START + timedelta(seconds=29), webhook_deliver_task, delivery.pk).get() is None
    assert len(receiver.received) == 1

    waits = []
    for _ in range(3):
        waits.append(delivery.next_attempt_at - delivery.last_attempt_at)
        run(delivery.next_attempt_at, webhook_deliver_task, delivery.pk)
        delivery.refresh_from_db()

    assert waits == [timedelta(seconds=30), timedelta(seconds=90), timedelta(seconds=270)]
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("dead", 4, None)
    assert len(receiver.received) == 4
    assert {r.headers["Frontline-Event-Id"] for r in receiver.received} == {delivery.event_id}
    assert {json.loads(r.body)["id"] for r in receiver.received} == {delivery.event_id}
    # Each attempt is signed afresh, at its own time
    timestamps = [
        signing.verify(subscription.secret, r.headers["Frontline-Signature"], r.body, tolerance=10**9)
        for r in receiver.received
    ]
    assert timestamps == [int((START + timedelta(seconds=s)).timestamp()) for s in (0, 30, 120, 390)]


def test_a_retry_that_succeeds_delivers_and_clears_the_failure_count(admin, allow_loopback, receiver, run):
    receiver.answer("/hook", (503, {}, b"busy"), (204, {}, b""))
    subscription = _subscribe(admin, receiver.url())
    WebhookSubscription.objects.filter(pk=subscription.pk).update(consecutive_failures=2)

    delivery = _send(run, subscription)
    run(delivery.next_attempt_at, services.webhook_deliver, delivery_id=delivery.pk)

    delivery.refresh_from_db()
    subscription.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 2, 204)
    assert subscription.consecutive_failures == 0


def test_a_subscription_is_disabled_after_repeated_dead_deliveries(
    admin, allow_loopback, receiver, run, settings
):
    settings.FRONTLINE_WEBHOOK_MAX_ATTEMPTS = 1
    settings.FRONTLINE_WEBHOOK_DISABLE_AFTER = 3
    receiver.answer("/hook", (503, {}, b"maintenance"))
    subscription = _subscribe(admin, receiver.url())

    for _ in range(2):
        assert _send(run, subscription).status == "dead"
    subscription.refresh_from_db()
    assert (subscription.active, subscription.consecutive_failures) == (True, 2)

    assert _send(run, subscription).status == "dead"
    subscription.refresh_from_db()
    assert (subscription.active, subscription.consecutive_failures) == (False, 3)
    assert subscription.disabled_reason == (
        "3 deliveries in a row failed every attempt (1 each); the last: HTTP 503"
    )
    event = Event.objects.get(verb="webhook_subscription.disabled", target_id=subscription.pk)
    assert event.after == {
        "active": False,
        "disabled_reason": subscription.disabled_reason,
        "consecutive_failures": 3,
    }

    # A disabled subscription gets nothing more
    later = _send(run, subscription)
    assert (later.status, later.attempts, later.last_error) == ("dead", 0, "the subscription is disabled")
    assert len(receiver.received) == 3


def test_a_loopback_target_is_refused_without_the_allowlist(admin, receiver, run, settings):
    settings.FRONTLINE_WEBHOOK_ALLOWLIST = ["127.0.0.1"]
    subscription = _subscribe(admin, receiver.url())
    settings.FRONTLINE_WEBHOOK_ALLOWLIST = []  # the operator narrowed the allowlist afterwards

    delivery = _send(run, subscription)

    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 1, None)
    assert delivery.last_error == "refused: 127.0.0.1 is a loopback address"
    assert receiver.received == []


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("http://127.0.0.1:{port}/inside", "127.0.0.1 is a loopback address"),
        ("http://127.0.0.2:{port}/inside", "127.0.0.2 is a loopback address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata address"),
        (
            "http://[::ffff:127.0.0.1]:{port}/inside",
            "::ffff:127.0.0.1 is a loopback address, 127.0.0.1 inside IPv6",
        ),
        ("http://10.0.0.8/", "10.0.0.8 is a private address"),
        ("file:///etc/passwd", "only http and https URLs can receive webhooks"),
    ],
)
def test_a_redirect_to_a_refused_address_is_not_followed(admin, receiver, run, settings, location, reason):
    # The server is allowed by its name only; what it redirects to is checked on its own merits
    settings.FRONTLINE_WEBHOOK_ALLOWLIST = ["localhost"]
    receiver.answer("/hook", (307, {"Location": location.format(port=receiver.port)}, b""))
    subscription = _subscribe(admin, receiver.url(host="localhost"))

    delivery = _send(run, subscription)

    assert (delivery.status, delivery.last_error) == ("failed", f"refused redirect: {reason}")
    assert [r.path for r in receiver.received] == ["/hook"]


def test_a_redirect_to_an_allowed_target_is_followed_with_the_same_signed_post(
    admin, receiver, run, settings
):
    settings.FRONTLINE_WEBHOOK_ALLOWLIST = ["localhost"]
    receiver.answer("/hook", (308, {"Location": "/moved"}, b""))
    subscription = _subscribe(admin, receiver.url(host="localhost"))

    delivery = _send(run, subscription)

    assert (delivery.status, delivery.last_status_code) == ("delivered", 200)
    first, second = receiver.received
    assert (first.path, second.path) == ("/hook", "/moved")
    assert second.body == first.body
    assert second.headers["Frontline-Signature"] == first.headers["Frontline-Signature"]
    assert second.headers["Host"] == f"localhost:{receiver.port}"


def test_more_than_five_redirects_fail_the_attempt(admin, allow_loopback, receiver, run):
    receiver.answer("/hook", (302, {"Location": "/hook"}, b""))
    subscription = _subscribe(admin, receiver.url())

    delivery = _send(run, subscription)

    assert (delivery.status, delivery.last_status_code, delivery.last_error) == (
        "failed",
        302,
        "more than 5 redirects",
    )
    assert len(receiver.received) == 6


def test_the_name_is_resolved_again_and_the_checked_address_is_the_one_connected_to(
    admin, receiver, run, settings, fake_dns
):
    settings.FRONTLINE_WEBHOOK_ALLOWLIST = ["127.0.0.1"]
    fake_dns({"hooks.example.com": ["127.0.0.1"]})
    subscription = _subscribe(admin, f"http://hooks.example.com:{receiver.port}/hook")

    delivered = _send(run, subscription)
    assert delivered.status == "delivered"
    # Connected to the checked address, with the name as the Host
    assert receiver.received[0].headers["Host"] == f"hooks.example.com:{receiver.port}"

    # The name now points inside (DNS rebinding): refused before anything is sent
    fake_dns({"hooks.example.com": ["169.254.169.254"]})
    refused = _send(run, subscription, order=8)
    assert refused.last_error == "refused: hooks.example.com (169.254.169.254) is a cloud metadata address"
    assert len(receiver.received) == 1


def test_the_reconcile_task_attempts_deliveries_whose_task_was_lost(admin, allow_loopback, receiver):
    subscription = _subscribe(admin, receiver.url())
    with time_machine.travel(START, tick=False):
        # Created, but its after-commit task never ran (as if the queue lost it)
        delivery = services.webhook_enqueue(subscription=subscription, event_type="order.shipped", payload={})

    assert services.webhook_reconcile(now=START + timedelta(minutes=1)) == 1
    assert services.webhook_reconcile(now=START + timedelta(minutes=2)) == 0
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)
    assert len(receiver.received) == 1


def test_redelivery_sends_the_same_event_id_again(admin, allow_loopback, receiver, run):
    subscription = _subscribe(admin, receiver.url())
    delivery = _send(run, subscription)

    run(START + timedelta(hours=1), services.webhook_redeliver, actor=admin, delivery=delivery)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)
    assert delivery.delivered_at == START + timedelta(hours=1)
    assert [r.headers["Frontline-Event-Id"] for r in receiver.received] == [delivery.event_id] * 2
    assert receiver.received[0].body == receiver.received[1].body
    assert Event.objects.filter(verb="webhook_delivery.redelivered", target_id=delivery.pk).count() == 1


def test_enqueueing_an_event_id_twice_sends_it_once(admin, allow_loopback, receiver, run):
    subscription = _subscribe(admin, receiver.url())

    first = run(
        START,
        services.webhook_enqueue,
        subscription=subscription,
        event_type="x.y",
        payload={},
        event_id="evt_9",
    )
    again = run(
        START,
        services.webhook_enqueue,
        subscription=subscription,
        event_type="x.y",
        payload={},
        event_id="evt_9",
    )

    assert first.pk == again.pk
    assert WebhookDelivery.objects.filter(subscription=subscription).count() == 1
    assert len(receiver.received) == 1
