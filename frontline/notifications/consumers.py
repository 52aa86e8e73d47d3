"""Websocket: the signed-in staff member's own notifications, live.

ws://host/ws/me/   (signed-in session)  →  {"type": "notification", "id": ..., "title": ...}
"""

from __future__ import annotations

from typing import Any

from frontline.accounts.models import User
from frontline.events.realtime import JsonConsumer
from frontline.notifications.delivery import user_group

NOT_SIGNED_IN = 4401


class MyNotificationsConsumer(JsonConsumer):
    group: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if not isinstance(user, User) or not user.is_authenticated:
            await self.close(code=NOT_SIGNED_IN)
            return
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def personal_push(self, message: dict[str, Any]) -> None:
        """Other apps' messages for this person (routing offers, presence) pass through as they are."""
        await self.send_json(message["payload"])

    async def notification_created(self, message: dict[str, Any]) -> None:
        await self.send_json({**{k: v for k, v in message.items() if k != "type"}, "type": "notification"})
