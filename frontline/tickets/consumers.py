"""Websocket: live events of one ticket, for everyone allowed to see it.

ws://host/ws/tickets/<id>/   (signed-in session)  →  {"verb": "message.added", ...} per change
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from frontline.accounts.models import User
from frontline.core.errors import NotFound
from frontline.customers.selectors import principal_for_user
from frontline.events.realtime import JsonConsumer
from frontline.tickets.selectors import ticket_get_for_principal

NOT_SIGNED_IN = 4401
NOT_FOUND = 4404
PRESENCE_STATES = ("viewing", "typing")


@database_sync_to_async
def _is_staff(user: User) -> bool:
    return principal_for_user(user).is_staff_member


@database_sync_to_async
def _may_see(user: User, ticket_id: int) -> bool:
    try:
        ticket_get_for_principal(principal=principal_for_user(user), ticket_id=ticket_id)
    except NotFound:
        return False
    return True


class TicketEventsConsumer(JsonConsumer):
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

    # --- Who else is on the ticket (staff only): {"type": "presence", "user", "name", "state"}
    # A staff page sends {"type": "typing"} or {"type": "viewing"}; joining asks the others to say
    # where they are; leaving says "left". Customers' sockets neither send nor receive presence.

    is_staff: bool = False
    state: str = "viewing"

    async def websocket_connect(self, message: dict[str, Any]) -> None:
        await super().websocket_connect(message)
        user = self.scope.get("user")
        if self.group and isinstance(user, User):
            self.is_staff = await _is_staff(user)
            if self.is_staff:
                await self._announce("viewing")
                ask = {"type": "presence.ask", "reply_to": self.channel_name}
                await self.channel_layer.group_send(self.group, ask)

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        if self.group and self.is_staff:
            await self._announce("left")
        await super().websocket_disconnect(message)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not self.is_staff or not isinstance(content, dict):
            return
        state = content.get("type")
        if state in PRESENCE_STATES and state != self.state:
            await self._announce(state)

    async def _announce(self, state: str) -> None:
        self.state = state
        assert self.group is not None
        await self.channel_layer.group_send(self.group, self._presence(state))

    def _presence(self, state: str) -> dict[str, Any]:
        user = self.scope["user"]
        return {
            "type": "presence.changed",
            "sender": self.channel_name,
            "user": user.pk,
            "name": user.get_full_name() or user.get_username(),
            "state": state,
        }

    async def presence_ask(self, message: dict[str, Any]) -> None:
        if self.is_staff and message["reply_to"] != self.channel_name:
            await self.channel_layer.send(message["reply_to"], self._presence(self.state))

    async def presence_changed(self, message: dict[str, Any]) -> None:
        if self.is_staff and message["sender"] != self.channel_name:
            fields = {key: message[key] for key in ("user", "name", "state")}
            await self.send_json({"type": "presence", **fields})
