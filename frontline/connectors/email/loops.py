"""Is this mail automatic? Mail loops and auto-reply storms stop here.

Pure (no Django): reads what `parse_email` kept of a message. `classify` says which signals a
message carries; `suppress_auto_reply` is true if any does, and then Frontline sends no automatic
acknowledgement. Our own automatic mail carries AUTO_REPLY_HEADERS so other systems do the same.

How out-of-office replies are recognised (`is_autoreply`): an X-Autoreply or X-Autorespond header,
Auto-Submitted: auto-replied, or Precedence: auto_reply are enough on their own. The usual subject
words ("Out of Office", "Automatic reply", "自动回复", ...) count only together with another sign
of automatic mail (Auto-Submitted other than "no", a null Return-Path, X-Auto-Response-Suppress, or
Precedence bulk/junk/list): a customer may well write "Are you open out of office hours?".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from frontline.connectors.email.parsing import ParsedEmail

__all__ = ["AUTO_REPLY_HEADERS", "AUTO_SUBMITTED_VALUES", "Classification", "automatic_headers", "classify"]

# Headers on every automatic mail Frontline sends (acknowledgements, notifications): RFC 3834, and
# Microsoft's header that stops Exchange/Outlook from answering with an out-of-office reply.
AUTO_REPLY_HEADERS: Final[Mapping[str, str]] = MappingProxyType(
    {"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"}
)
AUTO_SUBMITTED_VALUES: Final = frozenset({"auto-replied", "auto-generated"})


def automatic_headers(auto_submitted: str) -> dict[str, str]:
    """The headers of our automatic mail: `auto-replied` (an answer to what someone sent) or
    `auto-generated` (a notification, an invitation, a sign-in link)."""
    if auto_submitted not in AUTO_SUBMITTED_VALUES:
        raise ValueError(f"Auto-Submitted must be one of {sorted(AUTO_SUBMITTED_VALUES)}")
    return {**AUTO_REPLY_HEADERS, "Auto-Submitted": auto_submitted}


_BULK_PRECEDENCE: Final = frozenset({"bulk", "junk", "list"})
_OUT_OF_OFFICE_SUBJECT = re.compile(
    r"out of (?:the )?office|automatic reply|auto[- ]?reply|autoreply|auto[- ]?response|"
    r"away from (?:the )?office|on vacation|on leave|respuesta automática|réponse automatique|"
    r"abwesenheitsnotiz|自动回复|自動回覆|自動返信|不在|休假",
    re.IGNORECASE,
)
_SUPPRESSING_VALUES: Final = frozenset({"all", "autoreply", "oof"})


@dataclass(frozen=True, slots=True)
class Classification:
    """The automatic-mail signals one message carries, and why (`reason`, "" when there are none)."""

    is_auto_submitted: bool  # RFC 3834 Auto-Submitted other than "no"
    is_bulk: bool  # Precedence: bulk, junk or list
    is_list: bool  # List-Id present
    is_autoreply: bool  # an out-of-office or other automatic reply (see the module docstring)
    is_auto_response_suppressed: bool  # X-Auto-Response-Suppress: All, AutoReply or OOF
    null_return_path: bool  # Return-Path: <> (bounces and other automatic reports)
    is_bounce: bool
    is_from_us: bool  # sent from one of our addresses, or with one of our Message-IDs
    reason: str

    @property
    def suppress_auto_reply(self) -> bool:
        """True when an automatic answer to this message could start or feed a mail loop."""
        return (
            self.is_auto_submitted
            or self.is_bulk
            or self.is_list
            or self.is_autoreply
            or self.is_auto_response_suppressed
            or self.null_return_path
            or self.is_bounce
            or self.is_from_us
        )


def _keyword(value: str | None) -> str:
    """The first word of a header value, lower-cased, without comments or parameters."""
    if not value:
        return ""
    value = re.sub(r"\([^)]*\)", " ", value)
    return value.split(";", 1)[0].strip().lower()


def _message_id_domain(message_id: str | None) -> str | None:
    if not message_id or "@" not in message_id:
        return None
    return message_id.strip("<>").rpartition("@")[2].lower() or None


def classify(
    parsed: ParsedEmail, *, own_addresses: set[str], own_message_id_domain: str | None
) -> Classification:
    """The automatic-mail signals of a parsed message; `own_addresses` are compared case-insensitively."""
    headers = parsed.headers
    auto_submitted = _keyword(headers.get("auto-submitted"))
    precedence = _keyword(headers.get("precedence"))
    suppress_values = {v.strip().lower() for v in headers.get("x-auto-response-suppress", "").split(",")}
    return_path = headers.get("return-path")

    is_auto_submitted = bool(auto_submitted) and auto_submitted != "no"
    is_bulk = precedence in _BULK_PRECEDENCE
    is_list = bool(headers.get("list-id", "").strip())
    is_auto_response_suppressed = bool(suppress_values & _SUPPRESSING_VALUES)
    null_return_path = return_path is not None and "".join(return_path.split()) == "<>"
    other_automatic_sign = is_auto_submitted or null_return_path or is_auto_response_suppressed or is_bulk
    is_autoreply = (
        "x-autoreply" in headers
        or "x-autorespond" in headers
        or auto_submitted == "auto-replied"
        or precedence == "auto_reply"
        or (other_automatic_sign and bool(_OUT_OF_OFFICE_SUBJECT.search(parsed.subject)))
    )
    own = {address.strip().lower() for address in own_addresses}
    sender = parsed.from_.email.lower() if parsed.from_ else None
    id_domain = _message_id_domain(parsed.message_id)
    from_our_address = sender is not None and sender in own
    from_our_domain = bool(own_message_id_domain) and id_domain == (own_message_id_domain or "").lower()

    reasons = [
        text
        for condition, text in (
            (is_auto_submitted, f"Auto-Submitted: {auto_submitted}"),
            (is_bulk, f"Precedence: {precedence}"),
            (is_list, "List-Id present"),
            (is_autoreply, "automatic reply"),
            (is_auto_response_suppressed, "X-Auto-Response-Suppress asks for no automatic reply"),
            (null_return_path, "null Return-Path"),
            (parsed.is_bounce, "delivery failure report"),
            (from_our_address, "sent from one of our addresses"),
            (from_our_domain, "carries one of our Message-IDs"),
        )
        if condition
    ]
    return Classification(
        is_auto_submitted=is_auto_submitted,
        is_bulk=is_bulk,
        is_list=is_list,
        is_autoreply=is_autoreply,
        is_auto_response_suppressed=is_auto_response_suppressed,
        null_return_path=null_return_path,
        is_bounce=parsed.is_bounce,
        is_from_us=from_our_address or from_our_domain,
        reason="; ".join(reasons),
    )
