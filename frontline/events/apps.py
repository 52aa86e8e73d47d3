from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "frontline.events"
    label = "events"

    def ready(self) -> None:
        from frontline.events.realtime import publish
        from frontline.events.signals import event_recorded

        event_recorded.connect(publish, dispatch_uid="frontline-events-realtime")
