"""Reads of the agent desk: inboxes (counts, sorting, keyset pages), a ticket's side panels, the floor.

Visibility comes from `tickets.selectors.ticket_visibility`, so an inbox never shows a ticket the
ticket API would hide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from frontline.accounts.models import AgentProfile, User
from frontline.accounts.principal import Principal
from frontline.core import cursor as cursors
from frontline.core import textsearch
from frontline.core.errors import Invalid, NotFound
from frontline.customers.models import Customer
from frontline.customers.selectors import principal_for_user
from frontline.desk.models import SavedView
from frontline.escalations.models import EscalationRun
from frontline.escalations.selectors import OnCallAnswer, on_call_now, run_list_for_ticket
from frontline.routing.models import AgentPresence, Interaction, PresenceState
from frontline.scripts.selectors import greeting_for, silent_call_protocol
from frontline.sla.models import SlaClock
from frontline.tickets import search
from frontline.tickets.models import Channel, Ticket
from frontline.tickets.selectors import ticket_visibility

Status = Ticket.Status
OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)

#: Channels whose offer shows the call script (greeting, silent-call protocol).
CALL_CHANNELS = (Channel.VOICE, Channel.CALLBACK)
HELD_STATES = (Interaction.State.OFFERED, Interaction.State.CONNECTED, Interaction.State.WRAP_UP)

#: Inbox counts stop here (shown as "99+"): counting further costs more than the rest of the page.
COUNT_CAP = 99
#: On SQLite, a search term with more index rows than this searches its newest this many rows.
BROAD_SEARCH_ROWS = 2000

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
        # A per-ticket check (the clock's ticket index) while walking the inbox, not the list of
        # every troubled clock first: the walk stops at the page (or the count's cap).
        return Q(status__in=OPEN_STATUSES) & Q(Exists(_sla_troubled(now).filter(ticket_id=OuterRef("pk"))))
    if inbox == "pending":
        return Q(status=Status.PENDING)
    if inbox == "all":
        return Q()
    raise Invalid(f"unknown inbox {inbox!r}", field="inbox")


def inbox_counts(*, principal: Principal, now: datetime | None = None) -> dict[str, int]:
    """How many visible tickets each inbox holds, counted up to `COUNT_CAP` (one query per inbox).

    Counting stops at the cap (the desk shows "99+"): an exact count of a 100,000-ticket inbox
    would cost more than the rest of the page.
    """
    at = now or timezone.now()
    visible = Ticket.objects.filter(ticket_visibility(principal)).order_by()
    return {
        inbox: visible.filter(inbox_filter(principal=principal, inbox=inbox, now=at))
        .values("pk")[: COUNT_CAP + 1]
        .count()
        for inbox in INBOXES
    }


def _search_filter(query: str) -> tuple[Q, bool]:
    """Tickets whose subject or a message matches `query` (see `tickets.search`), and whether narrowed.

    On SQLite a broad term (more than `BROAD_SEARCH_ROWS` index rows: `order` has 190,000 in 81,000
    tickets) is narrowed to the tickets of its newest `BROAD_SEARCH_ROWS` matching rows (index rows
    are in time order), and the page says so: mapping every match to its ticket before sorting takes
    most of a second, the newest matches 30 ms.
    """
    matching = search.matching_ticket_ids(query)  # validates the query on every database
    if connection.vendor != "sqlite":
        return Q(pk__in=matching), False
    match = textsearch.fts5_match(textsearch.parse_query(query))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT rowid FROM tickets_search_fts"
            " WHERE tickets_search_fts MATCH %s LIMIT %s)",
            [match, BROAD_SEARCH_ROWS + 1],
        )
        (rows,) = cursor.fetchone()
    if rows <= BROAD_SEARCH_ROWS:
        return Q(pk__in=matching), False
    newest = RawSQL(
        "SELECT ticket_id FROM tickets_searchentry WHERE id IN (SELECT rowid FROM tickets_search_fts"
        " WHERE tickets_search_fts MATCH %s ORDER BY rowid DESC LIMIT %s)",
        [match, BROAD_SEARCH_ROWS],
    )
    return Q(pk__in=newest), True


@dataclass(frozen=True)
class InboxRow:
    ticket: Ticket
    sla_due_at: datetime | None  # the earliest due moment of a running clock
    is_sla_breached: bool


@dataclass(frozen=True)
class InboxPage:
    rows: list[InboxRow]
    next_cursor: str | None
    is_search_narrowed: bool = False  # a broad term: only the tickets of its newest matches


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
    is_search_narrowed = False
    if query.strip():
        found, is_search_narrowed = _search_filter(query.strip())
        tickets = tickets.filter(found)
    if cursor:
        try:
            value, pk = cursors.decode(cursor)
        except cursors.InvalidCursor as exc:
            raise Invalid("the page link is not one the desk gave out", field="cursor") from exc
        # "at or before the last row, and if at it then a lower id": the first term is an index range.
        if descending:
            tickets = tickets.filter(
                Q(**{f"{field}__lte": value}), Q(**{f"{field}__lt": value}) | Q(pk__lt=pk)
            )
        else:
            tickets = tickets.filter(
                Q(**{f"{field}__gte": value}), Q(**{f"{field}__gt": value}) | Q(pk__gt=pk)
            )
    order = (f"-{field}", "-id") if descending else (field, "id")
    # The ids of the page first (an index walk), then those rows with their joins.
    ids = list(tickets.order_by(*order).values_list("pk", flat=True)[: limit + 1])
    loaded = (
        Ticket.objects.filter(pk__in=ids[:limit])
        .select_related("requester", "team", "assignee")
        .prefetch_related("tags")
        .in_bulk()
    )
    items = [loaded[pk] for pk in ids[:limit] if pk in loaded]
    next_cursor = None
    if len(ids) > limit and items:
        last = items[-1]
        next_cursor = cursors.encode(getattr(last, field), last.pk)
    page_ids = [t.pk for t in items]
    # The page's clocks through their ticket index (a filter on state would pick the state index).
    due: dict[int, datetime] = {}
    breached: set[int] = set()
    for ticket_id, state, due_at in (
        SlaClock.objects.filter(ticket_id__in=page_ids).order_by().values_list("ticket_id", "state", "due_at")
    ):
        if state == SlaClock.State.BREACHED:
            breached.add(ticket_id)
        elif state == SlaClock.State.RUNNING and due_at is not None:
            due[ticket_id] = min(due_at, due.get(ticket_id, due_at))
    rows = [InboxRow(ticket=t, sla_due_at=due.get(t.pk), is_sla_breached=t.pk in breached) for t in items]
    return InboxPage(rows=rows, next_cursor=next_cursor, is_search_narrowed=is_search_narrowed)


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


# --- Offers: a contact routing offers the agent, with what the pop-up and the call panel show


@dataclass(frozen=True)
class ScriptStep:
    number: int
    action: str
    line: str
    starts_at_seconds: float | None
    wait_seconds: float | None


@dataclass(frozen=True)
class CallScript:
    greeting: str
    surname: str
    silent_call_steps: list[ScriptStep]
    route_line: str


@dataclass(frozen=True)
class Offer:
    interaction: Interaction
    customer: Customer | None
    is_offered: bool  # still waiting for this agent's answer (else connected or in wrap-up)
    script: CallScript | None  # calls only


def _call_script(*, customer: Customer | None, agent: User) -> CallScript:
    greeting = greeting_for(customer=customer, agent=agent)
    protocol, _ = silent_call_protocol(language=greeting.language)
    return CallScript(
        greeting=greeting.text,
        surname=greeting.surname,
        silent_call_steps=[
            ScriptStep(
                number=step.number,
                action=step.action,
                line=step.line,
                starts_at_seconds=step.starts_at,
                wait_seconds=step.wait_seconds,
            )
            for step in protocol.steps("silent")
        ],
        route_line=protocol.route_line,
    )


def _offer_of(interaction: Interaction, user: User) -> Offer:
    customer = interaction.customer
    if customer is None and interaction.ticket is not None:
        customer = interaction.ticket.requester
    return Offer(
        interaction=interaction,
        customer=customer,
        is_offered=interaction.state == Interaction.State.OFFERED,
        script=_call_script(customer=customer, agent=user) if interaction.channel in CALL_CHANNELS else None,
    )


def _held_by(user: User) -> QuerySet[Interaction]:
    return Interaction.objects.filter(
        Q(agent=user, state__in=HELD_STATES) | Q(state=Interaction.State.OFFERED, agent__isnull=True)
    ).select_related("queue", "customer", "ticket__requester")


def offer_list_for_agent(*, user: User) -> list[Offer]:
    """The contacts offered to the agent now (ring-all offers too), oldest first."""
    held = _held_by(user).filter(state=Interaction.State.OFFERED).order_by("offered_at", "id")
    return [_offer_of(i, user) for i in held if i.agent_id == user.pk or user.pk in i.offered_to]


def offer_get_for_agent(*, user: User, interaction_id: int) -> Offer:
    """A contact offered to, connected to or wrapped up by the agent; anyone else's is missing."""
    interaction = _held_by(user).filter(pk=interaction_id).first()
    if interaction is None or (interaction.agent_id != user.pk and user.pk not in interaction.offered_to):
        raise NotFound(f"contact {interaction_id} not found")
    return _offer_of(interaction, user)


# --- Second factor


def second_factor_pending(*, user: User) -> TOTPDevice | None:
    """The set-up waiting for its first code, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()


def ticket_visible_to(*, user: User, ticket_id: int) -> bool:
    """Whether this staff member may see the ticket (customers and former staff may not here)."""
    principal = principal_for_user(user)
    if not principal.is_staff_member:
        return False
    return Ticket.objects.filter(ticket_visibility(principal), pk=ticket_id).exists()


def saved_view_list(*, user: User) -> QuerySet[SavedView]:
    return SavedView.objects.filter(user=user).order_by("name", "id")


def saved_view_get(*, user: User, view_id: int) -> SavedView:
    """One of the user's own saved views; anyone else's is missing."""
    view = SavedView.objects.filter(user=user, pk=view_id).first()
    if view is None:
        raise NotFound(f"saved view {view_id} not found")
    return view
