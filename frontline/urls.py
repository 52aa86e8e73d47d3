from django.contrib import admin
from django.http import HttpRequest, JsonResponse
from django.urls import include, path

from frontline.api.api import api
from frontline.connectors.email.selectors import email_health
from frontline.connectors.email.views import inbound_mime


def health(request: HttpRequest) -> JsonResponse:
    """Liveness plus what an operator must watch: mail waiting to be processed and mail in quarantine."""
    return JsonResponse({"status": "ok", "email": email_health()})


urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("healthz", health),
    path("inbound/email/<int:mailbox_id>", inbound_mime, name="email-inbound"),
    path("inbound/", include("frontline.connectors.messaging.urls")),
    path("voice/", include("frontline.connectors.voice.urls")),
    path("chat/", include("frontline.connectors.webchat.urls")),
    path("survey/", include("frontline.feedback.urls")),
    path("help/", include("frontline.knowledge.urls")),
    path("desk/", include("frontline.desk.urls")),
    path("portal/", include("frontline.portal.urls")),
]

admin.site.site_header = "Frontline administration"
admin.site.site_title = "Frontline"
