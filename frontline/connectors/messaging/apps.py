from django.apps import AppConfig


class MessagingConnectorConfig(AppConfig):
    name = "frontline.connectors.messaging"
    label = "messaging_connector"
    verbose_name = "SMS and social messaging"

    def ready(self) -> None:
        from frontline.connectors.messaging.signals import connect

        connect()
