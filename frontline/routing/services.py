"""Writes of the contact center: presence, enqueueing, routing decisions performed atomically, offers.

Atomicity: routing a queue locks the queue row, then the presence rows of every candidate agent
in primary-key order, and counts each agent's load inside that lock. Accepting a ring-all offer,
ending a contact and finishing wrap-up lock the same presence row. So two processes can never
both give an agent the last free slot, and an interaction (locked with its queue) is assigned
once. The lock order everywhere is queue, then presence, then interaction, and each lock names
its own table only (`of=("self",)`), so no two services wait on each other. On SQLite, write
transactions are serialised already (BEGIN IMMEDIATE).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from frontline.accounts.models import AgentProfile, User
from frontline.core.errors import Conflict, Invalid
from frontline.customers.models import Customer
from frontline.events.services import event_record
from frontline.routing import engine
from frontline.routing.models import (
    OCCUPYING,
    AgentPresence,
    Interaction,
    NotReadyReason,
    PresenceState,
    Queue,
)
from frontline.tickets.models import Channel, Ticket

State = Interaction.State
_MANUAL_STATES = (PresenceState.AVAILABLE, PresenceState.NOT_READY, PresenceState.LOGGED_OUT)
_ROUTABLE = (PresenceState.AVAILABLE, PresenceState.BUSY)
_TICKET_CHANNELS = (Channel.EMAIL, Channel.WEB_FORM, Channel.API)


def _away_after() -> timedelta:
    return timedelta(seconds=settings.FRONTLINE_PRESENCE_TIMEOUT_SECONDS)


# --- Presence


def _presence(user: User, *, lock: bool = False) -> AgentPresence:
    qs = AgentPresence.objects.select_for_update(of=("self",)) if lock else AgentPresence.objects
    presence = qs.filter(user=user).first()
    if presence is None:
        AgentPresence.objects.get_or_create(user=user, defaults={"since": timezone.now()})
        presence = qs.get(user=user)
    return presence


def _change(presence: AgentPresence, state: str, reason: str, at: datetime, actor: User | None) -> None:
    """Move a locked presence to `state`; the event carries the state left and how long it lasted."""
    if presence.state == state and presence.reason == reason:
        return
    left_at: datetime = presence.since
    before = {"state": presence.state, "reason": presence.reason, "since": left_at}
    presence.state, presence.reason, presence.since = state, reason, at
    if state != PresenceState.WRAP_UP:
        presence.wrap_up_until = None
    presence.save()
    event_record(
        actor=actor,
        verb="presence.changed",
        target=presence.user,
        at=at,
        before=before,
        after={
            "state": state,
            "reason": reason,
            "since": at,
            "seconds": (at - left_at).total_seconds(),
        },
    )


def _occupied(user_id: int) -> int:
    return Interaction.objects.filter(agent_id=user_id, state__in=OCCUPYING).count()


@transaction.atomic
def presence_set(
    *, actor: User | None, user: User, state: str, reason: str = "", at: datetime | None = None
) -> AgentPresence:
    """An agent (or a supervisor for them) signs on, takes a break or signs off, from any device."""
    now = at or timezone.now()
    if state not in _MANUAL_STATES:
        raise Invalid(f"state must be one of {', '.join(_MANUAL_STATES)}", field="state")
    if state == PresenceState.NOT_READY:
        if reason not in NotReadyReason.values:
            raise Invalid(f"not ready needs a reason: {', '.join(NotReadyReason.values)}", field="reason")
    else:
        reason = ""
    if not hasattr(user, "agent"):
        raise Invalid("only agents have a presence", field="user")
    presence = _presence(user, lock=True)
    if state == PresenceState.LOGGED_OUT and _occupied(user.pk):
        raise Conflict("finish your contacts before signing off", code="contacts_open")
    if state == PresenceState.AVAILABLE:
        if presence.state == PresenceState.WRAP_UP:
            _finish_wrap_up_of(user, now)
        if _occupied(user.pk):
            state = PresenceState.BUSY
        elif presence.idle_since is None or presence.state == PresenceState.LOGGED_OUT:
            presence.idle_since = now
    presence.last_seen_at = now
    _change(presence, state, reason, now, actor)
    if state in _ROUTABLE:
        _route_soon_for(user)
    return presence


def presence_heartbeat(*, user: User, at: datetime | None = None) -> None:
    """Any open desk tab calls this every ~30 s; agents whose clients all stop are set away."""
    AgentPresence.objects.filter(user=user).update(last_seen_at=at or timezone.now())


def presence_sweep(*, now: datetime | None = None) -> int:
    """Agents whose every client stopped answering become not ready (away)."""
    now = now or timezone.now()
    stale = AgentPresence.objects.filter(
        state__in=(PresenceState.AVAILABLE, PresenceState.BUSY, PresenceState.WRAP_UP),
        last_seen_at__lt=now - _away_after(),
    ).values_list("pk", flat=True)
    moved = 0
    for pk in stale:
        with transaction.atomic():
            presence = AgentPresence.objects.select_for_update(of=("self",)).select_related("user").get(pk=pk)
            if presence.last_seen_at and presence.last_seen_at < now - _away_after():
                _change(presence, PresenceState.NOT_READY, NotReadyReason.AWAY, now, None)
                moved += 1
    return moved


# --- Queues and interactions


def _interaction_data(interaction: Interaction, **extra: Any) -> dict[str, Any]:
    return {
        "queue": interaction.queue_id,
        "channel": interaction.channel,
        "state": interaction.state,
        "agent": interaction.agent_id,
        "ticket": interaction.ticket_id,
        **extra,
    }


def _route_soon(queue_id: int) -> None:
    def enqueue() -> None:
        from frontline.routing.tasks import route_queue_task

        route_queue_task(queue_id)

    transaction.on_commit(enqueue)


def _route_soon_for(user: User) -> None:
    """An agent became free: route the queues of the channels they take."""
    profile = AgentProfile.objects.filter(user=user).first()
    channels = [c for c, n in (profile.capacity if profile else {}).items() if n]
    for queue_id in Queue.objects.filter(active=True, channel__in=channels).values_list("pk", flat=True):
        _route_soon(queue_id)


@transaction.atomic
def interaction_enqueue(
    *,
    queue: Queue,
    customer: Customer | None = None,
    ticket: Ticket | None = None,
    priority: int | None = None,
    skills: dict[str, int] | None = None,
    language: str = "",
    external_id: str = "",
    preferred_agent: User | None = None,
    at: datetime | None = None,
    route: bool = True,
) -> Interaction:
    """A contact starts waiting in `queue`; the same provider id twice gives the same interaction.

    Without an explicit `priority` it is derived (see `derived_priority`).
    """
    now = at or timezone.now()
    if not queue.active:
        raise Conflict(f"queue {queue.name!r} is closed", code="queue_inactive")
    if external_id:
        existing = Interaction.objects.filter(channel=queue.channel, external_id=external_id).first()
        if existing is not None:
            return existing
    needed = {**queue.skills, **(skills or {})}
    for skill, level in needed.items():
        if not isinstance(level, int) or not 1 <= level <= 5:
            raise Invalid(f"skill {skill!r} needs a level from 1 to 5", field=f"skills.{skill}")
    if customer is None and ticket is not None:
        customer = ticket.requester
    if preferred_agent is None and customer is not None and queue.sticky_seconds:
        last = (
            Interaction.objects.filter(customer=customer, agent__isnull=False, channel=queue.channel)
            .order_by("-answered_at")
            .values_list("agent_id", flat=True)
            .first()
        )
        preferred_agent = User.objects.filter(pk=last).first() if last else None
    if priority is None:
        priority = derived_priority(customer=customer, ticket=ticket)
    interaction = Interaction.objects.create(
        queue=queue,
        channel=queue.channel,
        customer=customer,
        ticket=ticket,
        external_id=external_id,
        priority=priority,
        skills=needed,
        language=language or queue.language,
        preferred_agent=preferred_agent,
        enqueued_at=now,
        waiting_since=now,
    )
    waiting = Interaction.objects.filter(queue=queue, state=State.WAITING).count()
    event_record(
        actor=None,
        verb="interaction.enqueued",
        target=interaction,
        at=now,
        after=_interaction_data(interaction),
    )
    if (
        queue.max_waiting is not None
        and waiting > queue.max_waiting
        and queue.fallback != Queue.Fallback.NONE
    ):
        _to_fallback(interaction, now, "queue full")
    elif route:
        _route_soon(queue.pk)
    return interaction


_TICKET_PRIORITY = {"low": 0, "normal": 1, "high": 2, "urgent": 3}
_TIER = {"standard": 0, "silver": 1, "gold": 2, "platinum": 3}
SLA_AT_RISK_BOOST = 100


def derived_priority(*, customer: Customer | None, ticket: Ticket | None) -> int:
    """Queue priority from what the business set: an SLA at risk or breached first, then the
    ticket's priority, then the customer's tier (10 x ticket priority + tier, + 100 if at risk)."""
    from frontline.sla.models import SlaClock

    value = 10 * _TICKET_PRIORITY.get(ticket.priority, 1) if ticket is not None else 10
    if customer is not None:
        value += _TIER.get(customer.tier, 0)
    if (
        ticket is not None
        and SlaClock.objects.filter(ticket=ticket, state="running")
        .filter(Q(at_risk_notified=True) | Q(breach_notified=True))
        .exists()
    ):
        value += SLA_AT_RISK_BOOST
    return value


def _to_fallback(interaction: Interaction, now: datetime, why: str) -> None:
    interaction.state, interaction.ended_at = State.FALLBACK, now
    interaction.outcome = f"{interaction.queue.fallback}: {why}"
    interaction.save(update_fields=["state", "ended_at", "outcome"])
    event_record(
        actor=None,
        verb="interaction.fallback",
        target=interaction,
        at=now,
        after=_interaction_data(interaction, fallback=interaction.queue.fallback, why=why),
    )


def _snapshot_agents(queue: Queue, now: datetime) -> tuple[list[engine.Agent], dict[int, AgentPresence]]:
    """Candidate agents for `queue`, their presence rows locked in pk order, loads counted inside the lock."""
    profiles = AgentProfile.objects.filter(user__is_active=True).select_related("user")
    if queue.team_id:
        profiles = profiles.filter(teams=queue.team_id)
    capacity = {p.user_id: int(p.capacity.get(queue.channel, 0) or 0) for p in profiles}
    user_ids = [uid for uid, cap in capacity.items() if cap > 0]
    presences = list(
        AgentPresence.objects.select_for_update(of=("self",))
        .filter(user_id__in=user_ids, state__in=_ROUTABLE)
        .select_related("user")
        .order_by("pk")
    )
    ids = [p.user_id for p in presences]
    loads = dict(
        Interaction.objects.filter(agent_id__in=ids, state__in=OCCUPYING, channel=queue.channel)
        .values("agent_id")
        .annotate(n=Count("id"))
        .values_list("agent_id", "n")
    )
    languages = {p.user_id: frozenset(p.languages) for p in profiles if p.user_id in ids}
    skills: dict[int, dict[str, int]] = {uid: {} for uid in ids}
    from frontline.accounts.models import AgentSkill

    for user_id, name, level in AgentSkill.objects.filter(agent__user_id__in=ids).values_list(
        "agent__user_id", "skill__name", "proficiency"
    ):
        skills[user_id][name] = level
    agents = [
        engine.Agent(
            id=p.user_id,
            available=True,
            capacity=capacity[p.user_id],
            load=loads.get(p.user_id, 0),
            idle_since=p.idle_since or p.since,
            skills=skills[p.user_id],
            languages=languages[p.user_id],
            last_offered_seq=p.last_offered_seq,
        )
        for p in presences
    ]
    return agents, {p.user_id: p for p in presences}


def _rules(queue: Queue) -> engine.Rules:
    return engine.Rules(
        strategy=engine.Strategy(queue.strategy),
        sticky_seconds=queue.sticky_seconds,
        relax_after_seconds=queue.relax_after_seconds,
        relax_step_seconds=queue.relax_step_seconds,
        drop_skills_after_seconds=queue.drop_skills_after_seconds,
    )


def _contact(interaction: Interaction) -> engine.Contact:
    return engine.Contact(
        id=interaction.pk,
        priority=interaction.priority,
        waiting_since=interaction.waiting_since,
        skills=interaction.skills,
        language=interaction.language,
        preferred_agent=interaction.preferred_agent_id,
        excluded_agents=frozenset(interaction.excluded_agents),
    )


def _expire_waits(queue: Queue, waiting: list[Interaction], now: datetime) -> list[Interaction]:
    """Overflow to another queue and the maximum wait: contacts leave this queue before routing."""
    kept = []
    for interaction in waiting:
        waited = (now - interaction.waiting_since).total_seconds()
        if (
            queue.overflow_queue_id
            and queue.overflow_after_seconds is not None
            and waited >= queue.overflow_after_seconds
        ):
            before = interaction.queue_id
            interaction.queue_id, interaction.waiting_since = queue.overflow_queue_id, now
            interaction.save(update_fields=["queue", "waiting_since"])
            event_record(
                actor=None,
                verb="interaction.overflowed",
                target=interaction,
                at=now,
                before={"queue": before},
                after={"queue": queue.overflow_queue_id},
            )
            _route_soon(queue.overflow_queue_id)
        elif (
            queue.max_wait_seconds is not None
            and waited >= queue.max_wait_seconds
            and queue.fallback != "none"
        ):
            _to_fallback(interaction, now, "waited too long")
        else:
            kept.append(interaction)
    return kept


@transaction.atomic
def route_queue(
    *, queue: Queue, now: datetime | None = None, rng: random.Random | None = None, limit: int = 200
) -> list[Interaction]:
    """Offer or assign every waiting contact of `queue` that an agent can take now."""
    now = now or timezone.now()
    queue = Queue.objects.select_for_update(of=("self",)).get(pk=queue.pk)
    waiting = list(
        Interaction.objects.select_for_update(of=("self",))
        .filter(queue=queue, state=State.WAITING)
        .order_by("-priority", "waiting_since", "id")[:limit]
    )
    waiting = _expire_waits(queue, waiting, now)
    if not waiting or (queue.ticket_mode == Queue.TicketMode.PULL and queue.channel in _TICKET_CHANNELS):
        return []
    agents, presences = _snapshot_agents(queue, now)
    if not agents:
        return []
    seq = max((a.last_offered_seq for a in agents), default=0) + 1
    decisions = engine.plan_assignments([_contact(i) for i in waiting], agents, _rules(queue), now, rng, seq)
    by_id = {i.pk: i for i in waiting}
    done = []
    for decision in decisions:
        interaction = by_id[decision.contact]
        if len(decision.agents) > 1 or queue.strategy == engine.Strategy.RING_ALL:
            _offer(interaction, list(decision.agents), None, queue, now)
        else:
            presence = presences[decision.agents[0]]
            presence.last_offered_seq = seq
            seq += 1
            if queue.channel in _TICKET_CHANNELS:
                _connect(interaction, presence, now)
            else:
                _offer(interaction, [presence.user_id], presence, queue, now)
        done.append(interaction)
    return done


def _offer(
    interaction: Interaction,
    agent_ids: list[int],
    presence: AgentPresence | None,
    queue: Queue,
    now: datetime,
) -> None:
    interaction.state, interaction.offered_to, interaction.offered_at = State.OFFERED, agent_ids, now
    interaction.offer_expires_at = now + timedelta(seconds=queue.offer_timeout_seconds)
    if presence is not None:  # one agent: the offer holds a slot of their capacity
        interaction.agent_id = presence.user_id
        presence.save(update_fields=["last_offered_seq"])
    interaction.save(update_fields=["state", "offered_to", "offered_at", "offer_expires_at", "agent"])
    event_record(
        actor=None,
        verb="interaction.offered",
        target=interaction,
        at=now,
        after=_interaction_data(interaction, offered_to=agent_ids),
    )
    interaction_id, eta = interaction.pk, interaction.offer_expires_at

    def schedule() -> None:
        from frontline.routing.tasks import offer_expire_task

        offer_expire_task.schedule(args=(interaction_id,), eta=eta)

    transaction.on_commit(schedule)


def _connect(interaction: Interaction, presence: AgentPresence, now: datetime) -> None:
    """The agent has it (answered, accepted, or a ticket pushed); presence becomes busy."""
    interaction.state, interaction.agent_id, interaction.answered_at = State.CONNECTED, presence.user_id, now
    interaction.save(update_fields=["state", "agent", "answered_at"])
    load = Interaction.objects.filter(agent_id=presence.user_id, state__in=OCCUPYING).count()
    event_record(
        actor=None,
        verb="interaction.connected",
        target=interaction,
        at=now,
        after=_interaction_data(
            interaction, agent_load=load, waited_seconds=(now - interaction.enqueued_at).total_seconds()
        ),
    )
    presence.save(update_fields=["last_offered_seq"])
    _change(presence, PresenceState.BUSY, "", now, None)
    if interaction.ticket_id and interaction.channel in _TICKET_CHANNELS:
        from frontline.tickets.services import ticket_update

        ticket = Ticket.objects.get(pk=interaction.ticket_id)
        if ticket.assignee_id != presence.user_id and ticket.status not in ("solved", "closed"):
            ticket_update(actor=None, ticket=ticket, assignee=presence.user, at=now)


def _locked_interaction(interaction_id: int) -> Interaction:
    return Interaction.objects.select_for_update(of=("self",)).select_related("queue").get(pk=interaction_id)


def _lock_agent_then(interaction_id: int) -> tuple[AgentPresence | None, Interaction]:
    """Lock the interaction's agent's presence, then the interaction (the lock order everywhere)."""
    while True:
        agent_id = Interaction.objects.filter(pk=interaction_id).values_list("agent_id", flat=True).get()
        presence = _presence(User.objects.get(pk=agent_id), lock=True) if agent_id else None
        interaction = _locked_interaction(interaction_id)
        if interaction.agent_id == agent_id:
            return presence, interaction
        # The agent changed between the read and the lock (an offer moved on): read again.


@transaction.atomic
def interaction_accept(*, user: User, interaction: Interaction, at: datetime | None = None) -> Interaction:
    now = at or timezone.now()
    presence = _presence(user, lock=True)  # lock order: presence, then interaction
    interaction = _locked_interaction(interaction.pk)
    if interaction.state != State.OFFERED or user.pk not in interaction.offered_to:
        raise Conflict("this contact is not offered to you (taken, withdrawn or expired)", code="offer_gone")
    if interaction.agent_id is None:  # ring-all: the first to accept gets it, within capacity
        profile = AgentProfile.objects.get(user=user)
        load = Interaction.objects.filter(
            agent_id=user.pk, state__in=OCCUPYING, channel=interaction.channel
        ).count()
        if load >= int(profile.capacity.get(interaction.channel, 0) or 0):
            raise Conflict("you are at capacity for this channel", code="at_capacity")
    _connect(interaction, presence, now)
    return interaction


@transaction.atomic
def interaction_decline(
    *, user: User | None, interaction: Interaction, missed: bool = False, at: datetime | None = None
) -> Interaction:
    """A declined offer (or a missed one: its agent becomes not ready) goes back to the queue."""
    now = at or timezone.now()
    presence = _presence(user, lock=True) if user is not None else None
    interaction = _locked_interaction(interaction.pk)
    if interaction.state != State.OFFERED or (user is not None and user.pk not in interaction.offered_to):
        raise Conflict("this contact is not offered to you", code="offer_gone")
    declined = [user.pk] if user is not None else list(interaction.offered_to)
    interaction.excluded_agents = sorted({*interaction.excluded_agents, *declined})
    offered_to = [pk for pk in interaction.offered_to if pk not in declined]
    interaction.offered_to = offered_to
    if not offered_to:
        interaction.state, interaction.agent_id, interaction.offer_expires_at = State.WAITING, None, None
    interaction.save(update_fields=["excluded_agents", "offered_to", "state", "agent", "offer_expires_at"])
    event_record(
        actor=user,
        verb="interaction.missed" if missed else "interaction.declined",
        target=interaction,
        at=now,
        after=_interaction_data(interaction, agents=declined),
    )
    if missed:
        for pk in declined:
            missed_presence = (
                presence if presence is not None else _presence(User.objects.get(pk=pk), lock=True)
            )
            if missed_presence.state in _ROUTABLE and not _occupied(pk):
                _change(missed_presence, PresenceState.NOT_READY, NotReadyReason.MISSED_OFFER, now, None)
    _route_soon(interaction.queue_id)
    return interaction


@transaction.atomic
def offer_expire(*, interaction_id: int, now: datetime | None = None) -> Interaction | None:
    """At the offer's deadline: still offered → missed by whoever had it."""
    now = now or timezone.now()
    interaction = Interaction.objects.filter(pk=interaction_id).first()
    if interaction is None or interaction.state != State.OFFERED:
        return interaction
    if interaction.offer_expires_at and interaction.offer_expires_at > now:
        return interaction
    if len(interaction.offered_to) == 1:
        return interaction_decline(
            user=User.objects.get(pk=interaction.offered_to[0]), interaction=interaction, missed=True, at=now
        )
    return interaction_decline(user=None, interaction=interaction, missed=False, at=now)


@transaction.atomic
def interaction_end(
    *, actor: User | None, interaction: Interaction, outcome: str = "", at: datetime | None = None
) -> Interaction:
    """The conversation is over: after-contact work starts (up to the queue's maximum)."""
    now = at or timezone.now()
    presence, interaction = _lock_agent_then(interaction.pk)
    if interaction.state == State.WAITING:  # the customer gave up before anyone answered
        interaction.state, interaction.ended_at, interaction.outcome = (
            State.ABANDONED,
            now,
            outcome or "abandoned",
        )
        interaction.save(update_fields=["state", "ended_at", "outcome"])
        event_record(
            actor=actor,
            verb="interaction.abandoned",
            target=interaction,
            at=now,
            after=_interaction_data(interaction),
        )
        return interaction
    if interaction.state == State.OFFERED:
        interaction.state, interaction.ended_at, interaction.outcome = (
            State.ABANDONED,
            now,
            outcome or "abandoned",
        )
        interaction.agent_id = None
        interaction.save(update_fields=["state", "ended_at", "outcome", "agent"])
        event_record(
            actor=actor,
            verb="interaction.abandoned",
            target=interaction,
            at=now,
            after=_interaction_data(interaction),
        )
        return interaction
    if interaction.state != State.CONNECTED:
        raise Conflict(f"the contact is {interaction.state}", code="not_connected")
    interaction.ended_at, interaction.outcome = now, outcome[:40]
    wrap = 0 if interaction.channel in _TICKET_CHANNELS else interaction.queue.wrap_up_seconds
    interaction.state = State.WRAP_UP if wrap else State.ENDED
    if not wrap:
        interaction.wrap_up_ended_at = now
    interaction.save(update_fields=["state", "ended_at", "outcome", "wrap_up_ended_at"])
    event_record(
        actor=actor,
        verb="interaction.ended",
        target=interaction,
        at=now,
        after=_interaction_data(
            interaction, talk_seconds=(now - (interaction.answered_at or now)).total_seconds()
        ),
    )
    assert presence is not None
    if wrap:
        presence.wrap_up_until = now + timedelta(seconds=wrap)
        _change(presence, PresenceState.WRAP_UP, "", now, actor)
        presence.save(update_fields=["wrap_up_until"])
        interaction_id, eta = interaction.pk, presence.wrap_up_until

        def schedule() -> None:
            from frontline.routing.tasks import wrap_up_end_task

            wrap_up_end_task.schedule(args=(interaction_id,), eta=eta)

        transaction.on_commit(schedule)
    else:
        _free(presence, now)
    return interaction


def _free(presence: AgentPresence, now: datetime) -> None:
    """After a contact: busy while others remain, else available (idle from now)."""
    if presence.state not in (PresenceState.BUSY, PresenceState.WRAP_UP):
        return  # the agent chose not ready or signed off meanwhile
    if _occupied(presence.user_id):
        _change(presence, PresenceState.BUSY, "", now, None)
    else:
        presence.idle_since = now
        _change(presence, PresenceState.AVAILABLE, "", now, None)
        presence.save(update_fields=["idle_since"])
    _route_soon_for(presence.user)


def _finish_wrap_up_of(user: User, now: datetime) -> None:
    for interaction in Interaction.objects.select_for_update(of=("self",)).filter(
        agent=user, state=State.WRAP_UP
    ):
        interaction.state, interaction.wrap_up_ended_at = State.ENDED, now
        interaction.save(update_fields=["state", "wrap_up_ended_at"])
        event_record(
            actor=None,
            verb="interaction.wrapped_up",
            target=interaction,
            at=now,
            after=_interaction_data(
                interaction, wrap_up_seconds=(now - (interaction.ended_at or now)).total_seconds()
            ),
        )


@transaction.atomic
def wrap_up_end(
    *, interaction: Interaction, actor: User | None = None, at: datetime | None = None
) -> Interaction:
    """After-contact work done (by the agent, or by the queue's maximum)."""
    now = at or timezone.now()
    presence, interaction = _lock_agent_then(interaction.pk)
    agent = interaction.agent
    if presence is None or agent is None or interaction.state != State.WRAP_UP:
        return interaction
    _finish_wrap_up_of(agent, now)
    interaction.refresh_from_db()
    _free(presence, now)
    return interaction


@transaction.atomic
def get_next(*, user: User, queue: Queue, at: datetime | None = None) -> Interaction | None:
    """Pull mode: the agent takes the first waiting contact they may serve (priority, then wait)."""
    now = at or timezone.now()
    queue = Queue.objects.select_for_update(of=("self",)).get(pk=queue.pk)  # lock order: queue, presence
    presence = _presence(user, lock=True)
    if presence.state not in _ROUTABLE:
        raise Conflict("set yourself available first", code="not_available")
    profile = AgentProfile.objects.get(user=user)
    capacity = int(profile.capacity.get(queue.channel, 0) or 0)
    load = Interaction.objects.filter(agent=user, state__in=OCCUPYING, channel=queue.channel).count()
    if load >= capacity:
        raise Conflict("you are at capacity for this channel", code="at_capacity")
    skills = {s.skill.name: s.proficiency for s in profile.skills.select_related("skill")}
    me = engine.Agent(
        id=user.pk,
        available=True,
        capacity=capacity,
        load=load,
        idle_since=presence.idle_since or presence.since,
        skills=skills,
        languages=frozenset(profile.languages),
    )
    rules = _rules(queue)
    waiting: Iterable[Interaction] = (
        Interaction.objects.select_for_update(of=("self",))
        .filter(queue=queue, state=State.WAITING)
        .order_by("-priority", "waiting_since", "id")[:500]
    )
    for interaction in waiting:
        contact = _contact(interaction)
        if engine.eligible(me, contact, engine.required_skills(contact, rules, now)):
            _connect(interaction, presence, now)
            return interaction
    return None


def route_all(*, now: datetime | None = None) -> int:
    """Safety net and clock: every active queue with waiting contacts is routed (overflow, maximum wait)."""
    routed = 0
    for queue in Queue.objects.filter(active=True, interactions__state=State.WAITING).distinct():
        routed += len(route_queue(queue=queue, now=now))
    return routed


def ticket_enqueue(*, ticket: Ticket) -> Interaction | None:
    """A new email, web-form or API ticket waits in its channel's queue, if there is one.

    Calls, chats and callbacks are enqueued by their connectors with their interaction.
    """
    if ticket.channel not in _TICKET_CHANNELS:
        return None
    queue = Queue.objects.filter(active=True, channel=ticket.channel).order_by("pk").first()
    if queue is None or ticket.assignee_id is not None:
        return None
    if (
        Interaction.objects.filter(ticket=ticket)
        .exclude(state__in=(State.ENDED, State.ABANDONED, State.FALLBACK))
        .exists()
    ):
        return None
    return interaction_enqueue(queue=queue, ticket=ticket, external_id=f"ticket-{ticket.pk}")


def ticket_release(*, ticket: Ticket, at: datetime | None = None) -> None:
    """A solved, closed or merged ticket frees its agent's slot."""
    for interaction in Interaction.objects.filter(
        ticket=ticket, state__in=(State.WAITING, State.OFFERED, State.CONNECTED)
    ).select_related("agent"):
        interaction_end(actor=None, interaction=interaction, outcome="ticket finished", at=at)


def presence_touch(*, user: User) -> AgentPresence:
    """The agent's presence row (created logged out on first use)."""
    presence, _ = AgentPresence.objects.get_or_create(user=user, defaults={"since": timezone.now()})
    return presence


_QUEUE_FIELDS = (
    "name",
    "channel",
    "strategy",
    "skills",
    "language",
    "team_id",
    "sticky_seconds",
    "relax_after_seconds",
    "relax_step_seconds",
    "drop_skills_after_seconds",
    "offer_timeout_seconds",
    "wrap_up_seconds",
    "max_waiting",
    "max_wait_seconds",
    "fallback",
    "overflow_queue_id",
    "overflow_after_seconds",
    "ticket_mode",
    "service_level_seconds",
    "active",
)


@transaction.atomic
def queue_save(*, actor: User | None, queue: Queue | None, values: dict[str, Any]) -> Queue:
    """Create (queue=None) or change a queue; 422 naming the field for anything routing cannot use."""
    from frontline.accounts.models import Team

    name = str(values.get("name", "")).strip()
    if not name:
        raise Invalid("the name is empty", field="name")
    same_name = Queue.objects.filter(name__iexact=name)
    if queue is not None:
        same_name = same_name.exclude(pk=queue.pk)
    if same_name.exists():
        raise Invalid(f"a queue named {name!r} exists", field="name")
    checks = {
        "channel": Channel.values,
        "strategy": [s.value for s in engine.Strategy],
        "fallback": Queue.Fallback.values,
        "ticket_mode": Queue.TicketMode.values,
    }
    for key, allowed in checks.items():
        if values.get(key) not in allowed:
            raise Invalid(f"{key} must be one of {', '.join(allowed)}", field=key)
    for skill, level in (values.get("skills") or {}).items():
        if not isinstance(level, int) or not 1 <= level <= 5:
            raise Invalid(f"skill {skill!r} needs a level from 1 to 5", field=f"skills.{skill}")
    if values.get("team_id") is not None and not Team.objects.filter(pk=values["team_id"]).exists():
        raise Invalid(f"team {values['team_id']} does not exist", field="team_id")
    overflow = values.get("overflow_queue_id")
    if overflow is not None:
        if queue is not None and overflow == queue.pk:
            raise Invalid("a queue cannot overflow into itself", field="overflow_queue_id")
        if not Queue.objects.filter(pk=overflow).exists():
            raise Invalid(f"queue {overflow} does not exist", field="overflow_queue_id")
    target = queue or Queue()
    before = {key: getattr(target, key) for key in _QUEUE_FIELDS} if queue else {}
    for key in _QUEUE_FIELDS:
        if key in values:
            setattr(target, key, values[key] if key != "name" else name)
    target.save()
    after = {key: getattr(target, key) for key in _QUEUE_FIELDS}
    changed = {k: v for k, v in after.items() if before.get(k, object()) != v}
    event_record(
        actor=actor,
        verb="queue.changed" if queue else "queue.created",
        target=target,
        before={k: before[k] for k in changed if k in before},
        after=changed,
    )
    _route_soon(target.pk)
    return target
