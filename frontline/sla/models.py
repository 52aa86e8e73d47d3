"""Business calendars, SLA policies and the clocks that measure each ticket against them."""

from __future__ import annotations

from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from frontline.plans.models import PlanVersion
from frontline.sla import conditions, hours
from frontline.tickets.models import Channel, Ticket


def _default_paused_statuses() -> list[str]:
    return [Ticket.Status.PENDING.value, Ticket.Status.ON_HOLD.value]


#: Statuses a policy may pause in: those in which the ticket still needs work.
PAUSABLE_STATUSES = (Ticket.Status.NEW, Ticket.Status.OPEN, Ticket.Status.PENDING, Ticket.Status.ON_HOLD)


class BusinessCalendarConfig(models.Model):
    """Opening hours in one time zone, with public and extra holidays; see `sla/hours.py` for the shapes."""

    name = models.CharField(max_length=120, unique=True)
    timezone = models.CharField(max_length=64, help_text="IANA name, e.g. Asia/Manila.")
    weekly_hours = models.JSONField(
        default=dict, help_text='Weekday (0 = Monday) to intervals: {"0": [["09:00", "18:00"]]}.'
    )
    holiday_country = models.CharField(
        max_length=2, blank=True, help_text="ISO 3166 code whose public holidays close the calendar."
    )
    holiday_subdivision = models.CharField(max_length=10, blank=True, help_text='e.g. "CA" for US, "NSW".')
    extra_holidays = models.JSONField(default=list, blank=True, help_text='["2026-12-24", ...]')
    overrides = models.JSONField(
        default=dict,
        blank=True,
        help_text='Date to intervals, [] for closed: {"2026-12-24": [["09:00", "12:00"]]}.',
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "business calendar"

    def __str__(self) -> str:
        return self.name

    def stored(self) -> hours.StoredCalendar:
        return hours.StoredCalendar(
            timezone=self.timezone,
            weekly_hours=self.weekly_hours,
            holiday_country=self.holiday_country,
            holiday_subdivision=self.holiday_subdivision,
            extra_holidays=self.extra_holidays,
            overrides=self.overrides,
        )

    def clean(self) -> None:
        year = datetime.now(UTC).year
        try:
            hours.build(self.stored(), years=range(year, year + 1))
        except hours.HoursError as exc:
            raise ValidationError({exc.field: str(exc)}) from exc


class SlaPolicy(models.Model):
    """Targets for the tickets its conditions match; a plan version's policies go before global ones."""

    plan_version = models.ForeignKey(
        PlanVersion,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sla_policies",
        help_text="Empty: a global policy, tried after the plan version's own.",
    )
    position = models.PositiveIntegerField(default=0, help_text="Lower is tried first; the first match wins.")
    name = models.CharField(max_length=120)
    conditions = models.JSONField(
        default=list,
        blank=True,
        help_text='All must hold: [{"field": "priority", "op": "eq", "value": "urgent"}].',
    )
    first_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    next_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(null=True, blank=True)
    business_time = models.BooleanField(
        default=True, help_text="Count only the calendar's open hours (else around the clock)."
    )
    calendar = models.ForeignKey(
        BusinessCalendarConfig, null=True, blank=True, on_delete=models.PROTECT, related_name="policies"
    )
    paused_statuses = models.JSONField(default=_default_paused_statuses, blank=True)
    at_risk_ratio = models.FloatField(
        default=0.75, help_text="Share of the target after which it is at risk."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["plan_version", "position", "id"]
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policies"
        indexes = [models.Index(fields=["plan_version", "position", "id"], name="slapolicy_order_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(business_time=False) | models.Q(calendar__isnull=False),
                name="slapolicy_business_time_calendar",
            ),
            models.CheckConstraint(
                condition=models.Q(at_risk_ratio__gt=0, at_risk_ratio__lt=1), name="slapolicy_at_risk_ratio"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def target_minutes(self, metric: str) -> int | None:
        value: int | None = getattr(self, f"{metric}_minutes")
        return value

    def clean(self) -> None:
        errors: dict[str, str] = {}
        try:
            conditions.parse(self.conditions)
        except conditions.ConditionError as exc:
            errors["conditions"] = str(exc)
        if self.business_time and self.calendar_id is None:
            errors["calendar"] = "business time needs a calendar"
        if not 0 < self.at_risk_ratio < 1:
            errors["at_risk_ratio"] = "give a share between 0 and 1, e.g. 0.75"
        if not isinstance(self.paused_statuses, list) or not set(self.paused_statuses) <= set(
            PAUSABLE_STATUSES
        ):
            errors["paused_statuses"] = f"give a list of {', '.join(PAUSABLE_STATUSES)}"
        if errors:
            raise ValidationError(errors)


class SlaClock(models.Model):
    """One target of one ticket, measured. Target, time basis and calendar are frozen when it starts.

    While running, business (or calendar) time counts from `running_since`; `elapsed` holds what
    was counted before that (earlier running stretches, before pauses). `due_at` and `at_risk_at`
    are the moments a running clock breaches and becomes at risk; both are None unless running.
    """

    class Metric(models.TextChoices):
        FIRST_RESPONSE = "first_response", _("First response")
        NEXT_RESPONSE = "next_response", _("Next response")
        RESOLUTION = "resolution", _("Resolution")

    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        PAUSED = "paused", _("Paused")
        MET = "met", _("Met")
        BREACHED = "breached", _("Breached")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_clocks")
    metric = models.CharField(max_length=20, choices=Metric.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    policy = models.ForeignKey(
        SlaPolicy,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="clocks",
        help_text="Where the targets came from.",
    )
    target_minutes = models.PositiveIntegerField()
    business_time = models.BooleanField()
    calendar = models.ForeignKey(
        BusinessCalendarConfig, null=True, blank=True, on_delete=models.PROTECT, related_name="clocks"
    )
    paused_statuses = models.JSONField(default=list, blank=True)
    at_risk_ratio = models.FloatField()
    started_at = models.DateTimeField()
    running_since = models.DateTimeField(null=True, blank=True)
    elapsed = models.DurationField(help_text="Counted time before `running_since` (or before the pause).")
    due_at = models.DateTimeField(null=True, blank=True)
    at_risk_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    met_at = models.DateTimeField(
        null=True, blank=True, help_text="When the target was fulfilled, even late."
    )
    breached_at = models.DateTimeField(null=True, blank=True)
    at_risk_notified = models.BooleanField(default=False)
    breach_notified = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["ticket", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "metric"], name="slaclock_ticket_metric_unique"),
            models.CheckConstraint(
                condition=models.Q(business_time=False) | models.Q(calendar__isnull=False),
                name="slaclock_business_time_calendar",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "due_at"], name="slaclock_due_idx"),
            models.Index(fields=["state", "at_risk_at"], name="slaclock_at_risk_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.metric} on #{self.ticket_id}: {self.state}"


class ChannelHours(models.Model):
    """When a channel is staffed, and what a customer is offered outside those hours.

    A row without a plan version is the default for every plan; a plan version's own row wins.
    Outside hours: phone offers voicemail, a callback or both; chat offers to leave a message or a
    callback; the other channels (email, web form, ...) acknowledge and say when a reply will come.
    """

    class Offer(models.TextChoices):
        VOICEMAIL = "voicemail", "Voicemail"
        CALLBACK = "callback", "Callback"
        BOTH = "both", "Voicemail or a callback"
        LEAVE_MESSAGE = "leave_message", "Leave a message"
        ACKNOWLEDGE = "acknowledge", "Acknowledge, stating when a reply can be expected"

    plan_version = models.ForeignKey(
        PlanVersion,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="channel_hours",
        help_text="Empty: the default for every plan.",
    )
    channel = models.CharField(max_length=20, choices=Channel.choices)
    calendar = models.ForeignKey(
        BusinessCalendarConfig, on_delete=models.PROTECT, related_name="channel_hours"
    )
    outside_hours = models.CharField(max_length=20, choices=Offer.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["plan_version", "channel", "id"]
        verbose_name = "channel hours"
        verbose_name_plural = "channel hours"
        constraints = [
            models.UniqueConstraint(fields=["plan_version", "channel"], name="channelhours_version_channel"),
            models.UniqueConstraint(
                fields=["channel"],
                condition=models.Q(plan_version__isnull=True),
                name="channelhours_default_channel",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(channel=Channel.VOICE, outside_hours__in=["voicemail", "callback", "both"])
                    | models.Q(channel=Channel.CHAT, outside_hours__in=["leave_message", "callback"])
                    | (
                        ~models.Q(channel__in=[Channel.VOICE, Channel.CHAT])
                        & models.Q(outside_hours="acknowledge")
                    )
                ),
                name="channelhours_offer_fits_channel",
            ),
        ]

    def __str__(self) -> str:
        scope = str(self.plan_version) if self.plan_version_id else "every plan"
        return f"{self.get_channel_display()} hours ({scope})"

    def offers(self) -> tuple[str, ...]:
        """What a customer outside hours may do: the stored choice, with "both" spelled out."""
        if self.outside_hours == self.Offer.BOTH:
            return (self.Offer.VOICEMAIL.value, self.Offer.CALLBACK.value)
        return (str(self.outside_hours),)

    def clean(self) -> None:
        allowed = offers_for_channel(self.channel)
        if self.outside_hours not in allowed:
            raise ValidationError({"outside_hours": f"for {self.channel} give one of {', '.join(allowed)}"})


def offers_for_channel(channel: str) -> tuple[str, ...]:
    """The outside-hours choices that make sense on `channel`."""
    offer = ChannelHours.Offer
    if channel == Channel.VOICE:
        return (offer.VOICEMAIL.value, offer.CALLBACK.value, offer.BOTH.value)
    if channel == Channel.CHAT:
        return (offer.LEAVE_MESSAGE.value, offer.CALLBACK.value)
    return (offer.ACKNOWLEDGE.value,)
