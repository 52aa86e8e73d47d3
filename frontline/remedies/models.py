"""Complaints, the remedy catalogue, approval limits, team budgets, requests and the remedy ledger."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from frontline.accounts.models import Role, Team
from frontline.customers.models import Customer
from frontline.plans.models import PlanVersion
from frontline.tickets.models import Ticket


class ComplaintReason(models.Model):
    """A reason code for complaints (product defect, delivery, billing, staff conduct, …)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=100)

    class Meta:
        ordering = ("position", "code")

    def __str__(self) -> str:
        return self.name


class Complaint(models.Model):
    class Severity(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"
        CRITICAL = "critical", "Critical"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="complaint")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="complaints")
    reason = models.ForeignKey(ComplaintReason, on_delete=models.PROTECT, related_name="complaints")
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    product = models.CharField(max_length=120, blank=True, help_text="The ticket's product when marked.")
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=("created_at", "id"), name="complaint_created_idx")]

    def __str__(self) -> str:
        return f"Complaint on #{self.ticket_id} ({self.reason_id}, {self.severity})"


class RemedyKind(models.TextChoices):
    ACCOUNT_CREDIT = "account_credit", "Account credit"
    COUPON = "coupon", "Coupon"
    FREE_PRODUCT = "free_product", "Free product"
    REPLACEMENT = "replacement", "Replacement"
    PARTIAL_REFUND = "partial_refund", "Partial refund"
    FULL_REFUND = "full_refund", "Full refund"
    FREE_INSTALLATION = "free_installation", "Free installation"
    SERVICE_VISIT = "service_visit", "Free service visit"


class RemedyOption(models.Model):
    """One entry of a plan version's remedy catalogue (no plan version: offered under every plan)."""

    plan_version = models.ForeignKey(
        PlanVersion, null=True, blank=True, on_delete=models.CASCADE, related_name="remedy_options"
    )
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=RemedyKind.choices)
    currency = models.CharField(max_length=3, help_text="ISO 4217, e.g. PHP.")
    min_value = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    max_value = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The most one remedy of this kind may be worth; empty: no cap.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ("plan_version", "code")
        constraints = [
            models.UniqueConstraint(fields=("plan_version", "code"), name="remedyoption_code_per_version"),
            models.UniqueConstraint(
                fields=("code",),
                condition=models.Q(plan_version__isnull=True),
                name="remedyoption_code_global",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.currency})"


class ApprovalLimit(models.Model):
    """How much one remedy a role (or one person, which wins) may give without approval; empty: unlimited."""

    role = models.CharField(max_length=12, choices=Role.choices, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    currency = models.CharField(max_length=3)
    max_amount = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Empty: unlimited.",
    )

    class Meta:
        ordering = ("currency", "role", "user")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(role="") & models.Q(user__isnull=False))
                | (~models.Q(role="") & models.Q(user__isnull=True)),
                name="approvallimit_role_or_user",
            ),
            models.UniqueConstraint(
                fields=("role", "currency"), condition=models.Q(user__isnull=True), name="approvallimit_role"
            ),
            models.UniqueConstraint(
                fields=("user", "currency"), condition=models.Q(user__isnull=False), name="approvallimit_user"
            ),
        ]

    def __str__(self) -> str:
        who = self.role or f"user {self.user_id}"
        return f"{who}: {self.max_amount if self.max_amount is not None else 'unlimited'} {self.currency}"


class TeamBudget(models.Model):
    """What a team may give away in remedies per calendar month (UTC), in one currency."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="remedy_budgets")
    currency = models.CharField(max_length=3)
    monthly_amount = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])

    class Meta:
        ordering = ("team", "currency")
        constraints = [models.UniqueConstraint(fields=("team", "currency"), name="teambudget_team_currency")]

    def __str__(self) -> str:
        return f"{self.team}: {self.monthly_amount} {self.currency} a month"


class BudgetMonth(models.Model):
    """The row every issue against a team budget locks for its month; spending is summed from the ledger."""

    budget = models.ForeignKey(TeamBudget, on_delete=models.CASCADE, related_name="months")
    month = models.DateField(help_text="The first day of the month.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=("budget", "month"), name="budgetmonth_unique")]


class RemedyRequest(models.Model):
    """One request to give a remedy: issued at once within authority, otherwise waiting for approval.

    The idempotency key (per requester) makes a double click or a retry one request.
    """

    class Status(models.TextChoices):
        ISSUED = "issued", "Issued"
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved and issued"
        REJECTED = "rejected", "Rejected"

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="remedy_requests")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="remedy_requests")
    option = models.ForeignKey(RemedyOption, on_delete=models.PROTECT, related_name="requests")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    item = models.CharField(max_length=200, blank=True, help_text="The product or service given, if any.")
    note = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    approval_reasons = models.JSONField(default=list, blank=True, help_text='e.g. ["over_limit"].')
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=("requested_by", "idempotency_key"),
                condition=~models.Q(idempotency_key=""),
                name="remedyrequest_idempotency",
            )
        ]
        indexes = [models.Index(fields=("status", "created_at"), name="remedyrequest_status_idx")]

    def __str__(self) -> str:
        return f"{self.option_id} {self.amount} {self.currency} on #{self.ticket_id} ({self.status})"


class ImmutableEntry(Exception):
    pass


class RemedyEntry(models.Model):
    """The ledger: what was given, to whom, for which ticket. Never changed or deleted; a reversal is
    a new entry with the negative amount. Only the hand-off (fulfilment) fields move."""

    class Fulfilment(models.TextChoices):
        PENDING = "pending", "Pending"
        FULFILLED = "fulfilled", "Fulfilled"
        FAILED = "failed", "Failed"

    FULFILMENT_FIELDS = frozenset(
        {"fulfilment_status", "fulfilment_note", "fulfilment_reference", "fulfilled_at"}
    )

    request = models.OneToOneField(
        RemedyRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="entry"
    )
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversal"
    )
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="remedy_entries")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="remedy_entries")
    complaint = models.ForeignKey(
        Complaint, null=True, blank=True, on_delete=models.PROTECT, related_name="remedy_entries"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="Whose budget."
    )
    option = models.ForeignKey(RemedyOption, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=20, choices=RemedyKind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2, help_text="Negative for a reversal.")
    currency = models.CharField(max_length=3)
    item = models.CharField(max_length=200, blank=True)
    coupon_code = models.CharField(max_length=24, blank=True)
    note = models.TextField(blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(help_text="The budget month it counts in.")
    issued_at = models.DateTimeField()
    fulfilment_status = models.CharField(
        max_length=10, choices=Fulfilment.choices, default=Fulfilment.PENDING
    )
    fulfilment_note = models.CharField(max_length=300, blank=True)
    fulfilment_reference = models.CharField(
        max_length=100, blank=True, help_text="The billing or shop system's id for it."
    )
    fulfilled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-issued_at", "-id")
        verbose_name_plural = "remedy entries"
        constraints = [
            models.UniqueConstraint(
                fields=("coupon_code",), condition=~models.Q(coupon_code=""), name="remedyentry_coupon_unique"
            )
        ]
        indexes = [
            models.Index(fields=("team", "currency", "month"), name="remedyentry_budget_idx"),
            models.Index(fields=("issued_at", "id"), name="remedyentry_issued_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} {self.currency} on #{self.ticket_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            fields = kwargs.get("update_fields")
            if fields is None or not set(fields) <= self.FULFILMENT_FIELDS:
                raise ImmutableEntry("ledger entries are not changed; reverse them instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableEntry("ledger entries are not deleted; reverse them instead")
