"""Customers, organizations and segments over HTTP (staff only)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Status

from frontline.accounts.principal import Principal, principal_of
from frontline.core.errors import Forbidden, Invalid
from frontline.customers import selectors, services
from frontline.customers.models import Customer, Organization, Segment
from frontline.customers.schemas import (
    CustomerIn,
    CustomerOut,
    CustomerPage,
    CustomerPatch,
    OrganizationIn,
    OrganizationOut,
    OrganizationPatch,
    SegmentIn,
    SegmentOut,
    SegmentPatch,
)

router = Router(tags=["customers"])


def _page(customers: QuerySet[Customer], after_id: int | None, limit: int) -> dict[str, Any]:
    if not 1 <= limit <= 200:
        raise Invalid("limit must be between 1 and 200", field="limit")
    if after_id is not None:
        customers = customers.filter(pk__gt=after_id)
    items = list(customers[: limit + 1])
    return {"items": items[:limit], "next_after_id": items[limit - 1].pk if len(items) > limit else None}


def _organization(principal: Principal, organization_id: int | None) -> Organization | None:
    if organization_id is None:
        return None
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        raise Invalid(f"organization {organization_id} does not exist", field="organization_id")
    return organization


def _supervisor(principal: Principal) -> None:
    if not principal.is_supervisor_or_admin:
        raise Forbidden("only supervisors and admins may change segments")


@router.get("/customers", response=CustomerPage, summary="List or search customers")
def customer_list(
    request: HttpRequest,
    q: str = "",
    organization_id: int | None = None,
    after_id: int | None = None,
    limit: int = 50,
) -> dict[str, Any]:
    principal = principal_of(request)
    return _page(
        selectors.customer_list_for_staff(
            principal=principal, query=q[:200], organization_id=organization_id
        ),
        after_id,
        limit,
    )


@router.post("/customers", response={201: CustomerOut}, summary="Create a customer")
def customer_create(request: HttpRequest, body: CustomerIn) -> Status[Customer]:
    principal = principal_of(request)
    selectors.customer_list_for_staff(principal=principal)  # staff only
    data = body.dict()
    data["organization"] = _organization(principal, data.pop("organization_id"))
    emails, phones = data.pop("emails"), data.pop("phones")
    social = [(s["network"], s["handle"]) for s in data.pop("social")]
    customer = services.customer_create(
        actor=principal.user, emails=emails, phones=phones, social=social, **data
    )
    return Status(201, selectors.customer_get_for_staff(principal=principal, customer_id=customer.pk))


@router.get("/customers/{customer_id}", response=CustomerOut, summary="Get a customer")
def customer_get(request: HttpRequest, customer_id: int) -> Customer:
    return selectors.customer_get_for_staff(principal=principal_of(request), customer_id=customer_id)


@router.patch("/customers/{customer_id}", response=CustomerOut, summary="Change a customer")
def customer_update(request: HttpRequest, customer_id: int, body: CustomerPatch) -> Customer:
    principal = principal_of(request)
    customer = selectors.customer_get_for_staff(principal=principal, customer_id=customer_id)
    data = body.dict(exclude_unset=True)
    if "organization_id" in data:
        data["organization"] = _organization(principal, data.pop("organization_id"))
    services.customer_update(
        actor=principal.user,
        customer=customer,
        add_emails=data.pop("add_emails", []),
        add_phones=data.pop("add_phones", []),
        **{k: v for k, v in data.items() if v is not None or k == "organization"},
    )
    return selectors.customer_get_for_staff(principal=principal, customer_id=customer_id)


@router.get("/organizations", response=list[OrganizationOut], summary="List organizations")
def organization_list(request: HttpRequest) -> QuerySet[Organization]:
    return selectors.organization_list(principal=principal_of(request))


@router.post("/organizations", response={201: OrganizationOut}, summary="Create an organization")
def organization_create(request: HttpRequest, body: OrganizationIn) -> Status[Organization]:
    principal = principal_of(request)
    selectors.organization_list(principal=principal)
    return Status(201, services.organization_create(actor=principal.user, **body.dict()))


@router.get("/organizations/{organization_id}", response=OrganizationOut, summary="Get an organization")
def organization_get(request: HttpRequest, organization_id: int) -> Organization:
    return selectors.organization_get(principal=principal_of(request), organization_id=organization_id)


@router.patch("/organizations/{organization_id}", response=OrganizationOut, summary="Change an organization")
def organization_update(request: HttpRequest, organization_id: int, body: OrganizationPatch) -> Organization:
    principal = principal_of(request)
    organization = selectors.organization_get(principal=principal, organization_id=organization_id)
    values = {k: v for k, v in body.dict(exclude_unset=True).items() if v is not None}
    return services.organization_update(actor=principal.user, organization=organization, **values)


@router.get("/segments", response=list[SegmentOut], summary="List segments")
def segment_list(request: HttpRequest) -> QuerySet[Segment]:
    return selectors.segment_list(principal=principal_of(request))


@router.post("/segments", response={201: SegmentOut}, summary="Create a segment")
def segment_create(request: HttpRequest, body: SegmentIn) -> Status[Segment]:
    principal = principal_of(request)
    _supervisor(principal)
    return Status(201, services.segment_create(actor=principal.user, **body.dict()))


@router.get("/segments/{segment_id}", response=SegmentOut, summary="Get a segment")
def segment_get(request: HttpRequest, segment_id: int) -> Segment:
    return selectors.segment_get(principal=principal_of(request), segment_id=segment_id)


@router.patch("/segments/{segment_id}", response=SegmentOut, summary="Change a segment")
def segment_update(request: HttpRequest, segment_id: int, body: SegmentPatch) -> Segment:
    principal = principal_of(request)
    segment = selectors.segment_get(principal=principal, segment_id=segment_id)
    _supervisor(principal)
    values = {k: v for k, v in body.dict(exclude_unset=True).items() if v is not None}
    return services.segment_update(actor=principal.user, segment=segment, **values)


@router.get("/segments/{segment_id}/customers", response=CustomerPage, summary="Customers in a segment")
def segment_customers(
    request: HttpRequest, segment_id: int, after_id: int | None = None, limit: int = 50
) -> dict[str, Any]:
    principal = principal_of(request)
    segment = selectors.segment_get(principal=principal, segment_id=segment_id)
    return _page(selectors.customer_list_for_staff(principal=principal, segment=segment), after_id, limit)
