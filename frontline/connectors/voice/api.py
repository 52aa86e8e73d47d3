"""Voice channel API: CTI events from PBX bridges, and callbacks (the website button, the agents' list)."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from frontline.accounts.principal import Principal, principal_of, require_staff
from frontline.connectors.voice import selectors, services
from frontline.connectors.voice.models import CallbackRequest
from frontline.connectors.voice.schemas import (
    CallbackAcceptedOut,
    CallbackAttemptIn,
    CallbackIn,
    CallbackOut,
    CtiEventIn,
    CtiEventOut,
)
from frontline.core.errors import Forbidden, RateLimited
from frontline.core.throttle import attempts_counted

router = Router(tags=["voice"])

#: Website callback requests allowed per phone number and per client address in RATE_WINDOW seconds.
RATE_PER_PHONE = 3
RATE_PER_ADDRESS = 10
RATE_WINDOW = 3600


def _integration(request: HttpRequest) -> Principal:
    """CTI events come from a bridge holding a supervisor's or admin's write token (an integration user)."""
    principal = principal_of(request)
    require_staff(principal, "call events need a staff token")
    if not principal.is_supervisor_or_admin:
        raise Forbidden("call events need a supervisor or admin token (create an integration user)")
    if not principal.can_write:
        raise Forbidden("call events need a token with the write scope", code="token_scope")
    return principal


@router.post("/cti/events", response=CtiEventOut, summary="Report a call event from a PBX (CTI)")
def cti_event(request: HttpRequest, body: CtiEventIn) -> dict[str, object]:
    _integration(request)
    line = selectors.voice_line_get(line_id=body.line_id)
    stored, call, duplicate = services.cti_event_receive(
        line=line,
        call_id=body.call_id,
        event=body.event,
        at=body.at,
        from_number=body.from_number,
        to_number=body.to,
        agent_id=body.agent_id,
        target_queue_id=body.target_queue_id,
    )
    return {"event_id": stored.pk, "duplicate": duplicate, "call": call}


def _throttle(scope: str, value: str, limit: int) -> None:
    """Count one request against `scope:value` in the cache; the (limit+1)th in the window is refused."""
    key = f"voice:callback:{scope}:{value}"
    if attempts_counted(cache, key, window=RATE_WINDOW) > limit:
        raise RateLimited("too many callback requests; please try again later", field=scope)


@router.post(
    "/callbacks",
    auth=None,
    response={202: CallbackAcceptedOut},
    summary="Ask to be called back (public: the website's button)",
)
def callback_request(request: HttpRequest, body: CallbackIn) -> Status[CallbackAcceptedOut]:
    if body.website:  # the honeypot field: robots fill it, people never see it
        return Status(202, CallbackAcceptedOut(status="scheduled", scheduled_for=None))
    _throttle("address", request.META.get("REMOTE_ADDR", "") or "unknown", RATE_PER_ADDRESS)
    line = selectors.voice_line_get(line_id=body.line_id)
    phone = services.phone_e164(body.phone)
    if phone is not None:
        _throttle("phone", phone, RATE_PER_PHONE)
    callback = services.callback_request_create(
        line=line,
        phone=body.phone,
        name=body.name,
        preferred_start=body.preferred_start,
        preferred_end=body.preferred_end,
        at=timezone.now(),
    )
    return Status(202, CallbackAcceptedOut(status=callback.status, scheduled_for=callback.next_attempt_at))


@router.get("/callbacks", response=list[CallbackOut], summary="Callback requests (staff)")
def callback_list(
    request: HttpRequest, status: str | None = None, line_id: int | None = None
) -> QuerySet[CallbackRequest]:
    return selectors.callback_list_for_staff(principal=principal_of(request), status=status, line_id=line_id)[
        :200
    ]


@router.post(
    "/callbacks/{callback_id}/attempts",
    response={201: CallbackOut},
    summary="Report one callback attempt and its outcome",
)
def callback_attempt(
    request: HttpRequest, callback_id: int, body: CallbackAttemptIn
) -> Status[CallbackRequest]:
    principal = principal_of(request)
    callback = selectors.callback_get_for_staff(principal=principal, callback_id=callback_id)
    updated = services.callback_attempt_record(
        actor=principal.user, request=callback, outcome=body.outcome, note=body.note
    )
    return Status(201, selectors.callback_get_for_staff(principal=principal, callback_id=updated.pk))
