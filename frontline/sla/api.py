"""SLA clocks, policies and calendars over HTTP: staff read, supervisors and admins configure."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Status

from frontline.accounts.principal import Principal, principal_of, require_staff
from frontline.core.errors import Forbidden, Invalid, NotFound
from frontline.customers.models import Customer
from frontline.customers.selectors import customer_get_for_staff
from frontline.plans.models import PlanVersion
from frontline.sla import selectors, services
from frontline.sla.models import BusinessCalendarConfig, ChannelHours, SlaPolicy
from frontline.sla.schemas import (
    BusinessCalendarIn,
    BusinessCalendarOut,
    ChannelAvailabilityOut,
    ChannelHoursIn,
    ChannelHoursOut,
    ChannelHoursPatch,
    SlaClockOut,
    SlaPolicyIn,
    SlaPolicyOut,
)
from frontline.tickets.models import Channel
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


def _plan_version(plan_version_id: int | None) -> PlanVersion | None:
    if plan_version_id is None:
        return None
    plan_version = PlanVersion.objects.filter(pk=plan_version_id).first()
    if plan_version is None:
        raise Invalid(f"plan version {plan_version_id} does not exist", field="plan_version_id")
    return plan_version


def _calendar(calendar_id: int) -> BusinessCalendarConfig:
    calendar = BusinessCalendarConfig.objects.filter(pk=calendar_id).first()
    if calendar is None:
        raise Invalid(f"calendar {calendar_id} does not exist", field="calendar_id")
    return calendar


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


#: "phone" is what people call the voice channel.
_CHANNEL_ALIASES = {"phone": Channel.VOICE.value}


@router.get(
    "/channels/availability",
    response=ChannelAvailabilityOut,
    summary="Whether a channel is open now, when it opens and closes, and what it offers outside hours",
)
def channel_availability(
    request: HttpRequest, channel: str, customer_id: int | None = None, at: datetime | None = None
) -> dict[str, Any]:
    """Staff see it for any customer (or the plans for everyone); a customer sees their own."""
    principal = principal_of(request)
    name = _CHANNEL_ALIASES.get(channel, channel)
    if name not in Channel.values:
        raise Invalid(f"channel must be phone or one of {', '.join(Channel.values)}", field="channel")
    customer: Customer | None = None
    if principal.is_customer and principal.customer_id is not None:
        if customer_id is not None and customer_id != principal.customer_id:
            raise NotFound(f"customer {customer_id} not found")
        customer = Customer.objects.filter(pk=principal.customer_id).first()
    else:
        require_staff(principal, "only staff and customers may see channel hours")
        if customer_id is not None:
            customer = customer_get_for_staff(principal=principal, customer_id=customer_id)
    found = selectors.channel_availability(channel=name, customer=customer, at=at)
    row = found.channel_hours
    return {
        "channel": found.channel,
        "is_open": found.is_open,
        "is_always_open": found.is_always_open,
        "opens_at": found.opens_at,
        "closes_at": found.closes_at,
        "offers": list(found.offers),
        "timezone": found.timezone,
        "source": None
        if principal.is_customer
        else {
            "channel_hours_id": row.pk if row is not None else None,
            "calendar_id": row.calendar_id if row is not None else None,
            "plan_version_id": found.plan_version_id,
        },
    }


def _channel_hours(channel_hours_id: int) -> ChannelHours:
    row = ChannelHours.objects.filter(pk=channel_hours_id).first()
    if row is None:
        raise NotFound(f"channel hours {channel_hours_id} not found")
    return row


@router.get("/sla/channel-hours", response=list[ChannelHoursOut], summary="List channel hours")
def channel_hours_list(request: HttpRequest) -> QuerySet[ChannelHours]:
    _staff(principal_of(request))
    return selectors.channel_hours_list()


@router.post("/sla/channel-hours", response={201: ChannelHoursOut}, summary="Set a channel's hours")
def channel_hours_create(request: HttpRequest, body: ChannelHoursIn) -> Status[ChannelHours]:
    principal = principal_of(request)
    _staff(principal, change=True)
    row = services.channel_hours_create(
        actor=principal.user,
        channel=_CHANNEL_ALIASES.get(body.channel, body.channel),
        calendar=_calendar(body.calendar_id),
        outside_hours=body.outside_hours,
        plan_version=_plan_version(body.plan_version_id),
    )
    return Status(201, row)


@router.get("/sla/channel-hours/{channel_hours_id}", response=ChannelHoursOut, summary="One channel's hours")
def channel_hours_get(request: HttpRequest, channel_hours_id: int) -> ChannelHours:
    _staff(principal_of(request))
    return _channel_hours(channel_hours_id)


@router.patch(
    "/sla/channel-hours/{channel_hours_id}", response=ChannelHoursOut, summary="Change a channel's hours"
)
def channel_hours_update(
    request: HttpRequest, channel_hours_id: int, body: ChannelHoursPatch
) -> ChannelHours:
    principal = principal_of(request)
    _staff(principal, change=True)
    row = _channel_hours(channel_hours_id)
    return services.channel_hours_update(
        actor=principal.user,
        channel_hours=row,
        calendar=_calendar(body.calendar_id) if body.calendar_id is not None else None,
        outside_hours=body.outside_hours,
    )


@router.delete(
    "/sla/channel-hours/{channel_hours_id}", response={204: None}, summary="Remove a channel's hours"
)
def channel_hours_delete(request: HttpRequest, channel_hours_id: int) -> Status[None]:
    principal = principal_of(request)
    _staff(principal, change=True)
    services.channel_hours_delete(actor=principal.user, channel_hours=_channel_hours(channel_hours_id))
    return Status(204, None)
