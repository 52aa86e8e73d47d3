"""Reads of the voice channel: where a caller is in line, how long they may wait, callbacks for staff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet

from frontline.accounts.models import AgentProfile
from frontline.accounts.principal import Principal, require_staff
from frontline.connectors.voice import timing
from frontline.connectors.voice.models import CallbackRequest, VoiceLine
from frontline.core.errors import NotFound
from frontline.routing.models import OCCUPYING, AgentPresence, Interaction, PresenceState, Queue

#: Recent calls whose handle time feeds the estimate.
HANDLE_SAMPLE = 50
HANDLE_WINDOW = timedelta(days=7)
_ON = (PresenceState.AVAILABLE, PresenceState.BUSY, PresenceState.WRAP_UP)


def voice_line_get(*, line_id: int, provider: str | None = None) -> VoiceLine:
    lines = VoiceLine.objects.filter(active=True).select_related("queue", "callback_queue")
    if provider is not None:
        lines = lines.filter(provider=provider)
    line = lines.filter(pk=line_id).first()
    if line is None:
        raise NotFound(f"no active voice line {line_id}", field="line_id")
    return line


def queue_position(interaction: Interaction) -> int:
    """1 for the next caller to be served; 0 when the contact no longer waits."""
    if interaction.state != Interaction.State.WAITING:
        return 0
    ahead = Q(priority__gt=interaction.priority) | Q(
        priority=interaction.priority, waiting_since__lt=interaction.waiting_since
    )
    ahead |= Q(priority=interaction.priority, waiting_since=interaction.waiting_since, pk__lt=interaction.pk)
    return (
        Interaction.objects.filter(queue_id=interaction.queue_id, state=Interaction.State.WAITING)
        .filter(ahead)
        .count()
        + 1
    )


def queue_staffing(queue: Queue) -> tuple[int, int]:
    """(agents signed on for the queue's channel, of whom have room for another contact now)."""
    profiles = AgentProfile.objects.filter(user__is_active=True)
    if queue.team_id:
        profiles = profiles.filter(teams=queue.team_id)
    capacity = {
        user_id: int(caps.get(queue.channel, 0) or 0)
        for user_id, caps in profiles.values_list("user_id", "capacity")
        if isinstance(caps, dict)
    }
    on = dict(
        AgentPresence.objects.filter(
            user_id__in=[u for u, c in capacity.items() if c > 0], state__in=_ON
        ).values_list("user_id", "state")
    )
    loads: dict[int, int] = {}
    for agent_id in Interaction.objects.filter(
        agent_id__in=list(on), state__in=OCCUPYING, channel=queue.channel
    ).values_list("agent_id", flat=True):
        loads[agent_id] = loads.get(agent_id, 0) + 1
    idle = sum(
        1
        for user_id, state in on.items()
        if state != PresenceState.WRAP_UP and loads.get(user_id, 0) < capacity[user_id]
    )
    return len(on), idle


def average_handle_seconds(queue: Queue, *, now: datetime) -> float:
    """Mean of answer → end of wrap-up over the queue's last finished contacts of the past week."""
    rows = list(
        Interaction.objects.filter(
            queue=queue,
            answered_at__isnull=False,
            ended_at__isnull=False,
            ended_at__gte=now - HANDLE_WINDOW,
        )
        .order_by("-ended_at")
        .values_list("answered_at", "ended_at", "wrap_up_ended_at")[:HANDLE_SAMPLE]
    )
    if not rows:
        return timing.DEFAULT_HANDLE_SECONDS
    total = 0.0
    for answered, ended, wrapped in rows:
        if answered is not None and ended is not None:
            total += ((wrapped or ended) - answered).total_seconds()
    return total / len(rows)


@dataclass(frozen=True)
class WaitEstimate:
    position: int  # 0: not waiting any more (an agent has it)
    expected_seconds: int | None  # None: nobody is signed on


def wait_estimate(interaction: Interaction, *, now: datetime) -> WaitEstimate:
    position = queue_position(interaction)
    if position == 0:
        return WaitEstimate(position=0, expected_seconds=0)
    queue = interaction.queue
    staffed, idle = queue_staffing(queue)
    expected = timing.expected_wait_seconds(
        position=position,
        staffed=staffed,
        idle=idle,
        average_handle_seconds=average_handle_seconds(queue, now=now),
    )
    return WaitEstimate(position=position, expected_seconds=expected)


def callback_list_for_staff(
    *, principal: Principal, status: str | None = None, line_id: int | None = None
) -> QuerySet[CallbackRequest]:
    require_staff(principal, "only staff may see callback requests")
    callbacks = CallbackRequest.objects.select_related("line", "customer").prefetch_related("attempt_log")
    if status:
        callbacks = callbacks.filter(status=status)
    if line_id is not None:
        callbacks = callbacks.filter(line_id=line_id)
    return callbacks.order_by("next_attempt_at", "id")


def callback_get_for_staff(*, principal: Principal, callback_id: int) -> CallbackRequest:
    require_staff(principal, "only staff may see callback requests")
    callback = CallbackRequest.objects.filter(pk=callback_id).select_related("line").first()
    if callback is None:
        raise NotFound(f"no callback request {callback_id}")
    return callback
