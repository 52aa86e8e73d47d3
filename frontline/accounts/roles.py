"""The staff roles as Django groups, with the model permissions the admin site checks."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission

from frontline.accounts.models import Role

APPS = (
    "accounts",
    "customers",
    "tickets",
    "plans",
    "events",
    "email_connector",
    "messaging_connector",
    "sla",
    "notifications",
    "webhooks",
    "escalations",
    "rules",
    "scripts",
    "routing",
    "voice_connector",
    "webchat_connector",
    "knowledge",
    "remedies",
    "feedback",
)

#: Only admins: users and groups, and staff second-factor devices (to reset a lost authenticator).
ADMIN_ONLY_APPS = ("auth", "otp_totp")

# Agents work tickets and customers; supervisors also manage teams, segments and plans;
# admins have every permission of the Frontline apps.
_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    Role.AGENT: {
        "tickets": ("view", "add", "change"),
        "customers": ("view", "add", "change"),
        "accounts": ("view",),
        "plans": ("view",),
        "events": ("view",),
        "sla": ("view",),
        "notifications": ("view", "change"),
        "escalations": ("view",),
        "rules": ("view",),
        "scripts": ("view",),
        "routing": ("view",),
        "voice_connector": ("view",),
        "webchat_connector": ("view",),
        "knowledge": ("view",),
        "remedies": ("view", "add"),
        "feedback": ("view",),
    },
    Role.SUPERVISOR: {
        "tickets": ("view", "add", "change", "delete"),
        "customers": ("view", "add", "change"),
        "accounts": ("view", "change"),
        "plans": ("view", "add", "change"),
        "events": ("view",),
        "email_connector": ("view",),
        "messaging_connector": ("view",),
        "sla": ("view", "add", "change"),
        "notifications": ("view", "change"),
        "escalations": ("view", "add", "change"),
        "rules": ("view", "add", "change"),
        "webhooks": ("view",),
        "scripts": ("view", "add", "change"),
        "routing": ("view", "add", "change"),
        "voice_connector": ("view", "add", "change"),
        "webchat_connector": ("view", "add", "change"),
        "knowledge": ("view", "add", "change"),
        "remedies": ("view", "add", "change"),
        "feedback": ("view", "add", "change"),
    },
}


def sync_role_groups(**kwargs: Any) -> None:
    """Create or update the role groups (run after every migrate; idempotent).

    Django sends post_migrate once per app; the groups are set once, after the last app's, when
    every app's permissions exist (tests that flush the database run this after each test).
    """
    from django.apps import apps

    app_config = kwargs.get("app_config")
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if app_config is not None and app_config is not with_models[-1]:
        return  # Django signals only the apps that have models, in INSTALLED_APPS order
    permissions = list(
        Permission.objects.filter(content_type__app_label__in=(*APPS, *ADMIN_ONLY_APPS)).select_related(
            "content_type"
        )
    )
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        if role == Role.ADMIN:  # admins also manage users, groups and second factors
            group.permissions.set(permissions)
            continue
        grants = _GRANTS[role]
        group.permissions.set(
            p
            for p in permissions
            if p.content_type.app_label not in ADMIN_ONLY_APPS
            and p.codename.split("_", 1)[0] in grants.get(p.content_type.app_label, ())
        )
