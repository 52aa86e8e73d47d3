"""Reads of the agent desk: inboxes (counts, sorting, keyset pages), a ticket's side panels, the floor.

Visibility comes from `tickets.selectors.ticket_visibility`, so an inbox never shows a ticket the
ticket API would hide.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from frontline.accounts.models import AgentProfile, Team, User
from frontline.accounts.principal import Principal
from frontline.core import cursor as cursors
from frontline.core import highlight, textsearch
from frontline.core.errors import Invalid, NotFound
from frontline.core.highlight import Piece
from frontline.customers.models import Customer
from frontline.customers.selectors import principal_for_user
from frontline.desk.models import SavedView
from frontline.escalations.models import EscalationRun
from frontline.escalations.selectors import OnCallAnswer, on_call_now, run_list_for_ticket
from frontline.events.models import Event
from frontline.routing.models import AgentPresence, Interaction, PresenceState
from frontline.scripts.selectors import greeting_for, silent_call_protocol
from frontline.sla.models import SlaClock
from frontline.tickets import search
from frontline.tickets.models import Channel, Message, SearchEntry, Tag, Ticket
from frontline.tickets.selectors import ticket_visibility

Status = Ticket.Status
OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)

#: Channels whose offer shows the call script (greeting, silent-call protocol).
CALL_CHANNELS = (Channel.VOICE, Channel.CALLBACK)
HELD_STATES = (Interaction.State.OFFERED, Interaction.State.CONNECTED, Interaction.State.WRAP_UP)

#: A filtered list or a search counts its tickets exactly up to here ("at least 1,000" beyond):
#: counting 10,000 rows under the agent's visibility costs 50 ms of CPU at 100,000 tickets.
LIST_COUNT_BOUND = 1_000
#: On SQLite, a search term with more index rows than this searches its newest this many rows.
BROAD_SEARCH_ROWS = 2000
#: Search snippets look at most this many of a ticket's newest index rows.
SNIPPET_ROWS_PER_TICKET = 50

INBOXES = ("mine", "team", "unassigned", "sla", "pending", "all")
#: Sort key → (field, descending) for the sorts that walk one ticket column.
SORTS = {
    "-updated": ("updated_at", True),
    "updated": ("updated_at", False),
    "-created": ("created_at", True),
    "created": ("created_at", False),
}
#: Sorts that walk more than one column: the earliest SLA due first, the highest priority first.
GROUPED_SORTS = ("sla", "priority")
ALL_SORTS = (*SORTS, *GROUPED_SORTS)
PRIORITY_RANK = (Ticket.Priority.URGENT, Ticket.Priority.HIGH, Ticket.Priority.NORMAL, Ticket.Priority.LOW)


def _sla_troubled(now: datetime) -> QuerySet[SlaClock]:
    return SlaClock.objects.filter(
        Q(state=SlaClock.State.BREACHED) | Q(state=SlaClock.State.RUNNING, at_risk_at__lte=now)
    )


def _sla_outstanding() -> Q:
    """Clocks whose target is still to be met: running, or breached and not answered yet."""
    return Q(state=SlaClock.State.RUNNING) | Q(state=SlaClock.State.BREACHED, met_at__isnull=True)


def rebase(q: Q, prefix: str) -> Q:
    """The same filter on a related model's rows (`team_id` → `ticket__team_id`); plain lookups only."""
    if not prefix:
        return q
    out = Q()
    out.connector, out.negated = q.connector, q.negated
    for child in q.children:
        if isinstance(child, Q):
            out.children.append(rebase(child, prefix))
        elif isinstance(child, tuple):
            out.children.append((f"{prefix}{child[0]}", child[1]))
        else:
            raise TypeError(f"cannot rebase {child!r}")
    return out


def inbox_filter(*, principal: Principal, inbox: str, now: datetime, prefix: str = "") -> Q:
    """What an inbox holds, before visibility; agents' "all" is what they may see.

    `prefix` puts the filter on a related model (`"ticket__"` for SLA clocks).
    """
    user_id = principal.user.pk
    status_in = {f"{prefix}status__in": OPEN_STATUSES}
    if inbox == "mine":
        return Q(**{f"{prefix}assignee_id": user_id}, **status_in)
    if inbox == "team":
        return Q(**{f"{prefix}team_id__in": principal.team_ids}, **status_in)
    if inbox == "unassigned":
        return Q(**{f"{prefix}assignee__isnull": True}, **status_in)
    if inbox == "sla":
        # A per-ticket check (the clock's ticket index) while walking the inbox, not the list of
        # every troubled clock first: the walk stops at the page.
        ticket = OuterRef(f"{prefix}pk" if prefix else "pk")
        return Q(**status_in) & Q(Exists(_sla_troubled(now).filter(ticket_id=ticket)))
    if inbox == "pending":
        return Q(**{f"{prefix}status": Status.PENDING})
    if inbox == "all":
        return Q()
    raise Invalid(f"unknown inbox {inbox!r}", field="inbox")


#: The inbox's language filter: the spellings of each language that customers' records carry.
LANGUAGE_FILTERS = {
    "en": ("en", "en-us", "en-US", "en-gb", "en-GB", "en-ph", "en-PH"),
    "fil": ("fil", "tl", "fil-PH", "fil-ph", "tl-PH"),
    "zh-hans": ("zh-hans", "zh-Hans", "zh_Hans", "zh", "zh-cn", "zh-CN", "zh-sg", "zh-SG"),
}


@dataclass(frozen=True)
class ListFilters:
    """The inbox's filters; empty values filter nothing. `assignee` is "me", "none" or a user id."""

    status: str = ""
    assignee: str = ""
    channel: str = ""
    tag: str = ""
    language: str = ""

    def is_empty(self) -> bool:
        return not (self.status or self.assignee or self.channel or self.tag or self.language)

    def as_q(self, *, principal: Principal, prefix: str = "") -> Q:
        q = Q()
        if self.status:
            if self.status not in Status.values:
                raise Invalid(f"unknown status {self.status!r}", field="status")
            q &= Q(**{f"{prefix}status": self.status})
        if self.assignee == "me":
            q &= Q(**{f"{prefix}assignee_id": principal.user.pk})
        elif self.assignee == "none":
            q &= Q(**{f"{prefix}assignee__isnull": True})
        elif self.assignee:
            if not self.assignee.isdigit():
                raise Invalid("choose an assignee from the list", field="assignee")
            q &= Q(**{f"{prefix}assignee_id": int(self.assignee)})
        if self.channel:
            if self.channel not in Channel.values:
                raise Invalid(f"unknown channel {self.channel!r}", field="channel")
            q &= Q(**{f"{prefix}channel": self.channel})
        if self.tag:
            tagged = Ticket.tags.through.objects.filter(
                ticket_id=OuterRef(f"{prefix}pk" if prefix else "pk"), tag__name=self.tag.strip().lower()
            )
            q &= Q(Exists(tagged))
        if self.language:
            if self.language not in LANGUAGE_FILTERS:
                raise Invalid(f"unknown language {self.language!r}", field="language")
            q &= Q(**{f"{prefix}requester__language__in": LANGUAGE_FILTERS[self.language]})
        return q


def inbox_counts(*, principal: Principal, now: datetime | None = None) -> dict[str, int]:
    """How many visible tickets each inbox holds, exactly, in five grouped queries.

    Counting each inbox's rows under the agent's visibility filter (`team IS NULL OR NOT private OR
    team IN mine OR assignee = me`) reads every row; instead the tickets are counted per team over
    the (team, status) index and the teams the caller may see are added up here, plus the
    caller's own tickets in teams they may not see.
    """
    at = now or timezone.now()
    me = principal.user.pk
    hidden: set[int] = set()
    if not principal.sees_all_tickets:
        hidden = set(Team.objects.filter(is_private=True).values_list("pk", flat=True)) - set(
            principal.team_ids
        )

    def visible(team_id: int | None) -> bool:
        return team_id is None or team_id not in hidden

    counts = dict.fromkeys(INBOXES, 0)
    for team_id, status, n in (
        Ticket.objects.order_by()
        .values_list("team_id", "status")
        .annotate(n=Count("pk"))
        .values_list("team_id", "status", "n")
    ):
        if visible(team_id):
            counts["all"] += n
            if status == Status.PENDING:
                counts["pending"] += n
            if team_id in principal.team_ids and status in OPEN_STATUSES:
                counts["team"] += n
    if hidden:  # their own tickets in teams they may not see otherwise
        for status, n in (
            Ticket.objects.filter(assignee_id=me, team_id__in=hidden)
            .order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        ):
            counts["all"] += n
            counts["pending"] += n if status == Status.PENDING else 0
    counts["mine"] = Ticket.objects.filter(assignee_id=me, status__in=OPEN_STATUSES).count()
    for team_id, n in (
        Ticket.objects.filter(assignee__isnull=True, status__in=OPEN_STATUSES)
        .order_by()
        .values_list("team_id")
        .annotate(n=Count("pk"))
        .values_list("team_id", "n")
    ):
        counts["unassigned"] += n if visible(team_id) else 0
    for team_id, n, n_mine in (
        _sla_troubled(at)
        .filter(ticket__status__in=OPEN_STATUSES)
        .order_by()
        .values_list("ticket__team_id")
        .annotate(
            n=Count("ticket_id", distinct=True),
            n_mine=Count("ticket_id", distinct=True, filter=Q(ticket__assignee_id=me)),
        )
        .values_list("ticket__team_id", "n", "n_mine")
    ):
        counts["sla"] += n if visible(team_id) else n_mine
    return counts


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
    sla_due_at: datetime | None  # the earliest due moment of a clock still to be met
    is_sla_breached: bool
    sla_at_risk_at: datetime | None = None  # when that clock turns (or turned) at risk
    is_sla_paused: bool = False  # every clock still to be met is paused
    snippet: list[Piece] | None = None  # a search: why this ticket matched
    subject: list[Piece] | None = None  # a search: the subject with the matching words marked


@dataclass(frozen=True)
class InboxPage:
    rows: list[InboxRow]
    next_cursor: str | None
    is_search_narrowed: bool = False  # a broad term: only the tickets of its newest matches
    count: int | None = None  # tickets in the list, when filtered or searched (up to the bound)
    is_count_bounded: bool = False  # more than `count`


def _decode(cursor: str) -> tuple[datetime, int]:
    try:
        return cursors.decode(cursor)
    except cursors.InvalidCursor as exc:
        raise Invalid("the page link is not one the desk gave out", field="cursor") from exc


Encoder = Callable[[Ticket], str]


def _keyset(
    tickets: QuerySet[Ticket], field: str, descending: bool, after: tuple[datetime, int] | None
) -> QuerySet[Ticket]:
    if after is not None:
        value, pk = after
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
    return tickets.order_by(*order)


def _page_by_field(
    tickets: QuerySet[Ticket], sort: str, cursor: str | None, limit: int
) -> tuple[list[int], Encoder]:
    field, descending = SORTS[sort]
    ids = list(
        _keyset(tickets, field, descending, _decode(cursor) if cursor else None).values_list("pk", flat=True)[
            : limit + 1
        ]
    )
    return ids, (lambda t: cursors.encode(getattr(t, field), t.pk))


def _page_by_priority(tickets: QuerySet[Ticket], cursor: str | None, limit: int) -> tuple[list[int], Encoder]:
    """Urgent first, then high, normal, low; each most recently updated first (one index walk each)."""
    rank, after = 0, None
    if cursor:
        head, _, token = cursor.partition(".")
        if not head.startswith("p") or not head[1:].isdigit() or int(head[1:]) >= len(PRIORITY_RANK):
            raise Invalid("the page link is not one the desk gave out", field="cursor")
        rank, after = int(head[1:]), _decode(token)
    ids: list[int] = []
    for r in range(rank, len(PRIORITY_RANK)):
        group = _keyset(
            tickets.filter(priority=PRIORITY_RANK[r]), "updated_at", True, after if r == rank else None
        )
        ids += list(group.values_list("pk", flat=True)[: limit + 1 - len(ids)])
        if len(ids) > limit:
            break

    def encode(t: Ticket) -> str:
        return f"p{PRIORITY_RANK.index(Ticket.Priority(t.priority))}.{cursors.encode(t.updated_at, t.pk)}"

    return ids, encode


#: The SLA sort walks breached clocks not yet answered ("b"), then running ones ("r"), each by due
#: time over the (state, due_at) index, then the tickets with neither ("u") by update.
SLA_PHASES = ("b", "r", "u")


def _page_by_sla(
    where: Callable[[str], Q], cursor: str | None, limit: int
) -> tuple[list[int], dict[int, str]]:
    """Past due first (breached, unanswered), then the soonest due, then tickets with no clock to meet.

    Each ticket is listed once, at its first clock in that order. Returns the page's ticket ids and
    each one's cursor.
    """
    phase, after = "b", None
    if cursor:
        phase, _, token = cursor.partition(".")
        if phase not in SLA_PHASES:
            raise Invalid("the page link is not one the desk gave out", field="cursor")
        after = _decode(token)
    ids: list[int] = []
    cursor_of: dict[int, str] = {}
    breached = Q(state=SlaClock.State.BREACHED, met_at__isnull=True, due_at__isnull=False)
    running = Q(state=SlaClock.State.RUNNING, due_at__isnull=False)
    for walk, state in (("b", breached), ("r", running)):
        if SLA_PHASES.index(phase) > SLA_PHASES.index(walk) or len(ids) > limit:
            continue
        earlier = SlaClock.objects.filter(state, ticket_id=OuterRef("ticket_id")).filter(
            Q(due_at__lt=OuterRef("due_at")) | Q(due_at=OuterRef("due_at"), pk__lt=OuterRef("pk"))
        )
        clocks = SlaClock.objects.filter(state).filter(where("ticket__")).filter(~Exists(earlier))
        if walk == "r":  # a ticket past due on another clock was listed with the breached ones
            clocks = clocks.filter(
                ~Exists(SlaClock.objects.filter(breached, ticket_id=OuterRef("ticket_id")))
            )
        if after is not None and phase == walk:
            value, pk = after
            clocks = clocks.filter(Q(due_at__gt=value) | Q(due_at=value, pk__gt=pk))
        for clock_id, ticket_id, due_at in clocks.order_by("due_at", "pk").values_list(
            "pk", "ticket_id", "due_at"
        )[: limit + 1 - len(ids)]:
            ids.append(ticket_id)
            if due_at is not None:
                cursor_of[ticket_id] = f"{walk}.{cursors.encode(due_at, clock_id)}"
    if len(ids) <= limit:
        has_clock = SlaClock.objects.filter(breached | running, ticket_id=OuterRef("pk"))
        rest = _keyset(
            Ticket.objects.filter(where("")).filter(~Exists(has_clock)),
            "updated_at",
            True,
            after if phase == "u" else None,
        )
        ids += list(rest.values_list("pk", flat=True)[: limit + 1 - len(ids)])
    return ids, cursor_of


def inbox_page(
    *,
    principal: Principal,
    inbox: str,
    query: str = "",
    sort: str = "-updated",
    cursor: str | None = None,
    limit: int = 25,
    now: datetime | None = None,
    filters: ListFilters | None = None,
    count: bool = False,
) -> InboxPage:
    """One keyset page of an inbox: the cursor holds the sort value and id of the last row.

    With `count`, the page also counts the list's tickets (exactly, up to `LIST_COUNT_BOUND`).
    """
    at = now or timezone.now()
    if sort not in ALL_SORTS:
        raise Invalid(f"unknown sort {sort!r}", field="sort")
    is_search_narrowed = False
    terms = textsearch.parse_query(query) if query.strip() else []
    found = Q()
    if query.strip():
        found, is_search_narrowed = _search_filter(query.strip())

    def where(prefix: str = "") -> Q:
        q = rebase(ticket_visibility(principal), prefix) & inbox_filter(
            principal=principal, inbox=inbox, now=at, prefix=prefix
        )
        if filters is not None:
            q &= filters.as_q(principal=principal, prefix=prefix)
        return q & rebase(found, prefix)

    tickets = Ticket.objects.filter(where())
    encode: Encoder
    if sort == "sla":
        ids, cursor_of = _page_by_sla(where, cursor, limit)

        def encode(t: Ticket) -> str:
            return cursor_of.get(t.pk) or f"u.{cursors.encode(t.updated_at, t.pk)}"

    elif sort == "priority":
        ids, encode = _page_by_priority(tickets, cursor, limit)
    else:
        ids, encode = _page_by_field(tickets, sort, cursor, limit)
    # The ids of the page first (an index walk), then those rows with their joins.
    loaded = (
        Ticket.objects.filter(pk__in=ids[:limit])
        .select_related("requester", "team", "assignee")
        .prefetch_related("tags")
        .in_bulk()
    )
    items = [loaded[pk] for pk in ids[:limit] if pk in loaded]
    next_cursor = encode(items[-1]) if len(ids) > limit and items else None
    rows = _rows(items, terms)
    total: int | None = None
    bounded = False
    if count:
        total = tickets.order_by().values("pk")[: LIST_COUNT_BOUND + 1].count()
        bounded = total > LIST_COUNT_BOUND or is_search_narrowed
        total = min(total, LIST_COUNT_BOUND)
    return InboxPage(
        rows=rows,
        next_cursor=next_cursor,
        is_search_narrowed=is_search_narrowed,
        count=total,
        is_count_bounded=bounded,
    )


def _rows(items: list[Ticket], terms: list[textsearch.Term]) -> list[InboxRow]:
    """The page's SLA figures (through the clocks' ticket index) and, for a search, why each matched."""
    page_ids = [t.pk for t in items]
    due: dict[int, datetime] = {}
    risk: dict[int, datetime | None] = {}
    breached: set[int] = set()
    paused: set[int] = set()
    running: set[int] = set()
    for ticket_id, state, due_at, at_risk_at, met_at in (
        SlaClock.objects.filter(ticket_id__in=page_ids)
        .order_by()
        .values_list("ticket_id", "state", "due_at", "at_risk_at", "met_at")
    ):
        if state == SlaClock.State.BREACHED and met_at is None:
            breached.add(ticket_id)
            if due_at is not None and (ticket_id not in due or due_at < due[ticket_id]):
                due[ticket_id], risk[ticket_id] = due_at, at_risk_at
        elif state == SlaClock.State.RUNNING and due_at is not None:
            running.add(ticket_id)
            if ticket_id not in due or due_at < due[ticket_id]:
                due[ticket_id], risk[ticket_id] = due_at, at_risk_at
        elif state == SlaClock.State.PAUSED:
            paused.add(ticket_id)
    snippets = _snippets(items, terms) if terms else {}
    return [
        InboxRow(
            ticket=t,
            sla_due_at=due.get(t.pk),
            is_sla_breached=t.pk in breached,
            sla_at_risk_at=risk.get(t.pk),
            is_sla_paused=t.pk in paused and t.pk not in running and t.pk not in breached,
            snippet=snippets.get(t.pk),
            subject=highlight.highlight(t.subject, terms) if terms else None,
        )
        for t in items
    ]


def _snippets(items: list[Ticket], terms: list[textsearch.Term]) -> dict[int, list[Piece]]:
    """For each ticket, the newest message whose index row holds every term, as a marked snippet.

    Reads at most `SNIPPET_ROWS_PER_TICKET` index rows per ticket (newest first), matched here the
    way the full-text engines match them, then only the chosen messages' text.
    """
    if not items:
        return {}
    newest = (
        SearchEntry.objects.filter(ticket_id__in=[t.pk for t in items], message__isnull=False)
        .annotate(n=Window(RowNumber(), partition_by=[F("ticket_id")], order_by=F("id").desc()))
        .filter(n__lte=SNIPPET_ROWS_PER_TICKET)
        .order_by("ticket_id", "-id")
        .values_list("ticket_id", "message_id", "text")
    )
    chosen: dict[int, int] = {}
    for ticket_id, message_id, text in newest:
        if ticket_id not in chosen and textsearch.matches(text, terms):
            chosen[ticket_id] = message_id
    bodies = dict(Message.objects.filter(pk__in=chosen.values()).values_list("pk", "body_text"))
    return {
        ticket_id: highlight.snippet(bodies.get(message_id, ""), terms)
        for ticket_id, message_id in chosen.items()
    }


def rail_page(*, principal: Principal, inbox: str, sort: str, query: str, filters: ListFilters) -> InboxPage:
    """The list beside an open ticket: the inbox the agent came from, its first page, without counts."""
    return inbox_page(principal=principal, inbox=inbox, sort=sort, query=query, filters=filters, limit=30)


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


#: The inbox's tag filter offers at most this many tags (by name); any tag can still be typed in the URL.
TAG_CHOICES = 200


def tag_choices() -> list[str]:
    return list(Tag.objects.order_by("name").values_list("name", flat=True)[:TAG_CHOICES])


# --- The wallboard over the day: service level, waiting contacts, agents by state, per hour


@dataclass(frozen=True)
class FloorHour:
    start: datetime  # local
    service_level: float | None  # answered in target ÷ (answered + abandoned after the target), 0-1
    waiting: int  # contacts waiting at the end of the hour (or now, for the current hour)
    agents: dict[str, int]  # agents in each presence state at the end of the hour (or now)


def floor_day(*, zone: ZoneInfo, now: datetime | None = None) -> list[FloorHour]:
    """Today, hour by hour from local midnight to now, for the supervisor's wallboard charts.

    Service level and waiting come from the interactions (every queue, each with its own target);
    agents by state from the `presence.changed` events, starting each agent from the state their
    first change of the day left (or their state now, when they did not change today).
    """
    at = now or timezone.now()
    midnight = at.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    hours = [midnight + timedelta(hours=h) for h in range(int((at - midnight).total_seconds() // 3600) + 1)]
    ends = [min(h + timedelta(hours=1), at) for h in hours]
    contacts = list(
        Interaction.objects.filter(Q(enqueued_at__gte=midnight) | Q(state=Interaction.State.WAITING))
        .filter(enqueued_at__lte=at)
        .select_related("queue")
        .only("enqueued_at", "answered_at", "ended_at", "state", "queue__service_level_seconds")
    )
    events = list(
        Event.objects.filter(verb="presence.changed", occurred_at__gte=midnight, occurred_at__lte=at)
        .order_by("id")
        .values_list("target_id", "occurred_at", "before", "after")
    )
    current = dict(AgentPresence.objects.filter(user__is_active=True).values_list("user_id", "state"))
    agents = set(AgentProfile.objects.filter(user__is_active=True).values_list("user_id", flat=True))
    start_state = {user: current.get(user, PresenceState.LOGGED_OUT) for user in agents}
    for user, _at, before, _after in reversed(events):
        if user in start_state:
            start_state[user] = (before or {}).get("state") or PresenceState.LOGGED_OUT
    out: list[FloorHour] = []
    state = dict(start_state)
    index = 0
    for begin, end in zip(hours, ends, strict=True):
        while index < len(events) and events[index][1] <= end:
            user, _at, _before, after = events[index]
            if user in state:
                state[user] = (after or {}).get("state") or PresenceState.LOGGED_OUT
            index += 1
        answered = in_target = abandoned_late = 0
        waiting = 0
        for c in contacts:
            target = timedelta(seconds=c.queue.service_level_seconds)
            if begin <= c.enqueued_at < end:
                if c.answered_at is not None:
                    answered += 1
                    in_target += c.answered_at <= c.enqueued_at + target
                elif (
                    c.state == Interaction.State.ABANDONED
                    and c.ended_at
                    and c.ended_at > c.enqueued_at + target
                ):
                    abandoned_late += 1
            if (
                c.enqueued_at <= end
                and (c.answered_at is None or c.answered_at > end)
                and (c.ended_at is None or c.ended_at > end)
            ):
                waiting += 1
        counts = dict.fromkeys(PresenceState.values, 0)
        for value in state.values():
            counts[value] = counts.get(value, 0) + 1
        out.append(
            FloorHour(
                start=begin,
                service_level=in_target / (answered + abandoned_late) if answered + abandoned_late else None,
                waiting=waiting,
                agents=counts,
            )
        )
    return out


def open_ticket_count(*, user: User) -> int:
    """How many open tickets are assigned to this staff member (what a reassignment would move)."""
    return Ticket.objects.filter(assignee=user, status__in=OPEN_STATUSES).count()
