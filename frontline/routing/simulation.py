"""A contact center in a loop: Poisson arrivals, exponential handle times, the real routing engine.

Pure (standard library and the engine): a discrete-event simulation with its own event loop (a
heap of timed events). Every routing decision is the engine's: whenever a contact arrives or an
agent becomes free while contacts wait and someone is free, `engine.plan_assignments` gets the
waiting contacts and the agents (capacity 1: voice) as the services would load them, and its
decisions are carried out. Ring-all offers are answered by one of the agents rung, chosen at
random among those still free. A contact may abandon: with `patience_seconds` it hangs up after
an exponentially distributed patience unless answered first (nobody abandons by default).

Everything random comes from seeded `random.Random`s: arrivals, handle times and patience from one
stream drawn in arrival order (so every strategy sees the same callers), routing choices
(weighted random, ring-all) from another.

Figures, over the contacts that arrived before the horizon (the run goes on until each of them
was answered or abandoned):
- service level: answered within `target_seconds` / (answered + abandoned);
- average speed of answer: mean wait of the answered contacts;
- probability of waiting: share of the answered contacts that waited at all;
- occupancy: the agents' handling time within the horizon / (agents × horizon);
- abandonment: abandoned / (answered + abandoned).
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from frontline.routing import engine

START = datetime(2026, 1, 5, 0, 0, tzinfo=UTC)  # the simulated clock's zero

_AGENT_FREE, _ARRIVAL, _ABANDON = 0, 1, 2  # at equal times: free agents first, then arrivals


@dataclass(frozen=True)
class Arrival:
    at: float  # seconds after the start
    handle_seconds: float
    patience_seconds: float = math.inf  # hangs up after this long waiting


@dataclass(frozen=True)
class Scenario:
    calls_per_hour: float
    handle_seconds: float  # average (exponential)
    agents: int
    hours: float
    target_seconds: float = 20
    patience_seconds: float | None = None  # average (exponential); None: nobody abandons
    strategy: engine.Strategy = engine.Strategy.LONGEST_IDLE
    seed: int = 0


@dataclass(frozen=True)
class Outcome:
    offered: int
    answered: int
    abandoned: int
    answered_within_target: int
    waited: int  # answered contacts that waited at all
    wait_seconds: float  # total, answered contacts
    busy_seconds: float  # handling within the horizon, all agents
    agents: int
    horizon_seconds: float
    target_seconds: float
    decisions: int  # contacts the engine assigned or offered

    @property
    def service_level(self) -> float:
        finished = self.answered + self.abandoned
        return self.answered_within_target / finished if finished else 1.0

    @property
    def average_speed_of_answer(self) -> float:
        return self.wait_seconds / self.answered if self.answered else 0.0

    @property
    def probability_of_waiting(self) -> float:
        return self.waited / self.answered if self.answered else 0.0

    @property
    def occupancy(self) -> float:
        capacity = self.agents * self.horizon_seconds
        return self.busy_seconds / capacity if capacity else 0.0

    @property
    def abandonment(self) -> float:
        finished = self.answered + self.abandoned
        return self.abandoned / finished if finished else 0.0


def poisson_arrivals(
    *,
    calls_per_hour: float,
    handle_seconds: float,
    hours: float,
    rng: random.Random,
    patience_seconds: float | None = None,
) -> Iterator[Arrival]:
    """Arrivals with exponential gaps before `hours`, each with its handle time and patience drawn."""
    if calls_per_hour <= 0:
        return
    horizon, rate = hours * 3600, calls_per_hour / 3600
    at = rng.expovariate(rate)
    while at < horizon:
        handle = rng.expovariate(1 / handle_seconds) if handle_seconds > 0 else 0.0
        patience = rng.expovariate(1 / patience_seconds) if patience_seconds else math.inf
        yield Arrival(at, handle, patience)
        at += rng.expovariate(rate)


def simulate(scenario: Scenario) -> Outcome:
    """Run `scenario` with its seed."""
    if scenario.agents < 1:
        raise ValueError("a simulation needs at least one agent")
    arrivals = poisson_arrivals(
        calls_per_hour=scenario.calls_per_hour,
        handle_seconds=scenario.handle_seconds,
        hours=scenario.hours,
        rng=random.Random(scenario.seed),
        patience_seconds=scenario.patience_seconds,
    )
    return run(
        arrivals,
        agents=scenario.agents,
        horizon_seconds=scenario.hours * 3600,
        target_seconds=scenario.target_seconds,
        rules=engine.Rules(strategy=scenario.strategy),
        rng=random.Random(f"routing-{scenario.seed}"),
    )


def _at(seconds: float) -> datetime:
    return START + timedelta(seconds=seconds)


def _agent(agent_id: int, *, load: int, idle_since: datetime, seq: int) -> engine.Agent:
    """A voice agent as the services would load them: signed on, one contact at a time."""
    return engine.Agent(agent_id, True, 1, load, idle_since, {}, frozenset(), 1, seq)


def run(
    arrivals: Iterable[Arrival],
    *,
    agents: int,
    horizon_seconds: float,
    target_seconds: float,
    rules: engine.Rules,
    rng: random.Random,
) -> Outcome:
    """The event loop: `arrivals` (in time order) served by `agents` identical voice agents."""
    team = {n: _agent(n, load=0, idle_since=START, seq=0) for n in range(1, agents + 1)}
    free = set(team)
    waiting: dict[int, engine.Contact] = {}
    calls: dict[int, Arrival] = {}
    events: list[tuple[float, int, int, int]] = []  # (time, kind, order, agent or contact id)
    order = 0
    stream = iter(arrivals)
    offered = answered = abandoned = within = waited = decisions = 0
    wait_seconds = busy_seconds = 0.0
    seq = 1

    def next_arrival() -> None:
        nonlocal order, offered
        arrival = next(stream, None)
        if arrival is None:
            return
        offered += 1
        order += 1
        calls[offered] = arrival
        heapq.heappush(events, (arrival.at, _ARRIVAL, order, offered))

    def answer(contact_id: int, agent_id: int, now: float) -> None:
        nonlocal order, answered, within, waited, wait_seconds, busy_seconds
        call = calls.pop(contact_id)
        del waiting[contact_id]
        wait = now - call.at
        answered += 1
        wait_seconds += wait
        within += wait <= target_seconds
        waited += wait > 0
        busy_seconds += max(min(now + call.handle_seconds, horizon_seconds) - min(now, horizon_seconds), 0)
        free.discard(agent_id)
        was = team[agent_id]
        team[agent_id] = _agent(agent_id, load=1, idle_since=was.idle_since, seq=was.last_offered_seq)
        order += 1
        heapq.heappush(events, (now + call.handle_seconds, _AGENT_FREE, order, agent_id))

    def route(now: float) -> None:
        nonlocal seq, decisions
        planned = engine.plan_assignments(waiting.values(), list(team.values()), rules, _at(now), rng, seq)
        for decision in planned:
            decisions += 1
            if len(decision.agents) == 1 and rules.strategy != engine.Strategy.RING_ALL:
                agent_id = decision.agents[0]
                team[agent_id] = _agent(agent_id, load=0, idle_since=team[agent_id].idle_since, seq=seq)
                seq += 1
            else:  # ring-all: one of those rung who is still free answers
                rung = [a for a in decision.agents if a in free]
                if not rung:
                    continue
                agent_id = rng.choice(rung)
            answer(decision.contact, agent_id, now)

    next_arrival()
    while events:
        now, kind, _, subject = heapq.heappop(events)
        if kind == _ARRIVAL:
            call = calls[subject]
            waiting[subject] = engine.Contact(subject, priority=0, waiting_since=_at(now))
            if math.isfinite(call.patience_seconds):
                order += 1
                heapq.heappush(events, (now + call.patience_seconds, _ABANDON, order, subject))
            next_arrival()
        elif kind == _AGENT_FREE:
            team[subject] = _agent(subject, load=0, idle_since=_at(now), seq=team[subject].last_offered_seq)
            free.add(subject)
        elif subject in waiting:  # abandons before being answered
            del waiting[subject], calls[subject]
            abandoned += 1
            continue
        else:
            continue
        if waiting and free:
            route(now)
    return Outcome(
        offered=offered,
        answered=answered,
        abandoned=abandoned,
        answered_within_target=within,
        waited=waited,
        wait_seconds=wait_seconds,
        busy_seconds=busy_seconds,
        agents=agents,
        horizon_seconds=horizon_seconds,
        target_seconds=target_seconds,
        decisions=decisions,
    )
