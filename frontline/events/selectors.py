from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from frontline.events.models import Event


def event_list(
    *,
    target_type: str | None = None,
    target_ids: list[int] | None = None,
    verb: str | None = None,
    since: datetime | None = None,
    after_id: int | None = None,
    limit: int = 50,
) -> QuerySet[Event]:
    """Events in the order they happened; the caller decides which targets may be seen."""
    events = Event.objects.all()
    if target_type:
        events = events.filter(target_type=target_type)
    if target_ids is not None:
        events = events.filter(target_id__in=target_ids)
    if verb:
        events = events.filter(verb=verb)
    if since:
        events = events.filter(occurred_at__gte=since)
    if after_id:
        events = events.filter(id__gt=after_id)
    return events.order_by("id")[:limit]
