"""Drafting, activating and retiring plan versions."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from frontline.accounts.models import User
from frontline.core.errors import Conflict, Invalid
from frontline.customers.models import Segment
from frontline.events.services import event_record
from frontline.plans.models import Plan, PlanVersion


@transaction.atomic
def plan_create(
    *,
    actor: User | None,
    name: str,
    description: str = "",
    segment: Segment | None = None,
    precedence: int = 100,
) -> Plan:
    if Plan.objects.filter(name__iexact=name.strip()).exists():
        raise Conflict(f"a plan named {name!r} exists", field="name")
    plan = Plan.objects.create(
        name=name.strip(), description=description, segment=segment, precedence=precedence
    )
    event_record(
        actor=actor,
        verb="plan.created",
        target=plan,
        after={"name": plan.name, "segment": segment, "precedence": precedence},
    )
    return plan


@transaction.atomic
def plan_version_draft(
    *, actor: User | None, plan: Plan, summary: str = "", settings: dict[str, Any] | None = None
) -> PlanVersion:
    """A new draft, starting from the latest version's settings unless others are given."""
    latest = PlanVersion.objects.select_for_update(of=("self",)).filter(plan=plan).order_by("-number").first()
    base = copy.deepcopy(latest.settings) if latest else {}
    version = PlanVersion.objects.create(
        plan=plan,
        number=(latest.number + 1) if latest else 1,
        summary=summary,
        settings=settings if settings is not None else base,
    )
    event_record(
        actor=actor,
        verb="plan_version.drafted",
        target=version,
        after={"plan": plan, "number": version.number},
    )
    return version


@transaction.atomic
def plan_version_update(
    *,
    actor: User | None,
    version: PlanVersion,
    summary: str | None = None,
    settings: dict[str, Any] | None = None,
) -> PlanVersion:
    if version.status != PlanVersion.Status.DRAFT:
        raise Conflict("only a draft can be edited; draft a new version instead", code="not_draft")
    before = {"summary": version.summary, "settings": version.settings}
    if summary is not None:
        version.summary = summary
    if settings is not None:
        version.settings = settings
    version.save(update_fields=["summary", "settings"])
    event_record(
        actor=actor,
        verb="plan_version.updated",
        target=version,
        before=before,
        after={"summary": version.summary, "settings": version.settings},
    )
    return version


@transaction.atomic
def plan_version_activate(
    *, actor: User | None, version: PlanVersion, at: datetime | None = None
) -> PlanVersion:
    """Make a draft the plan's active version from `at` (now); the previous one retires at that moment."""
    version = PlanVersion.objects.select_for_update(of=("self",)).get(pk=version.pk)
    if version.status != PlanVersion.Status.DRAFT:
        raise Conflict(
            f"version {version.number} is {version.status}; only a draft can be activated", code="not_draft"
        )
    start = at or timezone.now()
    current = (
        PlanVersion.objects.select_for_update(of=("self",))
        .filter(plan_id=version.plan_id, status=PlanVersion.Status.ACTIVE)
        .first()
    )
    if current is not None:
        if current.effective_from and start < current.effective_from:
            raise Invalid("a version cannot start before the active one did", field="at")
        _retire(actor=actor, version=current, end=start)
    version.status = PlanVersion.Status.ACTIVE
    version.effective_from = start
    version.save(update_fields=["status", "effective_from"])
    event_record(
        actor=actor,
        verb="plan_version.activated",
        target=version,
        before={"status": "draft"},
        after={"status": "active", "effective_from": start},
    )
    return version


@transaction.atomic
def plan_version_retire(
    *, actor: User | None, version: PlanVersion, at: datetime | None = None
) -> PlanVersion:
    version = PlanVersion.objects.select_for_update(of=("self",)).get(pk=version.pk)
    if version.status != PlanVersion.Status.ACTIVE:
        raise Conflict(
            f"version {version.number} is {version.status}; only the active one can retire", code="not_active"
        )
    _retire(actor=actor, version=version, end=at or timezone.now())
    return version


def _retire(*, actor: User | None, version: PlanVersion, end: datetime) -> None:
    version.status = PlanVersion.Status.RETIRED
    version.effective_until = end
    version.save(update_fields=["status", "effective_until"])
    event_record(
        actor=actor,
        verb="plan_version.retired",
        target=version,
        before={"status": "active"},
        after={"status": "retired", "effective_until": end},
    )
