"""The event log over HTTP: staff read the events of what they may see."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from frontline.accounts.principal import principal_of, require_staff
from frontline.core.errors import Forbidden, Invalid
from frontline.events.models import Event
from frontline.events.selectors import event_list
from frontline.tickets.selectors import ticket_get_for_principal

router = Router(tags=["events"])


class EventOut(Schema):
    id: int
    occurred_at: datetime
    actor_id: int | None
    actor_label: str
    verb: str
    target_type: str
    target_id: int
    before: dict[str, Any]
    after: dict[str, Any]


@router.get("/events", response=list[EventOut], summary="Read the event log")
def events(
    request: HttpRequest,
    target_type: str | None = None,
    target_id: int | None = None,
    verb: str | None = None,
    since: datetime | None = None,
    after_id: int | None = None,
    limit: int = 100,
) -> list[Event]:
    """Events oldest first; page with `after_id`. Agents read the events of tickets they can see;
    supervisors and admins read the whole log."""
    principal = principal_of(request)
    require_staff(principal, "only staff may read the event log")
    if not 1 <= limit <= 500:
        raise Invalid("limit must be between 1 and 500", field="limit")
    if target_id is not None and target_type is None:
        raise Invalid("give target_type with target_id", field="target_type")
    if not principal.is_supervisor_or_admin:
        if target_type != "ticket" or target_id is None:
            raise Forbidden("agents read the events of one ticket at a time (target_type=ticket&target_id=…)")
        ticket_get_for_principal(principal=principal, ticket_id=target_id)
    return list(
        event_list(
            target_type=target_type,
            target_ids=[target_id] if target_id is not None else None,
            verb=verb,
            since=since,
            after_id=after_id,
            limit=limit,
        )
    )
