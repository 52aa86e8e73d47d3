"""SLA clocks, policies and calendars over HTTP: staff read, supervisors and admins configure."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Status

from frontline.accounts.principal import Principal, principal_of, require_staff
from frontline.core.errors import Forbidden, Invalid
from frontline.plans.models import PlanVersion
from frontline.sla import selectors, services
from frontline.sla.models import BusinessCalendarConfig, SlaPolicy
from frontline.sla.schemas import (
    BusinessCalendarIn,
    BusinessCalendarOut,
    SlaClockOut,
    SlaPolicyIn,
    SlaPolicyOut,
)
from frontline.tickets.selectors import ticket_get_for_principal

router = Router(tags=["sla"])


def _staff(principal: Principal, *, change: bool = False) -> None:
    require_staff(principal, "only staff may see SLAs")
    if change and not principal.is_supervisor_or_admin:
        raise Forbidden("only supervisors and admins may change SLAs")


@router.get("/tickets/{ticket_id}/sla", response=list[SlaClockOut], summary="A ticket's SLA clocks")
def ticket_sla(request: HttpRequest, ticket_id: int) -> list[dict[str, Any]]:
    principal = principal_of(request)
    ticket = ticket_get_for_principal(principal=principal, ticket_id=ticket_id)
    views = selectors.sla_clock_list_for_ticket(principal=principal, ticket=ticket)
    return [SlaClockOut.of(view) for view in views]


@router.post(
    "/tickets/{ticket_id}/sla/reapply",
    response=list[SlaClockOut],
    summary="Measure a ticket's open clocks by the policy that matches it now",
)
def ticket_sla_reapply(request: HttpRequest, ticket_id: int) -> list[dict[str, Any]]:
    principal = principal_of(request)
    _staff(principal, change=True)
    ticket = ticket_get_for_principal(principal=principal, ticket_id=ticket_id)
    services.sla_reapply(ticket=ticket, actor=principal.user)
    views = selectors.sla_clock_list_for_ticket(principal=principal, ticket=ticket)
    return [SlaClockOut.of(view) for view in views]


@router.get("/sla/policies", response=list[SlaPolicyOut], summary="List SLA policies")
def sla_policy_list(request: HttpRequest) -> QuerySet[SlaPolicy]:
    _staff(principal_of(request))
    return selectors.sla_policy_list()


@router.post("/sla/policies", response={201: SlaPolicyOut}, summary="Create an SLA policy")
def sla_policy_create(request: HttpRequest, body: SlaPolicyIn) -> Status[SlaPolicy]:
    principal = principal_of(request)
    _staff(principal, change=True)
    plan_version = None
    if body.plan_version_id is not None:
        plan_version = PlanVersion.objects.filter(pk=body.plan_version_id).first()
        if plan_version is None:
            raise Invalid(f"plan version {body.plan_version_id} does not exist", field="plan_version_id")
    calendar = None
    if body.calendar_id is not None:
        calendar = BusinessCalendarConfig.objects.filter(pk=body.calendar_id).first()
        if calendar is None:
            raise Invalid(f"calendar {body.calendar_id} does not exist", field="calendar_id")
    policy = services.sla_policy_create(
        actor=principal.user,
        name=body.name,
        plan_version=plan_version,
        position=body.position,
        conditions_json=body.conditions,
        first_response_minutes=body.first_response_minutes,
        next_response_minutes=body.next_response_minutes,
        resolution_minutes=body.resolution_minutes,
        business_time=body.business_time,
        calendar=calendar,
        paused_statuses=body.paused_statuses,
        at_risk_ratio=body.at_risk_ratio,
    )
    return Status(201, policy)


@router.get("/sla/calendars", response=list[BusinessCalendarOut], summary="List business calendars")
def business_calendar_list(request: HttpRequest) -> QuerySet[BusinessCalendarConfig]:
    _staff(principal_of(request))
    return selectors.business_calendar_list()


@router.post("/sla/calendars", response={201: BusinessCalendarOut}, summary="Create a business calendar")
def business_calendar_create(
    request: HttpRequest, body: BusinessCalendarIn
) -> Status[BusinessCalendarConfig]:
    principal = principal_of(request)
    _staff(principal, change=True)
    calendar = services.business_calendar_create(
        actor=principal.user,
        name=body.name,
        timezone_name=body.timezone,
        weekly_hours=body.weekly_hours,
        holiday_country=body.holiday_country,
        holiday_subdivision=body.holiday_subdivision,
        extra_holidays=body.extra_holidays,
        overrides=body.overrides,
    )
    return Status(201, calendar)
