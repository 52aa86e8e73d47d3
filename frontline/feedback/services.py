"""Every write of surveys: sending (CSAT after solving, NPS, product forms), answering, purchases.

Tokens are single use and expire; only their SHA-256 digest is stored. A low score (at or below the
plan's threshold) records `feedback.received` on the ticket, so a trigger can act on it, and after
commit starts the ticket's `negative_feedback` escalation chains.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from frontline.accounts.models import User
from frontline.connectors.email.services import automatic_mail_queue
from frontline.core.errors import Conflict, DomainError, Invalid, NotFound
from frontline.customers.models import ContactPoint, Customer
from frontline.customers.selectors import customer_segments
from frontline.escalations.models import EscalationChain
from frontline.escalations.services import escalation_trigger
from frontline.events.services import event_record
from frontline.feedback import questions as question_rules
from frontline.feedback.config import FeedbackSettings, feedback_settings
from frontline.feedback.models import Purchase, Survey, SurveyInvitation, SurveyKind, SurveyResponse
from frontline.feedback.scores import is_low
from frontline.plans.models import PlanVersion
from frontline.plans.selectors import plan_version_for_customer
from frontline.remedies.services import currency_code, money
from frontline.tickets.models import Channel, Message, Ticket
from frontline.tickets.services import message_add

logger = logging.getLogger(__name__)

#: Channels a survey link cannot be written to are asked by email.
_BY_EMAIL = {Channel.VOICE, Channel.CALLBACK, Channel.WEB_FORM, Channel.API}


class SurveyGone(DomainError):
    """The survey was answered already or its link expired (HTTP 410)."""

    status = 410
    code = "gone"


class AnswersInvalid(Invalid):
    def __init__(self, errors: dict[str, str]) -> None:
        first = next(iter(errors))
        super().__init__(f"{first}: {errors[first]}", field=first)
        self.errors = errors


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def survey_url(token: str) -> str:
    return f"{settings.FRONTLINE_BASE_URL}{reverse('survey-answer', args=[token])}"


def _settings_of(version: PlanVersion | None) -> FeedbackSettings:
    return feedback_settings(version.settings if version is not None else None)


def _email_of(customer: Customer) -> str:
    return (
        ContactPoint.objects.filter(customer=customer, kind=ContactPoint.Kind.EMAIL)
        .order_by("-is_primary", "id")
        .values_list("value", flat=True)
        .first()
        or ""
    )


def _invitation_create(
    *,
    kind: str,
    customer: Customer,
    config: FeedbackSettings,
    at: datetime,
    ticket: Ticket | None = None,
    survey: Survey | None = None,
    channel: str = "",
) -> tuple[SurveyInvitation, str]:
    token = secrets.token_urlsafe(24)
    low, high, threshold = 1, config.csat_scale, config.csat_low_score
    if kind == SurveyKind.NPS:
        low, high, threshold = 0, 10, config.nps_low_score
    elif kind == SurveyKind.PRODUCT and survey is not None:
        parsed = question_rules.parse_questions(survey.questions)
        scale = next((q for q in parsed if q.kind == "scale"), None)
        if scale is not None:
            low, high = scale.low, scale.high
            threshold = scale.low + round(
                (config.csat_low_score - 1) * (scale.high - scale.low) / max(config.csat_scale - 1, 1)
            )
    invitation = SurveyInvitation.objects.create(
        kind=kind,
        survey=survey,
        token_digest=token_digest(token),
        customer=customer,
        ticket=ticket,
        agent_id=ticket.assignee_id if ticket is not None else None,
        team_id=ticket.team_id if ticket is not None else None,
        channel=channel or (ticket.channel if ticket is not None else ""),
        product=(survey.product if survey is not None else "")
        or (ticket.product if ticket is not None else ""),
        scale_low=low,
        scale_high=high,
        low_score=threshold,
        sent_at=at,
        expires_at=at + timedelta(days=config.token_days),
    )
    return invitation, token


def _sent(actor: User | None, invitation: SurveyInvitation, via: str, at: datetime) -> None:
    target = invitation.ticket if invitation.ticket is not None else invitation.customer
    event_record(
        actor=actor,
        verb="survey.sent",
        target=target,
        after={
            "invitation": invitation.pk,
            "kind": invitation.kind,
            "survey": invitation.survey_id,
            "ticket": invitation.ticket_id,
            "customer": invitation.customer_id,
            "via": via,
            "expires_at": invitation.expires_at,
        },
        at=at,
    )


def _post_on_ticket(ticket: Ticket, text: str, at: datetime) -> Message:
    channel = Channel.EMAIL if ticket.channel in _BY_EMAIL else ticket.channel
    return message_add(
        actor=None,
        ticket=ticket,
        direction=Message.Direction.OUTBOUND,
        channel=channel,
        body_text=text,
        created_at=at,
        wake=False,
    )


def _email_later(address: str, subject: str, body: str) -> None:
    """Queue the invitation in the outbox (sent after the commit, retried there); its link answers
    the survey, so the body is erased once sent."""
    automatic_mail_queue(to=[address], subject=subject, body=body, body_is_secret=True)


def _language(customer: Customer) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return customer.language if customer.language in codes else settings.LANGUAGE_CODE


@transaction.atomic
def csat_send(*, ticket: Ticket, at: datetime | None = None) -> SurveyInvitation | None:
    """Ask the customer of a solved ticket how satisfied they are, on the ticket's channel.

    Only when the ticket's plan version enables CSAT; once per ticket. None when nothing was sent.
    """
    ticket = Ticket.objects.select_related("requester", "plan_version").get(pk=ticket.pk)
    config = _settings_of(ticket.plan_version)
    if not config.csat_enabled or ticket.status != Ticket.Status.SOLVED or ticket.merged_into_id:
        return None
    if SurveyInvitation.objects.filter(ticket=ticket, kind=SurveyKind.CSAT).exists():
        return None
    now = at or timezone.now()
    try:
        with transaction.atomic():
            invitation, token = _invitation_create(
                kind=SurveyKind.CSAT, customer=ticket.requester, config=config, at=now, ticket=ticket
            )
    except IntegrityError:  # sent a moment ago by another worker
        return None
    with translation.override(_language(ticket.requester)):
        text = _(
            "How satisfied are you with the help you received on your request “%(subject)s”? "
            "Please rate us from 1 to %(scale)s: %(url)s\nThe link is valid for %(days)s days."
        ) % {
            "subject": ticket.subject,
            "scale": config.csat_scale,
            "url": survey_url(token),
            "days": config.token_days,
        }
    message = _post_on_ticket(ticket, text, now)
    invitation.channel = message.channel
    invitation.save(update_fields=["channel"])
    _sent(None, invitation, message.channel, now)
    return invitation


@transaction.atomic
def nps_send(
    *, actor: User | None, customer: Customer, at: datetime | None = None
) -> tuple[SurveyInvitation, str]:
    """Ask a customer how likely they are to recommend us (0–10) by email, at most once per N days."""
    now = at or timezone.now()
    Customer.objects.select_for_update(of=("self",)).filter(
        pk=customer.pk
    ).first()  # one NPS send per customer at a time
    config = _settings_of(plan_version_for_customer(customer=customer, at=now))
    last = (
        SurveyInvitation.objects.filter(customer=customer, kind=SurveyKind.NPS)
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)
        .first()
    )
    if last is not None and now - last < timedelta(days=config.nps_interval_days):
        raise Conflict(
            f"this customer was asked for NPS on {last:%Y-%m-%d}; the plan allows once per "
            f"{config.nps_interval_days} days",
            code="nps_too_soon",
        )
    address = _email_of(customer)
    if not address:
        raise Invalid("the customer has no email address", field="customer")
    invitation, token = _invitation_create(
        kind=SurveyKind.NPS, customer=customer, config=config, at=now, channel="email"
    )
    with translation.override(_language(customer)):
        subject = _("How likely are you to recommend us?")
        body = _(
            "On a scale from 0 to 10, how likely are you to recommend us to a friend or colleague? %(url)s"
        ) % {"url": survey_url(token)}
    _email_later(address, subject, body)
    _sent(actor, invitation, "email", now)
    return invitation, token


@transaction.atomic
def survey_create(
    *, actor: User | None, name: str, product: str, questions: list[Any], intro: str = ""
) -> Survey:
    """A product-line feedback form with custom questions."""
    name, product = name.strip(), product.strip()
    if not name:
        raise Invalid("the name is empty", field="name")
    if not product:
        raise Invalid("name the product line", field="product")
    if Survey.objects.filter(name__iexact=name).exists():
        raise Conflict(f"a survey named {name!r} exists", field="name")
    try:
        parsed = question_rules.parse_questions(questions)
    except question_rules.QuestionError as exc:
        raise Invalid(exc.message, field=exc.path) from exc
    survey = Survey.objects.create(
        name=name,
        product=product[:120],
        intro=intro.strip(),
        questions=[q.as_dict() for q in parsed],
        created_by=actor,
    )
    event_record(
        actor=actor,
        verb="survey.created",
        target=survey,
        after={"name": name, "product": survey.product, "questions": survey.questions},
    )
    return survey


@transaction.atomic
def survey_invite(
    *,
    actor: User | None,
    survey: Survey,
    customer: Customer,
    ticket: Ticket | None = None,
    at: datetime | None = None,
) -> tuple[SurveyInvitation, str]:
    """Send a product-line form: on the ticket when there is one, else by email."""
    if not survey.is_active:
        raise Conflict(f"survey {survey.name!r} is not active", code="survey_inactive")
    if ticket is not None and ticket.requester_id != customer.pk:
        raise Invalid("the ticket is not this customer's", field="ticket_id")
    now = at or timezone.now()
    version = (
        ticket.plan_version if ticket is not None else plan_version_for_customer(customer=customer, at=now)
    )
    config = _settings_of(version)
    address = "" if ticket is not None else _email_of(customer)
    if ticket is None and not address:
        raise Invalid("the customer has no email address", field="customer")
    invitation, token = _invitation_create(
        kind=SurveyKind.PRODUCT,
        customer=customer,
        config=config,
        at=now,
        ticket=ticket,
        survey=survey,
        channel="" if ticket is not None else "email",
    )
    with translation.override(_language(customer)):
        text = _("Please tell us what you think of %(product)s: %(url)s") % {
            "product": survey.product,
            "url": survey_url(token),
        }
        subject = _("Your opinion of %(product)s") % {"product": survey.product}
    if ticket is not None:
        message = _post_on_ticket(ticket, text, now)
        invitation.channel = message.channel
        invitation.save(update_fields=["channel"])
    else:
        _email_later(address, subject, text)
    _sent(actor, invitation, invitation.channel, now)
    return invitation, token


def questions_for(invitation: SurveyInvitation) -> list[question_rules.Question]:
    """The questions the invitation asks: score and comment for CSAT and NPS, the form's otherwise."""
    if invitation.kind == SurveyKind.PRODUCT and invitation.survey is not None:
        return question_rules.parse_questions(invitation.survey.questions)
    return [
        question_rules.score_question(invitation.scale_low, invitation.scale_high),
        question_rules.COMMENT,
    ]


def invitation_for_token(*, token: str, at: datetime | None = None, lock: bool = False) -> SurveyInvitation:
    """The invitation of a token; NotFound for an unknown one, SurveyGone for a used or expired one."""
    invitations = SurveyInvitation.objects.select_related("survey", "customer", "ticket")
    if lock:
        invitations = invitations.select_for_update(of=("self",))
    invitation = invitations.filter(token_digest=token_digest(token)).first() if token else None
    if invitation is None:
        raise NotFound("no such survey")
    if invitation.used_at is not None:
        raise SurveyGone("this survey was answered already", code="survey_used")
    if invitation.expires_at <= (at or timezone.now()):
        raise SurveyGone("this survey link has expired", code="survey_expired")
    return invitation


def _negative_feedback(ticket_id: int, reason: str) -> None:
    try:
        ticket = Ticket.objects.filter(pk=ticket_id).first()
        if ticket is not None:
            escalation_trigger(
                ticket=ticket, trigger=EscalationChain.Trigger.NEGATIVE_FEEDBACK, reason=reason
            )
    except Exception:  # the answer is stored; the escalation's failure is in the log
        logger.exception("negative feedback on ticket %s did not start its escalations", ticket_id)


@transaction.atomic
def survey_respond(*, token: str, data: Mapping[str, Any], at: datetime | None = None) -> SurveyResponse:
    """Store the one answer a token allows; a low score is negative feedback (see the module doc)."""
    now = at or timezone.now()
    invitation = invitation_for_token(token=token, at=now, lock=True)
    asked = questions_for(invitation)
    answers, errors = question_rules.check_answers(asked, data)
    if errors:
        raise AnswersInvalid(errors)
    if invitation.kind == SurveyKind.PRODUCT:
        score, high = question_rules.first_score(asked, answers)
    else:
        score, high = answers.get("score"), invitation.scale_high
    low = is_low(score, invitation.low_score)
    response = SurveyResponse.objects.create(
        invitation=invitation,
        kind=invitation.kind,
        survey=invitation.survey,
        score=score,
        scale_high=high,
        is_low=low,
        comment=str(answers.get("comment", "")),
        answers=answers,
        customer=invitation.customer,
        ticket=invitation.ticket,
        agent_id=invitation.agent_id,
        team_id=invitation.team_id,
        channel=invitation.channel,
        product=invitation.product,
        received_at=now,
    )
    response.segments.set(customer_segments(invitation.customer))
    invitation.used_at = now
    invitation.save(update_fields=["used_at"])
    data_out = {
        "response": response.pk,
        "invitation": invitation.pk,
        "kind": response.kind,
        "survey": response.survey_id,
        "score": score,
        "scale_high": high,
        "low_score": invitation.low_score,
        "is_low": low,
        "ticket": response.ticket_id,
        "customer": response.customer_id,
        "agent": response.agent_id,
        "team": response.team_id,
        "product": response.product,
        "channel": response.channel,
    }
    target = invitation.ticket if invitation.ticket is not None else invitation.customer
    event_record(actor=None, verb="survey.answered", target=target, after=data_out, at=now)
    if low:
        event_record(actor=None, verb="feedback.received", target=target, after=data_out, at=now)
        if invitation.ticket_id is not None:
            ticket_id = invitation.ticket_id
            reason = f"{response.kind} score {score} of {high}"
            transaction.on_commit(lambda: _negative_feedback(ticket_id, reason))
    return response


@transaction.atomic
def purchase_record(
    *,
    actor: User | None,
    customer: Customer,
    external_id: str,
    purchased_at: datetime,
    amount: Decimal | str,
    currency: str,
    product: str = "",
) -> tuple[Purchase, bool]:
    """Record a purchase from the shop system; the same order id again is the same purchase."""
    external_id = external_id.strip()
    if not external_id:
        raise Invalid("give the shop's order id", field="external_id")
    if timezone.is_naive(purchased_at):
        raise Invalid("give the time with its UTC offset", field="purchased_at")
    if purchased_at > timezone.now() + timedelta(minutes=5):
        raise Invalid("the purchase is in the future", field="purchased_at")
    value, code = money(amount), currency_code(currency)
    existing = Purchase.objects.filter(customer=customer, external_id=external_id).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            purchase = Purchase.objects.create(
                customer=customer,
                external_id=external_id[:100],
                purchased_at=purchased_at,
                amount=value,
                currency=code,
                product=product.strip()[:120],
            )
    except IntegrityError:
        return Purchase.objects.get(customer=customer, external_id=external_id), False
    event_record(
        actor=actor,
        verb="purchase.recorded",
        target=customer,
        after={
            "purchase": purchase.pk,
            "external_id": purchase.external_id,
            "amount": value,
            "currency": code,
            "product": purchase.product,
            "purchased_at": purchased_at,
        },
    )
    return purchase, True
