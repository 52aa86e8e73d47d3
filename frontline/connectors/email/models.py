"""Mailboxes, the raw mail they receive (stored before anything else) and the outbox."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models

from frontline.accounts.models import Team
from frontline.security.fields import EncryptedSecretField, SecretDigestField
from frontline.tickets.models import Message, Ticket

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Mailbox(models.Model):
    class ImapSecurity(models.TextChoices):
        SSL = "ssl", "SSL/TLS"
        STARTTLS = "starttls", "STARTTLS"
        NONE = "none", "None (loopback only)"

    name = models.CharField(max_length=100, unique=True)
    address = models.EmailField(
        unique=True, help_text="support@example.com: where customers write and we reply from."
    )
    display_name = models.CharField(
        max_length=100, blank=True, help_text="Shown as the sender of our replies."
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="mailboxes")
    is_active = models.BooleanField(default=True)
    reopen_grace_days = models.PositiveIntegerField(
        default=7,
        help_text="A reply within this many days of closing reopens the ticket; later it opens a new one.",
    )
    acknowledge_new_tickets = models.BooleanField(
        default=False, help_text="Answer each new ticket by email at once, saying it was received."
    )
    acknowledgement_text = models.TextField(
        blank=True,
        default="Thank you for writing to us. Your request is ticket #{ticket_id}; an agent will answer "
        "you as soon as possible. Please keep [#{ticket_id}] in the subject of your replies.",
        help_text="Placeholders: {ticket_id}, {subject}.",
    )
    inbound_secret_digest = SecretDigestField(
        help_text="SHA-256 of the secret that authorises raw MIME posted over HTTP.",
    )
    imap_host = models.CharField(max_length=255, blank=True)
    imap_port = models.PositiveIntegerField(default=993)
    imap_security = models.CharField(max_length=10, choices=ImapSecurity.choices, default=ImapSecurity.SSL)
    imap_username = models.CharField(max_length=255, blank=True)
    imap_password = EncryptedSecretField(
        secret_max_length=255,
        help_text="Stored encrypted; or name an environment variable (below).",
    )
    imap_password_env = models.CharField(
        max_length=100,
        blank=True,
        help_text="Name of the environment variable that holds the IMAP password, e.g. "
        "FRONTLINE_IMAP_PASSWORD_SUPPORT; when set, the stored password is not used.",
    )
    imap_folder = models.CharField(max_length=255, default="INBOX")
    imap_processed_folder = models.CharField(
        max_length=255, blank=True, help_text="Move stored mail here; empty: flag it \\Seen and leave it."
    )
    imap_uidvalidity = models.BigIntegerField(null=True, blank=True)
    imap_last_uid = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "mailboxes"

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>"

    def clean(self) -> None:
        if self.imap_password_env and not _ENV_NAME.fullmatch(self.imap_password_env):
            raise ValidationError({"imap_password_env": "give a variable name like FRONTLINE_IMAP_PASSWORD"})
        if self.imap_password_env and self.imap_password:
            raise ValidationError({"imap_password": "tick Remove: the password comes from the environment"})


class InboundEmail(models.Model):
    """One delivery of one message to one mailbox, exactly as received."""

    class Source(models.TextChoices):
        IMAP = "imap", "IMAP"
        SMTP = "smtp", "SMTP/LMTP"
        HTTP = "http", "HTTP"

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        PROCESSED = "processed", "Processed"
        IGNORED = "ignored", "Ignored"
        QUARANTINED = "quarantined", "Quarantined"

    mailbox = models.ForeignKey(Mailbox, on_delete=models.PROTECT, related_name="inbound")
    source = models.CharField(max_length=8, choices=Source.choices)
    raw = models.BinaryField()
    size = models.PositiveIntegerField()
    digest = models.CharField(max_length=64, help_text="SHA-256 of the raw bytes.")
    message_key = models.CharField(
        max_length=255, help_text="The Message-ID, or 'sha256:<digest>' for mail without one."
    )
    received_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED)
    note = models.TextField(blank=True, help_text="Why it was ignored, or the parse error.")
    attempts = models.PositiveIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "message_key"], name="inboundemail_once_per_mailbox"),
        ]
        indexes = [models.Index(fields=["status", "id"], name="inboundemail_status_idx")]

    def __str__(self) -> str:
        return f"{self.message_key} ({self.status})"


class OutboundEmail(models.Model):
    """The outbox: one row per message we send, so sending is idempotent and its outcome is known."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    class AutoSubmitted(models.TextChoices):
        """RFC 3834: what our own automatic mail says it is (empty: a person wrote it)."""

        NO = "", "No (written by a person)"
        AUTO_REPLIED = "auto-replied", "auto-replied (an answer to what the customer sent)"
        AUTO_GENERATED = "auto-generated", "auto-generated (a notification, invitation or sign-in link)"

    mailbox = models.ForeignKey(
        Mailbox,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outbound",
        help_text="Sent from this mailbox's address; none: from DEFAULT_FROM_EMAIL.",
    )
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    message = models.OneToOneField(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message_id_header = models.CharField(max_length=255, unique=True, help_text="Our Message-ID for it.")
    to = models.JSONField(default=list)
    cc = models.JSONField(default=list)
    subject = models.CharField(max_length=300)
    in_reply_to = models.CharField(max_length=998, blank=True)
    references = models.TextField(blank=True)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    is_automatic = models.BooleanField(default=False, help_text="Acknowledgements and notifications.")
    auto_submitted = models.CharField(max_length=16, choices=AutoSubmitted.choices, blank=True, default="")
    body_is_secret = models.BooleanField(
        default=False,
        help_text="The body carries a sign-in or confirmation link: hidden in the admin, erased once sent.",
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    smtp_response = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outboundemail_due_idx")]

    def __str__(self) -> str:
        return f"{self.message_id_header} ({self.status})"


class EmailParticipant(models.Model):
    """An address copied on a ticket's mail (Cc): it may write on the thread and receives our replies."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="email_participants")
    address = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "address"], name="emailparticipant_unique")]

    def __str__(self) -> str:
        return self.address
