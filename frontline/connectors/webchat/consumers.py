"""Websockets of the web chat: the customer's widget, and the agents' live feed of chats.

ws://host/ws/chat/<site key>/?lang=fil   the widget (no sign-in; the page's Origin must be allowed)

    → {"type": "ready", "language", "strings", "open", "opens_at", "offers", "attachment_max_bytes"}
    ← {"type": "suggest", "q"}                       → {"type": "suggestions", "q", "articles"}
    ← {"type": "solved", "article_id", "q"}          → {"type": "deflected"}
    ← {"type": "start", "name", "email", "question"} → {"type": "started", "token", ...} + lines
    ← {"type": "resume", "token", "last_seq"}        → {"type": "resumed", ...} + every line after last_seq
    ← {"type": "message", "client_id", "text"}       → {"type": "ack", "client_id", "seq"} + the line
    ← {"type": "typing", "is_typing"} / {"type": "read", "seq"}
    ← {"type": "leave_message", "name", "email", "text"} / {"type": "callback", "name", "phone"}
    ← {"type": "transcript"} / {"type": "end"} / {"type": "ping"}
    → {"type": "message", "seq", "author", "name", "text", "client_id", "at"}   each line once, in order
      (a file's line adds "attachment": {"id", "name", "size", "content_type", "url"}, a signed link)

Files go up over HTTP (views.attachment_upload) and come back as lines like any other.
    → {"type": "agent_joined", "name"} / {"type": "typing", ...} / {"type": "read", "seq"}
    → {"type": "fallback", "reason"} / {"type": "ended"} / {"type": "error", "code", "message", ...}

ws://host/ws/chat/agents/   signed-in staff who may view chats: customer lines, typing and reads of the
    chats whose tickets they may see (`selectors.agents_groups`);
    ← {"type": "typing", "conversation", "is_typing"} / {"type": "read", "conversation", "seq"}

Lines are numbered per conversation; this connection remembers the last number it sent and never
sends one twice, and fills any gap from the database (a resume, or a line published while the
connection was busy), so the widget sees each line exactly once and in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import weakref
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.utils import timezone
from django.utils import translation as i18n
from django.utils.translation import gettext as _

from frontline.accounts.models import User
from frontline.connectors.webchat import origins, selectors, services
from frontline.connectors.webchat.models import Conversation, Site
from frontline.connectors.webchat.ratelimit import TokenBucket
from frontline.core.errors import DomainError, Invalid
from frontline.customers.selectors import principal_for_user
from frontline.events.realtime import JsonConsumer

NOT_FOUND = 4404
ORIGIN_REFUSED = 4403
NOT_SIGNED_IN = 4401
TOO_FAST = 4429


def _header(scope: dict[str, Any], name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return ""


def _rate(setting: str, default: tuple[float, float]) -> TokenBucket:
    capacity, per_second = getattr(settings, setting, default)
    return TokenBucket(capacity=float(capacity), rate=float(per_second))


@database_sync_to_async
def _site(key: str) -> Site | None:
    return selectors.site_get_by_key(key)


@database_sync_to_async
def _ready(language: str) -> dict[str, Any]:
    availability = selectors.chat_availability()
    return {
        "type": "ready",
        "language": language,
        "strings": selectors.strings(language),
        "open": availability.is_open,
        "opens_at": availability.opens_at.isoformat() if availability.opens_at else None,
        "offers": ["leave_message", "callback"] if selectors.callback_line() else ["leave_message"],
        "attachment_max_bytes": services.attachment_max_bytes(),
    }


def _state(conversation: Conversation) -> dict[str, Any]:
    return {
        "conversation": conversation.pk,
        "state": conversation.state,
        "agent_name": conversation.agent_name,
        "last_seq": conversation.last_seq,
        "agent_read_seq": conversation.agent_read_seq,
    }


class _LineWriter:
    """Group commit of the customers' lines of this process (one per event loop).

    Lines wait while the previous batch is being written, then go to the database together in one
    transaction (`services.lines_receive`), so a busy server writes many lines for the cost of
    one commit and one hop to the database thread; an idle one writes each line at once (nothing
    waits on a timer). After the commit the batch is announced: each line to its conversation's
    tabs, and all new lines to the agents in one channel-layer message.
    """

    def __init__(self) -> None:
        self.waiting: list[tuple[services.LineIn, asyncio.Future[services.LineOut]]] = []
        self.running = False
        self.task: asyncio.Future[None] | None = None

    async def submit(self, line: services.LineIn) -> services.LineOut:
        future: asyncio.Future[services.LineOut] = asyncio.get_running_loop().create_future()
        self.waiting.append((line, future))
        if not self.running:
            self.running = True
            self.task = asyncio.ensure_future(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self.waiting:
                batch, self.waiting = self.waiting[:BATCH], self.waiting[BATCH:]
                try:
                    results = await database_sync_to_async(services.lines_receive)(
                        lines=[line for line, _ in batch]
                    )
                except Exception as exc:  # the database failed: every line of the batch gets the error
                    for _line, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                for (_line, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(result)
                await self._announce(results)
        finally:
            self.running = False

    async def _announce(self, results: list[services.LineOut]) -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        to_agents: dict[str, list[dict[str, Any]]] = {}
        to_tabs: list[tuple[str, dict[str, Any]]] = []
        for result in results:
            if result.entry is None or not result.created:
                continue
            for group, message in services.announcements(result.entry.conversation, result.entry):
                if group.startswith(selectors.AGENTS_GROUP_PREFIX):
                    to_agents.setdefault(group, []).append(message["data"])
                else:
                    to_tabs.append((group, message))
        # The agents first, one message per feed group: they are the ones waiting for a reply.
        await asyncio.gather(
            *(
                layer.group_send(group, {"type": "chat.agents.many", "items": items})
                for group, items in to_agents.items()
            )
        )
        await asyncio.gather(*(layer.group_send(group, message) for group, message in to_tabs))


BATCH = 500
_writers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LineWriter] = weakref.WeakKeyDictionary()


def _writer() -> _LineWriter:
    loop = asyncio.get_running_loop()
    if loop not in _writers:
        _writers[loop] = _LineWriter()
    return _writers[loop]


class ChatConsumer(JsonConsumer):
    """One widget connection (a browser tab)."""

    site: Site
    conversation: Conversation | None = None
    group: str | None = None
    sent_seq = 0
    language = "en"
    fallback_task: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        site = await _site(str(self.scope["url_route"]["kwargs"]["site_key"]))
        if site is None:
            await self.close(code=NOT_FOUND)
            return
        origin = _header(self.scope, b"origin")
        if not origins.is_allowed(origin, list(site.allowed_origins)):
            await self.close(code=ORIGIN_REFUSED)
            return
        self.site = site
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        self.language = selectors.language_pick(
            (query.get("lang") or [""])[0], _header(self.scope, b"accept-language")
        )
        self.messages_bucket = _rate("FRONTLINE_CHAT_MESSAGE_RATE", (5, 1.0))
        self.frames_bucket = _rate("FRONTLINE_CHAT_FRAME_RATE", (40, 10.0))
        await self.accept()
        await self.send_json(await _ready(self.language))

    async def disconnect(self, code: int) -> None:
        if self.fallback_task is not None:
            self.fallback_task.cancel()
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    # --- from the widget ---------------------------------------------------------------------------

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not self.frames_bucket.take(time.monotonic()):
            await self.close(code=TOO_FAST)
            return
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self._error("bad_frame", _("Not a chat message."))
            return
        handler = getattr(self, f"on_{content['type']}", None)
        if handler is None:
            await self._error("bad_frame", _("Not a chat message."))
            return
        try:
            with i18n.override(self.language):
                await handler(content)
        except DomainError as exc:
            await self._error(exc.code, exc.message, field=exc.field, client_id=content.get("client_id"))

    async def _error(self, code: str, message: str, **extra: Any) -> None:
        await self.send_json(
            {"type": "error", "code": code, "message": message, **{k: v for k, v in extra.items() if v}}
        )

    async def on_ping(self, content: dict[str, Any]) -> None:
        await self.send_json({"type": "pong"})

    async def on_suggest(self, content: dict[str, Any]) -> None:
        query = str(content.get("q") or "")[:200]
        articles = await database_sync_to_async(selectors.suggestions)(query=query, language=self.language)
        await self.send_json({"type": "suggestions", "q": query, "articles": articles})

    async def on_solved(self, content: dict[str, Any]) -> None:
        await database_sync_to_async(services.deflection_from_chat)(
            article_id=content.get("article_id"), query=str(content.get("q") or ""), language=self.language
        )
        await self.send_json({"type": "deflected"})

    async def on_start(self, content: dict[str, Any]) -> None:
        if self.conversation is not None:
            await self._error("already_started", _("This chat has started already."))
            return
        client = self.scope.get("client") or ("", 0)
        started = await database_sync_to_async(services.conversation_start)(
            site=self.site,
            name=content.get("name") or "",
            email=content.get("email") or "",
            question=content.get("question") or "",
            language=self.language,
            ip=str(client[0]),
        )
        await self._join(started.conversation)
        await self.send_json({"type": "started", "token": started.token, **_state(started.conversation)})
        await self._catch_up()
        self._watch_for_fallback()

    async def on_resume(self, content: dict[str, Any]) -> None:
        last_seq = content.get("last_seq", 0)
        if not isinstance(last_seq, int) or isinstance(last_seq, bool) or last_seq < 0:
            await self._error("bad_frame", _("Not a message number."), field="last_seq")
            return
        conversation = await database_sync_to_async(services.conversation_for_token)(
            site=self.site, token=content.get("token") or ""
        )
        if self.conversation is not None and self.conversation.pk != conversation.pk:
            await self._error("already_started", _("This chat has started already."))
            return
        await self._join(conversation)  # listen first, then read: nothing falls between the two
        self.sent_seq = min(last_seq, conversation.last_seq)
        await self.send_json({"type": "resumed", **_state(conversation)})
        await self._catch_up()
        if conversation.state == Conversation.State.WAITING:
            self._watch_for_fallback()

    async def on_message(self, content: dict[str, Any]) -> None:
        conversation = await self._require_conversation()
        if not self.messages_bucket.take(time.monotonic()):
            await self._error(
                "rate_limited",
                _("You are sending messages too fast. Please wait a moment."),
                client_id=content.get("client_id"),
            )
            return
        client_id, text = content.get("client_id"), content.get("text") or ""
        if not isinstance(client_id, str) or not isinstance(text, str):
            raise Invalid(_("Not a chat message."), field="text")
        result = await _writer().submit(
            services.LineIn(conversation_id=conversation.pk, client_id=client_id, text=text)
        )
        if result.error is not None:
            raise result.error
        entry = result.entry
        assert entry is not None
        await self.send_json({"type": "ack", "client_id": entry.client_id, "seq": entry.seq})
        if entry.seq == self.sent_seq + 1:
            self.sent_seq = entry.seq
            await self.send_json({"type": "message", **services.entry_data(entry)})
        else:
            await self._catch_up(until=entry.seq)

    async def on_typing(self, content: dict[str, Any]) -> None:
        conversation = await self._require_conversation()
        is_typing = bool(content.get("is_typing"))
        await self._to_agents(
            conversation, {"type": "typing", "conversation": conversation.pk, "is_typing": is_typing}
        )

    async def on_read(self, content: dict[str, Any]) -> None:
        conversation = await self._require_conversation()
        updated = await database_sync_to_async(services.read_mark)(
            conversation=conversation, reader="customer", seq=content.get("seq")
        )
        await self._to_agents(
            conversation, {"type": "read", "conversation": conversation.pk, "seq": updated.customer_read_seq}
        )

    async def _to_agents(self, conversation: Conversation, data: dict[str, Any]) -> None:
        groups = await database_sync_to_async(selectors.agents_groups_of)(conversation.pk)
        for group in groups:
            await self.channel_layer.group_send(group, {"type": "chat.agents", "data": data})

    async def on_leave_message(self, content: dict[str, Any]) -> None:
        client = self.scope.get("client") or ("", 0)
        ticket = await database_sync_to_async(services.message_leave)(
            site=self.site,
            name=content.get("name") or "",
            email=content.get("email") or "",
            text=content.get("text") or "",
            conversation=self.conversation,
            ip=str(client[0]),
        )
        await self.send_json({"type": "left", "ticket": ticket.pk})

    async def on_callback(self, content: dict[str, Any]) -> None:
        await database_sync_to_async(services.callback_request)(
            site=self.site,
            name=content.get("name") or "",
            phone=content.get("phone") or "",
            conversation=self.conversation,
        )
        await self.send_json({"type": "callback_requested"})

    async def on_transcript(self, content: dict[str, Any]) -> None:
        conversation = await self._require_conversation()
        await database_sync_to_async(services.transcript_send)(conversation=conversation)
        await self.send_json({"type": "transcript_sent"})

    async def on_end(self, content: dict[str, Any]) -> None:
        conversation = await self._require_conversation()
        ended = await database_sync_to_async(services.conversation_end)(conversation=conversation)
        self.conversation = ended
        await self.send_json({"type": "ended", "state": ended.state})

    # --- to the widget -----------------------------------------------------------------------------

    async def chat_entry(self, message: dict[str, Any]) -> None:
        seq = int(message["entry"]["seq"])
        if seq <= self.sent_seq:
            return  # sent already (by a catch-up)
        if seq > self.sent_seq + 1:
            await self._catch_up(until=seq)  # a gap: lines published while we were busy
            return
        self.sent_seq = seq
        await self.send_json({"type": "message", **message["entry"]})

    async def chat_signal(self, message: dict[str, Any]) -> None:
        data = message["data"]
        if data.get("type") == "agent_joined" and self.fallback_task is not None:
            self.fallback_task.cancel()
        await self.send_json(data)

    # --- helpers -----------------------------------------------------------------------------------

    async def _require_conversation(self) -> Conversation:
        if self.conversation is None:
            raise DomainError(_("Start the chat first."), code="not_started")
        return self.conversation

    async def _join(self, conversation: Conversation) -> None:
        group = services.conversation_group(conversation.pk)
        if self.group != group:
            await self.channel_layer.group_add(group, self.channel_name)
            self.group = group
        self.conversation = conversation

    async def _catch_up(self, until: int | None = None) -> None:
        """Send the lines after the last one sent (up to `until`), from the database, in order."""
        assert self.conversation is not None
        while True:
            entries = await database_sync_to_async(selectors.entries_after)(
                conversation=self.conversation, seq=self.sent_seq, limit=200
            )
            for entry in entries:
                if until is not None and entry.seq > until:
                    return
                self.sent_seq = entry.seq
                await self.send_json({"type": "message", **services.entry_data(entry)})
            if len(entries) < 200:
                return

    def _watch_for_fallback(self) -> None:
        if self.fallback_task is None or self.fallback_task.done():
            self.fallback_task = asyncio.ensure_future(self._fallback_after_wait())

    async def _fallback_after_wait(self) -> None:
        assert self.conversation is not None
        due = self.conversation.started_at.timestamp() + services.accept_seconds()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(max(0.0, due - timezone.now().timestamp()))
            if await database_sync_to_async(services.fallback_due)(conversation=self.conversation):
                await self.send_json({"type": "fallback", "reason": "no_agent"})


@database_sync_to_async
def _feed_groups(user: User) -> list[str] | None:
    """The feed groups this user's socket joins, or None if they may not watch chats."""
    principal = principal_for_user(user)
    if not (principal.is_staff_member and user.has_perm("webchat_connector.view_conversation")):
        return None
    return selectors.agents_groups_for(principal)


def _conversation_for(user: User, conversation_id: int) -> Conversation | None:
    return selectors.conversation_get_for_staff(
        principal=principal_for_user(user), conversation_id=conversation_id
    )


class ChatAgentsConsumer(JsonConsumer):
    """The agents' side: the customer lines, typing and reads of the chats they may see, live."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if not isinstance(user, User) or not user.is_authenticated:
            await self.close(code=NOT_SIGNED_IN)
            return
        groups = await _feed_groups(user)
        if groups is None:
            await self.close(code=NOT_FOUND)
            return
        self.user, self.feed_groups = user, groups
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "feed_groups", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            return
        conversation_id = content.get("conversation")
        if not isinstance(conversation_id, int):
            return
        conversation = await database_sync_to_async(_conversation_for)(self.user, conversation_id)
        if conversation is None:
            await self.send_json({"type": "error", "code": "not_found", "message": "no such conversation"})
            return
        name = self.user.first_name or self.user.get_username()
        if content.get("type") == "typing":
            await self.channel_layer.group_send(
                services.conversation_group(conversation.pk),
                {
                    "type": "chat.signal",
                    "data": {"type": "typing", "name": name, "is_typing": bool(content.get("is_typing"))},
                },
            )
        elif content.get("type") == "read":
            try:
                updated = await database_sync_to_async(services.read_mark)(
                    conversation=conversation, reader="agent", seq=content.get("seq")
                )
            except DomainError as exc:
                await self.send_json({"type": "error", "code": exc.code, "message": exc.message})
                return
            await self.channel_layer.group_send(
                services.conversation_group(conversation.pk),
                {"type": "chat.signal", "data": {"type": "read", "seq": updated.agent_read_seq}},
            )

    async def chat_agents(self, message: dict[str, Any]) -> None:
        await self.send_json(message["data"])

    async def chat_agents_many(self, message: dict[str, Any]) -> None:
        for item in message["items"]:
            await self.send_json(item)
