"""Customers, their contact points, organizations and segments."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models


class Tier(models.TextChoices):
    STANDARD = "standard", "Standard"
    SILVER = "silver", "Silver"
    GOLD = "gold", "Gold"
    PLATINUM = "platinum", "Platinum"


class AgeBand(models.TextChoices):
    UNKNOWN = "", "Unknown"
    UNDER_18 = "under_18", "Under 18"
    AGE_18_24 = "18_24", "18-24"
    AGE_25_34 = "25_34", "25-34"
    AGE_35_44 = "35_44", "35-44"
    AGE_45_54 = "45_54", "45-54"
    AGE_55_64 = "55_64", "55-64"
    AGE_65_PLUS = "65_plus", "65+"


class Education(models.TextChoices):
    UNKNOWN = "", "Unknown"
    PRIMARY = "primary", "Primary"
    SECONDARY = "secondary", "Secondary"
    VOCATIONAL = "vocational", "Vocational"
    BACHELOR = "bachelor", "Bachelor"
    POSTGRADUATE = "postgraduate", "Postgraduate"


class Organization(models.Model):
    name = models.CharField(max_length=200, unique=True)
    domain = models.CharField(
        max_length=200, blank=True, help_text="Email domain of its people, e.g. acme.ph"
    )
    shares_tickets = models.BooleanField(
        default=False, help_text="Members may see each other's tickets in the portal."
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    salutation = models.CharField(max_length=40, blank=True, help_text="Mr, Ms, Dr, Miss, Sir …")
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="customers"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customer",
        help_text="The portal login, if the customer has one.",
    )
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2, e.g. PH.")
    region = models.CharField(max_length=100, blank=True)
    city = models.CharField(max_length=100, blank=True)
    language = models.CharField(max_length=16, blank=True)
    timezone = models.CharField(max_length=64, blank=True)
    age_band = models.CharField(max_length=10, choices=AgeBand.choices, blank=True)
    education = models.CharField(max_length=20, choices=Education.choices, blank=True)
    tier = models.CharField(max_length=10, choices=Tier.choices, default=Tier.STANDARD)
    lifetime_value = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["last_name", "first_name"], name="customer_name_idx")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        name = " ".join(part for part in (self.first_name, self.last_name) if part)
        return name or f"Customer #{self.pk}"

    @property
    def formal_name(self) -> str:
        """Salutation and surname, as scripts greet: 'Ms Santos'."""
        return " ".join(part for part in (self.salutation, self.last_name or self.first_name) if part)


class ContactPoint(models.Model):
    """One way to reach a customer. The normalised value is unique, which is how duplicates are found."""

    class Kind(models.TextChoices):
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone"
        SOCIAL = "social", "Social"

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contact_points")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    network = models.CharField(max_length=20, blank=True, help_text="For social handles: facebook, x, …")
    value = models.CharField(max_length=254, help_text="As the customer wrote it.")
    normalized = models.CharField(max_length=254)
    is_primary = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "network", "normalized"], name="contactpoint_unique"),
        ]
        ordering = ["-is_primary", "id"]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class Segment(models.Model):
    """A saved rule over profile fields, e.g. 'tier = gold and country = PH'."""

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    rule = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
