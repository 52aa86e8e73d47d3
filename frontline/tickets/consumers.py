"""Websocket: live events of one ticket, for everyone allowed to see it.

ws://host/ws/tickets/<id>/   (signed-in session)  →  {"verb": "message.added", ...} per change
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from frontline.accounts.models import User
from frontline.core.errors import NotFound
from frontline.customers.selectors import principal_for_user
from frontline.tickets.selectors import ticket_get_for_principal

NOT_SIGNED_IN = 4401
NOT_FOUND = 4404


@database_sync_to_async
def _may_see(user: User, ticket_id: int) -> bool:
    try:
        ticket_get_for_principal(principal=principal_for_user(user), ticket_id=ticket_id)
    except NotFound:
        return False
    return True


class TicketEventsConsumer(AsyncJsonWebsocketConsumer):
    group: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if not isinstance(user, User) or not user.is_authenticated:
            await self.close(code=NOT_SIGNED_IN)
            return
        ticket_id = int(self.scope["url_route"]["kwargs"]["ticket_id"])
        if not await _may_see(user, ticket_id):
            await self.close(code=NOT_FOUND)  # the same answer as for a ticket that does not exist
            return
        self.group = f"ticket.{ticket_id}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def event_recorded(self, message: dict[str, Any]) -> None:
        await self.send_json({key: value for key, value in message.items() if key != "type"})
