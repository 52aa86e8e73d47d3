"""The ACD's decisions: which waiting contact goes to which agent. Pure: no Django, no clock.

The services layer loads a snapshot (agents with their state and load, contacts waiting in a
queue), asks `plan_assignments` for decisions, and performs them atomically; the engine never
writes. Everything needed to decide is in the snapshot, so a decision is a function of its input
(`weighted_random` takes a seeded `random.Random`).

Order: higher priority first, then longest waiting. A contact that prefers an agent (sticky:
the customer's last agent) waits for that agent for `sticky_seconds` before anyone else may
take it. Skills: a contact needs each listed skill at a minimum level; after waiting
`relax_after_seconds`, each further `relax_step_seconds` lowers every minimum by one level (never
below 1), and at `drop_skills_after_seconds` skills stop mattering (language still does).
"""

from __future__ import annotations

import random
from bisect import bisect_left, insort
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any


class Strategy(StrEnum):
    LONGEST_IDLE = "longest_idle"
    LEAST_OCCUPIED = "least_occupied"
    ROUND_ROBIN = "round_robin"
    SKILLS_BASED = "skills_based"
    WEIGHTED_RANDOM = "weighted_random"
    RING_ALL = "ring_all"


@dataclass(frozen=True)
class Agent:
    id: int
    available: bool  # signed on and in state available (or busy with room for more)
    capacity: int  # contacts of this channel at once
    load: int  # contacts of this channel now
    idle_since: datetime  # when the agent last became free (no contact)
    skills: dict[str, int] = field(default_factory=dict)  # skill → proficiency 1..5
    languages: frozenset[str] = frozenset()
    weight: int = 1  # for weighted random
    last_offered_seq: int = 0  # round robin memory: the sequence number of the last offer

    @property
    def room(self) -> int:
        return max(self.capacity - self.load, 0)


@dataclass(frozen=True)
class Contact:
    id: int
    priority: int  # higher first
    waiting_since: datetime
    skills: dict[str, int] = field(default_factory=dict)  # skill → minimum proficiency
    language: str = ""
    preferred_agent: int | None = None
    excluded_agents: frozenset[int] = frozenset()  # declined or missed offers


@dataclass(frozen=True)
class Rules:
    strategy: Strategy = Strategy.LONGEST_IDLE
    sticky_seconds: int = 0
    relax_after_seconds: int | None = None
    relax_step_seconds: int = 30
    drop_skills_after_seconds: int | None = None


@dataclass(frozen=True)
class Decision:
    contact: int
    agents: tuple[int, ...]  # one agent; several for ring-all


def queue_order(contacts: Iterable[Contact]) -> list[Contact]:
    return sorted(contacts, key=lambda c: (-c.priority, c.waiting_since, c.id))


def required_skills(contact: Contact, rules: Rules, now: datetime) -> dict[str, int]:
    """The contact's skill minimums after relaxation for its wait so far."""
    waited = (now - contact.waiting_since).total_seconds()
    if rules.drop_skills_after_seconds is not None and waited >= rules.drop_skills_after_seconds:
        return {}
    if rules.relax_after_seconds is None or waited < rules.relax_after_seconds:
        return dict(contact.skills)
    steps = 1 + int((waited - rules.relax_after_seconds) // max(rules.relax_step_seconds, 1))
    return {skill: max(level - steps, 1) for skill, level in contact.skills.items()}


def eligible(agent: Agent, contact: Contact, skills: dict[str, int]) -> bool:
    if not agent.available or agent.room <= 0 or agent.id in contact.excluded_agents:
        return False
    if contact.language and contact.language not in agent.languages:
        return False
    return all(agent.skills.get(skill, 0) >= level for skill, level in skills.items())


def pick(
    contact: Contact,
    agents: Sequence[Agent],
    rules: Rules,
    now: datetime,
    rng: random.Random | None = None,
) -> tuple[int, ...]:
    """The agent(s) to offer `contact` to now, or () when nobody fits (it keeps waiting)."""
    skills = required_skills(contact, rules, now)
    # `eligible`, inlined: this loop runs once per agent.
    excluded, language, needed = contact.excluded_agents, contact.language, tuple(skills.items())
    candidates = [
        a
        for a in agents
        if a.available
        and a.capacity > a.load  # room > 0
        and a.id not in excluded
        and (not language or language in a.languages)
        and (not needed or all(a.skills.get(skill, 0) >= level for skill, level in needed))
    ]
    if not candidates:
        return ()
    if contact.preferred_agent is not None:
        preferred = [a for a in candidates if a.id == contact.preferred_agent]
        if preferred:
            return (preferred[0].id,)
        if (now - contact.waiting_since).total_seconds() < rules.sticky_seconds:
            return ()  # wait a little for the customer's own agent
    strategy = rules.strategy
    if strategy == Strategy.RING_ALL:
        return tuple(a.id for a in sorted(candidates, key=lambda a: a.id))
    if strategy == Strategy.LONGEST_IDLE:
        best = min(candidates, key=lambda a: (a.load, a.idle_since, a.id))
    elif strategy == Strategy.LEAST_OCCUPIED:
        best = min(candidates, key=lambda a: (a.load / a.capacity, a.idle_since, a.id))
    elif strategy == Strategy.ROUND_ROBIN:
        best = min(candidates, key=lambda a: (a.last_offered_seq, a.id))
    elif strategy == Strategy.SKILLS_BASED:
        best = min(candidates, key=lambda a: (-_proficiency(a, contact.skills), a.load, a.idle_since, a.id))
    elif strategy == Strategy.WEIGHTED_RANDOM:
        chooser = rng or random.Random(0)
        ordered = sorted(candidates, key=lambda a: a.id)
        best = chooser.choices(ordered, weights=[max(a.weight, 0) or 1 for a in ordered])[0]
    else:  # pragma: no cover - StrEnum is closed
        raise ValueError(f"unknown strategy {strategy}")
    return (best.id,)


def _proficiency(agent: Agent, skills: dict[str, int]) -> int:
    """Skills-based routing offers the most proficient agent in the skills the contact needs."""
    return sum(agent.skills.get(skill, 0) for skill in skills)


def plan_assignments(
    contacts: Iterable[Contact],
    agents: Sequence[Agent],
    rules: Rules,
    now: datetime,
    rng: random.Random | None = None,
    next_seq: int = 1,
) -> list[Decision]:
    """Decisions for every waiting contact that can be served now, in queue order.

    Each decision takes a slot of the chosen agent's capacity for the rest of the batch, so a batch
    never plans an agent above capacity; ring-all offers do not take capacity until accepted.

    The same decisions as calling `pick` for each contact in turn on the agents as the batch left
    them, but indexed (`_Pool`): a batch of 5,000 contacts for 1,000 agents does not look at every
    agent for every contact.
    """
    pool = _Pool(agents, rules.strategy)
    decisions: list[Decision] = []
    seq = next_seq
    for contact in queue_order(contacts):
        chosen = pool.pick(contact, rules, now, rng)
        if not chosen:
            continue
        decisions.append(Decision(contact.id, chosen))
        if rules.strategy != Strategy.RING_ALL:
            pool.take(chosen[0], seq, now)
            seq += 1
    return decisions


# Strategies whose choice among any set of candidates is the first of them in one order of all the
# agents (the order `pick`'s key gives). Skills-based is one of them for contacts without skills.
_ORDER_KEYS: dict[Strategy, Callable[[Agent], tuple[Any, ...]]] = {
    Strategy.LONGEST_IDLE: lambda a: (a.load, a.idle_since, a.id),
    Strategy.LEAST_OCCUPIED: lambda a: (a.load / a.capacity, a.idle_since, a.id),
    Strategy.ROUND_ROBIN: lambda a: (a.last_offered_seq, a.id),
    Strategy.SKILLS_BASED: lambda a: (a.load, a.idle_since, a.id),
}


class _Pool:
    """The agents of one batch with the indexes `plan_assignments` needs, kept up to date as it assigns.

    - `free`: ids of the agents that can take a contact (available, with room);
    - `speakers[language]`, `skilled(skill, level)`: ids by language, by skill at a minimum level;
    - `order`: for the ordered strategies, the free agents sorted by the strategy's key, so the
      choice among the candidates is the first candidate in it (or, when there are few candidates,
      the minimum over them by the same key).
    """

    def __init__(self, agents: Sequence[Agent], strategy: Strategy) -> None:
        self.agents = {a.id: a for a in agents}
        self.strategy = strategy
        self.free = {a.id for a in self.agents.values() if a.available and a.room > 0}
        self.speakers: dict[str, set[int]] = {}
        self.proficiency: dict[str, dict[int, int]] = {}
        for agent in self.agents.values():
            for language in agent.languages:
                self.speakers.setdefault(language, set()).add(agent.id)
            for skill, level in agent.skills.items():
                self.proficiency.setdefault(skill, {})[agent.id] = level
        self._skilled: dict[tuple[str, int], set[int]] = {}
        self.order_key = _ORDER_KEYS.get(strategy)
        self._order: list[tuple[Any, ...]] | None = None

    def skilled(self, skill: str, level: int) -> set[int]:
        found = self._skilled.get((skill, level))
        if found is None:
            held = self.proficiency.get(skill, {})
            if level > 0:
                found = {i for i, proficiency in held.items() if proficiency >= level}
            else:  # agents without the skill count as proficiency 0
                found = {i for i in self.agents if held.get(i, 0) >= level}
            self._skilled[skill, level] = found
        return found

    @property
    def order(self) -> list[tuple[Any, ...]]:
        """Keys of the free agents in the strategy's order; each key ends with the agent's id."""
        if self._order is None:
            assert self.order_key is not None
            self._order = sorted(self.order_key(self.agents[i]) for i in self.free)
        return self._order

    def candidates(self, contact: Contact, skills: dict[str, int]) -> set[int]:
        """The ids `eligible` accepts: free, speaking the language, skilled enough, not excluded."""
        sets = [self.free]
        if contact.language:
            sets.append(self.speakers.get(contact.language, set()))
        sets.extend(self.skilled(skill, level) for skill, level in skills.items())
        sets.sort(key=len)
        found = sets[0].intersection(*sets[1:])
        if contact.excluded_agents:
            found -= contact.excluded_agents
        return found

    def pick(
        self, contact: Contact, rules: Rules, now: datetime, rng: random.Random | None
    ) -> tuple[int, ...]:
        """What `pick(contact, <the agents as the batch left them>, rules, now, rng)` returns."""
        skills = required_skills(contact, rules, now)
        if not self.free:
            return ()
        unrestricted = not contact.language and not skills and not contact.excluded_agents
        if (
            unrestricted
            and contact.preferred_agent is None
            and self.order_key is not None
            and (self.strategy != Strategy.SKILLS_BASED or not contact.skills)
        ):
            return (self.order[0][-1],)  # anyone free will do: the first in the strategy's order
        found = self.free if unrestricted else self.candidates(contact, skills)
        if not found:
            return ()
        if contact.preferred_agent is not None:
            if contact.preferred_agent in found:
                return (contact.preferred_agent,)
            if (now - contact.waiting_since).total_seconds() < rules.sticky_seconds:
                return ()
        strategy = self.strategy
        if strategy == Strategy.RING_ALL:
            return tuple(sorted(found))
        if strategy == Strategy.WEIGHTED_RANDOM:
            chooser = rng or random.Random(0)
            ordered = [self.agents[i] for i in sorted(found)]
            return (chooser.choices(ordered, weights=[max(a.weight, 0) or 1 for a in ordered])[0].id,)
        if strategy == Strategy.SKILLS_BASED and contact.skills:
            needed = contact.skills
            best = min(
                (self.agents[i] for i in found),
                key=lambda a: (-_proficiency(a, needed), a.load, a.idle_since, a.id),
            )
            return (best.id,)
        key = self.order_key
        assert key is not None
        order = self.order
        if len(found) * 8 < len(order):  # few candidates: the smallest key among them
            return (min(key(self.agents[i]) for i in found)[-1],)
        return (next(entry[-1] for entry in order if entry[-1] in found),)

    def take(self, agent_id: int, seq: int, now: datetime) -> None:
        """The agent was given a contact: one slot less, offered now with sequence number `seq`."""
        agent = self.agents[agent_id]
        if self._order is not None and self.order_key is not None:
            old = self.order_key(agent)
            del self._order[bisect_left(self._order, old)]
        agent = replace(agent, load=agent.load + 1, last_offered_seq=seq, idle_since=now)
        self.agents[agent_id] = agent
        if agent.room <= 0:
            self.free.discard(agent_id)
        elif self._order is not None and self.order_key is not None:
            insort(self._order, self.order_key(agent))
