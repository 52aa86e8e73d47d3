"""ASGI entry point: HTTP through Django, websockets through Channels (session-authenticated)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontline.settings")
django_application = get_asgi_application()  # sets Django up before the imports below

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from frontline.websockets import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        # Every middleware is async-capable, so a request crosses into the sync thread once, for
        # the view. (WhiteNoise, sync-only, made each request hop threads at every middleware.)
        "http": ASGIStaticFilesHandler(django_application),
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
