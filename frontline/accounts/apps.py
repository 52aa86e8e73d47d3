from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "frontline.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from frontline.accounts.roles import sync_role_groups

        # After every app's migrate, since permissions of apps listed later are created then.
        post_migrate.connect(sync_role_groups, dispatch_uid="frontline-role-groups")
