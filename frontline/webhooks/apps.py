from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "frontline.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from frontline.webhooks.signals import connect

        connect()
