from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "frontline.notifications"
    label = "notifications"
    verbose_name = "Notifications"
