"""The contact center over HTTP: my presence and contacts, queues, the wallboard and the agent report."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from frontline.accounts.models import User
from frontline.accounts.principal import Principal, principal_of, require_staff
from frontline.core.errors import Forbidden, Invalid, NotFound
from frontline.routing import exports, selectors, services
from frontline.routing.models import AgentPresence, Interaction, Queue

router = Router(tags=["routing"])


def _staff(principal: Principal, *, change: bool = False) -> None:
    require_staff(principal, "only staff take part in routing")
    if change and not principal.is_supervisor_or_admin:
        raise Forbidden("only supervisors and admins may do this")


class PresenceIn(Schema):
    state: str = Field(description="available, not_ready (with reason) or logged_out")
    reason: str = ""


class PresenceOut(Schema):
    user_id: int
    state: str
    reason: str
    since: datetime
    seconds_in_state: float

    @staticmethod
    def of(presence: AgentPresence, now: datetime) -> dict[str, Any]:
        return {
            "user_id": presence.user_id,
            "state": presence.state,
            "reason": presence.reason,
            "since": presence.since,
            "seconds_in_state": max((now - presence.since).total_seconds(), 0.0),
        }


class InteractionOut(Schema):
    id: int
    queue_id: int
    channel: str
    state: str
    priority: int
    customer_id: int | None
    ticket_id: int | None
    agent_id: int | None
    offered_to: list[int]
    enqueued_at: datetime
    offer_expires_at: datetime | None
    answered_at: datetime | None
    ended_at: datetime | None


class QueueIn(Schema):
    name: str = Field(max_length=100)
    channel: str
    strategy: str = "longest_idle"
    skills: dict[str, int] = {}
    language: str = ""
    team_id: int | None = None
    sticky_seconds: int = Field(0, ge=0)
    relax_after_seconds: int | None = Field(None, ge=0)
    relax_step_seconds: int = Field(30, ge=1)
    drop_skills_after_seconds: int | None = Field(None, ge=0)
    offer_timeout_seconds: int = Field(20, ge=5)
    wrap_up_seconds: int = Field(60, ge=0)
    max_waiting: int | None = Field(None, ge=0)
    max_wait_seconds: int | None = Field(None, ge=0)
    fallback: str = "none"
    overflow_queue_id: int | None = None
    overflow_after_seconds: int | None = Field(None, ge=0)
    ticket_mode: str = "push"
    service_level_seconds: int = Field(20, ge=1)
    active: bool = True


class QueueOut(QueueIn):
    id: int


class EnqueueIn(Schema):
    queue_id: int
    customer_id: int | None = None
    ticket_id: int | None = None
    priority: int | None = Field(None, description="Empty: from SLA state, ticket priority and tier.")
    skills: dict[str, int] = {}
    language: str = ""
    external_id: str = Field("", max_length=200)


class EndIn(Schema):
    outcome: str = Field("", max_length=40)


class StatsOut(Schema):
    queue_id: int
    queue: str
    waiting: int
    longest_wait_seconds: float
    agents_by_state: dict[str, int]
    answered: int
    answered_in_target: int
    abandoned: int
    service_level: float | None
    abandonment_rate: float | None
    average_speed_of_answer_seconds: float | None
    since: datetime


# --- Me


@router.get("/me/presence", response=PresenceOut, summary="My presence")
def my_presence(request: HttpRequest) -> dict[str, Any]:
    principal = principal_of(request)
    _staff(principal)
    presence = services.presence_touch(user=principal.user)
    return PresenceOut.of(presence, presence.last_seen_at or presence.since)


@router.put("/me/presence", response=PresenceOut, summary="Sign on, take a break, sign off")
def my_presence_set(request: HttpRequest, body: PresenceIn) -> dict[str, Any]:
    principal = principal_of(request)
    _staff(principal)
    presence = services.presence_set(
        actor=principal.user, user=principal.user, state=body.state, reason=body.reason
    )
    return PresenceOut.of(presence, presence.since)


@router.post("/me/heartbeat", response={204: None}, summary="Any open desk tab, every ~30 s")
def my_heartbeat(request: HttpRequest) -> Status[None]:
    principal = principal_of(request)
    _staff(principal)
    services.presence_heartbeat(user=principal.user)
    return Status(204, None)


@router.get("/me/interactions", response=list[InteractionOut], summary="My offers and contacts")
def my_interactions(request: HttpRequest) -> list[Interaction]:
    principal = principal_of(request)
    _staff(principal)
    return selectors.my_interactions(principal.user)


def _mine(principal: Principal, interaction_id: int) -> Interaction:
    interaction = selectors.interaction_get(interaction_id)
    user_id = principal.user.pk
    if (
        interaction.agent_id != user_id
        and user_id not in interaction.offered_to
        and not principal.is_supervisor_or_admin
    ):
        raise NotFound("no such interaction")  # the same answer as for one that does not exist
    return interaction


@router.post("/interactions/{interaction_id}/accept", response=InteractionOut, summary="Accept an offer")
def accept(request: HttpRequest, interaction_id: int) -> Interaction:
    principal = principal_of(request)
    _staff(principal)
    return services.interaction_accept(user=principal.user, interaction=_mine(principal, interaction_id))


@router.post("/interactions/{interaction_id}/decline", response=InteractionOut, summary="Decline an offer")
def decline(request: HttpRequest, interaction_id: int) -> Interaction:
    principal = principal_of(request)
    _staff(principal)
    return services.interaction_decline(user=principal.user, interaction=_mine(principal, interaction_id))


@router.post(
    "/interactions/{interaction_id}/end", response=InteractionOut, summary="End a contact (wrap-up starts)"
)
def end(request: HttpRequest, interaction_id: int, body: EndIn) -> Interaction:
    principal = principal_of(request)
    _staff(principal)
    return services.interaction_end(
        actor=principal.user, interaction=_mine(principal, interaction_id), outcome=body.outcome
    )


@router.post(
    "/interactions/{interaction_id}/wrap-up-done", response=InteractionOut, summary="After-contact work done"
)
def wrap_up_done(request: HttpRequest, interaction_id: int) -> Interaction:
    principal = principal_of(request)
    _staff(principal)
    return services.wrap_up_end(interaction=_mine(principal, interaction_id), actor=principal.user)


@router.post(
    "/queues/{queue_id}/next", response={200: InteractionOut, 204: None}, summary="Pull the next contact"
)
def get_next(request: HttpRequest, queue_id: int) -> Any:
    principal = principal_of(request)
    _staff(principal)
    got = services.get_next(user=principal.user, queue=selectors.queue_get(queue_id))
    return got if got is not None else Status(204, None)


# --- Queues and interactions


def _queue_values(body: QueueIn) -> dict[str, Any]:
    values = body.dict()
    for key in ("team_id", "overflow_queue_id"):
        values[key] = values.pop(key)
    return values


@router.get("/queues", response=list[QueueOut], summary="Queues")
def queue_list(request: HttpRequest) -> Any:
    _staff(principal_of(request))
    return selectors.queue_list()


@router.post("/queues", response={201: QueueOut}, summary="Create a queue")
def queue_create(request: HttpRequest, body: QueueIn) -> Status[Queue]:
    principal = principal_of(request)
    _staff(principal, change=True)
    return Status(201, services.queue_save(actor=principal.user, queue=None, values=_queue_values(body)))


@router.put("/queues/{queue_id}", response=QueueOut, summary="Change a queue")
def queue_update(request: HttpRequest, queue_id: int, body: QueueIn) -> Queue:
    principal = principal_of(request)
    _staff(principal, change=True)
    return services.queue_save(
        actor=principal.user, queue=selectors.queue_get(queue_id), values=_queue_values(body)
    )


@router.post("/interactions", response={201: InteractionOut}, summary="Put a contact in a queue")
def enqueue(request: HttpRequest, body: EnqueueIn) -> Status[Interaction]:
    principal = principal_of(request)
    _staff(principal)
    from frontline.customers.models import Customer
    from frontline.tickets.selectors import ticket_get_for_principal

    queue = selectors.queue_get(body.queue_id)
    customer = Customer.objects.filter(pk=body.customer_id).first() if body.customer_id else None
    if body.customer_id and customer is None:
        raise Invalid(f"customer {body.customer_id} does not exist", field="customer_id")
    ticket = (
        ticket_get_for_principal(principal=principal, ticket_id=body.ticket_id) if body.ticket_id else None
    )
    interaction = services.interaction_enqueue(
        queue=queue,
        customer=customer,
        ticket=ticket,
        priority=body.priority,
        skills=body.skills,
        language=body.language,
        external_id=body.external_id,
    )
    return Status(201, interaction)


# --- Supervisors


@router.get(
    "/wallboard", response=list[StatsOut], summary="Per queue: waiting, longest wait, agents by state, today"
)
def wallboard(request: HttpRequest, tz: str = "UTC") -> list[dict[str, Any]]:
    _staff(principal_of(request))
    _zone(tz)
    return [
        selectors.stats_dict(selectors.queue_stats(queue=queue, zone=tz))
        for queue in selectors.queue_list().filter(active=True)
    ]


@router.get("/presence/agents", response=list[PresenceOut], summary="Every agent's state and time in state")
def agents_presence(request: HttpRequest) -> list[dict[str, Any]]:
    _staff(principal_of(request), change=True)
    from django.utils import timezone

    now = timezone.now()
    return [PresenceOut.of(p, now) for p in selectors.presence_list()]


@router.put("/presence/agents/{user_id}", response=PresenceOut, summary="Change an agent's state")
def agent_presence_set(request: HttpRequest, user_id: int, body: PresenceIn) -> dict[str, Any]:
    principal = principal_of(request)
    _staff(principal, change=True)
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound("no such agent")
    presence = services.presence_set(actor=principal.user, user=user, state=body.state, reason=body.reason)
    return PresenceOut.of(presence, presence.since)


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise Invalid(f"unknown timezone {tz!r}", field="tz") from exc


@router.get("/reports/agent-performance", summary="The agent performance report (JSON, CSV or XLSX)")
def agent_performance(
    request: HttpRequest,
    start: str,
    end: str,
    tz: str = "UTC",
    agent_id: int | None = None,
    format: str = "json",
) -> Any:
    """Per agent and day in `tz` from `start` to `end` (dates, end exclusive)."""
    principal = principal_of(request)
    _staff(principal)
    zone = _zone(tz)
    try:
        first = datetime.fromisoformat(start).replace(tzinfo=zone)
        last = datetime.fromisoformat(end).replace(tzinfo=zone)
    except ValueError as exc:
        raise Invalid("give dates as YYYY-MM-DD", field="start") from exc
    if last <= first or (last - first).days > 92:
        raise Invalid("the range must end after it starts and span at most 92 days", field="end")
    agents = User.objects.filter(agent__isnull=False, is_active=True).order_by("last_name", "pk")
    if not principal.is_supervisor_or_admin:
        agents = agents.filter(pk=principal.user.pk)  # agents see their own report
    if agent_id is not None:
        agents = agents.filter(pk=agent_id)
        if not agents.exists():
            raise NotFound("no such agent")
    rows = selectors.performance_report(agents=list(agents), start=first, end=last)
    if format == "csv":
        response = HttpResponse(exports.as_csv(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="agent-performance-{start}-{end}.csv"'
        return response
    if format == "xlsx":
        response = HttpResponse(
            exports.as_xlsx(rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="agent-performance-{start}-{end}.xlsx"'
        return response
    if format != "json":
        raise Invalid("format is json, csv or xlsx", field="format")
    return [dict(zip(exports.COLUMNS, exports.row_values(row), strict=True)) for row in rows]
