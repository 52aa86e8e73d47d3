"""Which plan version applies to a customer at a given time."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from frontline.core.segment_rules import evaluate
from frontline.customers.models import Customer
from frontline.customers.segments import customer_profile, parse_rule
from frontline.plans.models import Plan, PlanVersion


def plan_version_in_force(*, plan: Plan, at: datetime) -> PlanVersion | None:
    """The version of `plan` that was (or is) active at `at`: history is kept, so past times resolve too."""
    return (
        PlanVersion.objects.filter(plan=plan, effective_from__lte=at)
        .exclude(status=PlanVersion.Status.DRAFT)
        .filter(Q(effective_until__isnull=True) | Q(effective_until__gt=at))
        .order_by("-effective_from")
        .first()
    )


def plan_version_for_customer(*, customer: Customer | None, at: datetime | None = None) -> PlanVersion | None:
    """The plan version that applies to this customer at this time, or None if no plan covers them.

    Plans are tried by precedence; a plan with a segment applies only to customers in it, and only
    while it has a version in force.
    """
    when = at or timezone.now()
    profile = customer_profile(customer) if customer is not None else None
    for plan in Plan.objects.select_related("segment").order_by("precedence", "id"):
        if plan.segment is not None and (
            profile is None or not evaluate(parse_rule(plan.segment.rule), profile)
        ):
            continue
        version = plan_version_in_force(plan=plan, at=when)
        if version is not None:
            return version
    return None


def plan_list() -> QuerySet[Plan]:
    return Plan.objects.select_related("segment").prefetch_related("versions").order_by("precedence", "name")
