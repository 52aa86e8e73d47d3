from django.apps import AppConfig


class RemediesConfig(AppConfig):
    name = "frontline.remedies"
    label = "remedies"
    verbose_name = "Remedies"
