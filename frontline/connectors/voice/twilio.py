"""Twilio Voice: the webhook signature, the parameters Twilio posts, and the TwiML we answer. Pure.

Signature (https://www.twilio.com/docs/usage/security#validating-requests): take the full public URL
Twilio requested (scheme, host, path and query string), append every POST parameter sorted by name
as name+value with no separator, HMAC-SHA1 it with the account's auth token and base64 the digest;
it must equal the `X-Twilio-Signature` header. Twilio's own libraries accept the URL with and
without an explicit default port, so we do too.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit, urlunsplit
from xml.etree import ElementTree

#: Call statuses after which the call is over.
FINAL_STATUSES = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})
ALL_STATUSES = frozenset({"queued", "initiated", "ringing", "in-progress"}) | FINAL_STATUSES


class TwilioPayloadError(ValueError):
    """A webhook without the parameters every Twilio Voice request carries."""


def compute_signature(url: str, params: Iterable[tuple[str, str]], auth_token: str) -> str:
    """The base64 HMAC-SHA1 Twilio sends for a form-encoded POST of `params` to `url`."""
    values: dict[str, set[str]] = {}
    for name, value in params:
        values.setdefault(name, set()).add(value)
    data = url + "".join(name + value for name in sorted(values) for value in sorted(values[name]))
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _url_variants(url: str) -> list[str]:
    """The URL as given, plus it with the default port added or removed (Twilio signs either)."""
    parts = urlsplit(url)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    host = parts.hostname or ""
    if parts.port is None and default is not None:
        other = parts._replace(netloc=f"{parts.netloc}:{default}")
    elif parts.port == default:
        netloc = parts.netloc.rsplit(":", 1)[0]
        other = parts._replace(netloc=netloc)
    else:
        return [url]
    return [url, urlunsplit(other)] if host else [url]


def signature_valid(url: str, params: Iterable[tuple[str, str]], signature: str, auth_token: str) -> bool:
    """Constant-time check of `X-Twilio-Signature`; an empty token or signature never passes."""
    if not signature or not auth_token:
        return False
    pairs = list(params)
    found = False
    for candidate in _url_variants(url):
        expected = compute_signature(candidate, pairs, auth_token)
        found |= hmac.compare_digest(expected.encode(), signature.encode())
    return found


@dataclass(frozen=True)
class CallParams:
    """The parameters of one Twilio Voice request that Frontline uses (the rest is stored raw)."""

    call_sid: str
    account_sid: str
    from_number: str
    to_number: str
    call_status: str
    direction: str
    digits: str = ""
    queue_result: str = ""
    recording_sid: str = ""
    recording_url: str = ""
    recording_status: str = ""
    recording_duration: int | None = None
    transcription_text: str = ""
    timestamp: datetime | None = None


def _int_or_none(raw: str) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def _timestamp(raw: str) -> datetime | None:
    """Twilio's `Timestamp` is RFC 2822 ("Tue, 24 Nov 2026 01:00:30 +0000"); None when absent or odd."""
    if not raw:
        return None
    try:
        parsed = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo is not None else None


def parse_call(params: Mapping[str, str]) -> CallParams:
    call_sid = params.get("CallSid", "").strip()
    if not call_sid or len(call_sid) > 128:
        raise TwilioPayloadError("the request has no CallSid")
    return CallParams(
        call_sid=call_sid,
        account_sid=params.get("AccountSid", ""),
        from_number=params.get("From", "") or params.get("Caller", ""),
        to_number=params.get("To", "") or params.get("Called", ""),
        call_status=params.get("CallStatus", ""),
        direction=params.get("Direction", "inbound"),
        digits=params.get("Digits", ""),
        queue_result=params.get("QueueResult", ""),
        recording_sid=params.get("RecordingSid", ""),
        recording_url=params.get("RecordingUrl", ""),
        recording_status=params.get("RecordingStatus", ""),
        recording_duration=_int_or_none(params.get("RecordingDuration", "")),
        transcription_text=params.get("TranscriptionText", ""),
        timestamp=_timestamp(params.get("Timestamp", "")),
    )


class TwiML:
    """A TwiML document built with ElementTree, so every text and attribute is escaped."""

    def __init__(self) -> None:
        self.root = ElementTree.Element("Response")

    def _verb(
        self,
        name: str,
        text: str | None = None,
        parent: ElementTree.Element | None = None,
        **attributes: str | int | bool,
    ) -> ElementTree.Element:
        element = ElementTree.SubElement(
            self.root if parent is None else parent,
            name,
            {key: _attribute(value) for key, value in attributes.items()},
        )
        if text is not None:
            element.text = text
        return element

    def say(self, text: str, *, language: str, parent: ElementTree.Element | None = None) -> TwiML:
        if text.strip():
            self._verb("Say", text, parent, language=language)
        return self

    def gather(self, *, action: str, prompt: str, language: str, timeout: int = 5) -> TwiML:
        """Listen for one key while `prompt` plays; no key: Twilio goes on to the next verb."""
        gather = self._verb("Gather", None, None, action=action, method="POST", numDigits=1, timeout=timeout)
        self.say(prompt, language=language, parent=gather)
        return self

    def enqueue(self, name: str, *, wait_url: str, action: str) -> TwiML:
        self._verb(
            "Enqueue", name, None, waitUrl=wait_url, waitUrlMethod="POST", action=action, method="POST"
        )
        return self

    def record(self, *, action: str, status_callback: str, max_length: int = 120) -> TwiML:
        self._verb(
            "Record",
            None,
            None,
            action=action,
            method="POST",
            maxLength=max_length,
            playBeep=True,
            finishOnKey="#",
            recordingStatusCallback=status_callback,
            recordingStatusCallbackMethod="POST",
        )
        return self

    def pause(self, seconds: int) -> TwiML:
        self._verb("Pause", None, None, length=seconds)
        return self

    def leave(self) -> TwiML:
        self._verb("Leave")
        return self

    def redirect(self, url: str) -> TwiML:
        self._verb("Redirect", url, None, method="POST")
        return self

    def hangup(self) -> TwiML:
        self._verb("Hangup")
        return self

    def __str__(self) -> str:
        return '<?xml version="1.0" encoding="UTF-8"?>' + ElementTree.tostring(self.root, encoding="unicode")


def _attribute(value: str | int | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
