"""Complaints and remedies on the desk: the ticket's remedies panel and the supervisor's approvals.

Thin views over `frontline.remedies` services and selectors. The panel is an htmx partial on the
ticket page (and a page of its own without JavaScript); every issue form carries a fresh idempotency
key, so a double submit or a retry issues once.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from frontline.accounts.principal import Principal
from frontline.core.errors import DomainError, NotFound
from frontline.desk.views import _base_context, desk_view
from frontline.remedies import authority
from frontline.remedies import selectors as remedy_selectors
from frontline.remedies import services as remedy_services
from frontline.remedies.models import Complaint, RemedyEntry, RemedyRequest
from frontline.tickets.models import Ticket
from frontline.tickets.selectors import ticket_get_for_principal

#: (kind, text) shown at the top of the panel after a form was sent.
Notice = tuple[str, str]


def _reason_labels() -> dict[str, str]:
    return {
        authority.OVER_LIMIT: _("above the requester's approval limit"),
        authority.OVER_BUDGET: _("above the team's remaining budget"),
    }


def _who(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


def _authority_rows(principal: Principal, ticket: Ticket, currencies: list[str]) -> list[dict[str, Any]]:
    month = authority.month_of(timezone.now())
    return [
        {
            "currency": currency,
            "limit": remedy_selectors.approval_limit_of(user=principal.user, currency=currency),
            "budget_remaining": remedy_selectors.budget_remaining(
                budget=remedy_selectors.team_budget_of(team=ticket.team, currency=currency), month=month
            ),
        }
        for currency in currencies
    ]


def _panel_context(
    principal: Principal, ticket: Ticket, notice: Notice | None = None, form: dict[str, str] | None = None
) -> dict[str, Any]:
    """The panel; after a refused issue `form` keeps what was typed (nothing was stored under its key)."""
    try:
        complaint: Complaint | None = remedy_selectors.complaint_get_for_ticket(ticket=ticket)
    except NotFound:
        complaint = None
    options = remedy_selectors.remedy_options_for_ticket(ticket=ticket)
    entries = remedy_selectors.remedy_history_for_customer(
        principal=principal, customer_id=ticket.requester_id
    )
    requests = remedy_selectors.remedy_request_list_for_customer(
        principal=principal,
        customer_id=ticket.requester_id,
        statuses=(RemedyRequest.Status.PENDING, RemedyRequest.Status.REJECTED),
    )
    labels = _reason_labels()
    return {
        "ticket": ticket,
        "complaint": complaint,
        "complaint_reasons": remedy_selectors.complaint_reason_list(),
        "severities": Complaint.Severity.choices,
        "complaint_statuses": Complaint.Status.choices,
        "options": options,
        "authority": _authority_rows(principal, ticket, sorted({o.currency for o in options})),
        "idempotency_key": (form or {}).get("idempotency_key") or uuid.uuid4().hex,
        "form": form or {},
        "entries": entries,
        "requests": [
            {"request": r, "reasons": [labels.get(code, code) for code in r.approval_reasons]}
            for r in requests
        ],
        "notice": notice,
    }


def _respond(
    request: HttpRequest,
    principal: Principal,
    ticket: Ticket,
    notice: Notice,
    form: dict[str, str] | None = None,
) -> HttpResponseBase:
    """htmx: the panel again with the notice; without JavaScript: a message and back to the page."""
    if request.headers.get("HX-Request"):
        return render(request, "desk/_remedies.html", _panel_context(principal, ticket, notice, form))
    kind, text = notice
    (messages.success if kind == "success" else messages.error)(request, text)
    return HttpResponseRedirect(reverse("desk:remedies", args=[ticket.pk]))


@require_GET
@desk_view()
def remedies_panel(request: HttpRequest, principal: Principal, ticket_id: int) -> HttpResponseBase:
    ticket = ticket_get_for_principal(principal=principal, ticket_id=ticket_id)
    if request.headers.get("HX-Request"):
        return render(request, "desk/_remedies.html", _panel_context(principal, ticket))
    return render(
        request,
        "desk/remedies_ticket.html",
        {**_base_context(request, principal), **_panel_context(principal, ticket)},
    )


@require_POST
@desk_view()
def complaint_save(request: HttpRequest, principal: Principal, ticket_id: int) -> HttpResponseBase:
    """Mark the ticket a complaint, or change its reason, severity, status or description."""
    ticket = ticket_get_for_principal(principal=principal, ticket_id=ticket_id)
    reason = request.POST.get("reason", "")
    severity = request.POST.get("severity", "")
    description = request.POST.get("description", "")[:5000]
    try:
        try:
            complaint = remedy_selectors.complaint_get_for_ticket(ticket=ticket)
        except NotFound:
            remedy_services.complaint_mark(
                actor=principal.user,
                ticket=ticket,
                reason=reason,
                severity=severity or Complaint.Severity.MEDIUM,
                description=description,
            )
            notice: Notice = ("success", _("Marked as a complaint."))
        else:
            remedy_services.complaint_update(
                actor=principal.user,
                complaint=complaint,
                reason=reason or None,
                severity=severity or None,
                status=request.POST.get("status") or None,
                description=description,
            )
            notice = ("success", _("Complaint updated."))
    except DomainError as exc:
        notice = ("error", _("Nothing was changed: %(reason)s") % {"reason": exc.message})
    return _respond(request, principal, ticket, notice)


def _issued_text(remedy: RemedyRequest) -> str:
    entry: RemedyEntry = remedy.entry
    values = {"option": remedy.option.name, "amount": remedy.amount, "currency": remedy.currency}
    text = _("Issued: %(option)s, %(amount)s %(currency)s.") % values
    if entry.coupon_code:
        text += " " + _("Coupon code: %(code)s") % {"code": entry.coupon_code}
    return text


def _result_text(remedy: RemedyRequest) -> str:
    if remedy.status in (RemedyRequest.Status.ISSUED, RemedyRequest.Status.APPROVED):
        return _issued_text(remedy)
    values = {"option": remedy.option.name, "amount": remedy.amount, "currency": remedy.currency}
    if remedy.status == RemedyRequest.Status.REJECTED:
        return _("%(option)s, %(amount)s %(currency)s was rejected.") % values
    approvers = remedy_selectors.approvers_of_request(request=remedy, at=timezone.now())
    if not approvers:
        return (
            _("%(option)s, %(amount)s %(currency)s needs approval, but nobody has the authority.") % values
            + " "
            + _("Ask an admin.")
        )
    labels = _reason_labels()
    return _("%(option)s, %(amount)s %(currency)s sent for approval to %(names)s (%(why)s).") % {
        **values,
        "names": ", ".join(_who(user) for user in approvers[:5]),
        "why": ", ".join(labels.get(code, code) for code in remedy.approval_reasons),
    }


@require_POST
@desk_view()
def remedy_issue(request: HttpRequest, principal: Principal, ticket_id: int) -> HttpResponseBase:
    """Give the ticket's customer a remedy from the catalogue; above one's authority it asks for approval."""
    ticket = ticket_get_for_principal(principal=principal, ticket_id=ticket_id)
    form = {
        "option": request.POST.get("option", ""),
        "amount": request.POST.get("amount", "").strip()[:30],
        "item": request.POST.get("item", "")[:200],
        "note": request.POST.get("note", "")[:5000],
        "idempotency_key": request.POST.get("idempotency_key", "")[:100],
    }
    if not form["option"] or not form["amount"]:
        notice: Notice = ("error", _("Choose a remedy and give its value."))
        return _respond(request, principal, ticket, notice, form)
    try:
        remedy, created = remedy_services.remedy_issue(
            actor=principal.user,
            ticket=ticket,
            option=form["option"],
            amount=form["amount"].replace(",", ""),
            item=form["item"],
            note=form["note"],
            idempotency_key=form["idempotency_key"],
        )
    except DomainError as exc:
        notice = ("error", _("Nothing was issued: %(reason)s") % {"reason": exc.message})
        if exc.code == "idempotency_key_reused":
            form["idempotency_key"] = ""  # a fresh key for the corrected form
        return _respond(request, principal, ticket, notice, form)
    else:
        text = _result_text(remedy)
        if not created:
            text = _("This form was sent already; nothing more was issued.") + " " + text
        notice = ("success", text)
    return _respond(request, principal, ticket, notice)


# --- Supervisor console: approvals


@require_GET
@desk_view(supervisor=True)
def approvals(request: HttpRequest, principal: Principal) -> HttpResponseBase:
    now = timezone.now()
    labels = _reason_labels()
    pending = []
    limits: dict[str, Decimal | None] = {}
    for remedy in remedy_selectors.remedy_request_pending_list(principal=principal):
        if remedy.currency not in limits:
            limits[remedy.currency] = remedy_selectors.approval_limit_of(
                user=principal.user, currency=remedy.currency
            )
        limit = limits[remedy.currency]
        pending.append(
            {
                "request": remedy,
                "reasons": [labels.get(code, code) for code in remedy.approval_reasons],
                "within_authority": limit is None or remedy.amount <= limit,
            }
        )
    return render(
        request,
        "desk/remedies_approvals.html",
        {
            **_base_context(request, principal),
            "pending": pending,
            "decided": remedy_selectors.remedy_request_decided_list(principal=principal),
            "now": now,
        },
    )


@require_POST
@desk_view(supervisor=True)
def approval_decide(request: HttpRequest, principal: Principal, request_id: int) -> HttpResponseBase:
    """Approve (and issue) or reject a pending remedy request; the services check the authority."""
    remedy = remedy_selectors.remedy_request_get_for_principal(principal=principal, request_id=request_id)
    decision = request.POST.get("decision", "")
    reason = request.POST.get("reason", "")[:2000]
    values = {"id": remedy.pk, "ticket": remedy.ticket_id}
    try:
        if decision == "approve":
            decided = remedy_services.remedy_request_approve(
                actor=principal.user, request=remedy, reason=reason
            )
            text = _("Request %(id)s on #%(ticket)s approved.") % values + " " + _issued_text(decided)
            messages.success(request, text)
        elif decision == "reject":
            remedy_services.remedy_request_reject(actor=principal.user, request=remedy, reason=reason)
            messages.success(request, _("Request %(id)s on #%(ticket)s rejected.") % values)
        else:
            messages.error(request, _("Choose approve or reject."))
    except DomainError as exc:
        messages.error(request, _("Nothing was changed: %(reason)s") % {"reason": exc.message})
    return HttpResponseRedirect(reverse("desk:remedy-approvals"))


# --- The complaint register


@require_GET
@desk_view()
def complaint_register(request: HttpRequest, principal: Principal) -> HttpResponseBase:
    """Complaints on the tickets the user may see, newest first, filtered by reason, severity and status."""
    chosen = {key: request.GET.get(key, "")[:40] for key in ("reason", "severity", "status")}
    filters = remedy_selectors.ComplaintFilters(
        reason=chosen["reason"] or None,
        severity=chosen["severity"] or None,
        status=chosen["status"] or None,
    )
    try:
        complaints = remedy_selectors.complaint_list_for_principal(
            principal=principal, filters=filters, limit=200
        )
    except DomainError as exc:
        messages.error(request, _("The filter was not applied: %(reason)s") % {"reason": exc.message})
        complaints = remedy_selectors.complaint_list_for_principal(
            principal=principal, filters=remedy_selectors.ComplaintFilters(), limit=200
        )
    return render(
        request,
        "desk/remedies_complaints.html",
        {
            **_base_context(request, principal),
            "complaints": complaints,
            "chosen": chosen,
            "complaint_reasons": remedy_selectors.complaint_reason_list(),
            "severities": Complaint.Severity.choices,
            "complaint_statuses": Complaint.Status.choices,
        },
    )
