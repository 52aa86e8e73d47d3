"""What agents say: scripts per language, forbidden phrases, and the findings kept for quality review."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from frontline.plans.models import PlanVersion
from frontline.tickets.models import Message, Ticket


class Script(models.Model):
    """One line of a script in one language; protocols (silent call, low volume, …) are numbered steps.

    A plan version's active scripts of a kind replace the global ones of that kind.
    """

    class Kind(models.TextChoices):
        GREETING = "greeting", "Greeting"
        CLOSING = "closing", "Closing"
        SILENT_CALL = "silent_call", "Silent call"
        LOW_VOLUME = "low_volume", "Customer's voice too low"
        NOISE = "noise", "Too much noise on the line"
        FOREIGN_LANGUAGE = "foreign_language", "A language the agent does not speak"
        TRANSFER = "transfer", "Transfer"
        HOLD = "hold", "Hold"
        AGENT_INAUDIBLE = "agent_inaudible", "Customer cannot hear the agent (raise your volume slightly)"

    language = models.CharField(max_length=16, help_text="en, fil, zh-hans, …")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    step = models.PositiveSmallIntegerField(default=1, help_text="Order of the line within its kind, from 1.")
    text = models.TextField(
        help_text="Greetings and closings may use {day_greeting} {salutation} {surname} "
        "{agent_first_name} {company}."
    )
    wait_seconds = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Protocol lines: the pause after the line before the next step; empty: wait for an event.",
    )
    plan_version = models.ForeignKey(
        PlanVersion,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="scripts",
        help_text="Empty: the default for every plan.",
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["language", "kind", "step", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["language", "kind", "step"],
                condition=models.Q(plan_version__isnull=True),
                name="script_default_step_unique",
            ),
            models.UniqueConstraint(
                fields=["plan_version", "language", "kind", "step"],
                condition=models.Q(plan_version__isnull=False),
                name="script_plan_step_unique",
            ),
            models.CheckConstraint(condition=models.Q(step__gte=1), name="script_step_positive"),
        ]
        indexes = [models.Index(fields=["language", "kind", "active"], name="script_lookup_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.step} ({self.language})"


class ForbiddenPhrase(models.Model):
    """A phrase agents must not use, and what to say instead."""

    language = models.CharField(max_length=16)
    phrase = models.CharField(max_length=200)
    alternative = models.CharField(max_length=500)
    note = models.CharField(max_length=300, blank=True, help_text="When it tends to be said, and why not.")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["language", "phrase", "id"]
        constraints = [
            models.UniqueConstraint(fields=["language", "phrase"], name="forbiddenphrase_unique"),
        ]

    def __str__(self) -> str:
        return self.phrase


class ComplianceFinding(models.Model):
    """What the compliance check found in a reply an agent sent: kept for quality review."""

    class Kind(models.TextChoices):
        FORBIDDEN_PHRASE = "forbidden_phrase", "Forbidden phrase"
        MISSING_GREETING = "missing_greeting", "Missing greeting"
        MISSING_CLOSING = "missing_closing", "Missing closing"

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="compliance_findings")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="compliance_findings")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    phrase = models.CharField(max_length=200, blank=True)
    excerpt = models.CharField(max_length=300, blank=True, help_text="The text as the agent wrote it.")
    suggestion = models.TextField(blank=True)
    start = models.PositiveIntegerField(default=0)
    end = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["ticket", "created_at", "start", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="finding_ticket_idx")]
        constraints = [
            models.UniqueConstraint(fields=["message", "kind", "start"], name="finding_message_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on message {self.message_id}"


class Macro(models.Model):
    """A canned reply an agent inserts and edits, with the customer's salutation and surname filled in."""

    name = models.CharField(max_length=100)
    language = models.CharField(max_length=16, help_text="en, fil, zh-hans, …")
    body = models.TextField(
        help_text="May use {day_greeting} {salutation} {surname} {agent_first_name} {company}."
    )
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("language", "name")
        constraints = [models.UniqueConstraint(fields=("language", "name"), name="macro_language_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"

    def clean(self) -> None:
        """Admin forms: the placeholders must be ones a macro can fill in."""
        from django.core.exceptions import ValidationError

        from frontline.scripts.greeting import TemplateError, placeholders_in

        try:
            placeholders_in(self.body)
        except TemplateError as exc:
            raise ValidationError({"body": str(exc)}) from exc
