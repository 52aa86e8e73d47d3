from django.apps import AppConfig


class EscalationsConfig(AppConfig):
    name = "frontline.escalations"
    label = "escalations"
    verbose_name = "Escalations"

    def ready(self) -> None:
        from frontline.escalations.signals import connect

        connect()
