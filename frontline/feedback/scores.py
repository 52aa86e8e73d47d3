"""Satisfaction arithmetic: CSAT, NPS, low scores and report periods. Pure: no Django."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal

NPS_MAX = 10
PERIODS = ("day", "week", "month")
_ONE_DECIMAL = Decimal("0.1")


def satisfied_from(scale_max: int) -> int:
    """The lowest satisfied score on a 1..scale_max scale: the top fifth (4 and 5 of 5, 8–10 of 10)."""
    return max(1, math.ceil(0.8 * scale_max))


def csat(scores: Iterable[tuple[int, int]]) -> Decimal | None:
    """Percent of (score, scale_max) answers that are satisfied, to one decimal; None without answers."""
    total = satisfied = 0
    for score, scale_max in scores:
        total += 1
        satisfied += score >= satisfied_from(scale_max)
    if not total:
        return None
    return (Decimal(100 * satisfied) / total).quantize(_ONE_DECIMAL)


def nps_group(score: int) -> str:
    """promoter (9–10), passive (7–8) or detractor (0–6)."""
    if not 0 <= score <= NPS_MAX:
        raise ValueError(f"an NPS score is 0 to 10, not {score}")
    if score >= 9:
        return "promoter"
    if score >= 7:
        return "passive"
    return "detractor"


def nps(scores: Iterable[int]) -> Decimal | None:
    """Net Promoter Score: percent promoters minus percent detractors, −100 to 100, to one decimal."""
    total = promoters = detractors = 0
    for score in scores:
        group = nps_group(score)
        total += 1
        promoters += group == "promoter"
        detractors += group == "detractor"
    if not total:
        return None
    return (Decimal(100 * (promoters - detractors)) / total).quantize(_ONE_DECIMAL)


def average(scores: Iterable[int]) -> Decimal | None:
    values = list(scores)
    if not values:
        return None
    return (Decimal(sum(values)) / len(values)).quantize(Decimal("0.01"))


def is_low(score: int | None, threshold: int) -> bool:
    """At or below the plan's threshold is a low score (one that someone should follow up)."""
    return score is not None and score <= threshold


def period_start(moment: datetime, period: str) -> date:
    """The first day of the day, ISO week (Monday) or month that a local moment falls in."""
    day = moment.date()
    if period == "day":
        return day
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    raise ValueError(f"period is one of {', '.join(PERIODS)}")
