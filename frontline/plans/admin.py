from django.contrib import admin

from frontline.events.admin import EventedAdmin
from frontline.plans.models import Plan, PlanVersion


class PlanVersionInline(admin.TabularInline[PlanVersion, Plan]):
    model = PlanVersion
    extra = 0
    fields = ("number", "status", "summary", "effective_from", "effective_until")
    readonly_fields = ("status", "effective_from", "effective_until")


@admin.register(Plan)
class PlanAdmin(EventedAdmin):
    list_display = ("name", "segment", "precedence")
    inlines = [PlanVersionInline]


@admin.register(PlanVersion)
class PlanVersionAdmin(EventedAdmin):
    list_display = ("plan", "number", "status", "effective_from", "effective_until")
    list_filter = ("status", "plan")
    readonly_fields = ("status", "effective_from", "effective_until")
