from django.apps import AppConfig


class WebchatConnectorConfig(AppConfig):
    name = "frontline.connectors.webchat"
    label = "webchat_connector"
    verbose_name = "Web chat widget"

    def ready(self) -> None:
        from frontline.connectors.webchat.signals import connect

        connect()
