"""Every read of tickets and messages, scoped to what the caller may see.

A ticket the caller may not see is reported as not found, never as forbidden, so its existence
does not leak.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import ExtractHour

from frontline.accounts.principal import Principal
from frontline.core import cursor as cursors
from frontline.core.errors import Invalid, NotFound
from frontline.tickets import search
from frontline.tickets.models import Attachment, Message, Ticket


def ticket_visibility(principal: Principal) -> Q:
    """The tickets this caller may see, as a filter."""
    if principal.sees_all_tickets:
        return Q()
    if principal.is_staff_member:
        # Agents see their teams' tickets, tickets of teams that are not private, tickets with
        # no team yet, and whatever is assigned to them.
        return (
            Q(team__isnull=True)
            | Q(team__is_private=False)
            | Q(team_id__in=principal.team_ids)
            | Q(assignee_id=principal.user.pk)
        )
    if principal.customer_id is not None:
        q = Q(requester_id=principal.customer_id)
        if principal.shared_organization_id is not None:
            q |= Q(organization_id=principal.shared_organization_id)
        return q
    return Q(pk__in=[])


def _visible(principal: Principal) -> QuerySet[Ticket]:
    return Ticket.objects.filter(ticket_visibility(principal))


def ticket_get_for_principal(*, principal: Principal, ticket_id: int) -> Ticket:
    ticket = _visible(principal).select_related("requester", "team", "assignee").filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound(f"ticket {ticket_id} not found")
    return ticket


def message_visibility(principal: Principal) -> Q:
    """Customers never see internal notes."""
    return Q() if principal.is_staff_member else ~Q(direction=Message.Direction.NOTE)


@dataclass(frozen=True)
class TicketFilters:
    status: list[str] | None = None
    team_id: int | None = None
    no_team: bool = False
    assignee_id: int | None = None
    unassigned: bool = False
    tag: str | None = None
    customer_id: int | None = None
    organization_id: int | None = None
    channel: str | None = None
    priority: str | None = None
    updated_since: datetime | None = None
    query: str | None = None


@dataclass(frozen=True)
class Page:
    items: list[Ticket]
    next_cursor: str | None


def ticket_list_for_principal(
    *, principal: Principal, filters: TicketFilters, limit: int = 25, cursor: str | None = None
) -> Page:
    """A page of visible tickets, most recently updated first, with keyset pagination.

    Each filter narrows an index that ends in (updated_at, id), so a page costs the same at a
    thousand tickets or a million.
    """
    tickets = _visible(principal)
    if filters.status:
        bad = [s for s in filters.status if s not in Ticket.Status.values]
        if bad:
            raise Invalid(
                f"unknown status {bad[0]!r}; statuses are {', '.join(Ticket.Status.values)}", field="status"
            )
        tickets = tickets.filter(status__in=filters.status)
    if filters.team_id is not None:
        tickets = tickets.filter(team_id=filters.team_id)
    if filters.no_team:
        tickets = tickets.filter(team__isnull=True)
    if filters.assignee_id is not None:
        tickets = tickets.filter(assignee_id=filters.assignee_id)
    if filters.unassigned:
        tickets = tickets.filter(assignee__isnull=True)
    if filters.tag:
        tickets = tickets.filter(tags__name=filters.tag.strip().lower())
    if filters.customer_id is not None:
        tickets = tickets.filter(requester_id=filters.customer_id)
    if filters.organization_id is not None:
        tickets = tickets.filter(organization_id=filters.organization_id)
    if filters.channel:
        tickets = tickets.filter(channel=filters.channel)
    if filters.priority:
        tickets = tickets.filter(priority=filters.priority)
    if filters.updated_since:
        tickets = tickets.filter(updated_at__gte=filters.updated_since)
    if filters.query:
        tickets = tickets.filter(pk__in=search.matching_ticket_ids(filters.query))
    if cursor:
        try:
            at, pk = cursors.decode(cursor)
        except cursors.InvalidCursor as exc:
            raise Invalid("the cursor is not one this API gave out", field="cursor") from exc
        tickets = tickets.filter(Q(updated_at__lt=at) | Q(updated_at=at, pk__lt=pk))
    rows = list(
        tickets.select_related("requester", "team", "assignee")
        .prefetch_related("tags")
        .order_by("-updated_at", "-id")[: limit + 1]
    )
    next_cursor = (
        cursors.encode(rows[limit - 1].updated_at, rows[limit - 1].pk) if len(rows) > limit else None
    )
    return Page(items=rows[:limit], next_cursor=next_cursor)


def message_list_for_ticket(
    *, principal: Principal, ticket: Ticket, limit: int = 20, before_id: int | None = None
) -> list[Message]:
    """The latest `limit` messages the caller may see, oldest first, with their attachments."""
    messages = Message.objects.filter(ticket=ticket).filter(message_visibility(principal))
    if before_id is not None:
        messages = messages.filter(pk__lt=before_id)
    latest = list(
        messages.select_related("author_user", "author_customer")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
        .order_by("-created_at", "-id")[:limit]
    )
    latest.reverse()
    return latest


def attachment_get_for_principal(*, principal: Principal, attachment_id: int) -> Attachment:
    attachment = (
        Attachment.objects.select_related("message")
        .filter(pk=attachment_id, ticket__in=_visible(principal))
        .first()
    )
    if attachment is None or (
        attachment.message is not None
        and not principal.is_staff_member
        and attachment.message.direction == Message.Direction.NOTE
    ):
        raise NotFound(f"attachment {attachment_id} not found")
    return attachment


def ticket_volume_by_hour(
    *, principal: Principal, start: datetime, end: datetime, zone: tzinfo
) -> dict[tuple[str, int], int]:
    """Tickets created in [start, end) that the caller may see, by channel and hour of day in `zone`."""
    rows = (
        _visible(principal)
        .filter(created_at__gte=start, created_at__lt=end)
        .annotate(hour=ExtractHour("created_at", tzinfo=zone))
        .values("channel", "hour")
        .annotate(count=Count("id"))
        .order_by()
    )
    return {(row["channel"], row["hour"]): row["count"] for row in rows}
