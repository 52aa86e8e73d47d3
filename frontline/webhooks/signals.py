"""Recorded events become webhook deliveries; subscription changes refresh the in-process cache."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from frontline.events.models import Event
from frontline.events.signals import event_recorded
from frontline.webhooks.models import WebhookSubscription
from frontline.webhooks.selectors import subscription_cache_forget

logger = logging.getLogger(__name__)


def _on_event(sender: object, event: Event, **kwargs: Any) -> None:
    from frontline.webhooks.services import webhook_on_event

    try:
        webhook_on_event(event=event)
    except Exception:  # listeners must not raise: the change is committed already
        logger.exception("webhooks were not queued for event %s (%s)", event.pk, event.verb)


def _on_subscription_change(sender: object, **kwargs: Any) -> None:
    subscription_cache_forget()
    transaction.on_commit(subscription_cache_forget)  # and again once others can read the change


def connect() -> None:
    event_recorded.connect(_on_event, dispatch_uid="frontline-webhooks-events")
    post_save.connect(
        _on_subscription_change, sender=WebhookSubscription, dispatch_uid="frontline-webhooks-save"
    )
    post_delete.connect(
        _on_subscription_change, sender=WebhookSubscription, dispatch_uid="frontline-webhooks-delete"
    )
