from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "frontline.feedback"
    label = "feedback"
    verbose_name = "Feedback"

    def ready(self) -> None:
        from frontline.feedback.signals import connect

        connect()
