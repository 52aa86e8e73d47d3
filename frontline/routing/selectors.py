"""Reads of the contact center: presence, queue statistics for the wallboard, the performance report."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Avg, Count, F, Min, Q, QuerySet
from django.utils import timezone

from frontline.accounts.models import AgentProfile, User
from frontline.core.errors import NotFound
from frontline.events.models import Event
from frontline.routing import report
from frontline.routing.models import AgentPresence, Interaction, PresenceState, Queue

State = Interaction.State


def presence_of(user: User) -> AgentPresence | None:
    return AgentPresence.objects.filter(user=user).first()


def presence_list() -> QuerySet[AgentPresence]:
    """Every agent's presence, for supervisors (the API checks the role)."""
    return AgentPresence.objects.order_by("user_id")


def queue_list() -> QuerySet[Queue]:
    return Queue.objects.all()


def queue_get(queue_id: int) -> Queue:
    queue = Queue.objects.filter(pk=queue_id).first()
    if queue is None:
        raise NotFound("no such queue")
    return queue


def interaction_get(interaction_id: int) -> Interaction:
    interaction = (
        Interaction.objects.select_related("queue", "agent", "customer").filter(pk=interaction_id).first()
    )
    if interaction is None:
        raise NotFound("no such interaction")
    return interaction


def my_interactions(user: User) -> list[Interaction]:
    """What the agent has now: offers to them (ring-all ones too), contacts connected or in wrap-up."""
    held = Interaction.objects.filter(
        Q(agent=user, state__in=(State.OFFERED, State.CONNECTED, State.WRAP_UP))
        | Q(state=State.OFFERED, agent__isnull=True)
    ).select_related("queue", "customer")
    return [i for i in held.order_by("offered_at", "id") if i.agent_id == user.pk or user.pk in i.offered_to]


@dataclass
class QueueStats:
    queue: Queue
    waiting: int
    longest_wait_seconds: float
    agents_by_state: dict[str, int]
    answered: int
    answered_in_target: int
    abandoned: int
    service_level: float | None  # answered within target ÷ (answered + abandoned after the target)
    abandonment_rate: float | None
    average_speed_of_answer_seconds: float | None
    since: datetime = field(default_factory=timezone.now)


def queue_stats(*, queue: Queue, now: datetime | None = None, zone: str = "UTC") -> QueueStats:
    """Live and today's figures for one queue ("today" from local midnight in `zone`)."""
    now = now or timezone.now()
    local = now.astimezone(ZoneInfo(zone))
    since = local.replace(hour=0, minute=0, second=0, microsecond=0)
    waiting = Interaction.objects.filter(queue=queue, state=State.WAITING).aggregate(
        n=Count("id"), oldest=Min("waiting_since")
    )
    longest = (now - waiting["oldest"]).total_seconds() if waiting["oldest"] else 0.0
    capable = [
        p.user_id
        for p in AgentProfile.objects.filter(user__is_active=True)
        if int(p.capacity.get(queue.channel, 0) or 0) > 0
    ]
    if queue.team_id:
        capable = list(
            AgentProfile.objects.filter(user_id__in=capable, teams=queue.team_id).values_list(
                "user_id", flat=True
            )
        )
    by_state: dict[str, int] = defaultdict(int)
    known = dict(AgentPresence.objects.filter(user_id__in=capable).values_list("user_id", "state"))
    for user_id in capable:
        by_state[known.get(user_id, PresenceState.LOGGED_OUT)] += 1
    today = Interaction.objects.filter(queue=queue, enqueued_at__gte=since, enqueued_at__lte=now)
    target = timedelta(seconds=queue.service_level_seconds)
    answered = today.filter(answered_at__isnull=False)
    figures = answered.aggregate(n=Count("id"), asa=Avg(F("answered_at") - F("enqueued_at")))
    in_target = answered.filter(answered_at__lte=F("enqueued_at") + target).count()
    abandoned_qs = today.filter(state=State.ABANDONED)
    abandoned = abandoned_qs.count()
    abandoned_late = abandoned_qs.filter(ended_at__gt=F("enqueued_at") + target).count()
    answered_n = figures["n"] or 0
    asa = figures["asa"]
    return QueueStats(
        queue=queue,
        waiting=waiting["n"] or 0,
        longest_wait_seconds=longest,
        agents_by_state={state: by_state.get(state, 0) for state in PresenceState.values},
        answered=answered_n,
        answered_in_target=in_target,
        abandoned=abandoned,
        service_level=in_target / (answered_n + abandoned_late) if answered_n + abandoned_late else None,
        abandonment_rate=abandoned / (answered_n + abandoned) if answered_n + abandoned else None,
        average_speed_of_answer_seconds=_seconds(asa),
        since=since,
    )


def _seconds(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(str(value)) / 1_000_000  # a backend without a duration type answers microseconds


@dataclass
class ReportRow:
    agent: User
    start: datetime
    end: datetime
    figures: report.AgentDay


def performance_report(
    *, agents: list[User], start: datetime, end: datetime, per_day: bool = True
) -> list[ReportRow]:
    """The agent performance report from the event log: one row per agent and day (or one for the range)."""
    ranges = report.day_ranges(start, end) if per_day else [(start, end)]
    rows: list[ReportRow] = []
    agent_ids = [a.pk for a in agents]
    presence_events = Event.objects.filter(
        verb="presence.changed", target_type="user", target_id__in=agent_ids, occurred_at__lt=end
    ).order_by("occurred_at", "id")
    changes: dict[int, list[report.Change]] = defaultdict(list)
    for event in presence_events.values("target_id", "occurred_at", "after"):
        changes[event["target_id"]].append(
            report.Change(event["occurred_at"], event["after"]["state"], event["after"].get("reason", ""))
        )
    contact_events = Event.objects.filter(
        target_type="interaction",
        verb__in=(
            "interaction.offered",
            "interaction.missed",
            "interaction.connected",
            "interaction.ended",
            "interaction.wrapped_up",
        ),
        occurred_at__gte=start,
        occurred_at__lt=end,
    ).values("verb", "target_id", "occurred_at", "after")
    per_agent: dict[int, list[Any]] = defaultdict(list)
    for event in contact_events:
        after = event["after"]
        for agent_id in (
            after.get("offered_to") or after.get("agents") or ([after["agent"]] if after.get("agent") else [])
        ):
            if agent_id in agent_ids:
                per_agent[agent_id].append(event)
    for agent in agents:
        for range_start, range_end in ranges:
            events = [e for e in per_agent.get(agent.pk, []) if range_start <= e["occurred_at"] < range_end]
            offered = sum(1 for e in events if e["verb"] == "interaction.offered")
            missed = sum(1 for e in events if e["verb"] == "interaction.missed")
            handled = _handled(events)
            figures = report.agent_report(
                changes.get(agent.pk, []),
                range_start,
                range_end,
                offered=offered,
                missed=missed,
                handled=handled,
            )
            rows.append(ReportRow(agent, range_start, range_end, figures))
    return rows


def _handled(events: list[Any]) -> list[report.Handled]:
    """Contacts whose conversation ended in the range: talk from the end event, wrap-up if recorded."""
    talk: dict[int, float] = {}
    wrap: dict[int, float] = {}
    for event in events:
        after = event["after"]
        target = int(event["target_id"])
        if event["verb"] == "interaction.ended":
            talk[target] = float(after.get("talk_seconds", 0))
        elif event["verb"] == "interaction.wrapped_up":
            wrap[target] = float(after.get("wrap_up_seconds", 0))
    return [report.Handled(seconds, wrap.get(target, 0.0)) for target, seconds in talk.items()]


def stats_dict(stats: QueueStats) -> dict[str, Any]:
    return {
        "queue_id": stats.queue.pk,
        "queue": stats.queue.name,
        "waiting": stats.waiting,
        "longest_wait_seconds": stats.longest_wait_seconds,
        "agents_by_state": stats.agents_by_state,
        "answered": stats.answered,
        "answered_in_target": stats.answered_in_target,
        "abandoned": stats.abandoned,
        "service_level": stats.service_level,
        "abandonment_rate": stats.abandonment_rate,
        "average_speed_of_answer_seconds": stats.average_speed_of_answer_seconds,
        "since": stats.since,
    }


@dataclass(frozen=True)
class HandleDay:
    day: date
    channel: str
    handled: int
    talk_seconds: float
    wrap_up_seconds: float

    @property
    def handle_seconds(self) -> float:
        """Average handle time: talk plus wrap-up."""
        return self.talk_seconds + self.wrap_up_seconds


def handle_time_by_day(*, start: datetime, end: datetime, zone: ZoneInfo) -> list[HandleDay]:
    """Answered contacts whose conversation ended in [start, end): count and average talk and wrap-up
    per local day and channel."""
    sums: dict[tuple[date, str], list[float]] = {}
    rows = Interaction.objects.filter(
        answered_at__isnull=False, ended_at__gte=start, ended_at__lt=end
    ).values_list("channel", "answered_at", "ended_at", "wrap_up_ended_at")
    for channel, answered, ended, wrapped in rows:
        if answered is None or ended is None:  # excluded by the filter; for the type checker
            continue
        entry = sums.setdefault((ended.astimezone(zone).date(), channel), [0, 0.0, 0.0])
        entry[0] += 1
        entry[1] += max((ended - answered).total_seconds(), 0.0)
        entry[2] += max((wrapped - ended).total_seconds(), 0.0) if wrapped else 0.0
    return [
        HandleDay(day, channel, int(n), talk / n, wrap / n)
        for (day, channel), (n, talk, wrap) in sorted(sums.items())
    ]
