"""Reads of escalations: who is on call now, chains, and a ticket's runs (scoped by the ticket)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from frontline.accounts.models import User
from frontline.core.errors import NotFound
from frontline.escalations import oncall
from frontline.escalations.models import (
    EscalationChain,
    EscalationRun,
    OnCallOverride,
    OnCallRoster,
    OnCallShift,
)
from frontline.tickets.models import Ticket

_HORIZON = timedelta(days=8)


@dataclass(frozen=True)
class OnCallAnswer:
    roster: OnCallRoster
    name: str
    phone: str
    email: str
    user: User | None
    until: datetime | None  # when someone else takes over (None: not within the next week)
    source: str  # "shift" or "override"


def on_call_now(*, roster: OnCallRoster, at: datetime | None = None) -> OnCallAnswer | None:
    """The manager on call for `roster` at `at` (now), or None when nobody is."""
    at = at or timezone.now()
    shifts = list(OnCallShift.objects.filter(roster=roster).select_related("user"))
    overrides = list(
        OnCallOverride.objects.filter(roster=roster, ends_at__gt=at, starts_at__lt=at + _HORIZON)
        .select_related("user")
        .order_by("-id")  # the latest override wins where two overlap
    )
    pure_shifts = [
        oncall.Shift(("shift", s.pk), oncall.parse_weekdays(s.weekdays), s.start, s.end) for s in shifts
    ]
    pure_overrides = [oncall.Override(("override", o.pk), o.starts_at, o.ends_at) for o in overrides]
    who = oncall.on_call(at, roster.timezone, pure_shifts, pure_overrides)
    if who is None:
        return None
    assert isinstance(who, tuple)
    kind: str = who[0]
    pk: int = who[1]
    entries: dict[int, OnCallShift | OnCallOverride] = {
        e.pk: e for e in (shifts if kind == "shift" else overrides)
    }
    entry = entries[pk]
    until = oncall.on_call_until(at, roster.timezone, pure_shifts, pure_overrides)
    return OnCallAnswer(
        roster=roster,
        name=entry.name,
        phone=entry.phone,
        email=entry.email,
        user=entry.user,
        until=until,
        source=kind,
    )


def roster_list() -> QuerySet[OnCallRoster]:
    return OnCallRoster.objects.prefetch_related("shifts", "overrides")


def roster_get(roster_id: int) -> OnCallRoster:
    roster = roster_list().filter(pk=roster_id).first()
    if roster is None:
        raise NotFound("no such roster")
    return roster


def chain_list() -> QuerySet[EscalationChain]:
    return EscalationChain.objects.prefetch_related("steps")


def chain_get(chain_id: int) -> EscalationChain:
    chain = chain_list().filter(pk=chain_id).first()
    if chain is None:
        raise NotFound("no such escalation chain")
    return chain


def run_list_for_ticket(*, ticket: Ticket) -> QuerySet[EscalationRun]:
    """The ticket's runs: the caller's right to see the ticket was checked when it was fetched."""
    return EscalationRun.objects.filter(ticket=ticket).select_related("chain")
