"""Who may give what: a remedy against the giver's approval limit and the team's monthly budget.

Pure: amounts come in as Decimals of one currency; `None` means unlimited (no limit, or no budget).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

OVER_LIMIT = "over_limit"
OVER_BUDGET = "over_budget"


@dataclass(frozen=True)
class Decision:
    """Whether the remedy may be issued now; otherwise why it needs someone's approval."""

    reasons: tuple[str, ...]

    @property
    def is_allowed(self) -> bool:
        return not self.reasons


def decide(*, amount: Decimal, limit: Decimal | None, budget_remaining: Decimal | None) -> Decision:
    """A remedy within the limit and the remaining budget is allowed; else it needs approval."""
    reasons = []
    if limit is not None and amount > limit:
        reasons.append(OVER_LIMIT)
    if budget_remaining is not None and amount > budget_remaining:
        reasons.append(OVER_BUDGET)
    return Decision(reasons=tuple(reasons))


def can_approve(*, amount: Decimal, limit: Decimal | None, budget_remaining: Decimal | None) -> bool:
    """An approver needs a limit that covers the amount; spending past the budget needs no limit at all."""
    if limit is None:
        return True
    return amount <= limit and (budget_remaining is None or amount <= budget_remaining)


def effective_limit(
    *, user_limit: Decimal | None, has_user_limit: bool, role_limit: Decimal | None, has_role_limit: bool
) -> Decimal | None:
    """A limit set for the person wins over their role's; with neither, nothing may be given (0)."""
    if has_user_limit:
        return user_limit
    if has_role_limit:
        return role_limit
    return Decimal("0")


def month_of(moment: datetime | date) -> date:
    """The first day of the month a moment falls in (budgets are per calendar month, UTC)."""
    return date(moment.year, moment.month, 1)
