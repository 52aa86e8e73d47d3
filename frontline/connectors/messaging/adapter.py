"""Providers' payloads in, providers' API requests out: Twilio, Meta (Messenger, Instagram, WhatsApp
Cloud) and X direct messages, as plain dataclasses. Standard library only.

Inbound, each provider's documented webhook format becomes `Parsed`: the customers' messages, the
delivery statuses of what we sent, and what was skipped (our own echoes) with the reason. Outbound,
`*_send_request` builds the HTTP request that sends a text, and `sent_message_id` reads the
provider's id of the sent message from its answer.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from frontline.core.contact import InvalidContact, normalize_phone

TWILIO_API = "https://api.twilio.com"
META_GRAPH_API = "https://graph.facebook.com/v21.0"
X_API = "https://api.x.com"
DEFAULT_BASE_URLS = {"twilio": TWILIO_API, "meta": META_GRAPH_API, "x": X_API}

#: Twilio's MessageStatus and Meta's status values, as the outbox knows them.
DELIVERED_STATUSES = frozenset({"delivered", "read"})
FAILED_STATUSES = frozenset({"failed", "undelivered"})


class UnreadablePayload(ValueError):
    """The body is not in the provider's format; the message says what is wrong."""


@dataclass(frozen=True)
class Media:
    """An attachment: fetched from `url`, or (WhatsApp Cloud) looked up by `media_id` first."""

    url: str = ""
    media_id: str = ""
    content_type: str = ""
    filename: str = ""


@dataclass(frozen=True)
class InboundMessage:
    provider_message_id: str
    kind: str
    #: Where a reply goes: "+639171234567", "whatsapp:+639171234567", a PSID, an IGSID, a wa_id, an X user id.
    sender: str
    #: Which of our numbers, pages or users it was sent to.
    recipient: str
    text: str
    phone: str = ""
    #: (network, id) for customers known by a social id rather than a phone number.
    social: tuple[str, str] | None = None
    name: str = ""
    media: tuple[Media, ...] = ()
    sent_at: datetime | None = None


@dataclass(frozen=True)
class StatusUpdate:
    provider_message_id: str
    status: str
    error: str = ""


@dataclass(frozen=True)
class Parsed:
    messages: tuple[InboundMessage, ...] = ()
    statuses: tuple[StatusUpdate, ...] = ()
    skipped: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class ProviderRequest:
    url: str
    headers: dict[str, str]
    body: bytes


def form_params(body: bytes) -> list[tuple[str, str]]:
    """The (name, value) pairs of an application/x-www-form-urlencoded body, blanks kept."""
    try:
        return parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError as exc:
        raise UnreadablePayload("the form body is not UTF-8") from exc


def _json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise UnreadablePayload(f"the body is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise UnreadablePayload("the body is not a JSON object")
    return data


def _seconds(value: object, *, milliseconds: bool = False) -> datetime | None:
    try:
        number = float(str(value))
    except (TypeError, ValueError):
        return None
    if milliseconds or number > 10**11:
        number /= 1000
    return datetime.fromtimestamp(number, tz=UTC)


def _digest_key(body: bytes) -> str:
    return "sha256:" + hashlib.sha256(body).hexdigest()


# --- Twilio -----------------------------------------------------------------------------------------


def _twilio_address(value: str) -> tuple[str, str]:
    """("whatsapp", "+63...") for "whatsapp:+63...", ("sms", "+63...") for a plain number."""
    prefix, _, rest = value.partition(":")
    if rest and prefix in {"whatsapp", "messenger"}:
        return prefix, rest
    return "sms", value


def _is_phone_number(value: str) -> bool:
    try:
        normalize_phone(value)
    except InvalidContact:
        return False
    return True


def twilio_delivery_key(params: Iterable[tuple[str, str]]) -> str:
    """One delivery: the MessageSid, with the status for status callbacks (each status is a delivery)."""
    values = dict(params)
    sid = values.get("MessageSid") or values.get("SmsSid") or ""
    if not sid:
        raise UnreadablePayload("a Twilio webhook without MessageSid")
    status = values.get("MessageStatus") or ""
    if status and status != "received":
        return f"{sid}:{status}"
    return sid


def parse_twilio(params: Iterable[tuple[str, str]]) -> Parsed:
    """An incoming message (SMS/MMS or WhatsApp) or a status callback for one we sent."""
    values = dict(params)
    sid = values.get("MessageSid") or values.get("SmsSid") or ""
    if not sid:
        raise UnreadablePayload("a Twilio webhook without MessageSid")
    status = values.get("MessageStatus") or ""
    if status and status != "received" and "Body" not in values:
        error = values.get("ErrorCode") or ""
        message = values.get("ErrorMessage") or ""
        detail = f"Twilio error {error}" + (f": {message}" if message else "") if error else ""
        return Parsed(statuses=(StatusUpdate(provider_message_id=sid, status=status, error=detail),))
    sender = values.get("From") or ""
    if not sender:
        raise UnreadablePayload("a Twilio message without From")
    channel, number = _twilio_address(sender)
    try:
        count = min(int(values.get("NumMedia") or 0), 10)
    except ValueError:
        count = 0
    media = tuple(
        Media(url=values[f"MediaUrl{i}"], content_type=values.get(f"MediaContentType{i}", ""))
        for i in range(count)
        if values.get(f"MediaUrl{i}")
    )
    # A phone number, or a sender id such as "AURORA" (alphanumeric SMS senders, e.g. banks and
    # carriers): that one is kept as the SMS network's handle of the customer.
    is_number = _is_phone_number(number)
    inbound = InboundMessage(
        provider_message_id=sid,
        kind="whatsapp" if channel == "whatsapp" else "sms",
        sender=sender,
        recipient=values.get("To") or "",
        text=values.get("Body") or "",
        phone=number if is_number else "",
        social=None if is_number else ("facebook" if channel == "messenger" else channel, number),
        name=values.get("ProfileName") or "",
        media=media,
    )
    return Parsed(messages=(inbound,))


def basic_auth(username: str, password: str) -> str:
    """An HTTP basic Authorization header value (Twilio's API and, when protected, its media URLs)."""
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode("ascii")


def twilio_send_request(
    *,
    base_url: str,
    account_sid: str,
    auth_token: str,
    from_: str,
    to: str,
    text: str,
    status_callback: str = "",
) -> ProviderRequest:
    """POST /2010-04-01/Accounts/{sid}/Messages.json, form-encoded, with HTTP basic auth."""
    if to.startswith("whatsapp:") and not from_.startswith("whatsapp:"):
        from_ = f"whatsapp:{from_}"
    form = {"To": to, "From": from_, "Body": text}
    if status_callback:
        form["StatusCallback"] = status_callback
    return ProviderRequest(
        url=f"{base_url.rstrip('/')}/2010-04-01/Accounts/{quote(account_sid, safe='')}/Messages.json",
        headers={
            "Authorization": basic_auth(account_sid, auth_token),
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        },
        body=urlencode(form).encode(),
    )


# --- Meta: Messenger, Instagram, WhatsApp Cloud -------------------------------------------------------


def meta_delivery_key(body: bytes) -> str:
    """The one message's id when the delivery carries exactly one item; else the body's digest."""
    parsed = parse_meta(body)
    ids = [m.provider_message_id for m in parsed.messages] + [
        f"{s.provider_message_id}:{s.status}" for s in parsed.statuses
    ]
    if len(ids) == 1 and len(ids[0]) <= 240:
        return ids[0]
    return _digest_key(body)


def _messaging_event(kind: str, network: str, event: Mapping[str, Any]) -> tuple[Any, ...]:
    message = event.get("message")
    sender = str((event.get("sender") or {}).get("id") or "")
    recipient = str((event.get("recipient") or {}).get("id") or "")
    if isinstance(message, Mapping):
        mid = str(message.get("mid") or "")
        if message.get("is_echo"):
            return ("skip", f"{mid}: our own message echoed back")
        if not mid or not sender:
            raise UnreadablePayload("a Meta message without mid or sender")
        media = []
        for attachment in message.get("attachments") or []:
            payload = attachment.get("payload") or {}
            url = str(payload.get("url") or "") if isinstance(payload, Mapping) else ""
            if url and attachment.get("type") in {"image", "video", "audio", "file"}:
                media.append(Media(url=url))
        text = str(message.get("text") or "")
        if not text and message.get("attachments") and not media:
            text = "[" + ", ".join(str(a.get("type")) for a in message["attachments"]) + "]"
        return (
            "message",
            InboundMessage(
                provider_message_id=mid,
                kind=kind,
                sender=sender,
                recipient=recipient,
                text=text,
                social=(network, sender),
                media=tuple(media),
                sent_at=_seconds(event.get("timestamp"), milliseconds=True),
            ),
        )
    delivery = event.get("delivery")
    if isinstance(delivery, Mapping):
        return ("statuses", [StatusUpdate(str(mid), "delivered") for mid in delivery.get("mids") or []])
    return ("skip", "an event that is not a message (read receipt, postback, reaction)")


def _whatsapp_text(message: Mapping[str, Any]) -> tuple[str, tuple[Media, ...]]:
    kind = str(message.get("type") or "")
    if kind == "text":
        return str((message.get("text") or {}).get("body") or ""), ()
    content = message.get(kind)
    if kind in {"image", "video", "audio", "document", "sticker"} and isinstance(content, Mapping):
        media = Media(
            media_id=str(content.get("id") or ""),
            content_type=str(content.get("mime_type") or ""),
            filename=str(content.get("filename") or ""),
        )
        return str(content.get("caption") or ""), (media,) if media.media_id else ()
    if kind == "location" and isinstance(content, Mapping):
        place = " ".join(str(content.get(k) or "") for k in ("name", "address")).strip()
        return f"[location {content.get('latitude')},{content.get('longitude')}] {place}".strip(), ()
    if kind in {"button", "interactive"} and isinstance(content, Mapping):
        reply = content.get("button_reply") or content.get("list_reply") or content
        return str(reply.get("text") or reply.get("title") or f"[{kind}]"), ()
    return f"[{kind or 'unknown'} message]", ()


def _whatsapp_change(value: Mapping[str, Any]) -> Parsed:
    number_id = str((value.get("metadata") or {}).get("phone_number_id") or "")
    names = {
        str(c.get("wa_id")): str((c.get("profile") or {}).get("name") or "")
        for c in value.get("contacts") or []
    }
    messages = []
    for message in value.get("messages") or []:
        wamid, sender = str(message.get("id") or ""), str(message.get("from") or "")
        if not wamid or not sender:
            raise UnreadablePayload("a WhatsApp message without id or from")
        text, media = _whatsapp_text(message)
        messages.append(
            InboundMessage(
                provider_message_id=wamid,
                kind="whatsapp_cloud",
                sender=sender,
                recipient=number_id,
                text=text,
                phone="+" + sender.lstrip("+"),
                name=names.get(sender, ""),
                media=media,
                sent_at=_seconds(message.get("timestamp")),
            )
        )
    statuses = []
    for status in value.get("statuses") or []:
        errors = status.get("errors") or []
        error = "; ".join(
            f"WhatsApp error {e.get('code')}: {e.get('title') or e.get('message') or ''}".strip()
            for e in errors
        )
        statuses.append(StatusUpdate(str(status.get("id") or ""), str(status.get("status") or ""), error))
    return Parsed(messages=tuple(messages), statuses=tuple(statuses))


def parse_meta(body: bytes) -> Parsed:
    """A Graph API webhook: object page (Messenger), instagram, or whatsapp_business_account."""
    data = _json(body)
    kind_of = {"page": ("messenger", "facebook"), "instagram": ("instagram", "instagram")}
    entries = data.get("entry")
    if not isinstance(entries, list):
        raise UnreadablePayload("a Meta webhook without entry")
    messages: list[InboundMessage] = []
    statuses: list[StatusUpdate] = []
    skipped: list[str] = []
    target = data.get("object")
    for entry in entries:
        if target == "whatsapp_business_account":
            for change in entry.get("changes") or []:
                if change.get("field") != "messages":
                    skipped.append(f"a {change.get('field')} change")
                    continue
                part = _whatsapp_change(change.get("value") or {})
                messages += part.messages
                statuses += part.statuses
        elif target in kind_of:
            kind, network = kind_of[str(target)]
            for event in entry.get("messaging") or []:
                what, item = _messaging_event(kind, network, event)
                if what == "message":
                    messages.append(item)
                elif what == "statuses":
                    statuses += item
                else:
                    skipped.append(item)
        else:
            raise UnreadablePayload(f"unknown Meta webhook object {target!r}")
    return Parsed(messages=tuple(messages), statuses=tuple(statuses), skipped=tuple(skipped))


def meta_send_request(
    *, base_url: str, kind: str, sender_id: str, access_token: str, to: str, text: str
) -> ProviderRequest:
    """Send API (Messenger, Instagram) or WhatsApp Cloud API: POST /{id}/messages with a bearer token."""
    base = base_url.rstrip("/")
    if kind == "whatsapp_cloud":
        url = f"{base}/{quote(sender_id, safe='')}/messages"
        payload: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            "type": "text",
            "text": {"preview_url": False, "body": text},
        }
    else:
        url = f"{base}/{quote(sender_id, safe='') if sender_id else 'me'}/messages"
        payload = {"recipient": {"id": to}, "messaging_type": "RESPONSE", "message": {"text": text}}
    return ProviderRequest(
        url=url,
        headers={"Authorization": f"Bearer {access_token}", "Content-Type": "application/json"},
        body=json.dumps(payload).encode(),
    )


def meta_media_url_request(*, base_url: str, access_token: str, media_id: str) -> ProviderRequest:
    """GET /{media-id}: WhatsApp Cloud answers with the (short-lived) URL of the media."""
    return ProviderRequest(
        url=f"{base_url.rstrip('/')}/{quote(media_id, safe='')}",
        headers={"Authorization": f"Bearer {access_token}"},
        body=b"",
    )


def meta_media_url(body: bytes) -> tuple[str, str]:
    """(url, mime type) from the answer to `meta_media_url_request`."""
    data = _json(body)
    url = str(data.get("url") or "")
    if not url:
        raise UnreadablePayload("the media lookup has no url")
    return url, str(data.get("mime_type") or "")


# --- X (Account Activity API) -------------------------------------------------------------------------


def parse_x(body: bytes, own_user_id: str = "") -> Parsed:
    """direct_message_events of an Account Activity delivery; our own DMs (sent by us) are skipped."""
    data = _json(body)
    users = data.get("users") or {}
    own = own_user_id or str(data.get("for_user_id") or "")
    messages: list[InboundMessage] = []
    skipped: list[str] = []
    events = data.get("direct_message_events")
    if events is None:
        kinds = sorted(k for k in data if k.endswith("_events"))
        return Parsed(skipped=(f"no direct messages ({', '.join(kinds) or 'no events'})",))
    for event in events:
        if event.get("type") != "message_create":
            skipped.append(f"a {event.get('type')} event")
            continue
        create = event.get("message_create") or {}
        event_id, sender = str(event.get("id") or ""), str(create.get("sender_id") or "")
        if not event_id or not sender:
            raise UnreadablePayload("a direct message event without id or sender_id")
        if own and sender == own:
            skipped.append(f"{event_id}: our own direct message")
            continue
        message_data = create.get("message_data") or {}
        media: tuple[Media, ...] = ()
        attachment = message_data.get("attachment") or {}
        if attachment.get("type") == "media":
            url = str((attachment.get("media") or {}).get("media_url_https") or "")
            media = (Media(url=url),) if url else ()
        user = users.get(sender) or {}
        messages.append(
            InboundMessage(
                provider_message_id=event_id,
                kind="x_dm",
                sender=sender,
                recipient=str((create.get("target") or {}).get("recipient_id") or ""),
                text=str(message_data.get("text") or ""),
                social=("x", sender),
                name=str(user.get("name") or ""),
                media=media,
                sent_at=_seconds(event.get("created_timestamp"), milliseconds=True),
            )
        )
    return Parsed(messages=tuple(messages), skipped=tuple(skipped))


def x_delivery_key(body: bytes) -> str:
    parsed = parse_x(body)
    if len(parsed.messages) == 1:
        return parsed.messages[0].provider_message_id
    return _digest_key(body)


def x_send_request(*, base_url: str, access_token: str, to: str, text: str) -> ProviderRequest:
    """X API v2: POST /2/dm_conversations/with/{participant_id}/messages with a user-context token."""
    return ProviderRequest(
        url=f"{base_url.rstrip('/')}/2/dm_conversations/with/{quote(to, safe='')}/messages",
        headers={"Authorization": f"Bearer {access_token}", "Content-Type": "application/json"},
        body=json.dumps({"text": text}).encode(),
    )


# --- answers -----------------------------------------------------------------------------------------


def sent_message_id(provider: str, body: bytes) -> str:
    """The provider's id of the message it accepted, from its JSON answer."""
    data = _json(body)
    found: object = None
    if provider == "twilio":
        found = data.get("sid")
    elif provider == "meta":
        sent: list[dict[str, Any]] = data.get("messages") or [{}]
        found = data.get("message_id") or sent[0].get("id")
    elif provider == "x":
        found = (data.get("data") or {}).get("dm_event_id")
    if not found:
        raise UnreadablePayload(f"the {provider} answer has no message id")
    return str(found)


def error_excerpt(body: bytes) -> str:
    """The provider's error in words, from a JSON error answer when there is one."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return body[:300].decode("utf-8", "replace")
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict):
            return str(error.get("message") or error)[:300]
        if data.get("message"):
            return f"{data.get('code', '')} {data['message']}".strip()[:300]
        if data.get("detail") or data.get("title"):
            return str(data.get("detail") or data.get("title"))[:300]
    return json.dumps(data)[:300]
