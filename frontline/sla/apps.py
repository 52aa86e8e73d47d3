from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "frontline.sla"
    label = "sla"
    verbose_name = "SLAs"

    def ready(self) -> None:
        from frontline.sla.signals import connect

        connect()
