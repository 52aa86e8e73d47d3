from django.contrib import admin
from django.http import HttpRequest, JsonResponse
from django.urls import path

from frontline.api.api import api
from frontline.connectors.email.views import inbound_mime


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("healthz", health),
    path("inbound/email/<int:mailbox_id>", inbound_mime, name="email-inbound"),
]

admin.site.site_header = "Frontline administration"
admin.site.site_title = "Frontline"
