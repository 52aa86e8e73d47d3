"""Outbound webhooks over HTTP: admins only. The secret is shown on create and on rotate, never again."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status

from frontline.accounts.principal import Principal, principal_of, require_staff
from frontline.core.errors import Forbidden
from frontline.webhooks import selectors, services
from frontline.webhooks.models import WebhookDelivery, WebhookSubscription
from frontline.webhooks.schemas import (
    DeliveryOut,
    DeliveryPage,
    DeliveryQuery,
    WebhookIn,
    WebhookOut,
    WebhookPatch,
    WebhookWithSecretOut,
)

router = Router(tags=["webhooks"])


def _admin(request: HttpRequest) -> Principal:
    principal = principal_of(request)
    require_staff(principal, "only admins may manage webhooks")
    if not principal.is_admin:
        raise Forbidden("only admins may manage webhooks")
    return principal


@router.get("/webhooks", response=list[WebhookOut], summary="List webhooks")
def webhook_list(request: HttpRequest) -> QuerySet[WebhookSubscription]:
    _admin(request)
    return selectors.webhook_subscription_list()


@router.post("/webhooks", response={201: WebhookWithSecretOut}, summary="Create a webhook")
def webhook_create(request: HttpRequest, body: WebhookIn) -> Status[WebhookSubscription]:
    principal = _admin(request)
    subscription = services.webhook_subscription_create(
        actor=principal.user, name=body.name, url=body.url, event_types=body.event_types, active=body.active
    )
    return Status(201, subscription)


@router.get("/webhooks/{webhook_id}", response=WebhookOut, summary="A webhook")
def webhook_get(request: HttpRequest, webhook_id: int) -> WebhookSubscription:
    _admin(request)
    return selectors.webhook_subscription_get(subscription_id=webhook_id)


@router.patch("/webhooks/{webhook_id}", response=WebhookOut, summary="Change a webhook")
def webhook_update(request: HttpRequest, webhook_id: int, body: WebhookPatch) -> WebhookSubscription:
    principal = _admin(request)
    return services.webhook_subscription_update(
        actor=principal.user,
        subscription=selectors.webhook_subscription_get(subscription_id=webhook_id),
        name=body.name,
        url=body.url,
        event_types=body.event_types,
        active=body.active,
    )


@router.delete("/webhooks/{webhook_id}", response={204: None}, summary="Delete a webhook and its log")
def webhook_delete(request: HttpRequest, webhook_id: int) -> Status[None]:
    principal = _admin(request)
    services.webhook_subscription_delete(
        actor=principal.user, subscription=selectors.webhook_subscription_get(subscription_id=webhook_id)
    )
    return Status(204, None)


@router.post(
    "/webhooks/{webhook_id}/rotate-secret",
    response=WebhookWithSecretOut,
    summary="Replace a webhook's signing secret",
)
def webhook_secret_rotate(request: HttpRequest, webhook_id: int) -> WebhookSubscription:
    principal = _admin(request)
    return services.webhook_secret_rotate(
        actor=principal.user, subscription=selectors.webhook_subscription_get(subscription_id=webhook_id)
    )


@router.get("/webhooks/{webhook_id}/deliveries", response=DeliveryPage, summary="A webhook's delivery log")
def webhook_delivery_list(
    request: HttpRequest, webhook_id: int, filters: Query[DeliveryQuery]
) -> selectors.DeliveryPage:
    """Newest first; pass `next_cursor` back as `cursor` for the next page."""
    _admin(request)
    return selectors.webhook_delivery_list(
        subscription=selectors.webhook_subscription_get(subscription_id=webhook_id),
        status=filters.status,
        limit=filters.limit,
        cursor=filters.cursor,
    )


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
    response={202: DeliveryOut},
    summary="Send a delivery again, with the same event id",
)
def webhook_redeliver(request: HttpRequest, webhook_id: int, delivery_id: int) -> Status[WebhookDelivery]:
    principal = _admin(request)
    subscription = selectors.webhook_subscription_get(subscription_id=webhook_id)
    delivery = selectors.webhook_delivery_get(subscription=subscription, delivery_id=delivery_id)
    services.webhook_redeliver(actor=principal.user, delivery=delivery)
    delivery.refresh_from_db()
    return Status(202, delivery)


@router.post("/webhooks/{webhook_id}/ping", response={202: DeliveryOut}, summary="Send a webhook.ping event")
def webhook_ping(request: HttpRequest, webhook_id: int) -> Status[WebhookDelivery]:
    principal = _admin(request)
    delivery = services.webhook_ping(
        actor=principal.user, subscription=selectors.webhook_subscription_get(subscription_id=webhook_id)
    )
    delivery.refresh_from_db()
    return Status(202, delivery)
