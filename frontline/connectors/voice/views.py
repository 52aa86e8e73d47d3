"""Twilio Voice webhooks: check the signature, store the delivery, call a service, answer TwiML.

A request whose `X-Twilio-Signature` does not match answers 403 and stores nothing. Every other
state-changing request is stored raw first (`CallEvent`), so a repeat is recognised and a failure
can be re-run from the admin; the caller then hears an apology rather than Twilio's error message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from frontline.connectors.voice import selectors, services, timing, twilio
from frontline.connectors.voice.models import CallEvent, CallRecord, VoiceLine
from frontline.routing.models import Interaction

logger = logging.getLogger(__name__)
IDEMPOTENCY_HEADER = "I-Twilio-Idempotency-Token"
WAIT_PAUSE_SECONDS = 30


def public_url(request: HttpRequest) -> str:
    """The URL Twilio requested, as it signed it: FRONTLINE_BASE_URL (the public origin) + path + query."""
    return f"{str(settings.FRONTLINE_BASE_URL).rstrip('/')}{request.get_full_path()}"


def _url(name: str, line: VoiceLine, query: str = "") -> str:
    path = reverse(name, args=[line.pk])
    return f"{str(settings.FRONTLINE_BASE_URL).rstrip('/')}{path}{'?' + query if query else ''}"


def _twiml(document: twilio.TwiML) -> HttpResponse:
    return HttpResponse(str(document), content_type="text/xml; charset=utf-8")


def _fill(template: str, **values: int) -> str:
    """An operator's text with its placeholders filled; a text with broken braces is said as written."""
    try:
        return template.format(**values)
    except (KeyError, ValueError, IndexError):
        return template


def _verified(
    request: HttpRequest, line_id: int
) -> tuple[VoiceLine, dict[str, str], list[tuple[str, str]]] | HttpResponse:
    line = (
        VoiceLine.objects.filter(pk=line_id, active=True, provider=VoiceLine.Provider.TWILIO)
        .select_related("queue", "callback_queue")
        .first()
    )
    if line is None:
        return HttpResponse("no such line", status=404, content_type="text/plain")
    pairs = [(name, value) for name, values in request.POST.lists() for value in values]
    signature = request.headers.get("X-Twilio-Signature", "")
    if not twilio.signature_valid(public_url(request), pairs, signature, line.auth_token()):
        logger.warning("voice line %s: a request with a bad Twilio signature was refused", line.pk)
        return HttpResponse("invalid signature", status=403, content_type="text/plain")
    return line, dict(pairs), pairs


def _stored(
    request: HttpRequest,
    line: VoiceLine,
    kind: str,
    params: dict[str, str],
    pairs: list[tuple[str, str]],
    work: Callable[[], CallRecord | None],
    extra: dict[str, str] | None = None,
) -> tuple[CallRecord | None, bool]:
    """(call, failed): the delivery is stored, then processed unless it was processed already."""
    key = services.delivery_key(
        kind,
        public_url(request),
        request.headers.get(IDEMPOTENCY_HEADER, ""),
        *(f"{name}={value}" for name, value in sorted(pairs)),
    )
    payload: dict[str, object] = {**params, **(extra or {})}
    event, created = services.call_event_store(
        line=line, kind=kind, call_id=params.get("CallSid", "")[:128], key=key, payload=payload
    )
    if not created and event.status == CallEvent.Status.PROCESSED:
        return CallRecord.objects.filter(provider_call_id=event.call_id).first(), False
    try:
        return services.call_event_run(event, work), False
    except Exception:  # stored with its error for a re-run; the caller still hears a polite answer
        logger.exception("voice line %s: %s delivery %s failed", line.pk, kind, event.pk)
        return None, True


def _apology(line: VoiceLine) -> HttpResponse:
    return _twiml(twilio.TwiML().say(line.apology_text, language=line.language).hangup())


def _menu_offered(line: VoiceLine) -> bool:
    return line.offer_callback or line.offer_voicemail


def _announce(document: twilio.TwiML, line: VoiceLine, interaction: Interaction) -> int:
    estimate = selectors.wait_estimate(interaction, now=timezone.now())
    if estimate.position == 0:
        return 0
    if estimate.expected_seconds is None:
        text = _fill(line.unknown_wait_text, position=estimate.position)
    else:
        text = _fill(
            line.position_text,
            position=estimate.position,
            minutes=timing.minutes_to_say(estimate.expected_seconds),
        )
    document.say(text, language=line.language)
    return estimate.position


def _queue_name(line: VoiceLine) -> str:
    return f"frontline-line-{line.pk}"


def _enqueue(document: twilio.TwiML, line: VoiceLine) -> twilio.TwiML:
    return document.enqueue(
        _queue_name(line),
        wait_url=_url("voice-twilio-wait", line),
        action=_url("voice-twilio-queue-result", line),
    )


def _voicemail(line: VoiceLine) -> twilio.TwiML:
    return (
        twilio.TwiML()
        .say(line.voicemail_text, language=line.language)
        .record(
            action=_url("voice-twilio-goodbye", line),
            status_callback=_url("voice-twilio-recording", line, "voicemail=1"),
        )
    )


def _after_choice(line: VoiceLine, call: CallRecord) -> twilio.TwiML:
    document = twilio.TwiML()
    if call.choice == CallRecord.Choice.CALLBACK:
        return document.say(line.callback_text, language=line.language).hangup()
    if call.choice == CallRecord.Choice.VOICEMAIL:
        return _voicemail(line)
    return document.say(line.goodbye_text, language=line.language).hangup()


@csrf_exempt
@require_POST
def incoming(request: HttpRequest, line_id: int) -> HttpResponse:
    """A call to the line: greet, say the place in line and the expected wait, offer the menu, enqueue."""
    verified = _verified(request, line_id)
    if isinstance(verified, HttpResponse):
        return verified
    line, params, pairs = verified
    call, _ = _stored(
        request,
        line,
        "twilio.incoming",
        params,
        pairs,
        lambda: services.twilio_incoming(line=line, params=params),
    )
    if call is None:
        return _apology(line)
    if call.choice:
        return _twiml(_after_choice(line, call))
    interaction = call.interaction
    if interaction.state == Interaction.State.FALLBACK:  # the queue is full
        return _twiml(_voicemail(line)) if line.offer_voicemail else _apology(line)
    document = twilio.TwiML().say(line.greeting, language=line.language)
    position = _announce(document, line, interaction)
    if position and _menu_offered(line):
        document.gather(
            action=_url("voice-twilio-gather", line), prompt=line.menu_text, language=line.language
        )
    return _twiml(_enqueue(document, line))


@csrf_exempt
@require_POST
def wait(request: HttpRequest, line_id: int) -> HttpResponse:
    """Twilio's waitUrl, played in a loop while the caller waits: place in line and the menu again."""
    verified = _verified(request, line_id)
    if isinstance(verified, HttpResponse):
        return verified
    line, params, _ = verified
    document = twilio.TwiML()
    call = (
        CallRecord.objects.filter(provider_call_id=params.get("CallSid", ""))
        .select_related("interaction")
        .first()
    )
    if call is not None and _announce(document, line, call.interaction) and _menu_offered(line):
        document.gather(
            action=_url("voice-twilio-gather", line, "in_queue=1"),
            prompt=line.menu_text,
            language=line.language,
        )
    return _twiml(document.pause(WAIT_PAUSE_SECONDS))


@csrf_exempt
@require_POST
def gather(request: HttpRequest, line_id: int) -> HttpResponse:
    """A key pressed at the menu: 1 a callback (keeping the place in line), 2 a voicemail."""
    verified = _verified(request, line_id)
    if isinstance(verified, HttpResponse):
        return verified
    line, params, pairs = verified
    call, failed = _stored(
        request,
        line,
        "twilio.gather",
        params,
        pairs,
        lambda: services.twilio_gather(line=line, params=params),
    )
    in_queue = request.GET.get("in_queue") == "1"
    if call is None:
        return _apology(line) if failed else _twiml(twilio.TwiML().hangup())
    if call.choice:
        # In Twilio's queue the caller leaves it first; the <Enqueue> action then plays the choice.
        return _twiml(twilio.TwiML().leave() if in_queue else _after_choice(line, call))
    if in_queue:
        return _twiml(twilio.TwiML())  # nothing chosen: back to waiting
    return _twiml(_enqueue(twilio.TwiML(), line))


@csrf_exempt
@require_POST
def queue_result(request: HttpRequest, line_id: int) -> HttpResponse:
    """The <Enqueue> action: the caller left Twilio's queue (a menu choice, hang-up, bridged, error)."""
    verified = _verified(request, line_id)
    if isinstance(verified, HttpResponse):
        return verified
    line, params, pairs = verified
    call, failed = _stored(
        request,
        line,
        "twilio.queue_result",
        params,
        pairs,
        lambda: services.twilio_queue_result(line=line, params=params),
    )
    if call is None:
        return _apology(line) if failed else _twiml(twilio.TwiML().hangup())
    if call.choice:
        return _twiml(_after_choice(line, call))
    if params.get("QueueResult") in ("queue-full", "error", "system-error"):
        return _apology(line)
    return _twiml(twilio.TwiML().hangup())


@csrf_exempt
@require_POST
def status(request: HttpRequest, line_id: int) -> HttpResponse:
    """Status callback: the call's progress; completed (and the failures) close it."""
    verified = _verified(request, line_id)
    if isinstance(verified, HttpResponse):
        return verified
    line, params, pairs = verified
    _stored(
        request,
        line,
        "twilio.status",
        params,
        pairs,
        lambda: services.twilio_status(line=line, params=params),
    )
    return _twiml(twilio.TwiML())


@csrf_exempt
@require_POST
def recording(request: HttpRequest, line_id: int) -> HttpResponse:
    """recordingStatusCallback: the call's recording, or a voicemail (`?voicemail=1`), is ready."""
    verified = _verified(request, line_id)
    if isinstance(verified, HttpResponse):
        return verified
    line, params, pairs = verified
    voicemail = request.GET.get("voicemail") == "1"
    _stored(
        request,
        line,
        "twilio.recording",
        params,
        pairs,
        lambda: services.twilio_recording(line=line, params=params, voicemail=voicemail),
        extra={"_voicemail": "1"} if voicemail else None,
    )
    return _twiml(twilio.TwiML())


@csrf_exempt
@require_POST
def goodbye(request: HttpRequest, line_id: int) -> HttpResponse:
    """After the voicemail: thank the caller and hang up (the recording arrives on its own callback)."""
    verified = _verified(request, line_id)
    if isinstance(verified, HttpResponse):
        return verified
    line, _, _ = verified
    return _twiml(twilio.TwiML().say(line.goodbye_text, language=line.language).hangup())
