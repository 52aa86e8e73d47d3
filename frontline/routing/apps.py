from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "frontline.routing"
    label = "routing"
    verbose_name = "Routing"

    def ready(self) -> None:
        from frontline.routing.signals import connect

        connect()
