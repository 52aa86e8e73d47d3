"""Messaging accounts (Twilio, Meta, X), the raw webhooks they receive, conversations and the outbox."""

from __future__ import annotations

import os

from django.db import models

from frontline.accounts.models import Team
from frontline.connectors.messaging.adapter import DEFAULT_BASE_URLS
from frontline.security.fields import EncryptedSecretField
from frontline.tickets.models import Channel, Message, Ticket


class MessagingAccount(models.Model):
    """One number, page, WhatsApp number or X user that customers write to.

    Secrets are read from the environment variable named in the matching `*_env` field when it is
    set and present; otherwise the value stored in the row is used (see docs/messaging.md).
    """

    class Provider(models.TextChoices):
        TWILIO = "twilio", "Twilio"
        META = "meta", "Meta"
        X = "x", "X"

    class Kind(models.TextChoices):
        SMS = "sms", "SMS (Twilio)"
        WHATSAPP = "whatsapp", "WhatsApp (Twilio)"
        MESSENGER = "messenger", "Messenger (Meta)"
        INSTAGRAM = "instagram", "Instagram (Meta)"
        WHATSAPP_CLOUD = "whatsapp_cloud", "WhatsApp Cloud (Meta)"
        X_DM = "x_dm", "X direct messages"

    PROVIDER_OF_KIND = {
        Kind.SMS: Provider.TWILIO,
        Kind.WHATSAPP: Provider.TWILIO,
        Kind.MESSENGER: Provider.META,
        Kind.INSTAGRAM: Provider.META,
        Kind.WHATSAPP_CLOUD: Provider.META,
        Kind.X_DM: Provider.X,
    }

    name = models.CharField(max_length=100, unique=True)
    provider = models.CharField(max_length=10, choices=Provider.choices)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="messaging_accounts"
    )
    account_sid = models.CharField(max_length=64, blank=True, help_text="Twilio: the Account SID (AC…).")
    sender_id = models.CharField(
        max_length=64,
        blank=True,
        help_text="Twilio: our number (+15005550006). Meta: the page id, Instagram account id or "
        "WhatsApp phone-number id. X: our user id.",
    )
    signing_secret = EncryptedSecretField(
        secret_max_length=255,
        help_text="Twilio: the auth token. Meta: the app secret. X: the consumer (API key) secret.",
    )
    signing_secret_env = models.CharField(
        max_length=100, blank=True, help_text="Name of an environment variable holding the secret above."
    )
    verify_token = EncryptedSecretField(
        secret_max_length=255, help_text="Meta: the verify token typed when subscribing the URL."
    )
    verify_token_env = models.CharField(max_length=100, blank=True)
    access_token = EncryptedSecretField(
        help_text="Meta: the page or system-user access token. X: an OAuth 2.0 user-context token "
        "with dm.write. Twilio: not used (the auth token signs in).",
    )
    access_token_env = models.CharField(max_length=100, blank=True)
    api_base_url = models.URLField(
        blank=True, help_text="Empty: the provider's own API. Set only to point at a test server."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @staticmethod
    def _secret(stored: str, env_name: str) -> str:
        if env_name:
            value = os.environ.get(env_name, "")
            if value:
                return value
        return stored

    def signing_secret_value(self) -> str:
        return self._secret(self.signing_secret, self.signing_secret_env)

    def verify_token_value(self) -> str:
        return self._secret(self.verify_token, self.verify_token_env)

    def access_token_value(self) -> str:
        return self._secret(self.access_token, self.access_token_env)

    def base_url(self) -> str:
        return (self.api_base_url or DEFAULT_BASE_URLS[self.provider]).rstrip("/")

    @property
    def channel(self) -> str:
        """SMS for text messages over the phone network; every messaging app is social."""
        return Channel.SMS if self.kind == self.Kind.SMS else Channel.SOCIAL


class InboundPayload(models.Model):
    """One webhook delivery, exactly as received, committed before it is processed."""

    class Status(models.TextChoices):
        STORED = "stored", "Stored"
        PROCESSED = "processed", "Processed"
        FAILED = "failed", "Failed"
        IGNORED = "ignored", "Ignored"

    account = models.ForeignKey(MessagingAccount, on_delete=models.PROTECT, related_name="payloads")
    body = models.BinaryField()
    headers = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True)
    provider_message_id = models.CharField(
        max_length=255, help_text="The provider's message id, or 'sha256:<digest>' for a batch."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.STORED)
    error = models.TextField(blank=True, help_text="Why it failed or was ignored.")
    attempts = models.PositiveIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "provider_message_id"], name="inboundpayload_once_per_account"
            )
        ]
        indexes = [models.Index(fields=["status", "id"], name="inboundpayload_status_idx")]

    def __str__(self) -> str:
        return f"{self.provider_message_id} ({self.status})"


class Conversation(models.Model):
    """A ticket held with one customer address on one account: where its replies go."""

    account = models.ForeignKey(MessagingAccount, on_delete=models.PROTECT, related_name="conversations")
    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="messaging_conversation")
    address = models.CharField(
        max_length=255, help_text="The customer on the provider: +639171234567, whatsapp:+…, a PSID, an X id."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["account", "address", "id"], name="conversation_address_idx")]

    def __str__(self) -> str:
        return f"{self.address} on {self.account_id}"


class OutboundSocialMessage(models.Model):
    """The outbox: one row per message we send, so sending is idempotent and its outcome is known."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    account = models.ForeignKey(MessagingAccount, on_delete=models.PROTECT, related_name="outbound")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    message = models.OneToOneField(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipient = models.CharField(max_length=255)
    text = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    provider_message_id = models.CharField(max_length=255, blank=True, db_index=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outboundsocial_due_idx")]

    def __str__(self) -> str:
        return f"to {self.recipient} ({self.status})"
