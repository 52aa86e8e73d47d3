"""Erlang C: what callers wait for when `agents` answer Poisson arrivals with exponential handle times.

The M/M/N queue with patient callers (nobody abandons, nobody is blocked). Pure: standard library only.

Traffic is in erlangs: arrivals per second times the average handle time in seconds (100 calls an
hour of 180 s each is 5 erlangs). With N agents and traffic A < N:

- Erlang B by its recursion, B(0) = 1, B(n) = A·B(n-1) / (n + A·B(n-1)): every step stays in
  [0, 1], so thousands of agents neither overflow (A^N / N!) nor lose precision;
- probability of waiting C = N·B / (N − A·(1 − B));
- service level at T seconds = 1 − C·exp(−(N − A)·T / AHT);
- average speed of answer (ASA, over all callers, those answered at once included) = C·AHT / (N − A);
- occupancy = A / N.

With A ≥ N the queue grows without bound: everyone waits (C = 1), the service level is 0, the ASA
is infinite and the agents are always busy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class QueueFigures:
    traffic: float  # erlangs
    agents: int
    probability_of_waiting: float
    service_level: float  # share answered within target_seconds
    target_seconds: float
    average_speed_of_answer: float  # seconds; math.inf when the queue grows without bound
    occupancy: float  # share of the agents' time spent handling


def traffic_erlangs(calls_per_hour: float, handle_seconds: float) -> float:
    """Offered traffic: calls per hour times average handle time, in erlangs."""
    if calls_per_hour < 0 or handle_seconds < 0:
        raise ValueError("calls per hour and handle time cannot be negative")
    return calls_per_hour * handle_seconds / 3600


def _check(traffic: float, agents: int) -> None:
    if traffic < 0 or not math.isfinite(traffic):
        raise ValueError(f"traffic must be a finite number of erlangs >= 0, not {traffic}")
    if agents < 0:
        raise ValueError(f"agents cannot be negative, not {agents}")


def erlang_b(traffic: float, agents: int) -> float:
    """Blocking probability with `agents` servers and no queue (Erlang B), by the stable recursion."""
    _check(traffic, agents)
    blocking = 1.0
    for n in range(1, agents + 1):
        blocking = traffic * blocking / (n + traffic * blocking)
    return blocking


def _from_erlang_b(traffic: float, agents: int, blocking: float) -> float:
    if agents <= traffic:
        return 1.0
    return agents * blocking / (agents - traffic * (1 - blocking))


def probability_of_waiting(traffic: float, agents: int) -> float:
    """Erlang C: the share of callers who find every agent busy and wait."""
    if traffic == 0:
        _check(traffic, agents)
        return 0.0
    return _from_erlang_b(traffic, agents, erlang_b(traffic, agents))


def _service_level(
    waiting: float, traffic: float, agents: int, handle_seconds: float, target: float
) -> float:
    if agents <= traffic:
        return 0.0 if traffic else 1.0
    if handle_seconds == 0:
        return 1.0
    return 1 - waiting * math.exp(-(agents - traffic) * target / handle_seconds)


def service_level(traffic: float, agents: int, handle_seconds: float, target_seconds: float) -> float:
    """The share of callers answered within `target_seconds` (those answered at once included)."""
    if handle_seconds < 0 or target_seconds < 0:
        raise ValueError("handle time and target cannot be negative")
    waiting = probability_of_waiting(traffic, agents)
    return _service_level(waiting, traffic, agents, handle_seconds, target_seconds)


def average_speed_of_answer(traffic: float, agents: int, handle_seconds: float) -> float:
    """The mean wait in seconds over all callers; infinite when the queue grows without bound."""
    if handle_seconds < 0:
        raise ValueError("handle time cannot be negative")
    waiting = probability_of_waiting(traffic, agents)
    if traffic == 0:
        return 0.0
    if agents <= traffic:
        return math.inf
    return waiting * handle_seconds / (agents - traffic)


def occupancy(traffic: float, agents: int) -> float:
    """The share of the agents' time spent handling contacts (1.0 once the queue is unstable)."""
    _check(traffic, agents)
    if traffic == 0:
        return 0.0
    if agents <= traffic:
        return 1.0
    return traffic / agents


def figures(
    *, calls_per_hour: float, handle_seconds: float, agents: int, target_seconds: float
) -> QueueFigures:
    """Every Erlang C figure for one queue at once."""
    traffic = traffic_erlangs(calls_per_hour, handle_seconds)
    return QueueFigures(
        traffic=traffic,
        agents=agents,
        probability_of_waiting=probability_of_waiting(traffic, agents),
        service_level=service_level(traffic, agents, handle_seconds, target_seconds),
        target_seconds=target_seconds,
        average_speed_of_answer=average_speed_of_answer(traffic, agents, handle_seconds),
        occupancy=occupancy(traffic, agents),
    )


def agents_needed(
    traffic: float,
    handle_seconds: float,
    target_seconds: float,
    service_level_target: float,
    *,
    max_occupancy: float = 1.0,
    max_agents: int = 1_000_000,
) -> int:
    """The fewest agents answering `service_level_target` of callers within `target_seconds`.

    Optionally also keeping occupancy at or below `max_occupancy`. One pass of the Erlang B
    recursion: each extra agent costs one step, so 5,000 erlangs take about 5,000 steps.
    """
    _check(traffic, 0)
    if not 0 <= service_level_target < 1:
        raise ValueError("the service level target is a share from 0 up to (not including) 1")
    if not 0 < max_occupancy <= 1:
        raise ValueError("the maximum occupancy is a share above 0, at most 1")
    if handle_seconds < 0 or target_seconds < 0:
        raise ValueError("handle time and target cannot be negative")
    if traffic == 0:
        return 0
    blocking = 1.0
    for agents in range(1, max_agents + 1):
        blocking = traffic * blocking / (agents + traffic * blocking)
        if agents <= traffic or traffic / agents > max_occupancy:
            continue
        waiting = _from_erlang_b(traffic, agents, blocking)
        if _service_level(waiting, traffic, agents, handle_seconds, target_seconds) >= service_level_target:
            return agents
    raise ValueError(f"more than {max_agents} agents would be needed")
