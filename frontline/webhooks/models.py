"""Outbound webhook subscriptions and the log of what was delivered to them (docs/webhooks.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from frontline.security.fields import EncryptedSecretField
from frontline.webhooks import patterns


class WebhookSubscription(models.Model):
    """An endpoint that receives the events whose type matches one of its patterns, signed with its secret."""

    name = models.CharField(max_length=120)
    url = models.URLField(max_length=2000)
    secret = EncryptedSecretField(
        secret_max_length=100, help_text="Signing secret; shown once by the API when created or rotated."
    )
    event_types = models.JSONField(
        default=list, help_text='Event types or patterns: ["ticket.created", "ticket.*"] or ["*"].'
    )
    active = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=500, blank=True)
    consecutive_failures = models.PositiveIntegerField(
        default=0, help_text="Deliveries in a row that failed every attempt; reset by a success."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "webhook subscription"

    def __str__(self) -> str:
        return self.name

    def wants(self, event_type: str) -> bool:
        return patterns.matches(self.event_types, event_type)


class WebhookDelivery(models.Model):
    """One event sent (or to be sent) to one subscription; retries keep the row and its event id."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"  # waiting for its first attempt
        FAILED = "failed", "Failed"  # an attempt failed; `next_attempt_at` is the retry
        DELIVERED = "delivered", "Delivered"
        DEAD = "dead", "Dead"  # every attempt failed, or the subscription was disabled

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.CharField(max_length=64, help_text="Stable across retries: recipients dedupe on it.")
    event_type = models.CharField(max_length=64)
    payload = models.JSONField(help_text="The envelope sent: id, type, occurred_at, data.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="When it is due (again); empty once delivered or dead."
    )
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    response_excerpt = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event_id"], name="webhookdelivery_event_unique")
        ]
        indexes = [
            models.Index(fields=["subscription", "-created_at", "-id"], name="webhookdelivery_log_idx"),
            models.Index(fields=["status", "next_attempt_at"], name="webhookdelivery_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} to {self.subscription_id}: {self.status}"
