"""The web chat widget's tables: sites that embed it, conversations, and their sequenced entries.

A chat line is stored twice on purpose, in one transaction: as a `tickets.Message` (so the ticket
shows the whole conversation to agents, reports and search like any other channel) and as a
`ChatEntry`, which carries what only chat needs: the per-conversation sequence number the widget
resumes from, and the client's own message id that makes a resend idempotent. Keeping them on a
chat table leaves `tickets.Message` unchanged for every other channel.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from frontline.customers.models import Customer
from frontline.routing.models import Interaction, Queue
from frontline.tickets.models import Attachment, Message, Ticket


class Site(models.Model):
    """A website that embeds the widget with `<script ... data-site="<public_key>">`."""

    name = models.CharField(_("name"), max_length=100)
    public_key = models.CharField(_("public key"), max_length=40, unique=True)
    allowed_origins = models.JSONField(
        _("allowed origins"),
        default=list,
        blank=True,
        help_text=_(
            'Origins that may open the chat, e.g. ["https://www.example.com", "https://*.example.com"].'
        ),
    )
    queue = models.ForeignKey(
        Queue,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Where chats wait for an agent; empty: the first active chat queue."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name", "id")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from frontline.connectors.webchat.origins import is_valid_entry

        entries = self.allowed_origins
        if not isinstance(entries, list) or not all(isinstance(entry, str) for entry in entries):
            raise ValidationError({"allowed_origins": _("Give a list of origins.")})
        wrong = [entry for entry in entries if not is_valid_entry(entry)]
        if wrong:
            raise ValidationError(
                {
                    "allowed_origins": _("Not an origin (scheme://host[:port]): %(entries)s")
                    % {"entries": ", ".join(wrong)}
                }
            )


class Conversation(models.Model):
    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting for an agent")
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")
        ABANDONED = "abandoned", _("Abandoned")

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="conversations")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="+")
    interaction = models.ForeignKey(
        Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    token_digest = models.CharField(max_length=64, unique=True, help_text="sha256 of the resume token.")
    customer_name = models.CharField(max_length=200, blank=True)
    customer_email = models.EmailField(blank=True)
    language = models.CharField(max_length=16, blank=True)
    agent_name = models.CharField(max_length=200, blank=True)
    last_seq = models.PositiveIntegerField(default=0)
    customer_read_seq = models.PositiveIntegerField(default=0)
    agent_read_seq = models.PositiveIntegerField(default=0)
    fallback_offered_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-started_at", "-id")
        indexes = [models.Index(fields=("ticket", "state"), name="webchat_conv_ticket_state")]

    def __str__(self) -> str:
        return f"chat #{self.pk} {self.state}"


class ChatEntry(models.Model):
    """One line of a conversation, numbered 1, 2, 3... inside it (the widget resumes after a number).

    A line is text, or a file: then `attachment` is the ticket's attachment and `body` its name.
    """

    class Author(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        AGENT = "agent", _("Agent")
        SYSTEM = "system", _("System")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="entries")
    seq = models.PositiveIntegerField()
    author = models.CharField(max_length=8, choices=Author.choices)
    author_name = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    client_id = models.CharField(max_length=64, blank=True, help_text="The widget's id for a resend.")
    message = models.OneToOneField(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="chat_entry"
    )
    attachment = models.OneToOneField(
        Attachment, null=True, blank=True, on_delete=models.SET_NULL, related_name="chat_entry"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("conversation", "seq")
        constraints = [
            models.UniqueConstraint(fields=("conversation", "seq"), name="webchat_entry_seq_unique"),
            models.UniqueConstraint(
                fields=("conversation", "client_id"),
                condition=~models.Q(client_id=""),
                name="webchat_entry_client_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.conversation_id}#{self.seq}"
