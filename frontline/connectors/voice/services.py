"""Writes of the voice channel: deliveries stored first, calls routed as interactions, callbacks.

Frontline carries no audio. A provider (Twilio's webhooks) or a PBX bridge (the CTI event API) tells
us what happens to a call; each delivery is stored raw (`CallEvent`, unique per delivery key) before
it is processed, so a repeat is the same row and a failure stays visible and can be re-run.

Routing writes made here (answering on behalf of the agent a PBX names, withdrawing a waiting call
for a voicemail or callback) follow routing's locking rule: presence rows first, in primary-key
order, then the interaction row.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import phonenumbers
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from frontline.accounts.models import AgentProfile, User
from frontline.connectors.voice import timing, twilio
from frontline.connectors.voice.models import (
    CallbackAttempt,
    CallbackOutcome,
    CallbackRequest,
    CallEvent,
    CallRecord,
    VoiceLine,
)
from frontline.core.errors import Conflict, Invalid, NotFound
from frontline.customers.models import Customer
from frontline.customers.services import customer_create, customer_find_or_create
from frontline.events.services import event_record
from frontline.routing import services as routing
from frontline.routing.models import OCCUPYING, AgentPresence, Interaction, Queue
from frontline.sla.selectors import channel_availability
from frontline.tickets.models import Channel, Message
from frontline.tickets.services import message_add, ticket_create

logger = logging.getLogger(__name__)
T = TypeVar("T")
State = Interaction.State
CTI_EVENTS = ("offered", "answered", "held", "resumed", "transferred", "ended", "abandoned")


# --- Phone numbers and callers


def _default_region() -> str | None:
    code = str(getattr(settings, "FRONTLINE_DEFAULT_COUNTRY_CODE", "") or "")
    if not code.isdigit():
        return None
    region = phonenumbers.region_code_for_country_code(int(code))
    return None if region == phonenumbers.UNKNOWN_REGION else region


def phone_e164(raw: str) -> str | None:
    """The number in E.164 ('+639171234567'), or None for a withheld or impossible one."""
    value = (raw or "").strip()
    if not value or len(value) > 40:
        return None
    try:
        parsed = phonenumbers.parse(value, None if value.startswith("+") else _default_region())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _caller(number: str) -> Customer:
    """The customer calling: matched (or created) by the E.164 number; a withheld number is a new one."""
    e164 = phone_e164(number)
    if e164 is None:
        return customer_create(actor=None, first_name="Unknown caller")
    customer, _ = customer_find_or_create(actor=None, phone=e164)
    return customer


# --- Raw deliveries


def delivery_key(*parts: str) -> str:
    """A short stable key for a delivery from its identifying parts."""
    return "sha256:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def call_event_store(
    *, line: VoiceLine, kind: str, call_id: str, key: str, payload: dict[str, Any]
) -> tuple[CallEvent, bool]:
    """Commit the delivery before acting on it. Returns (row, created); a repeat is not new."""
    existing = CallEvent.objects.filter(key=key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            event = CallEvent.objects.create(line=line, kind=kind, call_id=call_id, key=key, payload=payload)
    except IntegrityError:  # the same delivery twice at once
        return CallEvent.objects.get(key=key), False
    return event, True


def call_event_run(event: CallEvent, work: Callable[[], T]) -> T:
    """Process a stored delivery in one transaction; a failure is recorded on the row and re-raised."""
    try:
        with transaction.atomic():
            result = work()
            CallEvent.objects.filter(pk=event.pk).update(
                status=CallEvent.Status.PROCESSED,
                processed_at=timezone.now(),
                error="",
                attempts=F("attempts") + 1,
            )
    except Exception as exc:
        CallEvent.objects.filter(pk=event.pk).update(
            status=CallEvent.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            attempts=F("attempts") + 1,
        )
        raise
    event.refresh_from_db()
    return result


def call_event_reprocess(*, event: CallEvent) -> CallRecord | None:
    """Run a stored delivery again (after a fix): the same handler as when it arrived."""
    line = event.line
    if event.kind.startswith("cti."):
        payload = event.payload
        return call_event_run(event, lambda: _cti_apply(line=line, payload=payload))
    params = {k: str(v) for k, v in event.payload.items() if not k.startswith("_")}
    handlers: dict[str, Callable[[], CallRecord | None]] = {
        "twilio.incoming": lambda: twilio_incoming(line=line, params=params),
        "twilio.gather": lambda: twilio_gather(line=line, params=params),
        "twilio.queue_result": lambda: twilio_queue_result(line=line, params=params),
        "twilio.status": lambda: twilio_status(line=line, params=params),
        "twilio.recording": lambda: twilio_recording(
            line=line, params=params, voicemail=bool(event.payload.get("_voicemail"))
        ),
    }
    if event.kind not in handlers:
        raise Invalid(f"unknown delivery kind {event.kind}", field="kind")
    return call_event_run(event, handlers[event.kind])


# --- Calls


def _call_data(call: CallRecord, **extra: Any) -> dict[str, Any]:
    return {
        "line": call.line_id,
        "call_id": call.provider_call_id,
        "interaction": call.interaction_id,
        "status": call.status,
        **extra,
    }


def _after(*callbacks: Callable[[], None]) -> None:
    for callback in callbacks:
        transaction.on_commit(callback)


def _route_soon(queue_id: int) -> None:
    def route() -> None:
        from frontline.routing.tasks import route_queue_task

        route_queue_task(queue_id)

    transaction.on_commit(route)


def call_open(
    *,
    line: VoiceLine,
    call_id: str,
    from_number: str,
    to_number: str,
    at: datetime | None = None,
    payload: dict[str, Any] | None = None,
    provider_status: str = "",
) -> CallRecord:
    """A call arrives: the caller's customer, a voice ticket, and an interaction waiting in the line's
    queue (external id = the provider's call id). The same call id again gives the same call."""
    existing = CallRecord.objects.filter(provider_call_id=call_id).first()
    if existing is not None:
        return existing
    now = at or timezone.now()
    try:
        with transaction.atomic():
            customer = _caller(from_number)
            shown = phone_e164(from_number) or "a withheld number"
            ticket = ticket_create(
                actor=None,
                requester=customer,
                subject=f"Call from {shown}",
                channel=Channel.VOICE,
                created_at=now,
            )
            interaction = routing.interaction_enqueue(
                queue=line.queue, customer=customer, ticket=ticket, external_id=call_id, at=now
            )
            call = CallRecord.objects.create(
                line=line,
                interaction=interaction,
                provider_call_id=call_id,
                from_number=from_number[:64],
                to_number=to_number[:64],
                status=CallRecord.Status.QUEUED,
                provider_status=provider_status[:20],
                queued_at=now,
                raw_last_payload=payload or {},
            )
            event_record(
                actor=None,
                verb="call.started",
                target=call,
                at=now,
                after=_call_data(call, customer=customer.pk, ticket=ticket.pk, queue=line.queue_id),
            )
    except IntegrityError:  # the same call opened by a concurrent delivery
        return CallRecord.objects.get(provider_call_id=call_id)
    if interaction.state == State.FALLBACK:  # the queue was full
        call.status = CallRecord.Status.FAILED
        call.save(update_fields=["status", "updated_at"])
    return call


def _call_locked(call: CallRecord) -> CallRecord:
    return (
        CallRecord.objects.select_for_update(of=("self",))
        .select_related("line", "interaction")
        .get(pk=call.pk)
    )


def _close_hold(call: CallRecord, at: datetime) -> None:
    if call.hold_started_at is not None:
        call.hold_seconds += max((at - call.hold_started_at).total_seconds(), 0.0)
        call.hold_started_at = None


def _measure(call: CallRecord) -> None:
    durations = timing.call_durations(
        queued_at=call.queued_at,
        answered_at=call.answered_at,
        ended_at=call.ended_at,
        wrap_up_ended_at=call.wrap_up_ended_at,
        hold_seconds=call.hold_seconds,
    )
    call.wait_seconds, call.talk_seconds, call.after_call_seconds = (
        durations.wait,
        durations.talk,
        durations.after_call,
    )


def _withdraw(interaction: Interaction, *, at: datetime, fallback: str, why: str) -> Interaction:
    """A waiting (or offered) contact leaves its queue for a fallback: voicemail, a callback, a transfer.

    Lock order as routing's: the presence of the agent an offer holds, then the interaction.
    """
    holder = Interaction.objects.filter(pk=interaction.pk).values_list("agent_id", flat=True).first()
    if holder is not None:
        list(AgentPresence.objects.select_for_update(of=("self",)).filter(user_id=holder))
    interaction = Interaction.objects.select_for_update(of=("self",)).get(pk=interaction.pk)
    if interaction.state not in (State.WAITING, State.OFFERED):
        return interaction
    if interaction.agent_id != holder:
        raise Conflict("the contact changed hands meanwhile; try again", code="offer_gone")
    interaction.state, interaction.ended_at = State.FALLBACK, at
    interaction.outcome = f"{fallback}: {why}"[:40]
    interaction.agent_id, interaction.offered_to, interaction.offer_expires_at = None, [], None
    interaction.save(
        update_fields=["state", "ended_at", "outcome", "agent", "offered_to", "offer_expires_at"]
    )
    event_record(
        actor=None,
        verb="interaction.fallback",
        target=interaction,
        at=at,
        after={
            "queue": interaction.queue_id,
            "channel": interaction.channel,
            "state": interaction.state,
            "agent": None,
            "ticket": interaction.ticket_id,
            "fallback": fallback,
            "why": why,
        },
    )
    if holder is not None:
        _route_soon(interaction.queue_id)  # the offer's slot is free again
    return interaction


def interaction_connect_for(
    *, agent: User, interaction: Interaction, at: datetime | None = None
) -> Interaction:
    """The contact is with `agent` (a PBX says they answered, or they dialled a callback), whoever the
    ACD offered it to. Routing's own accept is used when the offer is theirs."""
    now = at or timezone.now()
    if not AgentProfile.objects.filter(user=agent).exists():
        raise Invalid("only agents answer calls", field="agent_id")
    current = Interaction.objects.get(pk=interaction.pk)
    if current.state == State.CONNECTED and current.agent_id == agent.pk:
        return current
    if current.state == State.OFFERED and agent.pk in current.offered_to:
        try:
            return routing.interaction_accept(user=agent, interaction=current, at=now)
        except Conflict:
            pass  # at capacity by Frontline's count, but the PBX says they are talking: connect anyway
    with transaction.atomic():
        holder = current.agent_id
        user_ids = sorted({agent.pk} | ({holder} if holder is not None else set()))
        for user_id in user_ids:
            AgentPresence.objects.get_or_create(user_id=user_id, defaults={"since": now})
        list(
            AgentPresence.objects.select_for_update(of=("self",)).filter(user_id__in=user_ids).order_by("pk")
        )
        locked = Interaction.objects.select_for_update(of=("self",)).get(pk=interaction.pk)
        if locked.agent_id != holder or locked.state != current.state:
            raise Conflict("the contact changed hands meanwhile; try again", code="offer_gone")
        if locked.state not in (State.WAITING, State.OFFERED):
            raise Conflict(f"the contact is {locked.state}", code="not_waiting")
        locked.state, locked.agent_id, locked.answered_at = State.CONNECTED, agent.pk, now
        locked.offered_to, locked.offer_expires_at = [agent.pk], None
        locked.offered_at = locked.offered_at or now
        locked.save(
            update_fields=["state", "agent", "answered_at", "offered_to", "offer_expires_at", "offered_at"]
        )
        load = Interaction.objects.filter(agent_id=agent.pk, state__in=OCCUPYING).count()
        event_record(
            actor=None,
            verb="interaction.connected",
            target=locked,
            at=now,
            after={
                "queue": locked.queue_id,
                "channel": locked.channel,
                "state": locked.state,
                "agent": agent.pk,
                "ticket": locked.ticket_id,
                "agent_load": load,
                "waited_seconds": (now - locked.enqueued_at).total_seconds(),
                "answered_for": holder,
            },
        )
        # Available with a contact open is busy: routing's presence service records the change.
        routing.presence_set(actor=None, user=agent, state="available", at=now)
        if holder is not None and holder != agent.pk:
            _route_soon(locked.queue_id)
    return locked


@transaction.atomic
def call_answer(*, call: CallRecord, agent: User, at: datetime | None = None) -> CallRecord:
    """An agent answered the call (PBX event): the interaction connects to them; the answer time is kept."""
    now = at or timezone.now()
    call = _call_locked(call)
    if call.ended_at is not None:
        raise Conflict("the call has ended", code="call_ended")
    interaction = interaction_connect_for(agent=agent, interaction=call.interaction, at=now)
    call.answered_at = call.answered_at or interaction.answered_at or now
    call.status = CallRecord.Status.CONNECTED
    call.save(update_fields=["answered_at", "status", "updated_at"])
    event_record(
        actor=None, verb="call.answered", target=call, at=now, after=_call_data(call, agent=agent.pk)
    )
    return call


@transaction.atomic
def call_hold(*, call: CallRecord, on_hold: bool, at: datetime | None = None) -> CallRecord:
    """The agent put the caller on hold (or took them off it); hold time adds up over the call."""
    now = at or timezone.now()
    call = _call_locked(call)
    if call.interaction.state != State.CONNECTED:
        raise Conflict("only a call with an agent can be held", code="not_connected")
    if on_hold and call.hold_started_at is None:
        call.hold_started_at, call.status = now, CallRecord.Status.ON_HOLD
    elif not on_hold and call.hold_started_at is not None:
        _close_hold(call, now)
        call.status = CallRecord.Status.CONNECTED
    else:
        return call  # a repeat: already in that state
    call.save(update_fields=["hold_started_at", "hold_seconds", "status", "updated_at"])
    event_record(
        actor=None,
        verb="call.held" if on_hold else "call.resumed",
        target=call,
        at=now,
        after=_call_data(call, hold_seconds=call.hold_seconds),
    )
    return call


@transaction.atomic
def call_transfer(*, call: CallRecord, queue: Queue, at: datetime | None = None) -> CallRecord:
    """The call moves to `queue`: the current leg ends (its agent wraps up) and a new leg waits there."""
    now = at or timezone.now()
    if queue.channel != Channel.VOICE:
        raise Invalid("calls are transferred to a voice queue", field="target_queue_id")
    call = _call_locked(call)
    if call.ended_at is not None:
        raise Conflict("the call has ended", code="call_ended")
    _close_hold(call, now)
    leg = call.interaction
    if leg.state == State.CONNECTED:
        routing.interaction_end(actor=None, interaction=leg, outcome="transferred", at=now)
    elif leg.state in (State.WAITING, State.OFFERED):
        _withdraw(leg, at=now, fallback="transfer", why=f"to queue {queue.pk}")
    call.legs += 1
    call.interaction = routing.interaction_enqueue(
        queue=queue,
        customer=leg.customer,
        ticket=leg.ticket,
        external_id=f"{call.provider_call_id}#{call.legs}",
        at=now,
    )
    call.status = CallRecord.Status.QUEUED
    call.save(
        update_fields=["legs", "interaction", "status", "hold_started_at", "hold_seconds", "updated_at"]
    )
    event_record(
        actor=None,
        verb="call.transferred",
        target=call,
        at=now,
        after=_call_data(call, queue=queue.pk, leg=call.legs),
    )
    return call


@transaction.atomic
def call_close(*, call: CallRecord, at: datetime | None = None, outcome: str = "completed") -> CallRecord:
    """The call is over. Still waiting: abandoned. With an agent: ended, after-call work starts.

    A call already closed stays as it is (providers repeat status callbacks).
    """
    now = at or timezone.now()
    call = _call_locked(call)
    if call.ended_at is not None:
        return call
    _close_hold(call, now)
    interaction = call.interaction
    status = call.status
    if interaction.state in (State.WAITING, State.OFFERED):
        interaction = routing.interaction_end(
            actor=None, interaction=interaction, outcome="abandoned", at=now
        )
        status = CallRecord.Status.ABANDONED
    elif interaction.state == State.CONNECTED:
        interaction = routing.interaction_end(actor=None, interaction=interaction, outcome=outcome, at=now)
        status = CallRecord.Status.ENDED
    elif status not in (CallRecord.Status.VOICEMAIL, CallRecord.Status.CALLBACK):
        status = CallRecord.Status.ENDED
    if outcome in ("busy", "no-answer", "failed", "canceled") and status == CallRecord.Status.ENDED:
        status = CallRecord.Status.FAILED
    call.answered_at = call.answered_at or interaction.answered_at
    call.ended_at = now
    call.wrap_up_ended_at = interaction.wrap_up_ended_at if interaction.state == State.ENDED else None
    call.status = status
    _measure(call)
    call.save()
    event_record(
        actor=None,
        verb="call.ended",
        target=call,
        at=now,
        after=_call_data(
            call,
            outcome=outcome,
            wait_seconds=call.wait_seconds,
            talk_seconds=call.talk_seconds,
            hold_seconds=call.hold_seconds,
        ),
    )
    return call


def call_sync_from_interaction(*, interaction_id: int) -> CallRecord | None:
    """Routing moved the call's interaction (an agent accepted it at the desk, wrap-up ended): mirror
    the answer and wrap-up times on the call."""
    with transaction.atomic():
        call = (
            CallRecord.objects.select_for_update(of=("self",)).filter(interaction_id=interaction_id).first()
        )
        if call is None:
            return None
        interaction = Interaction.objects.get(pk=interaction_id)
        fields = []
        if call.answered_at is None and interaction.answered_at is not None:
            call.answered_at = interaction.answered_at
            fields.append("answered_at")
            if call.status == CallRecord.Status.QUEUED:
                call.status = CallRecord.Status.CONNECTED
                fields.append("status")
        if call.ended_at is not None and interaction.wrap_up_ended_at and call.wrap_up_ended_at is None:
            call.wrap_up_ended_at = interaction.wrap_up_ended_at
            fields.append("wrap_up_ended_at")
        if not fields:
            return call
        _measure(call)
        call.save(update_fields=[*fields, "wait_seconds", "talk_seconds", "after_call_seconds", "updated_at"])
        if "wrap_up_ended_at" in fields:
            event_record(
                actor=None,
                verb="call.wrapped_up",
                target=call,
                at=call.wrap_up_ended_at,
                after=_call_data(call, after_call_seconds=call.after_call_seconds),
            )
        return call


@transaction.atomic
def call_choose(*, call: CallRecord, choice: str, at: datetime | None = None) -> CallRecord:
    """A waiting caller pressed 1 (be called back, keeping their place) or 2 (leave a voicemail).

    Once an agent has the call a key press changes nothing; a repeated press keeps the first choice.
    """
    now = at or timezone.now()
    if choice not in (CallRecord.Choice.CALLBACK, CallRecord.Choice.VOICEMAIL):
        raise Invalid("choose callback or voicemail", field="choice")
    call = _call_locked(call)
    if call.choice or call.ended_at is not None:
        return call
    interaction = call.interaction
    if interaction.state not in (State.WAITING, State.OFFERED):
        return call
    interaction = _withdraw(interaction, at=now, fallback=choice, why="caller's choice")
    if interaction.state != State.FALLBACK:
        return call
    call.choice = choice
    call.status = (
        CallRecord.Status.CALLBACK if choice == CallRecord.Choice.CALLBACK else CallRecord.Status.VOICEMAIL
    )
    call.save(update_fields=["choice", "status", "updated_at"])
    event_record(actor=None, verb="call.choice", target=call, at=now, after=_call_data(call, choice=choice))
    if choice == CallRecord.Choice.CALLBACK:
        _callback_from_call(call, interaction, now)
    return call


@transaction.atomic
def call_recording_add(
    *,
    call: CallRecord,
    url: str,
    voicemail: bool,
    recording_id: str = "",
    duration: int | None = None,
    transcript: str = "",
    at: datetime | None = None,
) -> CallRecord:
    """A recording is ready. A voicemail also lands on the call's ticket as the customer's message."""
    now = at or timezone.now()
    call = _call_locked(call)
    if transcript:
        call.transcript = transcript
    if not url:
        call.save(update_fields=["transcript", "updated_at"])
        return call
    if voicemail:
        call.voicemail_url = url
        if call.interaction.state not in (State.CONNECTED, State.WRAP_UP, State.ENDED):
            call.status = CallRecord.Status.VOICEMAIL
    else:
        call.recording_url = url
    call.save(update_fields=["voicemail_url", "recording_url", "transcript", "status", "updated_at"])
    event_record(
        actor=None,
        verb="call.recording_added",
        target=call,
        at=now,
        after=_call_data(call, url=url, voicemail=voicemail, duration=duration),
    )
    if voicemail:
        _voicemail_message(call, url, recording_id or url, duration, transcript, now)
    return call


def _voicemail_message(
    call: CallRecord, url: str, recording_id: str, duration: int | None, transcript: str, at: datetime
) -> None:
    external_id = f"voicemail:{recording_id}"[:255]
    if Message.objects.filter(channel=Channel.VOICE, external_id=external_id).exists():
        return
    length = f" ({duration} s)" if duration is not None else ""
    body = f"Voicemail from {call.from_number}{length}: {url}"
    if transcript:
        body += f"\n\nTranscript: {transcript}"
    ticket = call.interaction.ticket
    if ticket is None:
        return
    try:
        message_add(
            actor=None,
            ticket=ticket,
            direction=Message.Direction.INBOUND,
            body_text=body,
            channel=Channel.VOICE,
            external_id=external_id,
            created_at=at,
        )
    except Conflict as exc:
        if exc.code not in ("ticket_closed", "ticket_merged"):
            raise
        ticket_create(
            actor=None,
            requester=ticket.requester,
            subject=f"Voicemail from {call.from_number}",
            body_text=body,
            channel=Channel.VOICE,
            external_id=external_id,
            created_at=at,
            linked_to=ticket,
        )


# --- Twilio webhooks (the views store the raw delivery, then call one of these)


def _twilio_call(params: dict[str, str]) -> tuple[twilio.CallParams, CallRecord | None]:
    parsed = twilio.parse_call(params)
    return parsed, CallRecord.objects.filter(provider_call_id=parsed.call_sid).first()


def twilio_incoming(*, line: VoiceLine, params: dict[str, str]) -> CallRecord:
    parsed = twilio.parse_call(params)
    return call_open(
        line=line,
        call_id=parsed.call_sid,
        from_number=parsed.from_number,
        to_number=parsed.to_number,
        payload=params,
        provider_status=parsed.call_status,
    )


def twilio_gather(*, line: VoiceLine, params: dict[str, str]) -> CallRecord | None:
    parsed, call = _twilio_call(params)
    if call is None:
        return None
    choices = {"1": CallRecord.Choice.CALLBACK, "2": CallRecord.Choice.VOICEMAIL}
    allowed = {
        CallRecord.Choice.CALLBACK: line.offer_callback,
        CallRecord.Choice.VOICEMAIL: line.offer_voicemail,
    }
    choice = choices.get(parsed.digits.strip()[:1])
    if choice is None or not allowed[choice]:
        return call
    return call_choose(call=call, choice=choice)


def twilio_queue_result(*, line: VoiceLine, params: dict[str, str]) -> CallRecord | None:
    """The caller left Twilio's queue: `leave` (their menu choice), `hangup`, `bridged`, or an error
    (`queue-full`, `error`, `system-error`): then they may leave a voicemail."""
    parsed, call = _twilio_call(params)
    if call is None:
        return None
    if (
        parsed.queue_result in ("queue-full", "error", "system-error")
        and not call.choice
        and line.offer_voicemail
    ):
        return call_choose(call=call, choice=CallRecord.Choice.VOICEMAIL)
    return call


def twilio_status(*, line: VoiceLine, params: dict[str, str]) -> CallRecord | None:
    """Status callback: ringing, in-progress, then completed, busy, no-answer, failed or canceled."""
    parsed, call = _twilio_call(params)
    if call is None:
        return None
    status = parsed.call_status
    if status not in twilio.ALL_STATUSES:
        raise Invalid(f"unknown CallStatus {status!r}", field="CallStatus")
    CallRecord.objects.filter(pk=call.pk).update(provider_status=status, raw_last_payload=params)
    if status in twilio.FINAL_STATUSES:
        return call_close(call=call, at=_provider_time(parsed.timestamp), outcome=status)
    call.refresh_from_db()
    return call


def twilio_recording(*, line: VoiceLine, params: dict[str, str], voicemail: bool) -> CallRecord | None:
    parsed, call = _twilio_call(params)
    if call is None:
        return None
    if parsed.recording_status not in ("", "completed"):
        return call  # absent or failed: nothing to link
    return call_recording_add(
        call=call,
        url=parsed.recording_url,
        voicemail=voicemail,
        recording_id=parsed.recording_sid,
        duration=parsed.recording_duration,
        transcript=parsed.transcription_text,
    )


def _provider_time(at: datetime | None) -> datetime:
    """The provider's timestamp when it is plausible (retries arrive late), else now."""
    now = timezone.now()
    if at is None or abs((now - at).total_seconds()) > 3600:
        return now
    return at


# --- CTI events (PBX bridges)


def cti_event_receive(
    *,
    line: VoiceLine,
    call_id: str,
    event: str,
    at: datetime,
    from_number: str = "",
    to_number: str = "",
    agent_id: int | None = None,
    target_queue_id: int | None = None,
) -> tuple[CallEvent, CallRecord | None, bool]:
    """Store then apply one CTI event; the same (call id, event, at) again is a duplicate.

    Returns (stored event, call, duplicate). Bad input is refused before anything is stored.
    """
    if event not in CTI_EVENTS:
        raise Invalid(f"event must be one of {', '.join(CTI_EVENTS)}", field="event")
    if timezone.is_naive(at):
        raise Invalid("give the time with its UTC offset", field="at")
    if event == "answered":
        if agent_id is None:
            raise Invalid("answered needs the agent_id of who answered", field="agent_id")
        if not AgentProfile.objects.filter(user_id=agent_id, user__is_active=True).exists():
            raise Invalid(f"no agent {agent_id}", field="agent_id")
    if event == "transferred" and (
        target_queue_id is None or not Queue.objects.filter(pk=target_queue_id, active=True).exists()
    ):
        raise Invalid("transferred needs the target_queue_id of an active queue", field="target_queue_id")
    if (
        event != "offered"
        and event != "answered"
        and not CallRecord.objects.filter(provider_call_id=call_id).exists()
    ):
        raise NotFound(f"unknown call {call_id!r}: send offered first", field="call_id")
    at_utc = at.astimezone(UTC)
    payload = {
        "line_id": line.pk,
        "call_id": call_id,
        "event": event,
        "at": at_utc.isoformat(),
        "from": from_number,
        "to": to_number,
        "agent_id": agent_id,
        "target_queue_id": target_queue_id,
    }
    stored, created = call_event_store(
        line=line,
        kind=f"cti.{event}",
        call_id=call_id,
        key=f"cti:{call_id}:{event}:{at_utc.isoformat()}"[:200],
        payload=payload,
    )
    if not created and stored.status == CallEvent.Status.PROCESSED:
        return stored, CallRecord.objects.filter(provider_call_id=call_id).first(), True
    call = call_event_run(stored, lambda: _cti_apply(line=line, payload=payload))
    return stored, call, False


def _cti_apply(*, line: VoiceLine, payload: dict[str, Any]) -> CallRecord:
    event, call_id = str(payload["event"]), str(payload["call_id"])
    at = datetime.fromisoformat(str(payload["at"]))
    call = CallRecord.objects.filter(provider_call_id=call_id).first()
    if call is None and event in ("offered", "answered"):
        call = call_open(
            line=line,
            call_id=call_id,
            from_number=str(payload.get("from") or ""),
            to_number=str(payload.get("to") or ""),
            at=at,
            payload=payload,
        )
    if call is None:
        raise NotFound(f"unknown call {call_id!r}: send offered first", field="call_id")
    CallRecord.objects.filter(pk=call.pk).update(raw_last_payload=payload)
    if event == "answered":
        agent = User.objects.get(pk=payload["agent_id"])
        return call_answer(call=call, agent=agent, at=at)
    if event in ("held", "resumed"):
        return call_hold(call=call, on_hold=event == "held", at=at)
    if event == "transferred":
        return call_transfer(call=call, queue=Queue.objects.get(pk=payload["target_queue_id"]), at=at)
    if event in ("ended", "abandoned"):
        return call_close(call=call, at=at, outcome="completed" if event == "ended" else "abandoned")
    call.refresh_from_db()
    return call


# --- Callbacks


def _schedule_dispatch(request_id: int, eta: datetime) -> None:
    def schedule() -> None:
        from frontline.connectors.voice.tasks import callback_dispatch_task

        if eta <= timezone.now():
            callback_dispatch_task(request_id)
        else:
            callback_dispatch_task.schedule(args=(request_id,), eta=eta)

    transaction.on_commit(schedule)


def _into_phone_hours(at: datetime, customer: Customer | None) -> datetime:
    """`at` if the phone channel is open then (under the customer's plan), else its next opening."""
    availability = channel_availability(channel=Channel.VOICE, customer=customer, at=at)
    if availability.is_open or availability.opens_at is None:
        return at
    return availability.opens_at.astimezone(UTC)


def callback_slot_check(
    *, customer: Customer | None, start: datetime, end: datetime | None, now: datetime
) -> None:
    """A requested slot starts in the future (a minute's grace), inside the phone channel's hours, and
    ends by the time those hours close. Raises Invalid naming the field."""
    if timezone.is_naive(start) or (end is not None and timezone.is_naive(end)):
        raise Invalid("give times with their UTC offset", field="preferred_start")
    if start < now - timedelta(minutes=1):
        raise Invalid("the slot has already begun", field="preferred_start")
    if end is not None and end <= start:
        raise Invalid("the slot must end after it starts", field="preferred_end")
    availability = channel_availability(channel=Channel.VOICE, customer=customer, at=start)
    if not availability.is_open:
        opens = availability.opens_at.isoformat() if availability.opens_at else "later"
        raise Invalid(f"we do not take calls then; the phone line opens {opens}", field="preferred_start")
    if end is not None and availability.closes_at is not None and end > availability.closes_at:
        raise Invalid(
            f"the phone line closes at {availability.closes_at.isoformat()}; end the slot by then",
            field="preferred_end",
        )


@transaction.atomic
def callback_request_create(
    *,
    line: VoiceLine,
    phone: str,
    name: str = "",
    preferred_start: datetime | None = None,
    preferred_end: datetime | None = None,
    at: datetime | None = None,
) -> CallbackRequest:
    """The website's "call me back" button: a callback scheduled in the slot (or as soon as the phone
    line is open), routed like a call at its time."""
    now = at or timezone.now()
    e164 = phone_e164(phone)
    if e164 is None:
        raise Invalid("not a phone number we can call", field="phone")
    name = name.strip()[:200]
    existing = Customer.objects.filter(contact_points__kind="phone", contact_points__normalized=e164).first()
    if preferred_start is not None:
        callback_slot_check(customer=existing, start=preferred_start, end=preferred_end, now=now)
        when = max(preferred_start, now)
    else:
        if preferred_end is not None:
            raise Invalid("give the slot's start too", field="preferred_start")
        when = _into_phone_hours(now, existing)
    customer, _ = customer_find_or_create(actor=None, phone=e164, first_name=name[:100])
    request = CallbackRequest.objects.create(
        line=line,
        customer=customer,
        name=name,
        phone=e164,
        source=CallbackRequest.Source.WEBSITE,
        queue=line.waiting_queue_for_callbacks(),
        status=CallbackRequest.Status.SCHEDULED,
        preferred_start=preferred_start,
        preferred_end=preferred_end,
        max_attempts=line.callback_max_attempts,
        next_attempt_at=when,
        created_at=now,
    )
    event_record(
        actor=None,
        verb="callback.requested",
        target=request,
        at=now,
        after={"source": request.source, "line": line.pk, "customer": customer.pk, "next_attempt_at": when},
    )
    _schedule_dispatch(request.pk, when)
    return request


def _callback_from_call(call: CallRecord, interaction: Interaction, now: datetime) -> CallbackRequest:
    """Pressed 1 while waiting: called back as soon as possible, keeping the place they had in line."""
    existing = CallbackRequest.objects.filter(call=call).first()
    if existing is not None:
        return existing
    phone = phone_e164(call.from_number) or call.from_number
    when = _into_phone_hours(now, interaction.customer)
    request = CallbackRequest.objects.create(
        line=call.line,
        customer=interaction.customer,
        phone=phone[:32],
        source=CallbackRequest.Source.QUEUE,
        queue=call.line.waiting_queue_for_callbacks(),
        call=call,
        ticket=interaction.ticket,
        status=CallbackRequest.Status.SCHEDULED,
        preferred_start=when,
        keep_place_at=interaction.enqueued_at,
        max_attempts=call.line.callback_max_attempts,
        next_attempt_at=when,
        created_at=now,
    )
    event_record(
        actor=None,
        verb="callback.requested",
        target=request,
        at=now,
        after={"source": request.source, "call": call.pk, "keep_place_at": request.keep_place_at},
    )
    _schedule_dispatch(request.pk, when)
    return request


@transaction.atomic
def callback_dispatch(*, request_id: int, now: datetime | None = None) -> CallbackRequest | None:
    """At its time a scheduled callback waits in its queue like a call (outside phone hours: later)."""
    now = now or timezone.now()
    request = (
        CallbackRequest.objects.select_for_update(of=("self",))
        .select_related("queue", "customer")
        .filter(pk=request_id)
        .first()
    )
    if request is None or request.status not in (
        CallbackRequest.Status.REQUESTED,
        CallbackRequest.Status.SCHEDULED,
    ):
        return request
    if request.next_attempt_at is not None and request.next_attempt_at > now:
        return request
    opens = _into_phone_hours(now, request.customer)
    if opens > now:
        request.next_attempt_at = opens
        request.save(update_fields=["next_attempt_at", "updated_at"])
        _schedule_dispatch(request.pk, opens)
        return request
    customer = request.customer or customer_find_or_create(actor=None, phone=request.phone)[0]
    ticket = request.ticket
    if ticket is None:
        who = f"{request.name} ({request.phone})" if request.name else request.phone
        ticket = ticket_create(
            actor=None,
            requester=customer,
            subject=f"Callback to {request.phone}",
            body_text=f"{who} asked to be called back.",
            channel=Channel.CALLBACK,
            created_at=now,
        )
    number = request.attempts + 1
    interaction = routing.interaction_enqueue(
        queue=request.queue,
        customer=customer,
        ticket=ticket,
        external_id=f"callback-{request.pk}-{number}",
        at=now,
    )
    if number == 1 and request.keep_place_at is not None and interaction.state == State.WAITING:
        # Keep my place: the callback waits as if since the caller first joined the line.
        interaction.waiting_since = min(request.keep_place_at, now)
        interaction.save(update_fields=["waiting_since"])
    request.customer, request.ticket, request.interaction = customer, ticket, interaction
    request.status = CallbackRequest.Status.DIALING
    request.save(update_fields=["customer", "ticket", "interaction", "status", "updated_at"])
    event_record(
        actor=None,
        verb="callback.dispatched",
        target=request,
        at=now,
        after={"attempt": number, "interaction": interaction.pk, "queue": request.queue_id},
    )
    return request


def callbacks_dispatch_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Safety net: every scheduled callback whose time has come (a lost ETA task, a restart)."""
    now = now or timezone.now()
    due = list(
        CallbackRequest.objects.filter(
            status__in=(CallbackRequest.Status.REQUESTED, CallbackRequest.Status.SCHEDULED),
            next_attempt_at__lte=now,
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    dispatched = 0
    for pk in due:
        request = callback_dispatch(request_id=pk, now=now)
        dispatched += int(request is not None and request.status == CallbackRequest.Status.DIALING)
    return dispatched


@transaction.atomic
def callback_attempt_record(
    *, actor: User, request: CallbackRequest, outcome: str, note: str = "", at: datetime | None = None
) -> CallbackRequest:
    """The agent reports one try at calling back. Answered completes it; a wrong number fails it; any
    other outcome retries later (5, 15, 45 minutes …, inside phone hours) until the attempts run out."""
    now = at or timezone.now()
    if outcome not in CallbackOutcome.values:
        raise Invalid(f"outcome must be one of {', '.join(CallbackOutcome.values)}", field="outcome")
    request = (
        CallbackRequest.objects.select_for_update(of=("self",)).select_related("customer").get(pk=request.pk)
    )
    if request.status not in (CallbackRequest.Status.SCHEDULED, CallbackRequest.Status.DIALING):
        raise Conflict(f"the callback is {request.status}", code="callback_closed")
    interaction = request.interaction if request.status == CallbackRequest.Status.DIALING else None
    if interaction is not None:
        interaction.refresh_from_db()
        if interaction.state in (State.WAITING, State.OFFERED):
            interaction = interaction_connect_for(agent=actor, interaction=interaction, at=now)
        if interaction.state == State.CONNECTED:
            routing.interaction_end(
                actor=actor, interaction=interaction, outcome=f"callback {outcome}", at=now
            )
    number = request.attempts + 1
    CallbackAttempt.objects.create(
        request=request,
        number=number,
        outcome=outcome,
        note=note,
        agent=actor,
        interaction=interaction,
        at=now,
    )
    request.attempts = number
    if outcome == CallbackOutcome.ANSWERED:
        request.status, request.outcome, request.next_attempt_at = (
            CallbackRequest.Status.COMPLETED,
            outcome,
            None,
        )
    elif outcome == CallbackOutcome.WRONG_NUMBER or number >= request.max_attempts:
        request.status, request.outcome, request.next_attempt_at = (
            CallbackRequest.Status.FAILED,
            outcome,
            None,
        )
    else:
        request.status = CallbackRequest.Status.SCHEDULED
        request.next_attempt_at = _into_phone_hours(now + timing.retry_delay(number), request.customer)
    request.save(update_fields=["attempts", "status", "outcome", "next_attempt_at", "updated_at"])
    event_record(
        actor=actor,
        verb="callback.attempted",
        target=request,
        at=now,
        after={
            "attempt": number,
            "outcome": outcome,
            "status": request.status,
            "next_attempt_at": request.next_attempt_at,
        },
    )
    if request.next_attempt_at is not None:
        _schedule_dispatch(request.pk, request.next_attempt_at)
    return request


@transaction.atomic
def callback_cancel(
    *, actor: User | None, request: CallbackRequest, at: datetime | None = None
) -> CallbackRequest:
    now = at or timezone.now()
    request = CallbackRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)
    if request.status in (
        CallbackRequest.Status.COMPLETED,
        CallbackRequest.Status.FAILED,
        CallbackRequest.Status.CANCELLED,
    ):
        return request
    if request.interaction_id is not None and request.status == CallbackRequest.Status.DIALING:
        interaction = Interaction.objects.get(pk=request.interaction_id)
        if interaction.state in (State.WAITING, State.OFFERED):
            _withdraw(interaction, at=now, fallback="callback", why="cancelled")
    request.status, request.next_attempt_at = CallbackRequest.Status.CANCELLED, None
    request.save(update_fields=["status", "next_attempt_at", "updated_at"])
    event_record(
        actor=actor, verb="callback.cancelled", target=request, at=now, after={"status": request.status}
    )
    return request
