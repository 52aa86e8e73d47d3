"""Websocket routes (HTTP routes are in urls.py).

Staff sockets accept only pages served by Frontline itself (ALLOWED_HOSTS); the chat widget
runs on the business's own sites, so its socket checks each site's allowed origins instead.
"""

from django.urls import path
from django.utils.module_loading import import_string

from frontline.notifications.consumers import MyNotificationsConsumer
from frontline.routing.consumers import WallboardConsumer
from frontline.tickets.consumers import TicketEventsConsumer

_CHAT = "frontline.connectors.webchat.consumers"

websocket_urlpatterns = [
    path("ws/tickets/<int:ticket_id>/", TicketEventsConsumer.as_asgi()),
    path("ws/me/", MyNotificationsConsumer.as_asgi()),
    path("ws/wallboard/", WallboardConsumer.as_asgi()),
    # By dotted path, as urls.py includes apps: the chat connector sits above routing in the layers.
    path("ws/chat/agents/", import_string(f"{_CHAT}.ChatAgentsConsumer").as_asgi()),
]

# Sockets opened from customers' pages on other origins; each consumer checks the origin itself.
widget_websocket_urlpatterns = [
    path("ws/chat/<str:site_key>/", import_string(f"{_CHAT}.ChatConsumer").as_asgi()),
]
