from django.contrib import admin
from django.http import HttpRequest, JsonResponse
from django.urls import path

from frontline.api.api import api


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("healthz", health),
]

admin.site.site_header = "Frontline administration"
admin.site.site_title = "Frontline"
