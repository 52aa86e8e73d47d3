"""Provider webhooks: check the signature, store the raw delivery, answer at once; processing follows."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from frontline.connectors.messaging import adapter, signatures
from frontline.connectors.messaging.models import MessagingAccount
from frontline.connectors.messaging.services import MAX_PAYLOAD_BYTES, delivery_key, payload_store

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
_PRIVATE_HEADERS = {"cookie", "authorization"}


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def _account(account_id: int, provider: str) -> MessagingAccount | None:
    return MessagingAccount.objects.filter(pk=account_id, provider=provider, is_active=True).first()


def _not_found() -> JsonResponse:
    return _error(404, "not_found", "no such messaging account")


def _body(request: HttpRequest) -> bytes | None:
    """The raw body, or None when it is larger than a webhook may be."""
    length = request.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > MAX_PAYLOAD_BYTES:
        return None
    body = request.body
    return None if len(body) > MAX_PAYLOAD_BYTES else body


def _too_large() -> JsonResponse:
    return _error(413, "too_large", f"webhooks are limited to {MAX_PAYLOAD_BYTES} bytes")


def _store(account: MessagingAccount, request: HttpRequest, body: bytes) -> None:
    headers = {k: v for k, v in request.headers.items() if k.lower() not in _PRIVATE_HEADERS}
    payload_store(
        account=account, body=body, headers=headers, provider_message_id=delivery_key(account, body)
    )


def public_url(request: HttpRequest) -> str:
    """The URL the provider called, as it saw it: FRONTLINE_BASE_URL's origin and the request's path."""
    base = urlsplit(str(settings.FRONTLINE_BASE_URL))
    return f"{base.scheme}://{base.netloc}{request.get_full_path()}"


@csrf_exempt
@require_POST
def twilio_inbound(request: HttpRequest, account_id: int) -> HttpResponse:
    """Incoming SMS/WhatsApp and status callbacks, signed with X-Twilio-Signature."""
    account = _account(account_id, MessagingAccount.Provider.TWILIO)
    if account is None:
        return _not_found()
    body = _body(request)
    if body is None:
        return _too_large()
    try:
        params = adapter.form_params(body)
    except adapter.UnreadablePayload:
        params = []
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signatures.twilio_signature_valid(
        public_url(request), params, account.signing_secret_value(), signature
    ):
        return _error(403, "bad_signature", "X-Twilio-Signature does not match this request")
    _store(account, request, body)
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def meta_inbound(request: HttpRequest, account_id: int) -> HttpResponse:
    """GET: the subscription handshake. POST: events signed with X-Hub-Signature-256."""
    account = _account(account_id, MessagingAccount.Provider.META)
    if account is None:
        return _not_found()
    if request.method == "GET":
        challenge = signatures.meta_handshake(
            mode=request.GET.get("hub.mode", ""),
            verify_token=request.GET.get("hub.verify_token", ""),
            challenge=request.GET.get("hub.challenge", ""),
            expected_token=account.verify_token_value(),
        )
        if challenge is None:
            return _error(403, "bad_verify_token", "hub.mode must be subscribe with our verify token")
        return HttpResponse(challenge, content_type="text/plain")
    body = _body(request)
    if body is None:
        return _too_large()
    signature = request.headers.get("X-Hub-Signature-256", "")
    if not signatures.meta_signature_valid(body, account.signing_secret_value(), signature):
        return _error(403, "bad_signature", "X-Hub-Signature-256 does not match the body")
    _store(account, request, body)
    return HttpResponse("EVENT_RECEIVED", content_type="text/plain")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def x_inbound(request: HttpRequest, account_id: int) -> HttpResponse:
    """GET: the CRC check. POST: Account Activity events signed with x-twitter-webhooks-signature."""
    account = _account(account_id, MessagingAccount.Provider.X)
    if account is None:
        return _not_found()
    secret = account.signing_secret_value()
    if request.method == "GET":
        crc_token = request.GET.get("crc_token", "")
        if not crc_token or not secret:
            return _error(400, "bad_request", "crc_token is required")
        return JsonResponse(signatures.x_crc_response(crc_token, secret))
    body = _body(request)
    if body is None:
        return _too_large()
    signature = request.headers.get("X-Twitter-Webhooks-Signature", "")
    if not signatures.x_signature_valid(body, secret, signature):
        return _error(403, "bad_signature", "x-twitter-webhooks-signature does not match the body")
    _store(account, request, body)
    return HttpResponse(status=200)
