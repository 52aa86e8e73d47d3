"""Websocket routes (HTTP routes are in urls.py)."""

from django.urls import path

from frontline.notifications.consumers import MyNotificationsConsumer
from frontline.routing.consumers import WallboardConsumer
from frontline.tickets.consumers import TicketEventsConsumer

websocket_urlpatterns = [
    path("ws/tickets/<int:ticket_id>/", TicketEventsConsumer.as_asgi()),
    path("ws/me/", MyNotificationsConsumer.as_asgi()),
    path("ws/wallboard/", WallboardConsumer.as_asgi()),
]
