"""Escalation chains (the escalation list), their runs on tickets, and the on-call roster."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from frontline.accounts.models import Team
from frontline.plans.models import PlanVersion
from frontline.sla.models import BusinessCalendarConfig
from frontline.tickets.models import Ticket


class OnCallRoster(models.Model):
    """Managers reachable for urgent issues, by weekly shifts in the roster's zone plus overrides."""

    name = models.CharField(max_length=100, unique=True)
    timezone = models.CharField(max_length=64, default="UTC")
    description = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class OnCallPerson(models.Model):
    """Who can be paged: a staff member, or someone outside Frontline with a phone and an email."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(max_length=120)
    phone = models.CharField(max_length=32, blank=True, help_text="E.164, e.g. +639171234567.")
    email = models.EmailField(blank=True)

    class Meta:
        abstract = True


class OnCallShift(OnCallPerson):
    roster = models.ForeignKey(OnCallRoster, on_delete=models.CASCADE, related_name="shifts")
    weekdays = models.JSONField(default=list, help_text='Weekdays of the shift, e.g. ["mon", "tue"].')
    start = models.TimeField(help_text="Local time in the roster's zone.")
    end = models.TimeField(
        help_text="At or before start: the shift runs past midnight (00:00–00:00 = all day)."
    )
    position = models.PositiveIntegerField(default=0, help_text="Lower wins where shifts overlap.")

    class Meta:
        ordering = ("roster", "position", "id")

    def __str__(self) -> str:
        return f"{self.name} {','.join(self.weekdays)} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self) -> None:
        """Admin forms: weekdays as names, the same check the API makes."""
        from frontline.escalations.oncall import WEEKDAYS, parse_weekdays

        try:
            days = parse_weekdays(self.weekdays if isinstance(self.weekdays, list) else [])
        except ValueError as exc:
            raise ValidationError({"weekdays": str(exc)}) from exc
        self.weekdays = [WEEKDAYS[d] for d in sorted(days)]
        if not (self.phone or self.email or self.user_id):
            raise ValidationError({"phone": "give a phone, an email or a staff user to reach"})


class OnCallOverride(OnCallPerson):
    roster = models.ForeignKey(OnCallRoster, on_delete=models.CASCADE, related_name="overrides")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("roster", "starts_at", "id")
        indexes = [models.Index(fields=("roster", "ends_at"), name="oncall_override_ends")]

    def __str__(self) -> str:
        return f"{self.name} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%Y-%m-%d %H:%M}"


class EscalationChain(models.Model):
    class Trigger(models.TextChoices):
        SLA_AT_RISK = "sla_at_risk", "SLA at risk"
        SLA_BREACHED = "sla_breached", "SLA breached"
        URGENT = "urgent", "Marked urgent"
        NEGATIVE_FEEDBACK = "negative_feedback", "Negative satisfaction score"
        REMEDY_OVER_LIMIT = "remedy_over_limit", "Remedy above limit"
        MANUAL = "manual", "Started by hand or by a rule"

    name = models.CharField(max_length=100, unique=True)
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    plan_version = models.ForeignKey(
        PlanVersion,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="escalation_chains",
        help_text="Only for tickets under this plan version; empty = every ticket.",
    )
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="escalation_chains",
        help_text="Only for tickets of this team; empty = every team.",
    )
    calendar = models.ForeignKey(
        BusinessCalendarConfig,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Business-time delays count in this calendar's hours.",
    )
    roster = models.ForeignKey(
        OnCallRoster,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="chains",
        help_text="Who a 'page the on-call manager' step pages.",
    )
    position = models.PositiveIntegerField(
        default=100, help_text="Lower runs first when several chains match."
    )
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("position", "id")

    def __str__(self) -> str:
        return self.name


class EscalationStep(models.Model):
    class Action(models.TextChoices):
        NOTIFY_ASSIGNEE = "notify_assignee", "Notify the assignee"
        NOTIFY_TEAM_LEAD = "notify_team_lead", "Notify the team lead"
        REASSIGN = "reassign", "Reassign to another team or tier"
        RAISE_PRIORITY = "raise_priority", "Raise priority"
        PAGE_ON_CALL = "page_on_call", "Page the on-call manager"

    chain = models.ForeignKey(EscalationChain, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField()
    delay = models.DurationField(default=timedelta(0), help_text="After the trigger.")
    business_time = models.BooleanField(
        default=False, help_text="Count the delay in the chain calendar's hours."
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="For reassign."
    )
    priority = models.CharField(
        max_length=10,
        choices=Ticket.Priority.choices,
        blank=True,
        help_text="For raise priority: the level to raise to (empty = one level up).",
    )
    message = models.CharField(max_length=300, blank=True, help_text="Added to notifications and pages.")

    class Meta:
        ordering = ("chain", "position")
        constraints = [models.UniqueConstraint(fields=("chain", "position"), name="escalation_step_position")]

    def __str__(self) -> str:
        return f"{self.chain}: {self.position}. {self.get_action_display()} after {self.delay}"

    def clean(self) -> None:
        """Admin forms: the same rules as the API (see services._check_steps)."""
        if self.action == self.Action.REASSIGN and self.team_id is None:
            raise ValidationError({"team": "reassign needs the team to move the ticket to"})
        if self.delay is not None and self.delay < timedelta(0):
            raise ValidationError({"delay": "the delay cannot be negative"})
        chain = getattr(self, "chain", None)
        if chain is not None:
            if self.business_time and chain.calendar_id is None:
                raise ValidationError({"business_time": "a business-time delay needs the chain's calendar"})
            if self.action == self.Action.PAGE_ON_CALL and chain.roster_id is None:
                raise ValidationError({"action": "paging the on-call manager needs the chain's roster"})


class EscalationRun(models.Model):
    """One chain walking one ticket: the steps done so far and when the next is due."""

    class State(models.TextChoices):
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="escalation_runs")
    chain = models.ForeignKey(EscalationChain, on_delete=models.CASCADE, related_name="runs")
    trigger = models.CharField(max_length=20, choices=EscalationChain.Trigger.choices)
    reason = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    triggered_at = models.DateTimeField()
    due_times = models.JSONField(default=list, help_text="Due instant of each step, frozen at the trigger.")
    steps_done = models.PositiveIntegerField(default=0)
    next_due_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("-triggered_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=("ticket", "chain"),
                condition=models.Q(state="active"),
                name="one_active_run_per_chain",
            )
        ]
        indexes = [models.Index(fields=("state", "next_due_at"), name="escalation_run_due")]

    def __str__(self) -> str:
        return f"{self.chain} on #{self.ticket_id} ({self.state})"
