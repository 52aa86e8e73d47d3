"""Reads of the customer portal, scoped by the customer's Principal (tickets' own visibility rule)."""

from __future__ import annotations

from django.db.models import QuerySet

from frontline.accounts.models import User
from frontline.accounts.principal import Principal
from frontline.connectors.voice.models import VoiceLine
from frontline.core.errors import NotFound
from frontline.customers.models import Customer
from frontline.customers.selectors import principal_for_user
from frontline.tickets.models import Ticket
from frontline.tickets.selectors import ticket_visibility

#: The portal lists at most this many tickets; older ones are reached from their emails.
TICKET_LIST_LIMIT = 200


def customer_principal(user: object) -> Principal | None:
    """The customer Principal of a signed-in portal user; None for anyone else (staff included)."""
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return None
    principal = principal_for_user(user)
    return principal if principal.is_customer else None


def customer_language(principal: Principal) -> str:
    """The customer's own language ("" when none is set), without reading the whole record."""
    if principal.customer_id is None:
        return ""
    language = Customer.objects.filter(pk=principal.customer_id).values_list("language", flat=True).first()
    return language or ""


def customer_get(principal: Principal) -> Customer:
    if principal.customer_id is None:
        raise NotFound("not a customer")
    return (
        Customer.objects.select_related("organization")
        .prefetch_related("contact_points")
        .get(pk=principal.customer_id)
    )


def ticket_list_for_customer(*, principal: Principal) -> QuerySet[Ticket]:
    """The customer's tickets and, where their organization shares tickets, its tickets; newest first."""
    return (
        Ticket.objects.filter(ticket_visibility(principal))
        .filter(merged_into__isnull=True)
        .select_related("requester")
        .order_by("-created_at", "-id")[:TICKET_LIST_LIMIT]
    )


def callback_line() -> VoiceLine | None:
    """The voice line that takes the website's callback requests: the first active one."""
    return (
        VoiceLine.objects.filter(active=True).select_related("queue", "callback_queue").order_by("id").first()
    )
