from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ninja import Field, Schema

from frontline.core.amounts import AmountField
from frontline.customers.models import Customer


class ContactPointOut(Schema):
    kind: str
    network: str
    value: str
    normalized: str
    is_primary: bool


class CustomerOut(Schema):
    id: int
    salutation: str
    first_name: str
    last_name: str
    display_name: str
    organization_id: int | None
    country: str
    region: str
    city: str
    language: str
    timezone: str
    age_band: str
    education: str
    tier: str
    lifetime_value: Decimal
    emails: list[str]
    phones: list[str]
    social: list[ContactPointOut]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_emails(customer: Customer) -> list[str]:
        return [cp.value for cp in customer.contact_points.all() if cp.kind == "email"]

    @staticmethod
    def resolve_phones(customer: Customer) -> list[str]:
        return [cp.value for cp in customer.contact_points.all() if cp.kind == "phone"]

    @staticmethod
    def resolve_social(customer: Customer) -> list[object]:
        return [cp for cp in customer.contact_points.all() if cp.kind == "social"]


class SocialIn(Schema):
    network: str = Field(max_length=20)
    handle: str = Field(max_length=100)


class CustomerIn(Schema):
    salutation: str = Field("", max_length=40)
    first_name: str = Field("", max_length=100)
    last_name: str = Field("", max_length=100)
    organization_id: int | None = None
    country: str = Field("", max_length=2)
    region: str = Field("", max_length=100)
    city: str = Field("", max_length=100)
    language: str = Field("", max_length=16)
    timezone: str = Field("", max_length=64)
    age_band: str = ""
    education: str = ""
    tier: str = "standard"
    lifetime_value: AmountField = Field(Decimal("0"), max_digits=14, decimal_places=2)
    emails: list[str] = Field(default_factory=list, max_length=20)
    phones: list[str] = Field(default_factory=list, max_length=20)
    social: list[SocialIn] = Field(default_factory=list, max_length=20)


class CustomerPatch(Schema):
    salutation: str | None = Field(None, max_length=40)
    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    organization_id: int | None = None
    country: str | None = Field(None, max_length=2)
    region: str | None = Field(None, max_length=100)
    city: str | None = Field(None, max_length=100)
    language: str | None = Field(None, max_length=16)
    timezone: str | None = Field(None, max_length=64)
    age_band: str | None = None
    education: str | None = None
    tier: str | None = None
    lifetime_value: AmountField | None = Field(None, max_digits=14, decimal_places=2)
    add_emails: list[str] = Field(default_factory=list, max_length=20)
    add_phones: list[str] = Field(default_factory=list, max_length=20)


class OrganizationOut(Schema):
    id: int
    name: str
    domain: str
    shares_tickets: bool
    notes: str
    created_at: datetime


class OrganizationIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    domain: str = Field("", max_length=200)
    shares_tickets: bool = False
    notes: str = Field("", max_length=10_000)


class OrganizationPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    domain: str | None = Field(None, max_length=200)
    shares_tickets: bool | None = None
    notes: str | None = Field(None, max_length=10_000)


class SegmentOut(Schema):
    id: int
    name: str
    description: str
    rule: str
    created_at: datetime
    updated_at: datetime


class SegmentIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    rule: str = Field(min_length=1, max_length=2000)
    description: str = Field("", max_length=2000)


class SegmentPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    rule: str | None = Field(None, min_length=1, max_length=2000)
    description: str | None = Field(None, max_length=2000)


class CustomerPage(Schema):
    items: list[CustomerOut]
    next_after_id: int | None
