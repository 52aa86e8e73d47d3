from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema


class WebhookIn(Schema):
    name: str = Field(max_length=120)
    url: str = Field(max_length=2000, description="http(s) URL; private and loopback targets are refused.")
    event_types: list[str] = Field(
        min_length=1,
        max_length=100,
        description='Event types or patterns: ["ticket.created", "ticket.*"], ["*"].',
    )
    active: bool = True


class WebhookPatch(Schema):
    name: str | None = Field(None, max_length=120)
    url: str | None = Field(None, max_length=2000)
    event_types: list[str] | None = Field(None, min_length=1, max_length=100)
    active: bool | None = Field(
        None, description="true re-enables a disabled webhook and clears its failures."
    )


class WebhookOut(Schema):
    id: int
    name: str
    url: str
    event_types: list[str]
    active: bool
    disabled_reason: str
    consecutive_failures: int
    created_by_id: int | None
    created_at: datetime
    updated_at: datetime


class WebhookWithSecretOut(WebhookOut):
    secret: str = Field(description="The signing secret. Shown only now: store it.")


class DeliveryOut(Schema):
    id: int
    subscription_id: int
    event_id: str = Field(description="Stable across retries and redeliveries.")
    event_type: str
    payload: dict[str, Any]
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str
    response_excerpt: str
    delivered_at: datetime | None
    created_at: datetime


class DeliveryPage(Schema):
    items: list[DeliveryOut]
    next_cursor: str | None


class DeliveryQuery(Schema):
    status: str | None = None
    cursor: str | None = None
    limit: int = 25
