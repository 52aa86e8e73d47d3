from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "frontline.rules"
    label = "rules"
    verbose_name = "Rules"

    def ready(self) -> None:
        from frontline.rules.signals import connect

        connect()
