"""ASGI entry point: HTTP through Django, websockets through Channels (session-authenticated)."""

import os
from typing import Any

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontline.settings")
django_application = get_asgi_application()  # sets Django up before the imports below

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.db import database_sync_to_async  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from frontline.accounts.selectors import session_passed_second_factor  # noqa: E402
from frontline.websockets import (  # noqa: E402
    websocket_urlpatterns,
    widget_websocket_urlpatterns,
)


class _SecondFactorRequired:
    """Staff sockets act as the session's user only if the session passed the user's second factor."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: Any, receive: Any, send: Any) -> Any:
        user = scope.get("user")
        if user is not None and user.is_authenticated:
            passed = await database_sync_to_async(session_passed_second_factor)(
                user=user, session=scope["session"]
            )
            if not passed:
                scope = {**scope, "user": AnonymousUser()}
        return await self.inner(scope, receive, send)


class _WebsocketByPath:
    """Send a socket to the staff stack, or to the widget routes when only they match."""

    def __init__(self, staff: Any, widget: Any) -> None:
        self.staff = staff
        self.widget = widget
        self.staff_paths = [route.pattern for route in websocket_urlpatterns]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> Any:
        path = scope.get("path", "").lstrip("/")
        if any(pattern.match(path) for pattern in self.staff_paths):
            return await self.staff(scope, receive, send)
        return await self.widget(scope, receive, send)


application = ProtocolTypeRouter(
    {
        # Every middleware is async-capable, so a request crosses into the sync thread once, for
        # the view. (WhiteNoise, sync-only, made each request hop threads at every middleware.)
        "http": ASGIStaticFilesHandler(django_application),
        "websocket": _WebsocketByPath(
            # The staff sockets: session-authenticated, only from Frontline's own pages.
            AllowedHostsOriginValidator(
                AuthMiddlewareStack(_SecondFactorRequired(URLRouter(websocket_urlpatterns)))
            ),
            # The chat widget on a business's site: the consumer checks that site's origins.
            URLRouter(widget_websocket_urlpatterns),
        ),
    }
)
