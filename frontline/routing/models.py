"""Agent presence, queues and the interactions that wait in them (calls, chats, callbacks, tickets)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from frontline.customers.models import Customer
from frontline.tickets.models import Channel, Ticket


class PresenceState(models.TextChoices):
    LOGGED_OUT = "logged_out", _("Logged out")
    AVAILABLE = "available", _("Available")
    NOT_READY = "not_ready", _("Not ready")
    BUSY = "busy", _("Busy")
    WRAP_UP = "wrap_up", _("Wrap-up")


class NotReadyReason(models.TextChoices):
    BREAK = "break", _("Break")
    LUNCH = "lunch", _("Lunch")
    TRAINING = "training", _("Training")
    MEETING = "meeting", _("Meeting")
    COACHING = "coaching", _("Coaching")
    MISSED_OFFER = "missed_offer", _("Missed offer")
    AWAY = "away", _("Away (client stopped answering)")


class AgentPresence(models.Model):
    """One row per agent: sign-on belongs to the agent, so every device and tab shares it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="presence")
    state = models.CharField(max_length=12, choices=PresenceState.choices, default=PresenceState.LOGGED_OUT)
    reason = models.CharField(max_length=20, choices=NotReadyReason.choices, blank=True)
    since = models.DateTimeField()
    last_seen_at = models.DateTimeField(null=True, blank=True, help_text="The last heartbeat of any client.")
    idle_since = models.DateTimeField(null=True, blank=True, help_text="When the agent last had no contact.")
    wrap_up_until = models.DateTimeField(null=True, blank=True)
    last_offered_seq = models.PositiveBigIntegerField(default=0, help_text="Round-robin memory.")

    class Meta:
        indexes = [models.Index(fields=("state", "last_seen_at"), name="presence_state_seen")]

    def __str__(self) -> str:
        return f"{self.user} {self.state}"


class Queue(models.Model):
    class Fallback(models.TextChoices):
        NONE = "none", "Keep waiting"
        VOICEMAIL = "voicemail", "Voicemail"
        CALLBACK = "callback", "Offer a callback"
        LEAVE_MESSAGE = "leave_message", "Leave a message (ticket)"

    class TicketMode(models.TextChoices):
        PUSH = "push", "Push to an available agent with room"
        PULL = "pull", "Agents pull the next ticket"

    name = models.CharField(max_length=100, unique=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    strategy = models.CharField(
        max_length=20,
        default="longest_idle",
        choices=[
            ("longest_idle", "Longest idle agent"),
            ("least_occupied", "Least occupied (capacity-aware)"),
            ("round_robin", "Round robin"),
            ("skills_based", "Skills-based"),
            ("weighted_random", "Weighted random"),
            ("ring_all", "Ring all (chat offers)"),
        ],
    )
    skills = models.JSONField(default=dict, blank=True, help_text='Skill minimums, e.g. {"aircon": 3}.')
    language = models.CharField(max_length=16, blank=True)
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text="Only this team's agents.",
    )
    sticky_seconds = models.PositiveIntegerField(
        default=0, help_text="Wait this long for the customer's last agent."
    )
    relax_after_seconds = models.PositiveIntegerField(null=True, blank=True)
    relax_step_seconds = models.PositiveIntegerField(default=30)
    drop_skills_after_seconds = models.PositiveIntegerField(null=True, blank=True)
    offer_timeout_seconds = models.PositiveIntegerField(default=20)
    wrap_up_seconds = models.PositiveIntegerField(default=60, help_text="Maximum after-contact work.")
    max_waiting = models.PositiveIntegerField(null=True, blank=True, help_text="Longer queue: fallback.")
    max_wait_seconds = models.PositiveIntegerField(null=True, blank=True, help_text="Longer wait: fallback.")
    fallback = models.CharField(max_length=14, choices=Fallback.choices, default=Fallback.NONE)
    overflow_queue = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    overflow_after_seconds = models.PositiveIntegerField(null=True, blank=True)
    ticket_mode = models.CharField(max_length=4, choices=TicketMode.choices, default=TicketMode.PUSH)
    service_level_seconds = models.PositiveIntegerField(
        default=20, help_text="Answered within this: in service."
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Interaction(models.Model):
    """One contact that needs an agent's time, from the moment it waits to the end of wrap-up."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Offered")
        CONNECTED = "connected", _("Connected")
        WRAP_UP = "wrap_up", _("Wrap-up")
        ENDED = "ended", _("Ended")
        ABANDONED = "abandoned", _("Abandoned")
        FALLBACK = "fallback", _("Sent to fallback")

    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="interactions")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="interactions"
    )
    external_id = models.CharField(
        max_length=200, blank=True, help_text="The provider's id (call SID, chat id)."
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    priority = models.IntegerField(default=0, help_text="Higher is served first.")
    skills = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=16, blank=True)
    preferred_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    excluded_agents = models.JSONField(
        default=list, blank=True, help_text="Agents who declined or missed it."
    )
    enqueued_at = models.DateTimeField()
    waiting_since = models.DateTimeField(help_text="Since it entered its current queue.")
    offered_to = models.JSONField(default=list, blank=True)
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interactions",
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    wrap_up_ended_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ("-priority", "waiting_since", "id")
        indexes = [
            models.Index(fields=("queue", "state", "waiting_since"), name="interaction_queue_state"),
            models.Index(fields=("agent", "state"), name="interaction_agent_state"),
            models.Index(fields=("state", "offer_expires_at"), name="interaction_offer_expiry"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=("channel", "external_id"),
                condition=~models.Q(external_id=""),
                name="interaction_external_id_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} #{self.pk} {self.state}"


#: States in which an interaction occupies a slot of its agent's capacity.
OCCUPYING = (Interaction.State.OFFERED, Interaction.State.CONNECTED, Interaction.State.WRAP_UP)
