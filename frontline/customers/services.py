"""Writes for customers, organizations and segments, including de-duplication of contacts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from frontline.accounts.models import User
from frontline.core.amounts import NotAnAmount, parse_amount
from frontline.core.contact import InvalidContact, normalize_email, normalize_handle, normalize_phone
from frontline.core.errors import Conflict, Invalid
from frontline.core.segment_rules import RuleError
from frontline.customers.models import AgeBand, ContactPoint, Customer, Education, Organization, Segment, Tier
from frontline.customers.segments import parse_rule
from frontline.events.services import changes, event_record

PROFILE_FIELDS = [
    "salutation",
    "first_name",
    "last_name",
    "organization",
    "country",
    "region",
    "city",
    "language",
    "timezone",
    "age_band",
    "education",
    "tier",
    "lifetime_value",
]
ATTEMPTS = 3
#: "sms": a text-message sender that is a name, not a number (an alphanumeric sender id).
SOCIAL_NETWORKS = ("facebook", "instagram", "whatsapp", "x", "line", "viber", "wechat", "telegram", "sms")


def normalize_contact(kind: str, value: str, network: str = "") -> str:
    """The unique form of a contact point; raises Invalid naming the field."""
    try:
        if kind == ContactPoint.Kind.EMAIL:
            return normalize_email(value)
        if kind == ContactPoint.Kind.PHONE:
            return normalize_phone(value, settings.FRONTLINE_DEFAULT_COUNTRY_CODE)
        if kind == ContactPoint.Kind.SOCIAL:
            if network not in SOCIAL_NETWORKS:
                raise Invalid(f"unknown social network {network!r}", field="network")
            return normalize_handle(value)
    except InvalidContact as exc:
        raise Invalid(str(exc), field=kind) from exc
    raise Invalid(f"unknown contact kind {kind!r}", field="kind")


def _validate_profile(values: dict[str, Any]) -> None:
    checks = {"tier": Tier.values, "age_band": AgeBand.values, "education": Education.values}
    for field, allowed in checks.items():
        if field in values and values[field] not in allowed:
            raise Invalid(f"{field} must be one of {', '.join(v for v in allowed if v)}", field=field)
    if (
        "country" in values
        and values["country"]
        and not (len(values["country"]) == 2 and values["country"].isalpha())
    ):
        raise Invalid("country is a two-letter ISO code, e.g. PH", field="country")
    if "country" in values:
        values["country"] = values["country"].upper()
    if "lifetime_value" in values:
        try:
            values["lifetime_value"] = parse_amount(values["lifetime_value"])
        except NotAnAmount as exc:
            raise Invalid(f"lifetime value: {exc}", field="lifetime_value") from exc
    if "lifetime_value" in values and values["lifetime_value"] < 0:
        raise Invalid("lifetime value cannot be negative", field="lifetime_value")


def _contact_taken(kind: str, network: str, normalized: str) -> ContactPoint | None:
    return ContactPoint.objects.filter(kind=kind, network=network, normalized=normalized).first()


def _add_contacts(
    customer: Customer, contacts: list[tuple[str, str, str]], *, new: bool = False
) -> list[str]:
    """`new`: the customer was created just now, so has no contact points yet (no query for them)."""
    added = []
    has_primary = set() if new else {cp.kind for cp in customer.contact_points.filter(is_primary=True)}
    for kind, network, value in contacts:
        normalized = normalize_contact(kind, value, network)
        existing = _contact_taken(kind, network, normalized)
        if existing is not None:
            if existing.customer_id != customer.pk:
                raise Conflict(
                    f"{value} belongs to customer #{existing.customer_id}",
                    field=kind,
                    code="duplicate_contact",
                )
            continue
        ContactPoint.objects.create(
            customer=customer,
            kind=kind,
            network=network,
            value=value.strip(),
            normalized=normalized,
            is_primary=kind not in has_primary,
        )
        has_primary.add(kind)
        added.append(f"{kind}:{normalized}")
    return added


def _contacts(
    emails: list[str], phones: list[str], social: list[tuple[str, str]]
) -> list[tuple[str, str, str]]:
    return (
        [(ContactPoint.Kind.EMAIL.value, "", e) for e in emails]
        + [(ContactPoint.Kind.PHONE.value, "", p) for p in phones]
        + [(ContactPoint.Kind.SOCIAL.value, network, handle) for network, handle in social]
    )


@transaction.atomic
def customer_create(
    *,
    actor: User | None,
    emails: list[str] | None = None,
    phones: list[str] | None = None,
    social: list[tuple[str, str]] | None = None,
    **profile: Any,
) -> Customer:
    """A new customer; refuses (409) a contact point that already belongs to someone."""
    unknown = set(profile) - set(PROFILE_FIELDS)
    if unknown:
        raise Invalid(f"unknown field {sorted(unknown)[0]}", field=sorted(unknown)[0])
    _validate_profile(profile)
    customer = Customer.objects.create(**profile)
    added = _add_contacts(customer, _contacts(emails or [], phones or [], social or []), new=True)
    event_record(
        actor=actor,
        verb="customer.created",
        target=customer,
        after={**profile, "contacts": added},
    )
    return customer


@transaction.atomic
def customer_update(
    *,
    actor: User | None,
    customer: Customer,
    add_emails: list[str] | None = None,
    add_phones: list[str] | None = None,
    **values: Any,
) -> Customer:
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise Invalid(f"unknown field {sorted(unknown)[0]}", field=sorted(unknown)[0])
    _validate_profile(values)
    before, after = changes(customer, PROFILE_FIELDS, values)
    if after:
        customer.save()
    added = _add_contacts(customer, _contacts(add_emails or [], add_phones or [], []))
    if added:
        after["contacts_added"] = added
    if after:
        event_record(actor=actor, verb="customer.updated", target=customer, before=before, after=after)
    return customer


def customer_find_or_create(
    *,
    actor: User | None,
    email: str | None = None,
    phone: str | None = None,
    social: tuple[str, str] | None = None,
    **profile: Any,
) -> tuple[Customer, bool]:
    """The customer a contact arrives from, matched by email, then phone, then handle; created if new.

    A contact point seen for the first time is added to the matched customer. Returns (customer, created).
    """
    wanted: list[tuple[str, str, str]] = []
    if email:
        wanted.append((ContactPoint.Kind.EMAIL, "", email))
    if phone:
        wanted.append((ContactPoint.Kind.PHONE, "", phone))
    if social:
        wanted.append((ContactPoint.Kind.SOCIAL, social[0], social[1]))
    if not wanted:
        raise Invalid("a contact needs an email, a phone number or a social handle", field="email")
    normalized = [
        (kind, network, normalize_contact(kind, value, network), value) for kind, network, value in wanted
    ]
    for attempt in range(ATTEMPTS):
        try:
            with transaction.atomic():
                for kind, network, norm, _ in normalized:
                    found = _contact_taken(kind, network, norm)
                    if found is not None:
                        customer = found.customer
                        missing = [
                            (k, n, v) for k, n, nm, v in normalized if _contact_taken(k, n, nm) is None
                        ]
                        if missing:
                            added = _add_contacts(customer, missing)
                            event_record(
                                actor=actor,
                                verb="customer.updated",
                                target=customer,
                                after={"contacts_added": added},
                            )
                        return customer, False
                return customer_create(
                    actor=actor,
                    emails=[email] if email else [],
                    phones=[phone] if phone else [],
                    social=[social] if social else [],
                    **profile,
                ), True
        except (IntegrityError, Conflict):
            # Another process created the same contact between our lookup and insert: look again.
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def organization_create(
    *, actor: User | None, name: str, domain: str = "", shares_tickets: bool = False, notes: str = ""
) -> Organization:
    if Organization.objects.filter(name__iexact=name.strip()).exists():
        raise Conflict(f"an organization named {name!r} exists", field="name")
    organization = Organization.objects.create(
        name=name.strip(), domain=domain.lower().strip(), shares_tickets=shares_tickets, notes=notes
    )
    event_record(
        actor=actor,
        verb="organization.created",
        target=organization,
        after={"name": organization.name, "domain": organization.domain, "shares_tickets": shares_tickets},
    )
    return organization


@transaction.atomic
def organization_update(*, actor: User | None, organization: Organization, **values: Any) -> Organization:
    if (
        "name" in values
        and Organization.objects.exclude(pk=organization.pk).filter(name__iexact=values["name"]).exists()
    ):
        raise Conflict(f"an organization named {values['name']!r} exists", field="name")
    before, after = changes(organization, ["name", "domain", "shares_tickets", "notes"], values)
    if after:
        organization.save()
        event_record(
            actor=actor, verb="organization.updated", target=organization, before=before, after=after
        )
    return organization


def _checked_rule(rule: str) -> str:
    try:
        parse_rule(rule)
    except RuleError as exc:
        raise Invalid(str(exc), field="rule") from exc
    return rule.strip()


@transaction.atomic
def segment_create(*, actor: User | None, name: str, rule: str, description: str = "") -> Segment:
    if Segment.objects.filter(name__iexact=name.strip()).exists():
        raise Conflict(f"a segment named {name!r} exists", field="name")
    segment = Segment.objects.create(name=name.strip(), rule=_checked_rule(rule), description=description)
    event_record(
        actor=actor,
        verb="segment.created",
        target=segment,
        after={"name": segment.name, "rule": segment.rule},
    )
    return segment


@transaction.atomic
def segment_update(*, actor: User | None, segment: Segment, **values: Any) -> Segment:
    if "rule" in values:
        values["rule"] = _checked_rule(values["rule"])
    if (
        "name" in values
        and Segment.objects.exclude(pk=segment.pk).filter(name__iexact=values["name"]).exists()
    ):
        raise Conflict(f"a segment named {values['name']!r} exists", field="name")
    before, after = changes(segment, ["name", "rule", "description"], values)
    if after:
        segment.save()
        event_record(actor=actor, verb="segment.updated", target=segment, before=before, after=after)
    return segment
