from django.apps import AppConfig


class ScriptsConfig(AppConfig):
    name = "frontline.scripts"
    label = "scripts"
    verbose_name = "Scripts"

    def ready(self) -> None:
        from frontline.scripts.signals import connect

        connect()
