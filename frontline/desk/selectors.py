"""Reads of the agent desk: inboxes (counts, sorting, keyset pages), a ticket's side panels, the floor.

Visibility comes from `tickets.selectors.ticket_visibility`, so an inbox never shows a ticket the
ticket API would hide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Min, Q, QuerySet
from django.utils import timezone

from frontline.accounts.models import AgentProfile, User
from frontline.accounts.principal import Principal
from frontline.core import cursor as cursors
from frontline.core.errors import Invalid
from frontline.escalations.models import EscalationRun
from frontline.escalations.selectors import OnCallAnswer, on_call_now, run_list_for_ticket
from frontline.routing.models import AgentPresence, PresenceState
from frontline.sla.models import SlaClock
from frontline.tickets import search
from frontline.tickets.models import Ticket
from frontline.tickets.selectors import ticket_visibility

Status = Ticket.Status
OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)

INBOXES = ("mine", "team", "unassigned", "sla", "pending", "all")
#: Sort key → (field, descending).
SORTS = {
    "-updated": ("updated_at", True),
    "updated": ("updated_at", False),
    "-created": ("created_at", True),
    "created": ("created_at", False),
}


def _sla_troubled(now: datetime) -> QuerySet[SlaClock]:
    return SlaClock.objects.filter(
        Q(state=SlaClock.State.BREACHED) | Q(state=SlaClock.State.RUNNING, at_risk_at__lte=now)
    )


def inbox_filter(*, principal: Principal, inbox: str, now: datetime) -> Q:
    """What an inbox holds, before visibility; agents' "all" is what they may see."""
    user_id = principal.user.pk
    if inbox == "mine":
        return Q(assignee_id=user_id, status__in=OPEN_STATUSES)
    if inbox == "team":
        return Q(team_id__in=principal.team_ids, status__in=OPEN_STATUSES)
    if inbox == "unassigned":
        return Q(assignee__isnull=True, status__in=OPEN_STATUSES)
    if inbox == "sla":
        return Q(status__in=OPEN_STATUSES, pk__in=_sla_troubled(now).values("ticket_id"))
    if inbox == "pending":
        return Q(status=Status.PENDING)
    if inbox == "all":
        return Q()
    raise Invalid(f"unknown inbox {inbox!r}", field="inbox")


def inbox_counts(*, principal: Principal, now: datetime | None = None) -> dict[str, int]:
    """How many visible tickets each inbox holds (one count query per inbox)."""
    at = now or timezone.now()
    visible = Ticket.objects.filter(ticket_visibility(principal))
    return {
        inbox: visible.filter(inbox_filter(principal=principal, inbox=inbox, now=at)).count()
        for inbox in INBOXES
    }


@dataclass(frozen=True)
class InboxRow:
    ticket: Ticket
    sla_due_at: datetime | None  # the earliest due moment of a running clock
    is_sla_breached: bool


@dataclass(frozen=True)
class InboxPage:
    rows: list[InboxRow]
    next_cursor: str | None


def inbox_page(
    *,
    principal: Principal,
    inbox: str,
    query: str = "",
    sort: str = "-updated",
    cursor: str | None = None,
    limit: int = 25,
    now: datetime | None = None,
) -> InboxPage:
    """One keyset page of an inbox: the cursor holds the sort value and id of the last row."""
    at = now or timezone.now()
    if sort not in SORTS:
        raise Invalid(f"unknown sort {sort!r}", field="sort")
    field, descending = SORTS[sort]
    tickets = Ticket.objects.filter(ticket_visibility(principal)).filter(
        inbox_filter(principal=principal, inbox=inbox, now=at)
    )
    if query.strip():
        tickets = tickets.filter(pk__in=search.matching_ticket_ids(query.strip()))
    if cursor:
        try:
            value, pk = cursors.decode(cursor)
        except cursors.InvalidCursor as exc:
            raise Invalid("the page link is not one the desk gave out", field="cursor") from exc
        if descending:
            tickets = tickets.filter(Q(**{f"{field}__lt": value}) | Q(**{field: value, "pk__lt": pk}))
        else:
            tickets = tickets.filter(Q(**{f"{field}__gt": value}) | Q(**{field: value, "pk__gt": pk}))
    order = (f"-{field}", "-id") if descending else (field, "id")
    found = list(
        tickets.select_related("requester", "team", "assignee")
        .prefetch_related("tags")
        .order_by(*order)[: limit + 1]
    )
    items = found[:limit]
    next_cursor = None
    if len(found) > limit:
        last = items[-1]
        next_cursor = cursors.encode(getattr(last, field), last.pk)
    ids = [t.pk for t in items]
    due = dict(
        SlaClock.objects.filter(ticket_id__in=ids, state=SlaClock.State.RUNNING)
        .values("ticket_id")
        .annotate(due=Min("due_at"))
        .values_list("ticket_id", "due")
    )
    breached = set(
        SlaClock.objects.filter(ticket_id__in=ids, state=SlaClock.State.BREACHED).values_list(
            "ticket_id", flat=True
        )
    )
    rows = [InboxRow(ticket=t, sla_due_at=due.get(t.pk), is_sla_breached=t.pk in breached) for t in items]
    return InboxPage(rows=rows, next_cursor=next_cursor)


def ticket_ids_visible(*, principal: Principal, ticket_ids: list[int]) -> list[Ticket]:
    """The tickets among `ticket_ids` the caller may see (the rest are treated as missing)."""
    return list(Ticket.objects.filter(ticket_visibility(principal), pk__in=ticket_ids).order_by("id"))


@dataclass(frozen=True)
class EscalationView:
    run: EscalationRun
    on_call: OnCallAnswer | None


def escalation_list_for_ticket(*, ticket: Ticket, now: datetime | None = None) -> list[EscalationView]:
    """The ticket's escalation runs with who is on call now for each chain's roster."""
    at = now or timezone.now()
    views = []
    for run in run_list_for_ticket(ticket=ticket).select_related("chain__roster"):
        roster = run.chain.roster
        views.append(EscalationView(run=run, on_call=on_call_now(roster=roster, at=at) if roster else None))
    return views


def assignee_choices() -> QuerySet[User]:
    """Staff a ticket may be assigned to (the service still checks private teams)."""
    return User.objects.filter(is_active=True, agent__isnull=False).order_by("first_name", "last_name", "id")


@dataclass(frozen=True)
class AgentOnFloor:
    user: User
    state: str
    reason: str
    since: datetime | None


def agent_floor_list() -> list[AgentOnFloor]:
    """Every active agent with their presence, for the supervisor console."""
    presences = {p.user_id: p for p in AgentPresence.objects.all()}
    agents = (
        AgentProfile.objects.filter(user__is_active=True)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user_id")
    )
    rows = []
    for profile in agents:
        presence = presences.get(profile.user_id)
        rows.append(
            AgentOnFloor(
                user=profile.user,
                state=presence.state if presence else PresenceState.LOGGED_OUT,
                reason=presence.reason if presence else "",
                since=presence.since if presence else None,
            )
        )
    return rows
