"""Tickets (the case), their messages, attachments and tags, and the search index rows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from frontline.accounts.models import Team
from frontline.core.ticket_status import Status as CoreStatus
from frontline.customers.models import Customer, Organization
from frontline.plans.models import PlanVersion


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    CHAT = "chat", _("Web chat")
    VOICE = "voice", _("Phone")
    SMS = "sms", _("SMS")
    SOCIAL = "social", _("Social")
    WEB_FORM = "web_form", _("Web form")
    CALLBACK = "callback", _("Callback request")
    API = "api", _("API")


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Ticket(models.Model):
    class Status(models.TextChoices):
        NEW = CoreStatus.NEW.value, _("New")
        OPEN = CoreStatus.OPEN.value, _("Open")
        PENDING = CoreStatus.PENDING.value, _("Pending")
        ON_HOLD = CoreStatus.ON_HOLD.value, _("On hold")
        SOLVED = CoreStatus.SOLVED.value, _("Solved")
        CLOSED = CoreStatus.CLOSED.value, _("Closed")

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    subject = models.CharField(max_length=250)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    category = models.CharField(max_length=80, blank=True)
    product = models.CharField(max_length=120, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.API)
    requester = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="tickets")
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        help_text="The requester's organization when the ticket was opened.",
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets")
    followers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="followed_tickets")
    plan_version = models.ForeignKey(
        PlanVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        help_text="The plan version that applied when the ticket was opened.",
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_tickets"
    )
    split_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="splits"
    )
    linked_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="linked_tickets",
        help_text="The ticket this one follows up on, e.g. a late reply to a closed ticket.",
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    solved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(
        null=True, blank=True, db_index=True, help_text="When the ticket entered its current status."
    )

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["updated_at", "id"], name="ticket_updated_idx"),
            models.Index(fields=["team", "status", "updated_at", "id"], name="ticket_team_status_idx"),
            models.Index(fields=["team", "updated_at", "id"], name="ticket_team_idx"),
            models.Index(fields=["assignee", "status", "updated_at", "id"], name="ticket_assignee_idx"),
            models.Index(fields=["requester", "updated_at", "id"], name="ticket_requester_idx"),
            models.Index(fields=["organization", "updated_at", "id"], name="ticket_org_idx"),
            models.Index(fields=["status", "updated_at", "id"], name="ticket_status_idx"),
            models.Index(fields=["channel", "updated_at", "id"], name="ticket_channel_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.ticket_id}/{instance.sha256[:2]}/{instance.sha256}"


class Message(models.Model):
    class Direction(models.TextChoices):
        INBOUND = "inbound", _("From the customer")
        OUTBOUND = "outbound", _("To the customer")
        NOTE = "note", _("Internal note")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True, help_text="Sanitised HTML.")
    external_id = models.CharField(
        max_length=255, blank=True, help_text="The channel's own id: Message-ID, chat or call id."
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="message_ticket_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=~models.Q(external_id=""),
                name="message_external_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.direction} on #{self.ticket_id}"


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=300)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename


class SearchEntry(models.Model):
    """Normalised text of a ticket subject or a message, indexed by the database's full-text engine.

    On SQLite an FTS5 table mirrors this one through triggers; on PostgreSQL a GIN index covers
    `to_tsvector('simple', text)`. Services write these rows; `tickets.search` queries them.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+", db_index=True)
    message = models.OneToOneField(Message, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"], condition=models.Q(message__isnull=True), name="searchentry_subject_unique"
            )
        ]
