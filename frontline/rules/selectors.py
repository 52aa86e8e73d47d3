"""Reads of rules and their runs, and the facts a rule's conditions are evaluated against."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from frontline.accounts.principal import Principal, require_staff
from frontline.core.errors import Invalid, NotFound
from frontline.customers.models import ContactPoint
from frontline.customers.selectors import customer_segments
from frontline.rules import logic
from frontline.rules.models import Rule, RuleRun
from frontline.sla.calendar import business_time_between, is_open
from frontline.sla.models import BusinessCalendarConfig
from frontline.sla.selectors import business_calendar_of
from frontline.tickets.models import Message, Ticket
from frontline.tickets.selectors import ticket_visibility

_HOUR = timedelta(hours=1)


# --- Rules


def rule_list(*, principal: Principal, kind: str | None = None) -> QuerySet[Rule]:
    """Every rule, triggers then automations, each in the order they run; staff only."""
    require_staff(principal, "only staff may see rules")
    rules = Rule.objects.all()
    if kind is not None:
        if kind not in Rule.Kind.values:
            raise Invalid(f"kind is one of {', '.join(Rule.Kind.values)}", field="kind")
        rules = rules.filter(kind=kind)
    return rules.order_by("kind", "position", "id")


def rule_get(*, principal: Principal, rule_id: int) -> Rule:
    require_staff(principal, "only staff may see rules")
    rule = Rule.objects.select_related("calendar").filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(f"rule {rule_id} not found")
    return rule


def rule_list_active(*, kind: str) -> list[Rule]:
    """The active rules of a kind in the order they run (for the engine: no caller to scope)."""
    return list(
        Rule.objects.filter(kind=kind, is_active=True).select_related("calendar").order_by("position", "id")
    )


# --- Runs


def _page(runs: QuerySet[RuleRun], limit: int, before_id: int | None) -> list[RuleRun]:
    if not 1 <= limit <= 200:
        raise Invalid("limit must be between 1 and 200", field="limit")
    if before_id is not None:
        runs = runs.filter(pk__lt=before_id)
    return list(runs.order_by("-id")[:limit])


def rule_run_list(
    *, principal: Principal, rule: Rule, limit: int = 50, before_id: int | None = None
) -> list[RuleRun]:
    """A rule's runs, newest first, on tickets the caller may see; `before_id` pages back."""
    require_staff(principal, "only staff may see rule runs")
    visible = Ticket.objects.filter(ticket_visibility(principal)).values("pk")
    return _page(RuleRun.objects.filter(rule=rule, ticket__in=visible), limit, before_id)


def rule_run_list_for_ticket(
    *, principal: Principal, ticket: Ticket, limit: int = 50, before_id: int | None = None
) -> list[RuleRun]:
    """The runs on a ticket the caller has already looked up (so may see), newest first; staff only."""
    require_staff(principal, "only staff may see rule runs")
    return _page(RuleRun.objects.filter(ticket=ticket), limit, before_id)


def rule_run_count_recent(*, ticket_id: int, since: datetime, outcome: str) -> int:
    return RuleRun.objects.filter(ticket_id=ticket_id, outcome=outcome, at__gt=since).count()


# --- Facts


def uses_segments(rules: Iterable[Rule]) -> bool:
    """Whether any rule reads the requester's segments (which cost evaluating every segment)."""
    return any("customer.segments" in json.dumps([rule.conditions, rule.actions]) for rule in rules)


def _message_of(ticket: Ticket, message_id: object) -> Message | None:
    if isinstance(message_id, int):
        message = Message.objects.filter(pk=message_id, ticket_id=ticket.pk).first()
        if message is not None:
            return message
    return Message.objects.filter(ticket_id=ticket.pk).order_by("-created_at", "-id").first()


def status_since(ticket: Ticket) -> datetime:
    """When the ticket entered its status (its creation for tickets from before that was recorded)."""
    return ticket.status_changed_at or ticket.created_at


def ticket_facts(
    *,
    ticket: Ticket,
    now: datetime,
    event_name: str | None = None,
    message_id: object = None,
    with_segments: bool = False,
) -> dict[str, Any]:
    """The facts of a ticket, its requester and its latest (or the event's) message at `now`.

    Business time facts are counted around the clock here; `calendar_facts` puts the rule's
    calendar in. `with_segments` evaluates the requester's segments (else `customer.segments` is []).
    """
    customer = ticket.requester
    message = _message_of(ticket, message_id)
    email = (
        ContactPoint.objects.filter(customer=customer, kind=ContactPoint.Kind.EMAIL)
        .order_by("-is_primary", "id")
        .values_list("value", flat=True)
        .first()
    )
    since = status_since(ticket)
    status_hours = max((now - since) / _HOUR, 0.0)
    return {
        "ticket.id": ticket.pk,
        "ticket.subject": ticket.subject,
        "ticket.status": ticket.status,
        "ticket.priority": ticket.priority,
        "ticket.channel": ticket.channel,
        "ticket.category": ticket.category,
        "ticket.product": ticket.product,
        "ticket.team": ticket.team_id,
        "ticket.assignee": ticket.assignee_id,
        "ticket.tags": sorted(ticket.tags.values_list("name", flat=True)),
        "ticket.age_hours": max((now - ticket.created_at) / _HOUR, 0.0),
        "ticket.status_hours": status_hours,
        "ticket.status_business_hours": status_hours,
        "customer.id": customer.pk,
        "customer.name": customer.display_name,
        "customer.salutation": customer.salutation,
        "customer.first_name": customer.first_name,
        "customer.last_name": customer.last_name,
        "customer.email": email or "",
        "customer.tier": customer.tier,
        "customer.language": customer.language,
        "customer.country": customer.country,
        "customer.region": customer.region,
        "customer.city": customer.city,
        "customer.timezone": customer.timezone,
        "customer.organization": customer.organization.name if customer.organization is not None else "",
        "customer.segments": sorted(s.name for s in customer_segments(customer)) if with_segments else [],
        "customer.lifetime_value": float(customer.lifetime_value),
        "message.direction": message.direction if message else None,
        "message.channel": message.channel if message else None,
        "message.body": message.body_text if message else None,
        "business_hours.open": None,
        "event.name": event_name,
    }


def calendar_facts(
    *, facts: dict[str, Any], ticket: Ticket, now: datetime, calendar: BusinessCalendarConfig | None
) -> dict[str, Any]:
    """`facts` with `business_hours.open` and business time since the status changed on `calendar`.

    Without a calendar business time is calendar time and `business_hours.open` is None.
    """
    if calendar is None:
        return facts
    built = business_calendar_of(calendar)
    since = status_since(ticket)
    worked = business_time_between(since, now, built) if now > since else timedelta(0)
    return {
        **facts,
        "business_hours.open": is_open(now, built),
        "ticket.status_business_hours": worked / _HOUR,
    }


def ticket_for_rules(ticket_id: int) -> Ticket | None:
    return (
        Ticket.objects.select_related("requester__organization", "team")
        .filter(pk=ticket_id, merged_into__isnull=True)
        .first()
    )


# --- Dry run


@dataclass(frozen=True)
class DryRun:
    matched: bool
    conditions: list[logic.ConditionResult]
    facts: dict[str, Any]
    applies_to_ticket: bool


def rule_dry_run(*, principal: Principal, rule: Rule, ticket: Ticket, now: datetime | None = None) -> DryRun:
    """Evaluate the rule's conditions on the ticket now (no event: `changed` conditions do not hold)."""
    require_staff(principal, "only staff may try rules")
    at = now or timezone.now()
    fresh = ticket_for_rules(ticket.pk)
    if fresh is None:
        raise NotFound(f"ticket {ticket.pk} not found")
    facts = ticket_facts(ticket=fresh, now=at, with_segments=uses_segments([rule]))
    facts = calendar_facts(facts=facts, ticket=fresh, now=at, calendar=rule.calendar)
    matched, results = logic.explain(logic.parse_conditions(rule.conditions), facts)
    applies = rule.plan_version_id is None or rule.plan_version_id == fresh.plan_version_id
    return DryRun(matched=matched and applies, conditions=results, facts=facts, applies_to_ticket=applies)
