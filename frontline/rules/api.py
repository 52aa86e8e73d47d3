"""Rules over HTTP: staff read rules and runs and try rules on tickets; supervisors and admins change them."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from frontline.accounts.principal import Principal, principal_of, require_staff
from frontline.core.errors import Forbidden, Invalid
from frontline.plans.models import PlanVersion
from frontline.rules import selectors, services
from frontline.rules.models import Rule, RuleRun
from frontline.rules.schemas import DryRunIn, DryRunOut, ReorderIn, RuleIn, RuleOut, RulePatch, RuleRunOut
from frontline.sla.models import BusinessCalendarConfig
from frontline.tickets.selectors import ticket_get_for_principal

router = Router(tags=["rules"])


class RunQuery(Schema):
    limit: int = 50
    before_id: int | None = None


class RuleQuery(Schema):
    kind: str | None = None


def _change(principal: Principal) -> None:
    require_staff(principal, "only staff may see rules")
    if not principal.is_supervisor_or_admin:
        raise Forbidden("only supervisors and admins may change rules")


def _plan_version(plan_version_id: int | None) -> PlanVersion | None:
    if plan_version_id is None:
        return None
    plan_version = PlanVersion.objects.filter(pk=plan_version_id).first()
    if plan_version is None:
        raise Invalid(f"plan version {plan_version_id} does not exist", field="plan_version_id")
    return plan_version


def _calendar(calendar_id: int | None) -> BusinessCalendarConfig | None:
    if calendar_id is None:
        return None
    calendar = BusinessCalendarConfig.objects.filter(pk=calendar_id).first()
    if calendar is None:
        raise Invalid(f"calendar {calendar_id} does not exist", field="calendar_id")
    return calendar


@router.get("/rules", response=list[RuleOut], summary="List rules in the order they run")
def rule_list(request: HttpRequest, query: Query[RuleQuery]) -> QuerySet[Rule]:
    return selectors.rule_list(principal=principal_of(request), kind=query.kind)


@router.post("/rules", response={201: RuleOut}, summary="Create a rule")
def rule_create(request: HttpRequest, body: RuleIn) -> Status[Rule]:
    principal = principal_of(request)
    _change(principal)
    rule = services.rule_create(
        actor=principal.user,
        name=body.name,
        description=body.description,
        kind=body.kind,
        events=body.events,
        conditions=body.conditions,
        actions_json=body.actions,
        position=body.position,
        is_active=body.is_active,
        plan_version=_plan_version(body.plan_version_id),
        calendar=_calendar(body.calendar_id),
    )
    return Status(201, rule)


@router.post("/rules/reorder", response=list[RuleOut], summary="Set the order rules of a kind run in")
def rules_reorder(request: HttpRequest, body: ReorderIn) -> list[Rule]:
    principal = principal_of(request)
    _change(principal)
    return services.rules_reorder(actor=principal.user, kind=body.kind, rule_ids=body.rule_ids)


@router.get("/rules/{rule_id}", response=RuleOut, summary="Get a rule")
def rule_get(request: HttpRequest, rule_id: int) -> Rule:
    return selectors.rule_get(principal=principal_of(request), rule_id=rule_id)


@router.patch("/rules/{rule_id}", response=RuleOut, summary="Change a rule")
def rule_update(request: HttpRequest, rule_id: int, body: RulePatch) -> Rule:
    principal = principal_of(request)
    _change(principal)
    rule = selectors.rule_get(principal=principal, rule_id=rule_id)
    given = body.dict(exclude_unset=True)
    values: dict[str, Any] = {
        key: given[key]
        for key in ("name", "description", "events", "conditions", "position", "is_active")
        if key in given and given[key] is not None
    }
    if given.get("actions") is not None:
        values["actions_json"] = given["actions"]
    if "plan_version_id" in given:
        values["plan_version"] = _plan_version(given["plan_version_id"])
    if "calendar_id" in given:
        values["calendar"] = _calendar(given["calendar_id"])
    return services.rule_update(actor=principal.user, rule=rule, **values)


@router.delete("/rules/{rule_id}", response={204: None}, summary="Delete a rule (its runs stay)")
def rule_delete(request: HttpRequest, rule_id: int) -> Status[None]:
    principal = principal_of(request)
    _change(principal)
    services.rule_delete(actor=principal.user, rule=selectors.rule_get(principal=principal, rule_id=rule_id))
    return Status(204, None)


@router.get("/rules/{rule_id}/runs", response=list[RuleRunOut], summary="A rule's runs, newest first")
def rule_runs(request: HttpRequest, rule_id: int, query: Query[RunQuery]) -> list[RuleRun]:
    principal = principal_of(request)
    rule = selectors.rule_get(principal=principal, rule_id=rule_id)
    return selectors.rule_run_list(
        principal=principal, rule=rule, limit=query.limit, before_id=query.before_id
    )


@router.post(
    "/rules/{rule_id}/dry-run",
    response=DryRunOut,
    summary="Evaluate a rule's conditions on a ticket now, without acting",
)
def rule_dry_run(request: HttpRequest, rule_id: int, body: DryRunIn) -> dict[str, Any]:
    principal = principal_of(request)
    rule = selectors.rule_get(principal=principal, rule_id=rule_id)
    ticket = ticket_get_for_principal(principal=principal, ticket_id=body.ticket_id)
    result = selectors.rule_dry_run(principal=principal, rule=rule, ticket=ticket)
    return {
        "matched": result.matched,
        "applies_to_ticket": result.applies_to_ticket,
        "conditions": [asdict(condition) for condition in result.conditions],
        "facts": result.facts,
    }


@router.get("/tickets/{ticket_id}/rule-runs", response=list[RuleRunOut], summary="The rule runs on a ticket")
def ticket_rule_runs(request: HttpRequest, ticket_id: int, query: Query[RunQuery]) -> list[RuleRun]:
    principal = principal_of(request)
    ticket = ticket_get_for_principal(principal=principal, ticket_id=ticket_id)
    return selectors.rule_run_list_for_ticket(
        principal=principal, ticket=ticket, limit=query.limit, before_id=query.before_id
    )
