"""Reads of customers, organizations and segments, and who the caller is."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from frontline.accounts.models import User
from frontline.accounts.principal import Principal, require_staff
from frontline.accounts.selectors import staff_scope
from frontline.core.errors import NotFound
from frontline.core.segment_rules import evaluate
from frontline.customers.models import ContactPoint, Customer, Organization, Segment
from frontline.customers.segments import customer_profile, parse_rule, rule_to_q


def principal_for_user(user: User, *, can_write: bool = True) -> Principal:
    """Resolve the caller's role, teams and customer record (two or three small queries)."""
    role, team_ids = staff_scope(user)
    if role is not None:
        return Principal(user=user, role=role, team_ids=team_ids, can_write=can_write)
    customer = Customer.objects.select_related("organization").filter(user=user).first()
    if customer is None:
        return Principal(user=user, role=None, can_write=can_write)
    shared = (
        customer.organization_id if customer.organization and customer.organization.shares_tickets else None
    )
    return Principal(
        user=user, role=None, customer_id=customer.pk, shared_organization_id=shared, can_write=can_write
    )


def _staff_only(principal: Principal) -> None:
    require_staff(principal, "only staff may see customer records")


def customer_list_for_staff(
    *,
    principal: Principal,
    query: str = "",
    organization_id: int | None = None,
    segment: Segment | None = None,
) -> QuerySet[Customer]:
    _staff_only(principal)
    customers = Customer.objects.select_related("organization").prefetch_related("contact_points")
    if organization_id is not None:
        customers = customers.filter(organization_id=organization_id)
    if segment is not None:
        customers = customers.filter(rule_to_q(parse_rule(segment.rule)))
    if query:
        text = query.strip()
        customers = customers.filter(
            Q(first_name__icontains=text)
            | Q(last_name__icontains=text)
            | Q(pk__in=ContactPoint.objects.filter(normalized__icontains=text.lower()).values("customer_id"))
        )
    return customers.order_by("id")


def customer_get_for_staff(*, principal: Principal, customer_id: int) -> Customer:
    _staff_only(principal)
    customer = (
        Customer.objects.select_related("organization")
        .prefetch_related("contact_points")
        .filter(pk=customer_id)
        .first()
    )
    if customer is None:
        raise NotFound(f"customer {customer_id} not found")
    return customer


def organization_list(*, principal: Principal) -> QuerySet[Organization]:
    _staff_only(principal)
    return Organization.objects.order_by("name")


def organization_get(*, principal: Principal, organization_id: int) -> Organization:
    _staff_only(principal)
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        raise NotFound(f"organization {organization_id} not found")
    return organization


def segment_list(*, principal: Principal) -> QuerySet[Segment]:
    _staff_only(principal)
    return Segment.objects.order_by("name")


def segment_get(*, principal: Principal, segment_id: int) -> Segment:
    _staff_only(principal)
    segment = Segment.objects.filter(pk=segment_id).first()
    if segment is None:
        raise NotFound(f"segment {segment_id} not found")
    return segment


def customer_segments(customer: Customer) -> list[Segment]:
    """The segments whose rule the customer satisfies now."""
    profile = customer_profile(customer)
    return [s for s in Segment.objects.order_by("name") if evaluate(parse_rule(s.rule), profile)]
