from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "frontline.plans"
    label = "plans"
