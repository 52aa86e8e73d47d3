"""Server-side state of the portal's emailed links: sign-in links and web-form submissions awaiting
confirmation. Only a digest of each link's secret is stored, so a database leak cannot sign anyone in."""

from __future__ import annotations

from django.db import models

from frontline.customers.models import Customer
from frontline.tickets.models import Ticket


class MagicLink(models.Model):
    """A single-use, expiring sign-in link emailed to one of a customer's addresses."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="portal_links")
    digest = models.CharField(max_length=64, unique=True)
    email = models.CharField(max_length=254)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"sign-in link for customer {self.customer_id}"


class PendingSubmission(models.Model):
    """An anonymous web-form submission held until its sender confirms the email address.

    `attachments` lists the uploaded files kept in storage meanwhile: name, path, content type.
    """

    digest = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200, blank=True)
    email = models.CharField(max_length=254)
    subject = models.CharField(max_length=250)
    description = models.TextField()
    product = models.CharField(max_length=120, blank=True)
    category = models.CharField(max_length=80, blank=True)
    language = models.CharField(max_length=16, blank=True)
    attachments = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"pending web form from {self.email}"
