from django.apps import AppConfig


class VoiceConnectorConfig(AppConfig):
    name = "frontline.connectors.voice"
    label = "voice_connector"
    verbose_name = "Voice channel"

    def ready(self) -> None:
        from frontline.connectors.voice.signals import connect

        connect()
