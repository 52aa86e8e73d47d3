"""Surveys, responses, purchases and the satisfaction and retention reports over HTTP."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from frontline.accounts.principal import Principal, principal_of, require_staff
from frontline.core.errors import Forbidden, Invalid, NotFound
from frontline.customers.models import Customer
from frontline.customers.selectors import customer_get_for_staff
from frontline.feedback import selectors, services
from frontline.feedback.models import Purchase, Survey, SurveyResponse
from frontline.feedback.schemas import (
    InvitationOut,
    InviteIn,
    PurchaseIn,
    PurchaseOut,
    ResponseOut,
    RetentionRowOut,
    SatisfactionRowOut,
    SurveyIn,
    SurveyOut,
)
from frontline.tickets.selectors import ticket_get_for_principal

router = Router(tags=["feedback"])


def _supervisor(principal: Principal, what: str) -> None:
    require_staff(principal, f"only staff may {what}")
    if not principal.is_supervisor_or_admin:
        raise Forbidden(f"only supervisors and admins may {what}")


def _window(since: datetime | None, until: datetime | None) -> tuple[datetime, datetime]:
    end = until or timezone.now()
    start = since or end - timedelta(days=90)
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise Invalid("give times with their UTC offset", field="since")
    if end <= start or end - start > timedelta(days=731):
        raise Invalid("the range must end after it starts and span at most two years", field="until")
    return start, end


def _customer(principal: Principal, customer_id: int) -> Customer:
    require_staff(principal, "only staff may do this")
    return customer_get_for_staff(principal=principal, customer_id=customer_id)


def _limit(limit: int) -> int:
    if not 1 <= limit <= 500:
        raise Invalid("limit is 1 to 500", field="limit")
    return limit


@router.get("/surveys", response=list[SurveyOut], summary="Product-line feedback forms")
def survey_list(request: HttpRequest) -> Any:
    require_staff(principal_of(request), "only staff may see surveys")
    return selectors.survey_list()


@router.post("/surveys", response={201: SurveyOut}, summary="Create a product-line feedback form")
def survey_create(request: HttpRequest, body: SurveyIn) -> Status[Survey]:
    principal = principal_of(request)
    _supervisor(principal, "create surveys")
    survey = services.survey_create(
        actor=principal.user, name=body.name, product=body.product, questions=body.questions, intro=body.intro
    )
    return Status(201, survey)


@router.post(
    "/surveys/{survey_id}/invitations", response={201: InvitationOut}, summary="Send a form to a customer"
)
def survey_invite(request: HttpRequest, survey_id: int, body: InviteIn) -> Status[dict[str, Any]]:
    principal = principal_of(request)
    require_staff(principal, "only staff may send surveys")
    survey = Survey.objects.filter(pk=survey_id).first()
    if survey is None:
        raise NotFound(f"survey {survey_id} not found")
    customer = _customer(principal, body.customer_id)
    ticket = (
        ticket_get_for_principal(principal=principal, ticket_id=body.ticket_id)
        if body.ticket_id is not None
        else None
    )
    invitation, token = services.survey_invite(
        actor=principal.user, survey=survey, customer=customer, ticket=ticket
    )
    return Status(201, InvitationOut.of(invitation, services.survey_url(token)))


@router.post(
    "/customers/{customer_id}/nps",
    response={201: InvitationOut},
    summary="Ask a customer for NPS by email (at most once per the plan's interval; 409 otherwise)",
)
def nps_send(request: HttpRequest, customer_id: int) -> Status[dict[str, Any]]:
    principal = principal_of(request)
    customer = _customer(principal, customer_id)
    invitation, token = services.nps_send(actor=principal.user, customer=customer)
    return Status(201, InvitationOut.of(invitation, services.survey_url(token)))


@router.get("/feedback/responses", response=list[ResponseOut], summary="Survey responses, newest first")
def response_list(
    request: HttpRequest,
    kind: str | None = None,
    only_low: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
) -> list[SurveyResponse]:
    return selectors.response_list_for_principal(
        principal=principal_of(request),
        kind=kind,
        only_low=only_low,
        since=since,
        until=until,
        limit=_limit(limit),
    )


@router.post(
    "/customers/{customer_id}/purchases",
    response={200: PurchaseOut, 201: PurchaseOut},
    summary="Record a purchase from the shop system (201; 200 for an order id already recorded)",
)
def purchase_record(request: HttpRequest, customer_id: int, body: PurchaseIn) -> Status[Purchase]:
    principal = principal_of(request)
    _supervisor(principal, "record purchases")
    customer = _customer(principal, customer_id)
    purchase, created = services.purchase_record(
        actor=principal.user,
        customer=customer,
        external_id=body.external_id,
        purchased_at=body.purchased_at,
        amount=body.amount,
        currency=body.currency,
        product=body.product,
    )
    return Status(201 if created else 200, purchase)


@router.get(
    "/reports/satisfaction",
    response=list[SatisfactionRowOut],
    summary="CSAT or NPS by agent, team, channel, product or segment over time",
)
def satisfaction_report(
    request: HttpRequest,
    kind: str = "csat",
    by: str = "team",
    period: str = "month",
    since: datetime | None = None,
    until: datetime | None = None,
    tz: str = "UTC",
) -> list[dict[str, Any]]:
    start, end = _window(since, until)
    rows = selectors.satisfaction_report(
        principal=principal_of(request), kind=kind, by=by, period=period, since=start, until=end, tz=tz
    )
    return [selectors.as_dict(row) for row in rows]


@router.get(
    "/reports/retention",
    response=list[RetentionRowOut],
    summary="Did complaining customers buy again within N days, by reason and remedy",
)
def retention_report(
    request: HttpRequest,
    days: int = 30,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[dict[str, Any]]:
    start, end = _window(since, until)
    rows = selectors.retention_report(
        principal=principal_of(request), since=start, until=end, days=days, now=timezone.now()
    )
    return [selectors.as_dict(row) for row in rows]
