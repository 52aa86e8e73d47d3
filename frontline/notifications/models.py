"""In-app notifications for staff: what an escalation, a rule or a mention wants someone to see."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Notification(models.Model):
    class Kind(models.TextChoices):
        INFO = "info", "Information"
        ESCALATION = "escalation", "Escalation"
        PAGE = "page", "Page (urgent)"
        MENTION = "mention", "Mention"
        RULE = "rule", "Rule"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.INFO)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    urgent = models.BooleanField(default=False)
    emailed = models.BooleanField(default=False, help_text="A copy was sent to the user's email address.")
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=("user", "read_at", "-created_at"), name="notification_inbox")]

    def __str__(self) -> str:
        return f"{self.title} → {self.user}"
