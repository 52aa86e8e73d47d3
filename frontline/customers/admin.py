from django.contrib import admin

from frontline.customers.models import ContactPoint, Customer, Organization, Segment
from frontline.events.admin import EventedAdmin


class ContactPointInline(admin.TabularInline[ContactPoint, Customer]):
    model = ContactPoint
    extra = 0
    readonly_fields = ("normalized",)


@admin.register(Customer)
class CustomerAdmin(EventedAdmin):
    list_display = ("__str__", "organization", "tier", "country", "language", "lifetime_value")
    list_filter = ("tier", "country", "language")
    search_fields = ("first_name", "last_name", "contact_points__normalized")
    inlines = [ContactPointInline]
    raw_id_fields = ("user",)


@admin.register(Organization)
class OrganizationAdmin(EventedAdmin):
    list_display = ("name", "domain", "shares_tickets")
    search_fields = ("name", "domain")


@admin.register(Segment)
class SegmentAdmin(EventedAdmin):
    list_display = ("name", "rule")
    search_fields = ("name",)
