"""The web chat's reads: the site behind a key, a conversation's lines and files, hours, suggestions,
strings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core import signing
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation as i18n
from django.utils.translation import gettext as _

from frontline.accounts.principal import Principal
from frontline.connectors.voice.models import VoiceLine
from frontline.connectors.webchat.models import ChatEntry, Conversation, Site
from frontline.core.errors import DomainError, Invalid, NotFound
from frontline.knowledge import locales
from frontline.knowledge import selectors as knowledge
from frontline.knowledge.models import Article
from frontline.routing.models import Queue
from frontline.sla.selectors import Availability, channel_availability
from frontline.tickets.models import Attachment, Channel, Ticket
from frontline.tickets.selectors import ticket_visibility

#: The widget's languages (Django's codes).
LANGUAGES = ("en", "fil", "zh-hans")
SUGGESTIONS = 3
#: The public key of the demo company's site (`make demo`), whose page is /chat/demo/.
DEMO_SITE_KEY = "demo"
_ATTACHMENT_LINK_SALT = "frontline.webchat.attachment"


class LinkExpired(DomainError):
    status = 410
    code = "expired"


def site_get_by_key(key: str) -> Site | None:
    """The active site that embeds the widget with this public key, else None."""
    if not key or len(key) > 40:
        return None
    return Site.objects.filter(public_key=key, active=True).select_related("queue").first()


def site_list() -> QuerySet[Site]:
    return Site.objects.select_related("queue").order_by("name", "id")


def site_demo() -> Site | None:
    """The demo company's site, while it is active (None on an installation without the demo)."""
    return site_get_by_key(DEMO_SITE_KEY)


def embed_snippet(site: Site) -> str:
    """The tag a business pastes into its pages to show the widget of `site`."""
    return (
        f'<script src="{settings.FRONTLINE_BASE_URL}/static/webchat/widget.js" '
        f'data-site="{site.public_key}" async></script>'
    )


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
    return list(
        ChatEntry.objects.filter(conversation=conversation, seq__gt=seq)
        .select_related("attachment")
        .order_by("seq")[:limit]
    )


def attachment_link_seconds() -> int:
    """How long a customer's link to a file of the chat works (the widget gets fresh ones on resume)."""
    return int(settings.FRONTLINE_CHAT_ATTACHMENT_LINK_SECONDS)


def attachment_link(*, conversation_id: int, attachment_id: int) -> str:
    """The customer's download address of a file shown in the chat: signed, for this conversation only."""
    signature = signing.dumps([conversation_id, attachment_id], salt=_ATTACHMENT_LINK_SALT)
    return reverse("webchat:attachment", args=[attachment_id]) + f"?s={signature}"


def attachment_get_by_link(*, attachment_id: int, signature: str) -> Attachment:
    """The file behind a customer's link: the signature must name this attachment and a conversation
    that showed it; anything else is NotFound, an old link LinkExpired."""
    try:
        conversation_id, signed_id = signing.loads(
            signature, salt=_ATTACHMENT_LINK_SALT, max_age=attachment_link_seconds()
        )
    except signing.SignatureExpired:
        raise LinkExpired(_("This link has expired. Open the chat again to get a new one.")) from None
    except (signing.BadSignature, TypeError, ValueError):
        raise NotFound(_("This file cannot be found.")) from None
    entry = (
        ChatEntry.objects.filter(conversation_id=conversation_id, attachment_id=attachment_id)
        .select_related("attachment", "conversation")
        .first()
    )
    if (
        signed_id != attachment_id
        or entry is None
        or entry.attachment is None
        or entry.attachment.ticket_id != entry.conversation.ticket_id
    ):
        raise NotFound(_("This file cannot be found."))
    return entry.attachment


#: The agents' live feed, scoped as tickets are (`tickets.selectors.ticket_visibility`): those who
#: see every ticket hear every chat; other staff hear chats whose ticket has no team or a team that
#: is not private, and the chats of the private teams they belong to. (An agent assigned a private
#: team's chat without being in the team follows it on its ticket page.)
AGENTS_GROUP_PREFIX = "webchat.agents."
AGENTS_ALL_GROUP = "webchat.agents.all"
AGENTS_OPEN_GROUP = "webchat.agents.open"


def agents_team_group(team_id: int) -> str:
    return f"webchat.agents.team.{team_id}"


def agents_groups(conversation: Conversation) -> list[str]:
    """The feed groups that hear this chat (its ticket and team are read unless loaded already)."""
    team = conversation.ticket.team
    scope = agents_team_group(team.pk) if team is not None and team.is_private else AGENTS_OPEN_GROUP
    return [AGENTS_ALL_GROUP, scope]


def conversation_get_for_staff(*, principal: Principal, conversation_id: int) -> Conversation | None:
    """The chat if this staff member may see its ticket (`ticket_visibility`), else None."""
    if not principal.is_staff_member:
        return None
    return (
        Conversation.objects.select_related("ticket__team")
        .filter(pk=conversation_id, ticket__in=Ticket.objects.filter(ticket_visibility(principal)))
        .first()
    )


def agents_groups_of(conversation_id: int) -> list[str]:
    """The agents' feed groups that hear this chat now (its ticket's team may have changed)."""
    conversation = Conversation.objects.select_related("ticket__team").get(pk=conversation_id)
    return agents_groups(conversation)


def agents_groups_for(principal: Principal) -> list[str]:
    """The agents' feed groups a staff member's socket joins (see `agents_groups`)."""
    if principal.sees_all_tickets:
        return [AGENTS_ALL_GROUP]
    return [AGENTS_OPEN_GROUP, *(agents_team_group(team_id) for team_id in sorted(principal.team_ids))]


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
            "attach": _("Attach a file"),
            "uploading": _("Sending the file…"),
            "file_too_large": _("A file can be at most %(size)s."),
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
