"""Phone lines, the calls they carry (each one routed as an interaction), raw deliveries, callbacks."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from frontline.customers.models import Customer
from frontline.routing.models import Interaction, Queue
from frontline.security.fields import EncryptedSecretField
from frontline.tickets.models import Channel, Ticket


class VoiceLine(models.Model):
    """A phone number customers call, the queue its calls wait in, and what the caller hears."""

    class Provider(models.TextChoices):
        TWILIO = "twilio", "Twilio Voice (webhooks)"
        CTI = "cti", "PBX bridge (CTI event API)"

    name = models.CharField(max_length=100, unique=True)
    provider = models.CharField(max_length=10, choices=Provider.choices)
    phone_number = models.CharField(max_length=20, unique=True, help_text="E.164, e.g. +6328123456.")
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="+", help_text="A voice queue.")
    callback_queue = models.ForeignKey(
        Queue,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Where callbacks of this line wait (channel callback or voice); empty: the line's queue.",
    )
    twilio_account_sid = models.CharField(max_length=64, blank=True)
    twilio_auth_token = EncryptedSecretField(
        secret_max_length=128, help_text="Signs Twilio's webhooks. Prefer the environment variable."
    )
    twilio_auth_token_env = models.CharField(
        max_length=100,
        blank=True,
        help_text="Name of an environment variable holding the auth token; it wins over the stored one.",
    )
    language = models.CharField(max_length=16, default="en-US", help_text="Language of <Say>, e.g. fil-PH.")
    greeting = models.TextField(
        default="Hello, welcome to call the customer service hotline. A customer service representative "
        "is happy to serve you."
    )
    position_text = models.TextField(
        default="You are number {position} in line. The expected wait is about {minutes} minutes.",
        help_text="Placeholders {position} and {minutes}.",
    )
    unknown_wait_text = models.TextField(
        default="You are number {position} in line. All our representatives are busy.",
        help_text="Said when nobody is signed on, so no wait can be estimated. Placeholder {position}.",
    )
    menu_text = models.TextField(
        default="To keep your place and be called back, press 1. To leave a voicemail, press 2. "
        "Or stay on the line."
    )
    callback_text = models.TextField(
        default="Thank you. We will call you back, keeping your place in line. Goodbye."
    )
    voicemail_text = models.TextField(
        default="Please leave your message after the tone. Press the pound key when you are done."
    )
    goodbye_text = models.TextField(default="Thank you for calling. Goodbye.")
    apology_text = models.TextField(
        default="Sorry, we cannot take your call right now. Please call again later. Goodbye."
    )
    offer_callback = models.BooleanField(default=True)
    offer_voicemail = models.BooleanField(default=True)
    callback_max_attempts = models.PositiveSmallIntegerField(default=3)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.phone_number})"

    def auth_token(self) -> str:
        """The Twilio auth token: from the named environment variable if set, else the stored one."""
        if self.twilio_auth_token_env:
            return os.environ.get(self.twilio_auth_token_env, "")
        return self.twilio_auth_token

    def waiting_queue_for_callbacks(self) -> Queue:
        return self.callback_queue or self.queue

    def clean(self) -> None:
        if self.queue_id and self.queue.channel != Channel.VOICE:
            raise ValidationError({"queue": "calls wait in a voice queue"})
        if (
            self.callback_queue_id
            and self.callback_queue
            and self.callback_queue.channel
            not in (
                Channel.VOICE,
                Channel.CALLBACK,
            )
        ):
            raise ValidationError({"callback_queue": "callbacks wait in a callback or voice queue"})
        if self.provider == self.Provider.TWILIO and not (
            self.twilio_auth_token or self.twilio_auth_token_env
        ):
            raise ValidationError(
                {"twilio_auth_token": "Twilio lines need the auth token to check signatures"}
            )


class CallRecord(models.Model):
    """One phone call: the provider's id, the numbers, and the times of its life (all UTC)."""

    class Direction(models.TextChoices):
        INBOUND = "inbound", "Inbound"
        OUTBOUND = "outbound", "Outbound"

    class Status(models.TextChoices):
        RINGING = "ringing", "Ringing"
        QUEUED = "queued", "Waiting in the queue"
        CONNECTED = "connected", "With an agent"
        ON_HOLD = "on_hold", "On hold"
        ENDED = "ended", "Ended"
        ABANDONED = "abandoned", "Abandoned (caller hung up while waiting)"
        VOICEMAIL = "voicemail", "Left a voicemail"
        CALLBACK = "callback", "Asked for a callback"
        FAILED = "failed", "Failed"

    class Choice(models.TextChoices):
        NONE = "", "None"
        CALLBACK = "callback", "Callback"
        VOICEMAIL = "voicemail", "Voicemail"

    line = models.ForeignKey(VoiceLine, on_delete=models.PROTECT, related_name="calls")
    interaction = models.OneToOneField(
        Interaction,
        on_delete=models.PROTECT,
        related_name="call",
        help_text="The current leg: a transfer ends one interaction and starts the next.",
    )
    provider_call_id = models.CharField(
        max_length=128, unique=True, help_text="Twilio CallSid or PBX call id."
    )
    from_number = models.CharField(max_length=64, blank=True)
    to_number = models.CharField(max_length=64, blank=True)
    direction = models.CharField(max_length=8, choices=Direction.choices, default=Direction.INBOUND)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    provider_status = models.CharField(max_length=20, blank=True, help_text="As the provider last said.")
    choice = models.CharField(max_length=10, choices=Choice.choices, blank=True)
    legs = models.PositiveSmallIntegerField(default=1)
    queued_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True, help_text="First answered by an agent.")
    hold_started_at = models.DateTimeField(null=True, blank=True)
    hold_seconds = models.FloatField(default=0)
    ended_at = models.DateTimeField(null=True, blank=True)
    wrap_up_ended_at = models.DateTimeField(null=True, blank=True)
    wait_seconds = models.FloatField(null=True, blank=True)
    talk_seconds = models.FloatField(null=True, blank=True, help_text="Answer to end, hold excluded.")
    after_call_seconds = models.FloatField(null=True, blank=True)
    recording_url = models.URLField(max_length=500, blank=True)
    voicemail_url = models.URLField(max_length=500, blank=True)
    transcript = models.TextField(blank=True)
    raw_last_payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-queued_at", "-id"]
        indexes = [models.Index(fields=["line", "queued_at"], name="callrecord_line_queued")]

    def __str__(self) -> str:
        return f"{self.provider_call_id} ({self.status})"


class CallEvent(models.Model):
    """One delivery from the provider (a Twilio webhook or a CTI event), stored before it is processed.

    The key makes a repeated delivery the same row; a failure is kept with its error and can be re-run.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        PROCESSED = "processed", "Processed"
        FAILED = "failed", "Failed"

    line = models.ForeignKey(VoiceLine, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=40, help_text="twilio.incoming, twilio.status, cti.answered, …")
    call_id = models.CharField(max_length=128)
    key = models.CharField(max_length=200, unique=True, help_text="What makes a repeat the same delivery.")
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["call_id", "id"], name="callevent_call_idx"),
            models.Index(fields=["status", "id"], name="callevent_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.call_id} ({self.status})"


class CallbackOutcome(models.TextChoices):
    ANSWERED = "answered", "Answered"
    NO_ANSWER = "no_answer", "No answer"
    BUSY = "busy", "Busy"
    VOICEMAIL_LEFT = "voicemail_left", "Voicemail left"
    WRONG_NUMBER = "wrong_number", "Wrong number"
    FAILED = "failed", "Failed (network, invalid number)"


class CallbackRequest(models.Model):
    """A customer asked to be called: from the website button or by pressing 1 while waiting."""

    class Source(models.TextChoices):
        WEBSITE = "website", "Website button"
        QUEUE = "queue", "Offered while waiting (kept their place)"

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        SCHEDULED = "scheduled", "Scheduled"
        DIALING = "dialing", "With the agents"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    line = models.ForeignKey(VoiceLine, on_delete=models.PROTECT, related_name="callbacks")
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=32, help_text="E.164.")
    source = models.CharField(max_length=8, choices=Source.choices)
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="+")
    call = models.OneToOneField(
        CallRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="callback"
    )
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    preferred_start = models.DateTimeField(null=True, blank=True)
    preferred_end = models.DateTimeField(null=True, blank=True)
    keep_place_at = models.DateTimeField(
        null=True, blank=True, help_text="When the caller first joined the queue: their place is kept."
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=3)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=CallbackOutcome.choices, blank=True)
    interaction = models.ForeignKey(
        Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["next_attempt_at", "id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="callback_due_idx")]

    def __str__(self) -> str:
        return f"Callback to {self.phone} ({self.status})"


class CallbackAttempt(models.Model):
    """One try at calling the customer back, reported by the agent with its outcome."""

    request = models.ForeignKey(CallbackRequest, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    outcome = models.CharField(max_length=16, choices=CallbackOutcome.choices)
    note = models.TextField(blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    interaction = models.ForeignKey(
        Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["request", "number"]
        constraints = [
            models.UniqueConstraint(fields=["request", "number"], name="callbackattempt_number_unique")
        ]

    def __str__(self) -> str:
        return f"Attempt {self.number}: {self.outcome}"
