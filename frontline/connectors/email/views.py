"""Raw MIME over HTTP, for mail pipes and email providers' inbound hooks."""

from __future__ import annotations

import hashlib
import hmac

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from frontline.connectors.email.models import InboundEmail, Mailbox
from frontline.connectors.email.services import MAX_RAW_BYTES, inbound_store


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


@csrf_exempt
@require_POST
def inbound_mime(request: HttpRequest, mailbox_id: int) -> JsonResponse:
    """POST the message's bytes with `Authorization: Bearer <mailbox secret>`; 202 means it is stored."""
    secret = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    mailbox = Mailbox.objects.filter(pk=mailbox_id, is_active=True).first()
    given = hashlib.sha256(secret.encode()).hexdigest()
    if (
        mailbox is None
        or not mailbox.inbound_secret_digest
        or not hmac.compare_digest(given, mailbox.inbound_secret_digest)
    ):
        return _error(404, "not_found", "no such mailbox, or the secret is wrong")
    length = int(request.headers.get("Content-Length") or 0)
    if length > MAX_RAW_BYTES:
        return _error(413, "too_large", f"messages are limited to {MAX_RAW_BYTES // (1024 * 1024)} MB")
    raw = request.read(MAX_RAW_BYTES + 1)
    if not raw.strip():
        return _error(400, "bad_request", "the body must be the raw message (message/rfc822)")
    if len(raw) > MAX_RAW_BYTES:
        return _error(413, "too_large", f"messages are limited to {MAX_RAW_BYTES // (1024 * 1024)} MB")
    inbound, created = inbound_store(mailbox=mailbox, raw=raw, source=InboundEmail.Source.HTTP)
    return JsonResponse({"id": inbound.pk, "duplicate": not created}, status=202)
