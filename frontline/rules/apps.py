from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "frontline.rules"
    label = "rules"
    verbose_name = "Rules"
