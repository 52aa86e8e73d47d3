from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "frontline.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from frontline.accounts.roles import sync_role_groups

        # After every app's migrate, since permissions of apps listed later are created then.
        post_migrate.connect(sync_role_groups, dispatch_uid="frontline-role-groups")

        from django.db.models.signals import m2m_changed, post_delete, post_save

        from frontline.accounts.models import AgentProfile, Team, User
        from frontline.accounts.selectors import staff_scope_forget

        for model in (User, AgentProfile, Team):
            post_save.connect(staff_scope_forget, sender=model, dispatch_uid=f"scope-save-{model.__name__}")
            post_delete.connect(
                staff_scope_forget, sender=model, dispatch_uid=f"scope-delete-{model.__name__}"
            )
        for through in (User.groups.through, AgentProfile.teams.through):
            m2m_changed.connect(
                staff_scope_forget, sender=through, dispatch_uid=f"scope-m2m-{through.__name__}"
            )
