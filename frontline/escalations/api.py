"""Escalation chains, runs and the on-call roster over HTTP: staff read, supervisors configure."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypeVar

from django.db import models
from django.http import HttpRequest
from ninja import Router, Status

from frontline.accounts.models import Team, User
from frontline.accounts.principal import Principal, principal_of, require_staff
from frontline.core.errors import Forbidden, Invalid, NotFound
from frontline.customers.selectors import principal_for_user
from frontline.escalations import selectors, services
from frontline.escalations.models import (
    EscalationChain,
    EscalationRun,
    OnCallOverride,
    OnCallRoster,
    OnCallShift,
)
from frontline.escalations.schemas import (
    CancelIn,
    ChainIn,
    ChainOut,
    ChainPatch,
    OnCallOut,
    OverrideIn,
    PersonIn,
    RosterIn,
    RosterOut,
    RosterPatch,
    RunIn,
    RunOut,
    ShiftIn,
    StepIn,
)
from frontline.plans.models import PlanVersion
from frontline.sla.models import BusinessCalendarConfig
from frontline.tickets.selectors import ticket_get_for_principal

router = Router(tags=["escalations"])
M = TypeVar("M", bound=models.Model)


def _staff(principal: Principal, *, change: bool = False) -> None:
    require_staff(principal, "only staff may see escalations and the on-call roster")
    if change and not principal.is_supervisor_or_admin:
        raise Forbidden("only supervisors and admins may change escalations and rosters")


def _ref(model: type[M], pk: int | None, field: str) -> M | None:
    """The object an input field names by id; 422 on that field when it does not exist."""
    if pk is None:
        return None
    found = model._default_manager.filter(pk=pk).first()
    if found is None:
        raise Invalid(f"{model._meta.verbose_name} {pk} does not exist", field=field)
    return found


def _person(body: PersonIn) -> services.Person:
    user = _ref(User, body.user_id, "user_id")
    if user is not None and not principal_for_user(user).is_staff_member:
        raise Invalid("only staff can be on call", field="user_id")
    return services.Person(name=body.name, user=user, phone=body.phone, email=body.email)


def _steps(steps: list[StepIn]) -> list[services.StepSpec]:
    return [
        services.StepSpec(
            action=s.action,
            delay=timedelta(minutes=s.delay_minutes),
            business_time=s.business_time,
            team=_ref(Team, s.team_id, f"steps[{i}].team_id"),
            priority=s.priority,
            message=s.message,
        )
        for i, s in enumerate(steps)
    ]


# --- On call


@router.get("/oncall", response=list[OnCallOut], summary="Who is on call now, per roster")
def oncall_now(request: HttpRequest) -> list[dict[str, Any]]:
    _staff(principal_of(request))
    answers = (selectors.on_call_now(roster=roster) for roster in selectors.roster_list())
    return [OnCallOut.of(answer) for answer in answers if answer is not None]


@router.get("/oncall/rosters", response=list[RosterOut], summary="On-call rosters with their shifts")
def roster_list(request: HttpRequest) -> list[dict[str, Any]]:
    _staff(principal_of(request))
    return [RosterOut.of(roster) for roster in selectors.roster_list()]


@router.post("/oncall/rosters", response={201: RosterOut}, summary="Create a roster")
def roster_create(request: HttpRequest, body: RosterIn) -> Status[dict[str, Any]]:
    principal = principal_of(request)
    _staff(principal, change=True)
    roster = services.roster_create(
        actor=principal.user, name=body.name, timezone_name=body.timezone, description=body.description
    )
    return Status(201, RosterOut.of(roster))


@router.patch("/oncall/rosters/{roster_id}", response=RosterOut, summary="Rename a roster or change its zone")
def roster_update(request: HttpRequest, roster_id: int, body: RosterPatch) -> dict[str, Any]:
    principal = principal_of(request)
    _staff(principal, change=True)
    roster = selectors.roster_get(roster_id)
    services.roster_update(actor=principal.user, roster=roster, name=body.name, timezone_name=body.timezone)
    return RosterOut.of(selectors.roster_get(roster_id))


@router.post("/oncall/rosters/{roster_id}/shifts", response={201: RosterOut}, summary="Add a weekly shift")
def shift_add(request: HttpRequest, roster_id: int, body: ShiftIn) -> Status[dict[str, Any]]:
    principal = principal_of(request)
    _staff(principal, change=True)
    roster = selectors.roster_get(roster_id)
    services.shift_add(
        actor=principal.user,
        roster=roster,
        person=_person(body),
        weekdays=body.weekdays,
        start=body.start,
        end=body.end,
        position=body.position,
    )
    return Status(201, RosterOut.of(selectors.roster_get(roster_id)))


@router.post("/oncall/rosters/{roster_id}/overrides", response={201: RosterOut}, summary="Add an override")
def override_add(request: HttpRequest, roster_id: int, body: OverrideIn) -> Status[dict[str, Any]]:
    principal = principal_of(request)
    _staff(principal, change=True)
    roster = selectors.roster_get(roster_id)
    services.override_add(
        actor=principal.user,
        roster=roster,
        person=_person(body),
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        reason=body.reason,
    )
    return Status(201, RosterOut.of(selectors.roster_get(roster_id)))


@router.delete("/oncall/shifts/{entry_id}", response={204: None}, summary="Remove a shift")
def shift_remove(request: HttpRequest, entry_id: int) -> Status[None]:
    return _remove(request, OnCallShift, entry_id)


@router.delete("/oncall/overrides/{entry_id}", response={204: None}, summary="Remove an override")
def override_remove(request: HttpRequest, entry_id: int) -> Status[None]:
    return _remove(request, OnCallOverride, entry_id)


def _remove(
    request: HttpRequest, model: type[OnCallShift] | type[OnCallOverride], entry_id: int
) -> Status[None]:
    principal = principal_of(request)
    _staff(principal, change=True)
    entry = model.objects.select_related("roster").filter(pk=entry_id).first()
    if entry is None:
        raise NotFound(f"no such {model._meta.verbose_name}")
    services.roster_entry_remove(actor=principal.user, entry=entry)
    return Status(204, None)


# --- Chains


@router.get("/escalation-chains", response=list[ChainOut], summary="Escalation chains")
def chain_list(request: HttpRequest) -> list[dict[str, Any]]:
    _staff(principal_of(request))
    return [ChainOut.of(chain) for chain in selectors.chain_list()]


@router.get("/escalation-chains/{chain_id}", response=ChainOut, summary="One escalation chain")
def chain_get(request: HttpRequest, chain_id: int) -> dict[str, Any]:
    _staff(principal_of(request))
    return ChainOut.of(selectors.chain_get(chain_id))


@router.post("/escalation-chains", response={201: ChainOut}, summary="Create an escalation chain")
def chain_create(request: HttpRequest, body: ChainIn) -> Status[dict[str, Any]]:
    principal = principal_of(request)
    _staff(principal, change=True)
    chain = services.chain_create(
        actor=principal.user,
        name=body.name,
        trigger=body.trigger,
        steps=_steps(body.steps),
        plan_version=_ref(PlanVersion, body.plan_version_id, "plan_version_id"),
        team=_ref(Team, body.team_id, "team_id"),
        calendar=_ref(BusinessCalendarConfig, body.calendar_id, "calendar_id"),
        roster=_ref(OnCallRoster, body.roster_id, "roster_id"),
        position=body.position,
        active=body.active,
    )
    return Status(201, ChainOut.of(selectors.chain_get(chain.pk)))


@router.patch(
    "/escalation-chains/{chain_id}", response=ChainOut, summary="Change a chain (started runs keep theirs)"
)
def chain_update(request: HttpRequest, chain_id: int, body: ChainPatch) -> dict[str, Any]:
    principal = principal_of(request)
    _staff(principal, change=True)
    chain = selectors.chain_get(chain_id)
    given = body.model_fields_set
    refs: dict[str, Any] = {}
    for key, model in (
        ("team_id", Team),
        ("calendar_id", BusinessCalendarConfig),
        ("roster_id", OnCallRoster),
    ):
        if key in given:
            refs[key.removesuffix("_id")] = _ref(model, getattr(body, key), key)
    services.chain_update(
        actor=principal.user,
        chain=chain,
        name=body.name,
        trigger=body.trigger,
        steps=_steps(body.steps) if body.steps is not None else None,
        position=body.position,
        active=body.active,
        **refs,
    )
    return ChainOut.of(selectors.chain_get(chain_id))


# --- Runs on tickets


@router.get("/tickets/{ticket_id}/escalations", response=list[RunOut], summary="A ticket's escalations")
def ticket_runs(request: HttpRequest, ticket_id: int) -> list[dict[str, Any]]:
    principal = principal_of(request)
    _staff(principal)
    ticket = ticket_get_for_principal(principal=principal, ticket_id=ticket_id)
    return [RunOut.of(run) for run in selectors.run_list_for_ticket(ticket=ticket)]


@router.post("/tickets/{ticket_id}/escalations", response={201: RunOut}, summary="Escalate a ticket by hand")
def ticket_escalate(request: HttpRequest, ticket_id: int, body: RunIn) -> Status[dict[str, Any]]:
    principal = principal_of(request)
    _staff(principal)
    ticket = ticket_get_for_principal(principal=principal, ticket_id=ticket_id)
    chain = _ref(EscalationChain, body.chain_id, "chain_id")
    if chain is None:
        raise Invalid("give the chain to start", field="chain_id")
    run = services.escalation_start(
        ticket=ticket, chain=chain, actor=principal.user, reason=body.reason or "by hand"
    )
    return Status(201, RunOut.of(run))


@router.post("/escalation-runs/{run_id}/cancel", response=RunOut, summary="Stop an escalation")
def run_cancel(request: HttpRequest, run_id: int, body: CancelIn) -> dict[str, Any]:
    principal = principal_of(request)
    _staff(principal, change=True)
    run = EscalationRun.objects.select_related("chain").filter(pk=run_id).first()
    if run is None:
        raise NotFound("no such escalation")
    ticket_get_for_principal(principal=principal, ticket_id=run.ticket_id)  # 404 for tickets out of sight
    return RunOut.of(services.escalation_cancel(run=run, actor=principal.user, reason=body.reason))
