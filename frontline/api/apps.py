from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "frontline.api"
    label = "frontline_api"
