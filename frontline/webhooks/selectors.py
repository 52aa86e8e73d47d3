"""Reads of webhook subscriptions and their delivery log.

`subscription_patterns_active` is asked on every recorded event, so it answers from memory: the
active subscriptions' patterns are loaded once and kept until a subscription is saved or deleted in
this process (signals.py), or for at most `_CACHE_SECONDS` (changes made by another process).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from frontline.core import cursor as cursors
from frontline.core.errors import Invalid, NotFound
from frontline.webhooks.models import WebhookDelivery, WebhookSubscription

_CACHE_SECONDS = 30.0
_cached: tuple[float, tuple[tuple[int, tuple[str, ...]], ...]] | None = None
_generation = 0  # bumped by every forget, so a load that raced with a change is not kept


def subscription_patterns_active() -> tuple[tuple[int, tuple[str, ...]], ...]:
    """(id, event-type patterns) of each active subscription; no query while the cache is fresh."""
    global _cached
    cached = _cached
    now = time.monotonic()
    if cached is not None and now - cached[0] < _CACHE_SECONDS:
        return cached[1]
    generation = _generation
    rows = WebhookSubscription.objects.filter(active=True).values_list("id", "event_types")
    loaded = tuple((pk, tuple(str(p) for p in event_types)) for pk, event_types in rows)
    if generation == _generation:
        _cached = (now, loaded)
    return loaded


def subscription_cache_forget() -> None:
    global _cached, _generation
    _generation += 1
    _cached = None


def webhook_subscription_list() -> QuerySet[WebhookSubscription]:
    return WebhookSubscription.objects.select_related("created_by").order_by("name", "id")


def webhook_subscription_get(*, subscription_id: int) -> WebhookSubscription:
    subscription = WebhookSubscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        raise NotFound(f"webhook {subscription_id} does not exist")
    return subscription


def webhook_delivery_get(*, subscription: WebhookSubscription, delivery_id: int) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.filter(pk=delivery_id, subscription=subscription).first()
    if delivery is None:
        raise NotFound(f"delivery {delivery_id} of webhook {subscription.pk} does not exist")
    return delivery


@dataclass
class DeliveryPage:
    items: list[WebhookDelivery]
    next_cursor: str | None


def webhook_delivery_list(
    *,
    subscription: WebhookSubscription,
    status: str | None = None,
    limit: int = 25,
    cursor: str | None = None,
) -> DeliveryPage:
    """A page of the subscription's deliveries, newest first, with keyset pagination."""
    if not 1 <= limit <= 100:
        raise Invalid("limit must be between 1 and 100", field="limit")
    deliveries = WebhookDelivery.objects.filter(subscription=subscription)
    if status:
        if status not in WebhookDelivery.Status.values:
            raise Invalid(
                f"unknown status {status!r}; statuses are {', '.join(WebhookDelivery.Status.values)}",
                field="status",
            )
        deliveries = deliveries.filter(status=status)
    if cursor:
        try:
            at, pk = cursors.decode(cursor)
        except cursors.InvalidCursor as exc:
            raise Invalid("the cursor is not one this API gave out", field="cursor") from exc
        deliveries = deliveries.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk))
    rows = list(deliveries.order_by("-created_at", "-id")[: limit + 1])
    next_cursor = (
        cursors.encode(rows[limit - 1].created_at, rows[limit - 1].pk) if len(rows) > limit else None
    )
    return DeliveryPage(items=rows[:limit], next_cursor=next_cursor)


def webhook_delivery_ids_due(*, now: datetime) -> list[int]:
    """Deliveries waiting for an attempt whose moment has passed (their ETA task may be lost)."""
    return list(
        WebhookDelivery.objects.filter(
            status__in=(WebhookDelivery.Status.PENDING, WebhookDelivery.Status.FAILED),
            next_attempt_at__lte=now,
        )
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:1000]
    )
