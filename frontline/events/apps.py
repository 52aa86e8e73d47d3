from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "frontline.events"
    label = "events"
