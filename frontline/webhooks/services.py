"""Every write to webhook subscriptions and deliveries; configuration changes record their events.

A delivery is created in the caller's transaction (`webhook_enqueue`, or `webhook_on_event` for
recorded events) and attempted by a task after commit (`webhook_deliver`):
- the attempt is claimed under a row lock (attempt counted, a short lease as `next_attempt_at`),
  the POST happens outside any transaction (a slow target must not hold the database's write lock),
  and the outcome is recorded under the lock again;
- 2xx delivers it; anything else schedules the next attempt with backoff and jitter (an ETA task),
  until `FRONTLINE_WEBHOOK_MAX_ATTEMPTS`, when it is dead;
- `FRONTLINE_WEBHOOK_DISABLE_AFTER` dead deliveries in a row disable the subscription, with a
  reason and an event; any delivered one resets the count.
`webhook_reconcile` (periodic) attempts deliveries whose moment passed without their task.

Events about webhooks themselves are not sent to webhooks, so a failing endpoint cannot feed itself.
"""

from __future__ import annotations

import json
import random
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from frontline.accounts.models import User
from frontline.core.errors import Conflict, Invalid
from frontline.events.models import Event
from frontline.events.services import event_record
from frontline.webhooks import backoff, patterns, sender, signing
from frontline.webhooks.addresses import Allowlist, Refused
from frontline.webhooks.models import WebhookDelivery, WebhookSubscription
from frontline.webhooks.selectors import subscription_patterns_active, webhook_delivery_ids_due

Status = WebhookDelivery.Status

BACKOFF = backoff.Backoff(base=60.0, factor=3.0, cap=12 * 3600.0)
#: How long a claimed attempt keeps others off the delivery: longer than one attempt can take.
CLAIM_LEASE = timedelta(seconds=60)
CONNECT_TIMEOUT_SECONDS = 5.0
TOTAL_TIMEOUT_SECONDS = 10.0
PING_EVENT_TYPE = "webhook.ping"
_random = random.SystemRandom()


def _jitter() -> float:
    """A uniform share in [0, 1) for the backoff's full jitter."""
    return _random.random()


def webhook_allowlist() -> Allowlist:
    return Allowlist.parse(getattr(settings, "FRONTLINE_WEBHOOK_ALLOWLIST", []))


def _max_attempts() -> int:
    return max(1, int(getattr(settings, "FRONTLINE_WEBHOOK_MAX_ATTEMPTS", 8)))


def _disable_after() -> int:
    return max(1, int(getattr(settings, "FRONTLINE_WEBHOOK_DISABLE_AFTER", 5)))


# --- Subscriptions


def webhook_url_check(url: str) -> str:
    """The URL, stripped, if webhooks may be sent there now; Invalid (field "url") if not."""
    url = url.strip()
    if not url:
        raise Invalid("the URL is empty", field="url")
    if len(url) > 2000:
        raise Invalid("the URL is longer than 2000 characters", field="url")
    try:
        sender.url_check(url, allowlist=webhook_allowlist())
    except Refused as exc:
        raise Invalid(f"webhooks cannot be sent there: {exc.reason}", field="url") from exc
    return url


def _event_types(event_types: list[Any]) -> list[str]:
    try:
        return patterns.validate(event_types)
    except patterns.PatternError as exc:
        raise Invalid(str(exc), field="event_types") from exc


def _name(name: str) -> str:
    name = name.strip()
    if not name:
        raise Invalid("the name is empty", field="name")
    if len(name) > 120:
        raise Invalid("the name is longer than 120 characters", field="name")
    return name


def _snapshot(subscription: WebhookSubscription) -> dict[str, Any]:
    """What an event says about a subscription: never its secret."""
    return {
        "name": subscription.name,
        "url": subscription.url,
        "event_types": subscription.event_types,
        "active": subscription.active,
    }


@transaction.atomic
def webhook_subscription_create(
    *, actor: User | None, name: str, url: str, event_types: list[Any], active: bool = True
) -> WebhookSubscription:
    """A subscription with a new signing secret (the caller shows it once)."""
    subscription = WebhookSubscription.objects.create(
        name=_name(name),
        url=webhook_url_check(url),
        event_types=_event_types(event_types),
        active=active,
        secret=signing.secret_generate(),
        created_by=actor,
    )
    event_record(
        actor=actor, verb="webhook_subscription.created", target=subscription, after=_snapshot(subscription)
    )
    return subscription


@transaction.atomic
def webhook_subscription_update(
    *,
    actor: User | None,
    subscription: WebhookSubscription,
    name: str | None = None,
    url: str | None = None,
    event_types: list[Any] | None = None,
    active: bool | None = None,
) -> WebhookSubscription:
    """Change what is given; enabling a disabled subscription clears its reason and failure count."""
    subscription = WebhookSubscription.objects.select_for_update(of=("self",)).get(pk=subscription.pk)
    before = _snapshot(subscription)
    if name is not None:
        subscription.name = _name(name)
    if url is not None:
        subscription.url = webhook_url_check(url)
    if event_types is not None:
        subscription.event_types = _event_types(event_types)
    if active is not None:
        if active and not subscription.active:
            subscription.disabled_reason = ""
            subscription.consecutive_failures = 0
        elif not active and subscription.active:
            subscription.disabled_reason = "disabled by an admin"
        subscription.active = active
    after = _snapshot(subscription)
    changed = {key for key in after if after[key] != before[key]}
    if changed:
        subscription.save()
        event_record(
            actor=actor,
            verb="webhook_subscription.updated",
            target=subscription,
            before={key: before[key] for key in sorted(changed)},
            after={key: after[key] for key in sorted(changed)},
        )
    return subscription


@transaction.atomic
def webhook_subscription_delete(*, actor: User | None, subscription: WebhookSubscription) -> None:
    """Remove the subscription and its delivery log."""
    event_record(
        actor=actor, verb="webhook_subscription.deleted", target=subscription, before=_snapshot(subscription)
    )
    subscription.delete()


@transaction.atomic
def webhook_secret_rotate(*, actor: User | None, subscription: WebhookSubscription) -> WebhookSubscription:
    """A new signing secret, used from the next attempt on (the caller shows it once)."""
    subscription = WebhookSubscription.objects.select_for_update(of=("self",)).get(pk=subscription.pk)
    subscription.secret = signing.secret_generate()
    subscription.save(update_fields=["secret", "updated_at"])
    event_record(actor=actor, verb="webhook_subscription.secret_rotated", target=subscription)
    return subscription


# --- Deliveries


def _schedule(delivery_id: int, eta: datetime | None = None) -> None:
    """After commit: attempt the delivery now, or at `eta`."""

    def enqueue() -> None:
        from frontline.webhooks.tasks import webhook_deliver_task  # tasks call services: import when used

        if eta is None:
            webhook_deliver_task(delivery_id)
        else:
            webhook_deliver_task.schedule(args=(delivery_id,), eta=eta)

    transaction.on_commit(enqueue)


def webhook_enqueue(
    *,
    subscription: WebhookSubscription,
    event_type: str,
    payload: dict[str, Any],
    event_id: str | None = None,
) -> WebhookDelivery:
    """Send `payload` (the envelope's `data`) to the subscription after the caller's transaction commits.

    The delivery is created in the caller's transaction. `event_id` (default: a new
    `evt_<uuid>`) is the id recipients dedupe on; enqueueing the same id again returns the
    existing delivery and sends nothing more.
    """
    event_id = event_id or f"evt_{uuid.uuid4().hex}"
    envelope = {
        "id": event_id,
        "type": event_type,
        "occurred_at": timezone.now().isoformat(),
        "data": payload,
    }
    return _delivery_create(subscription=subscription, event_type=event_type, envelope=envelope)


def _delivery_create(
    *, subscription: WebhookSubscription, event_type: str, envelope: dict[str, Any]
) -> WebhookDelivery:
    event_id = str(envelope["id"])
    if len(event_id) > 64 or not event_id:
        raise Invalid("an event id is 1 to 64 characters", field="event_id")
    if len(event_type) > 64 or not event_type:
        raise Invalid("an event type is 1 to 64 characters", field="event_type")
    with transaction.atomic():
        existing = WebhookDelivery.objects.filter(subscription=subscription, event_id=event_id).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    subscription=subscription,
                    event_id=event_id,
                    event_type=event_type,
                    payload=envelope,
                    next_attempt_at=timezone.now(),
                )
        except IntegrityError:  # enqueued at the same moment elsewhere
            return WebhookDelivery.objects.get(subscription=subscription, event_id=event_id)
        _schedule(delivery.pk)
    return delivery


def event_payload(event: Event) -> dict[str, Any]:
    """The envelope's `data` for a recorded event."""
    return {
        "actor": event.actor_label,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "before": event.before,
        "after": event.after,
    }


def webhook_on_event(*, event: Event) -> list[WebhookDelivery]:
    """One delivery per active subscription whose patterns match the event's verb (no query if none do)."""
    if event.target_type.startswith("webhook"):
        return []
    wanted = [
        pk for pk, event_types in subscription_patterns_active() if patterns.matches(event_types, event.verb)
    ]
    if not wanted:
        return []
    envelope = {
        "id": f"evt_{event.pk}",
        "type": event.verb,
        "occurred_at": event.occurred_at.isoformat(),
        "data": event_payload(event),
    }
    with transaction.atomic():
        return [
            _delivery_create(subscription=subscription, event_type=event.verb, envelope=envelope)
            for subscription in WebhookSubscription.objects.filter(pk__in=wanted, active=True).order_by("id")
            if subscription.wants(event.verb)
        ]


def _body(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()


def _claim(delivery_id: int, now: datetime) -> tuple[WebhookDelivery, int] | None:
    """Count one attempt of a due delivery and lease it; None when there is nothing to attempt."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("subscription")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status not in (Status.PENDING, Status.FAILED):
            return None
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
            return None  # early or stale task, or another worker holds the lease
        if not delivery.subscription.active:
            delivery.status = Status.DEAD
            delivery.next_attempt_at = None
            delivery.last_error = "the subscription is disabled"
            delivery.save()
            return None
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.next_attempt_at = now + CLAIM_LEASE
        delivery.save(update_fields=["attempts", "last_attempt_at", "next_attempt_at", "updated_at"])
        return delivery, delivery.attempts


def webhook_deliver(*, delivery_id: int, now: datetime | None = None) -> WebhookDelivery | None:
    """Make one attempt of a due delivery and record its outcome; a stale or early call changes nothing.

    Returns the delivery as recorded, or None when there was nothing to attempt.
    """
    claimed = _claim(delivery_id, now or timezone.now())
    if claimed is None:
        return None
    delivery, attempt = claimed
    subscription = delivery.subscription
    body = _body(delivery)
    headers = {
        signing.SIGNATURE_HEADER: signing.sign(subscription.secret, body, int(timezone.now().timestamp())),
        signing.EVENT_ID_HEADER: delivery.event_id,
        signing.EVENT_TYPE_HEADER: delivery.event_type,
    }
    outcome = sender.post(
        subscription.url,
        body=body,
        headers=headers,
        allowlist=webhook_allowlist(),
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        total_timeout=TOTAL_TIMEOUT_SECONDS,
    )
    return _record(delivery_id, attempt, outcome)


@transaction.atomic
def _record(delivery_id: int, attempt: int, outcome: sender.Outcome) -> WebhookDelivery | None:
    delivery = (
        WebhookDelivery.objects.select_for_update(of=("self",))
        .select_related("subscription")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None:
        return None
    if delivery.attempts != attempt:
        return delivery  # redelivered meanwhile: the new attempt records its own outcome
    now = timezone.now()
    delivery.last_status_code = outcome.status_code
    delivery.last_error = outcome.error[:500]
    delivery.response_excerpt = outcome.response_excerpt
    subscription = WebhookSubscription.objects.select_for_update(of=("self",)).get(
        pk=delivery.subscription_id
    )
    if outcome.is_success:
        delivery.status = Status.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
        if subscription.consecutive_failures:
            subscription.consecutive_failures = 0
            subscription.save(update_fields=["consecutive_failures", "updated_at"])
    elif attempt >= _max_attempts():
        delivery.status = Status.DEAD
        delivery.next_attempt_at = None
        _count_dead(subscription, delivery, outcome)
    else:
        delivery.status = Status.FAILED
        delivery.next_attempt_at = now + timedelta(seconds=BACKOFF.delay(attempt, _jitter()))
        _schedule(delivery.pk, eta=delivery.next_attempt_at)
    delivery.save()
    return delivery


def _failure_words(outcome: sender.Outcome) -> str:
    if outcome.error:
        return outcome.error
    return f"HTTP {outcome.status_code}"


def _count_dead(
    subscription: WebhookSubscription, delivery: WebhookDelivery, outcome: sender.Outcome
) -> None:
    """One more dead delivery in a row; enough of them disable the subscription."""
    subscription.consecutive_failures += 1
    limit = _disable_after()
    if subscription.active and subscription.consecutive_failures >= limit:
        subscription.active = False
        subscription.disabled_reason = (
            f"{subscription.consecutive_failures} deliveries in a row failed every attempt "
            f"({delivery.attempts} each); the last: {_failure_words(outcome)}"
        )[:500]
        event_record(
            actor=None,
            verb="webhook_subscription.disabled",
            target=subscription,
            before={"active": True},
            after={
                "active": False,
                "disabled_reason": subscription.disabled_reason,
                "consecutive_failures": subscription.consecutive_failures,
            },
        )
    subscription.save(update_fields=["consecutive_failures", "active", "disabled_reason", "updated_at"])


@transaction.atomic
def webhook_redeliver(*, actor: User | None, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send the delivery again from its first attempt, with the same event id and payload."""
    delivery = (
        WebhookDelivery.objects.select_for_update(of=("self",))
        .select_related("subscription")
        .get(pk=delivery.pk)
    )
    if not delivery.subscription.active:
        raise Conflict("the webhook is disabled: enable it before redelivering", field="active")
    before = {"status": delivery.status, "attempts": delivery.attempts}
    delivery.status = Status.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.delivered_at = None
    delivery.save()
    event_record(
        actor=actor,
        verb="webhook_delivery.redelivered",
        target=delivery,
        before=before,
        after={"status": delivery.status, "event_id": delivery.event_id},
    )
    _schedule(delivery.pk)
    return delivery


@transaction.atomic
def webhook_ping(*, actor: User | None, subscription: WebhookSubscription) -> WebhookDelivery:
    """A `webhook.ping` delivery, to try an endpoint and its signature check; sent after commit."""
    if not subscription.active:
        raise Conflict("the webhook is disabled: enable it before pinging it", field="active")
    delivery = webhook_enqueue(
        subscription=subscription,
        event_type=PING_EVENT_TYPE,
        payload={"webhook_id": subscription.pk, "sent_by": actor.get_username() if actor else "system"},
    )
    event_record(
        actor=actor,
        verb="webhook_subscription.pinged",
        target=subscription,
        after={"delivery": delivery.pk, "event_id": delivery.event_id},
    )
    return delivery


def webhook_reconcile(*, now: datetime | None = None) -> int:
    """Safety net: attempt deliveries whose moment passed without their task; returns how many were due."""
    at = now or timezone.now()
    ids = webhook_delivery_ids_due(now=at)
    for delivery_id in ids:
        webhook_deliver(delivery_id=delivery_id, now=at)
    return len(ids)
