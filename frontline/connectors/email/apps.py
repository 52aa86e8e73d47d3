from django.apps import AppConfig


class EmailConnectorConfig(AppConfig):
    name = "frontline.connectors.email"
    label = "email_connector"
    verbose_name = "Email channel"

    def ready(self) -> None:
        from frontline.connectors.email.signals import connect

        connect()
