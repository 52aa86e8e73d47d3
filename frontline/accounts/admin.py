from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest, HttpResponse

from frontline.accounts.forms import SetPasswordThroughService, acting_as
from frontline.accounts.models import AgentProfile, AgentSkill, ApiToken, Skill, Team, User
from frontline.events.admin import EventedAdmin


@admin.register(User)
class UserAdmin(EventedAdmin, BaseUserAdmin[User]):
    list_display = ("username", "email", "first_name", "last_name", "is_active", "is_staff")
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), ("Preferences", {"fields": ("language", "timezone")}))
    change_password_form = SetPasswordThroughService

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        with acting_as(request):
            return super().user_change_password(request, id, form_url)


@admin.register(Team)
class TeamAdmin(EventedAdmin):
    list_display = ("name", "is_private", "lead")
    search_fields = ("name",)


@admin.register(Skill)
class SkillAdmin(EventedAdmin):
    search_fields = ("name",)


class AgentSkillInline(admin.TabularInline[AgentSkill, AgentProfile]):
    model = AgentSkill
    extra = 0


@admin.register(AgentProfile)
class AgentProfileAdmin(EventedAdmin):
    list_display = ("user", "cost_per_hour", "currency")
    filter_horizontal = ("teams",)
    inlines = [AgentSkillInline]
    search_fields = ("user__username", "user__first_name", "user__last_name")


@admin.register(ApiToken)
class ApiTokenAdmin(EventedAdmin):
    list_display = ("name", "user", "prefix", "scope", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "digest", "created_at", "last_used_at")
    list_filter = ("scope",)
