"""The web chat's reads: the site behind a key, a conversation's lines, hours, suggestions, strings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation as i18n
from django.utils.translation import gettext as _

from frontline.connectors.voice.models import VoiceLine
from frontline.connectors.webchat.models import ChatEntry, Conversation, Site
from frontline.core.errors import Invalid
from frontline.knowledge import locales
from frontline.knowledge import selectors as knowledge
from frontline.knowledge.models import Article
from frontline.routing.models import Queue
from frontline.sla.selectors import Availability, channel_availability
from frontline.tickets.models import Channel

#: The widget's languages (Django's codes).
LANGUAGES = ("en", "fil", "zh-hans")
SUGGESTIONS = 3


def site_get_by_key(key: str) -> Site | None:
    """The active site that embeds the widget with this public key, else None."""
    if not key or len(key) > 40:
        return None
    return Site.objects.filter(public_key=key, active=True).select_related("queue").first()


def site_list() -> QuerySet[Site]:
    return Site.objects.select_related("queue").order_by("name", "id")


def chat_queue(site: Site) -> Queue | None:
    """The site's own chat queue when it is active, else the first active chat queue."""
    if site.queue_id and site.queue is not None and site.queue.active:
        return site.queue
    return Queue.objects.filter(channel=Channel.CHAT, active=True).order_by("id").first()


def chat_availability(*, at: datetime | None = None) -> Availability:
    """The chat channel's hours now (the plan's hours for "chat"; no hours: always open)."""
    return channel_availability(channel=Channel.CHAT, at=at)


def callback_line() -> VoiceLine | None:
    """The voice line that takes the website's callback requests: the first active one."""
    return (
        VoiceLine.objects.filter(active=True).select_related("queue", "callback_queue").order_by("id").first()
    )


def entries_after(*, conversation: Conversation, seq: int, limit: int = 500) -> list[ChatEntry]:
    """The conversation's lines numbered above `seq`, in order (what a resuming widget missed)."""
    return list(ChatEntry.objects.filter(conversation=conversation, seq__gt=seq).order_by("seq")[:limit])


def conversation_get_for_staff(conversation_id: int) -> Conversation | None:
    return Conversation.objects.select_related("ticket").filter(pk=conversation_id).first()


def language_pick(wanted: str, accept_language: str = "") -> str:
    """The widget's language: the page's `data-lang` if we have it, else the browser's preference."""
    for candidate in [wanted, *_accepted(accept_language)]:
        code = (candidate or "").strip().lower().replace("_", "-")
        if not code:
            continue
        if code in LANGUAGES:
            return code
        if code.startswith("zh") and code not in ("zh-hant", "zh-tw", "zh-hk"):
            return "zh-hans"
        if code.split("-")[0] in ("fil", "tl"):
            return "fil"
        if code.split("-")[0] == "en":
            return "en"
    return "en"


def _accepted(header: str) -> list[str]:
    weighted = []
    for index, part in enumerate((header or "").split(",")[:20]):
        code, _semicolon, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if code:
            weighted.append((-quality, index, code))
    return [code for _q, _i, code in sorted(weighted)]


def suggestions(*, query: str, language: str) -> list[dict[str, Any]]:
    """Published public articles for a pre-chat question (empty for a blank or too long question)."""
    try:
        results = knowledge.suggest(query=query, language=locales.canonical(language), limit=SUGGESTIONS)
    except Invalid:
        return []
    return [
        {
            "article_id": result.translation.article_id,
            "title": result.translation.title,
            "snippet": result.snippet,
            "url": reverse(
                "help:article", args=[result.translation.article_id, result.translation.article.slug]
            )
            + f"?lang={result.translation.language}",
        }
        for result in results
    ]


def article_public(article_id: int) -> Article | None:
    if not isinstance(article_id, int) or isinstance(article_id, bool):
        return None
    try:
        return knowledge.article_get_for_viewer(principal=None, article_id=article_id)
    except Exception:  # NotFound: not a published public article
        return None


def strings(language: str) -> dict[str, str]:
    """Everything the widget says, in `language` (served to the page; the widget has no catalog)."""
    with i18n.override(language if language in LANGUAGES else "en"):
        return {
            "open": _("Chat with us"),
            "close": _("Close the chat"),
            "title": _("Chat with us"),
            "intro": _("Tell us who you are and what you need; an agent will join you."),
            "name": _("Your name"),
            "email": _("Your email"),
            "question": _("Your question"),
            "start": _("Start the chat"),
            "suggested": _("These articles may answer your question:"),
            "solved": _("This solved my problem"),
            "thanks_solved": _("Glad it helped! No need to wait for an agent."),
            "waiting": _("Waiting for an agent…"),
            "joined": _("%(name)s joined the chat."),
            "typing": _("%(name)s is typing…"),
            "agent": _("Agent"),
            "you": _("You"),
            "message": _("Your message"),
            "send": _("Send"),
            "read": _("Read"),
            "sending": _("Sending…"),
            "reconnecting": _("Connection lost. Reconnecting…"),
            "connected": _("Connected."),
            "closed_now": _("Chat is closed at the moment."),
            "no_agent": _("No agent is free right now."),
            "leave_intro": _("Leave us a message and we will reply by email, or ask us to call you back."),
            "leave": _("Leave a message"),
            "leave_send": _("Send the message"),
            "left": _("Thank you. We received your message and will reply by email."),
            "callback": _("Request a callback"),
            "phone": _("Your phone number"),
            "callback_send": _("Call me back"),
            "callback_done": _("Thank you. We will call you back."),
            "transcript": _("Email me the transcript"),
            "transcript_sent": _("The transcript is on its way to your inbox."),
            "end": _("End the chat"),
            "ended": _("The chat has ended."),
            "new_chat": _("Start a new chat"),
            "error": _("Something went wrong. Please try again."),
            "conversation": _("Conversation"),
            "or": _("or"),
            "new_messages": _("New message from %(name)s"),
        }
