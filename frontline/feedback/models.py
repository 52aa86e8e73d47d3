"""Surveys (CSAT, NPS, product-line forms), their single-use invitations, responses and purchases."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from frontline.accounts.models import Team
from frontline.customers.models import Customer, Segment
from frontline.tickets.models import Channel, Ticket


class SurveyKind(models.TextChoices):
    CSAT = "csat", "Customer satisfaction (CSAT)"
    NPS = "nps", "Net Promoter Score (NPS)"
    PRODUCT = "product", "Product-line feedback"


class Survey(models.Model):
    """A product-line feedback form with its own questions (CSAT and NPS have fixed questions)."""

    name = models.CharField(max_length=120, unique=True)
    product = models.CharField(max_length=120, help_text="The product line it asks about.")
    intro = models.TextField(blank=True, help_text="Shown above the questions.")
    questions = models.JSONField(
        default=list,
        help_text='e.g. [{"key": "quality", "label": "Quality?", "kind": "scale", "low": 1, "high": 5}].',
    )
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Admin forms: the same question rules as the API."""
        from django.core.exceptions import ValidationError

        from frontline.feedback.questions import QuestionError, parse_questions

        try:
            self.questions = [q.as_dict() for q in parse_questions(self.questions)]
        except QuestionError as exc:
            raise ValidationError({"questions": str(exc)}) from exc


class SurveyInvitation(models.Model):
    """One survey sent to one customer: a single-use token (only its digest is stored) that expires."""

    kind = models.CharField(max_length=10, choices=SurveyKind.choices)
    survey = models.ForeignKey(
        Survey, null=True, blank=True, on_delete=models.PROTECT, related_name="invitations"
    )
    token_digest = models.CharField(max_length=64, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="survey_invitations")
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="survey_invitations"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices, blank=True)
    product = models.CharField(max_length=120, blank=True)
    scale_low = models.PositiveSmallIntegerField(default=1)
    scale_high = models.PositiveSmallIntegerField(default=5)
    low_score = models.PositiveSmallIntegerField(
        help_text="At or below this the answer is negative feedback."
    )
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-sent_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=("ticket",),
                condition=models.Q(kind="csat"),
                name="surveyinvitation_one_csat_per_ticket",
            )
        ]
        indexes = [models.Index(fields=("customer", "kind", "sent_at"), name="surveyinvitation_customer_idx")]

    def __str__(self) -> str:
        return f"{self.kind} to customer {self.customer_id} ({self.sent_at:%Y-%m-%d})"


class SurveyResponse(models.Model):
    """An answered survey, linked to what it is about for reports (copied from the invitation)."""

    invitation = models.OneToOneField(SurveyInvitation, on_delete=models.PROTECT, related_name="response")
    kind = models.CharField(max_length=10, choices=SurveyKind.choices)
    survey = models.ForeignKey(
        Survey, null=True, blank=True, on_delete=models.PROTECT, related_name="responses"
    )
    score = models.SmallIntegerField(null=True, blank=True)
    scale_high = models.PositiveSmallIntegerField(null=True, blank=True)
    is_low = models.BooleanField(default=False)
    comment = models.TextField(blank=True)
    answers = models.JSONField(default=dict, blank=True)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="survey_responses")
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="survey_responses"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices, blank=True)
    product = models.CharField(max_length=120, blank=True)
    segments = models.ManyToManyField(Segment, blank=True, related_name="+")
    received_at = models.DateTimeField()

    class Meta:
        ordering = ("-received_at", "-id")
        indexes = [models.Index(fields=("kind", "received_at"), name="surveyresponse_kind_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.score} from customer {self.customer_id}"


class Purchase(models.Model):
    """A purchase reported by the shop system (POST /customers/{id}/purchases), for retention reports."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="purchases")
    external_id = models.CharField(max_length=100, help_text="The shop system's order id.")
    purchased_at = models.DateTimeField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    product = models.CharField(max_length=120, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-purchased_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=("customer", "external_id"), name="purchase_external_unique")
        ]
        indexes = [models.Index(fields=("customer", "purchased_at"), name="purchase_customer_idx")]

    def __str__(self) -> str:
        return f"{self.external_id}: {self.amount} {self.currency}"
