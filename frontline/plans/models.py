"""The customer service plan: the configuration root that later features attach settings to."""

from __future__ import annotations

from django.db import models

from frontline.customers.models import Segment


class Plan(models.Model):
    """A plan for some customers: all of them (no segment) or those in a segment.

    When several plans could apply, the one with the lowest `precedence` wins.
    """

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    segment = models.ForeignKey(
        Segment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plans",
        help_text="Customers this plan is for; empty means everyone.",
    )
    precedence = models.PositiveIntegerField(default=100, help_text="Lower wins when several plans apply.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["precedence", "name"]

    def __str__(self) -> str:
        return self.name


class PlanVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        RETIRED = "retired", "Retired"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    summary = models.TextField(blank=True, help_text="What changed in this version and why.")
    settings = models.JSONField(default=dict, blank=True)
    effective_from = models.DateTimeField(null=True, blank=True)
    effective_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="planversion_number_unique"),
            models.UniqueConstraint(
                fields=["plan"], condition=models.Q(status="active"), name="planversion_one_active"
            ),
        ]
        indexes = [models.Index(fields=["plan", "effective_from"], name="planversion_from_idx")]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number} ({self.status})"
