from django.contrib import admin
from django.urls import include, path, re_path

from frontline.api.api import api
from frontline.api.errors import api_path_not_found
from frontline.api.health import health
from frontline.connectors.email.views import inbound_mime

urlpatterns = [
    # The API's JSON error, not an HTML page, for its root and for any path no endpoint has.
    path("api/v1/", api_path_not_found),
    path("api/v1/", api.urls),
    re_path(r"^api/v1/", api_path_not_found),
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
