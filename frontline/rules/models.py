"""Rules (triggers on events, automations on time) and the record of every run."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from frontline.plans.models import PlanVersion
from frontline.sla.models import BusinessCalendarConfig
from frontline.tickets.models import Ticket


class Rule(models.Model):
    """Conditions over a ticket and actions on it; see `rules/logic.py` for the JSON shapes."""

    class Kind(models.TextChoices):
        TRIGGER = "trigger", "Trigger (on events)"
        AUTOMATION = "automation", "Automation (periodic)"

    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    events = models.JSONField(
        default=list, blank=True, help_text='A trigger\'s events, e.g. ["ticket.created", "message.inbound"].'
    )
    conditions = models.JSONField(
        default=dict,
        blank=True,
        help_text='{"all": [{"field": "ticket.priority", "op": "is", "value": "urgent"}], "any": []}',
    )
    actions = models.JSONField(default=list, help_text='[{"type": "add_tags", "tags": ["vip"]}, ...]')
    position = models.PositiveIntegerField(default=0, help_text="Rules of a kind run in this order.")
    is_active = models.BooleanField(default=True)
    plan_version = models.ForeignKey(
        PlanVersion,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rules",
        help_text="Only tickets opened under this plan version; empty: every ticket.",
    )
    calendar = models.ForeignKey(
        BusinessCalendarConfig,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rules",
        help_text="For business_hours.open and ticket.status_business_hours (calendar hours if empty).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "position", "id"]
        indexes = [models.Index(fields=["kind", "is_active", "position", "id"], name="rule_order_idx")]

    def __str__(self) -> str:
        return self.name


class RuleRun(models.Model):
    """One rule evaluated on one ticket: a trigger because of one event, an automation on a sweep."""

    class Outcome(models.TextChoices):
        MATCHED = "matched", "Matched: actions performed"
        SKIPPED = "skipped", "Skipped: conditions did not hold"
        CAPPED = "capped", "Capped: the ticket's run cap was reached"
        FAILED = "failed", "Failed: an action failed, none was kept"

    rule = models.ForeignKey(Rule, null=True, on_delete=models.SET_NULL, related_name="runs")
    rule_name = models.CharField(max_length=120, help_text="Kept when the rule is deleted.")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="rule_runs")
    event_id = models.BigIntegerField(null=True, blank=True, help_text="The event that triggered it.")
    trigger = models.CharField(max_length=64, help_text='The event\'s verb, or "automation".')
    at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    actions = models.JSONField(default=list, blank=True, help_text="What each action did.")
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["ticket", "outcome", "at"], name="rulerun_ticket_idx"),
            models.Index(fields=["rule", "ticket", "at"], name="rulerun_rule_ticket_idx"),
            models.Index(fields=["rule", "at", "id"], name="rulerun_rule_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_name} on #{self.ticket_id}: {self.outcome}"
