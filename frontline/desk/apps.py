from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class DeskConfig(AppConfig):
    name = "frontline.desk"
    label = "desk"
    verbose_name = "Agent desk"


class FrontlineAdminConfig(admin_apps.AdminConfig):
    """Installed instead of "django.contrib.admin": `admin.site` signs in through the desk (admin_site.py)."""

    default = False  # "frontline.desk" itself is DeskConfig
    default_site = "frontline.desk.admin_site.FrontlineAdminSite"
