from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "frontline.security"
    label = "security"
    verbose_name = "Security"

    def ready(self) -> None:
        from frontline.security import checks  # noqa: F401  (registers the system checks)
