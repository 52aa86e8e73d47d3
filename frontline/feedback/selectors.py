"""Reads of surveys and responses, and the satisfaction and retention reports (computed from rows)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from frontline.accounts.principal import Principal, require_staff
from frontline.core.errors import Forbidden, Invalid
from frontline.feedback import scores
from frontline.feedback.models import Purchase, Survey, SurveyKind, SurveyResponse
from frontline.remedies.models import Complaint, RemedyEntry
from frontline.tickets.models import Ticket
from frontline.tickets.selectors import ticket_visibility

GROUPS = ("agent", "team", "channel", "product", "segment", "none")


def survey_list() -> QuerySet[Survey]:
    return Survey.objects.order_by("name")


def _supervisor(principal: Principal) -> None:
    require_staff(principal, "only staff may see feedback")
    if not principal.is_supervisor_or_admin:
        raise Forbidden("only supervisors and admins may see this report")


def response_list_for_principal(
    *,
    principal: Principal,
    kind: str | None = None,
    only_low: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
) -> list[SurveyResponse]:
    """Responses about tickets the caller may see (and, for supervisors, those without a ticket)."""
    require_staff(principal, "only staff may see feedback")
    responses = SurveyResponse.objects.all()
    if not principal.sees_all_tickets:
        responses = responses.filter(ticket__in=Ticket.objects.filter(ticket_visibility(principal)))
    if kind:
        if kind not in SurveyKind.values:
            raise Invalid(f"kind is one of {', '.join(SurveyKind.values)}", field="kind")
        responses = responses.filter(kind=kind)
    if only_low:
        responses = responses.filter(is_low=True)
    if since:
        responses = responses.filter(received_at__gte=since)
    if until:
        responses = responses.filter(received_at__lt=until)
    return list(responses.prefetch_related("segments").order_by("-received_at", "-id")[:limit])


@dataclass(frozen=True)
class SatisfactionRow:
    group: str
    group_id: int | None
    period: date
    responses: int
    average: Decimal | None
    csat: Decimal | None
    nps: Decimal | None


def satisfaction_report(
    *,
    principal: Principal,
    kind: str,
    by: str,
    period: str,
    since: datetime,
    until: datetime,
    tz: str = "UTC",
) -> list[SatisfactionRow]:
    """CSAT (percent satisfied) or NPS by agent, team, channel, product or segment, per period."""
    _supervisor(principal)
    if kind not in (SurveyKind.CSAT, SurveyKind.NPS):
        raise Invalid("kind is csat or nps", field="kind")
    if by not in GROUPS:
        raise Invalid(f"by is one of {', '.join(GROUPS)}", field="by")
    if period not in scores.PERIODS:
        raise Invalid(f"period is one of {', '.join(scores.PERIODS)}", field="period")
    try:
        zone = ZoneInfo(tz)
    except (KeyError, ValueError) as exc:
        raise Invalid(f"unknown timezone {tz!r}", field="tz") from exc
    rows = SurveyResponse.objects.filter(
        kind=kind, received_at__gte=since, received_at__lt=until, score__isnull=False
    )
    fields: dict[str, tuple[str, str | None]] = {
        "agent": ("agent__username", "agent_id"),
        "team": ("team__name", "team_id"),
        "channel": ("channel", None),
        "product": ("product", None),
        "segment": ("segments__name", "segments__id"),
        "none": ("kind", None),
    }
    label_field, id_field = fields[by]
    values = [label_field, "received_at", "score", "scale_high"] + ([id_field] if id_field else [])
    buckets: dict[tuple[str, int | None, date], list[tuple[int, int]]] = defaultdict(list)
    for row in rows.values(*values):
        if by == "segment" and row[label_field] is None:
            continue  # responses of customers in no segment are not in any segment's row
        key = (
            row[label_field] or "",
            row[id_field] if id_field else None,
            scores.period_start(row["received_at"].astimezone(zone), period),
        )
        buckets[key].append((row["score"], row["scale_high"] or 5))
    out = []
    for (group, group_id, start), answers in sorted(
        buckets.items(), key=lambda item: (item[0][2], item[0][0])
    ):
        out.append(
            SatisfactionRow(
                group=group,
                group_id=group_id,
                period=start,
                responses=len(answers),
                average=scores.average(score for score, _ in answers),
                csat=scores.csat(answers) if kind == SurveyKind.CSAT else None,
                nps=scores.nps(score for score, _ in answers) if kind == SurveyKind.NPS else None,
            )
        )
    return out


@dataclass(frozen=True)
class RetentionRow:
    reason: str
    with_remedy: bool
    customers: int
    retained: int
    waiting: int
    rate: Decimal | None


def retention_report(
    *, principal: Principal, since: datetime, until: datetime, days: int, now: datetime
) -> list[RetentionRow]:
    """Did customers who complained in [since, until) buy again within `days` of their first complaint?

    By complaint reason and whether they were given a remedy. `waiting`: their window is still open
    and they have not bought yet; the rate is retained over those whose outcome is known.
    """
    _supervisor(principal)
    if not 1 <= days <= 730:
        raise Invalid("days is 1 to 730", field="days")
    first: dict[int, tuple[datetime, str]] = {}
    for customer_id, created_at, reason in (
        Complaint.objects.filter(created_at__gte=since, created_at__lt=until)
        .order_by("created_at", "id")
        .values_list("customer_id", "created_at", "reason__code")
    ):
        first.setdefault(customer_id, (created_at, reason))
    remedied = set(
        RemedyEntry.objects.filter(customer_id__in=first, reverses__isnull=True, reversal__isnull=True)
        .values_list("customer_id", flat=True)
        .distinct()
    )
    purchases: dict[int, list[datetime]] = defaultdict(list)
    for customer_id, purchased_at in Purchase.objects.filter(
        customer_id__in=first, purchased_at__gte=since
    ).values_list("customer_id", "purchased_at"):
        purchases[customer_id].append(purchased_at)
    counts: dict[tuple[str, bool], list[int]] = defaultdict(lambda: [0, 0, 0])
    window = timedelta(days=days)
    for customer_id, (complained_at, reason) in first.items():
        tally = counts[(reason, customer_id in remedied)]
        tally[0] += 1
        if any(complained_at < at <= complained_at + window for at in purchases.get(customer_id, [])):
            tally[1] += 1
        elif complained_at + window > now:
            tally[2] += 1
    out = []
    for (reason, with_remedy), (customers, retained, waiting) in sorted(counts.items()):
        known = customers - waiting
        out.append(
            RetentionRow(
                reason=reason,
                with_remedy=with_remedy,
                customers=customers,
                retained=retained,
                waiting=waiting,
                rate=(Decimal(100 * retained) / known).quantize(Decimal("0.1")) if known else None,
            )
        )
    return out


def as_dict(row: Any) -> dict[str, Any]:
    return dict(row.__dict__)
