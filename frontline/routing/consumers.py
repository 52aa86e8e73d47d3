"""Websockets of the contact center.

ws://host/ws/wallboard/  (supervisors)  →  {"type": "wallboard", "queues": [...]} on connect and on
every routing change. Offers and presence changes for one agent arrive on ws://host/ws/me/ as
{"type": "routing", ...} (see frontline.notifications.consumers).
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from django.core.serializers.json import DjangoJSONEncoder

from frontline.accounts.models import User
from frontline.customers.selectors import principal_for_user
from frontline.events.realtime import JsonConsumer

NOT_SIGNED_IN = 4401
FORBIDDEN = 4403
WALLBOARD = "wallboard"


@database_sync_to_async
def _is_supervisor(user: User) -> bool:
    return principal_for_user(user).is_supervisor_or_admin


@database_sync_to_async
def _board() -> list[dict[str, Any]]:
    from frontline.routing import selectors

    return [
        selectors.stats_dict(selectors.queue_stats(queue=q))
        for q in selectors.queue_list().filter(active=True)
    ]


class WallboardConsumer(JsonConsumer):
    joined = False

    @classmethod
    async def encode_json(cls, content: Any) -> str:
        import json

        return json.dumps(content, cls=DjangoJSONEncoder)

    async def connect(self) -> None:
        user = self.scope.get("user")
        if not isinstance(user, User) or not user.is_authenticated:
            await self.close(code=NOT_SIGNED_IN)
            return
        if not await _is_supervisor(user):
            await self.close(code=FORBIDDEN)
            return
        await self.channel_layer.group_add(WALLBOARD, self.channel_name)
        self.joined = True
        await self.accept()
        await self.send_json({"type": "wallboard", "queues": await _board()})

    async def disconnect(self, code: int) -> None:
        if self.joined:
            await self.channel_layer.group_discard(WALLBOARD, self.channel_name)

    async def wallboard_changed(self, message: dict[str, Any]) -> None:
        await self.send_json({"type": "wallboard", "queues": await _board()})
