"""Plans and plan versions over HTTP; staff read, supervisors and admins change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from frontline.accounts.principal import Principal, principal_of, require_staff
from frontline.core.errors import Forbidden, Invalid, NotFound
from frontline.customers.models import Segment
from frontline.customers.selectors import customer_get_for_staff
from frontline.plans import selectors, services
from frontline.plans.models import Plan, PlanVersion
from frontline.plans.schemas import ActivateIn, PlanIn, PlanOut, PlanVersionOut, ResolvedOut, VersionIn

router = Router(tags=["plans"])


def _staff(principal: Principal, *, change: bool = False) -> None:
    require_staff(principal, "only staff may see plans")
    if change and not principal.is_supervisor_or_admin:
        raise Forbidden("only supervisors and admins may change plans")


def _plan(plan_id: int) -> Plan:
    plan = selectors.plan_list().filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(f"plan {plan_id} not found")
    return plan


def _version(plan_id: int, number: int) -> PlanVersion:
    version = PlanVersion.objects.filter(plan_id=plan_id, number=number).first()
    if version is None:
        raise NotFound(f"version {number} of plan {plan_id} not found")
    return version


@router.get("/plans", response=list[PlanOut], summary="List plans with their versions")
def plan_list(request: HttpRequest) -> QuerySet[Plan]:
    _staff(principal_of(request))
    return selectors.plan_list()


@router.post("/plans", response={201: PlanOut}, summary="Create a plan")
def plan_create(request: HttpRequest, body: PlanIn) -> Status[Plan]:
    principal = principal_of(request)
    _staff(principal, change=True)
    segment = None
    if body.segment_id is not None:
        segment = Segment.objects.filter(pk=body.segment_id).first()
        if segment is None:
            raise Invalid(f"segment {body.segment_id} does not exist", field="segment_id")
    plan = services.plan_create(
        actor=principal.user,
        name=body.name,
        description=body.description,
        segment=segment,
        precedence=body.precedence,
    )
    return Status(201, _plan(plan.pk))


@router.get("/plans/resolve", response=ResolvedOut, summary="Which plan version applies to a customer")
def plan_resolve(request: HttpRequest, customer_id: int, at: datetime | None = None) -> dict[str, Any]:
    principal = principal_of(request)
    _staff(principal)
    customer = customer_get_for_staff(principal=principal, customer_id=customer_id)
    when = at or timezone.now()
    if timezone.is_naive(when):
        raise Invalid("give 'at' with a timezone, e.g. 2026-11-23T09:00:00+08:00", field="at")
    return {
        "customer_id": customer.pk,
        "at": when,
        "version": selectors.plan_version_for_customer(customer=customer, at=when),
    }


@router.get("/plans/{plan_id}", response=PlanOut, summary="Get a plan")
def plan_get(request: HttpRequest, plan_id: int) -> Plan:
    _staff(principal_of(request))
    return _plan(plan_id)


@router.post("/plans/{plan_id}/versions", response={201: PlanVersionOut}, summary="Draft a new version")
def version_draft(request: HttpRequest, plan_id: int, body: VersionIn) -> Status[PlanVersion]:
    principal = principal_of(request)
    _staff(principal, change=True)
    return Status(
        201,
        services.plan_version_draft(
            actor=principal.user, plan=_plan(plan_id), summary=body.summary, settings=body.settings
        ),
    )


@router.patch("/plans/{plan_id}/versions/{number}", response=PlanVersionOut, summary="Edit a draft")
def version_update(request: HttpRequest, plan_id: int, number: int, body: VersionIn) -> PlanVersion:
    principal = principal_of(request)
    _staff(principal, change=True)
    return services.plan_version_update(
        actor=principal.user,
        version=_version(plan_id, number),
        summary=body.summary if "summary" in body.model_fields_set else None,
        settings=body.settings,
    )


@router.post(
    "/plans/{plan_id}/versions/{number}/activate", response=PlanVersionOut, summary="Activate a draft"
)
def version_activate(request: HttpRequest, plan_id: int, number: int, body: ActivateIn) -> PlanVersion:
    principal = principal_of(request)
    _staff(principal, change=True)
    return services.plan_version_activate(actor=principal.user, version=_version(plan_id, number), at=body.at)


@router.post(
    "/plans/{plan_id}/versions/{number}/retire", response=PlanVersionOut, summary="Retire the active version"
)
def version_retire(request: HttpRequest, plan_id: int, number: int) -> PlanVersion:
    principal = principal_of(request)
    _staff(principal, change=True)
    return services.plan_version_retire(actor=principal.user, version=_version(plan_id, number))
