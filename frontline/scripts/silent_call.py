"""The silent-call protocol as a timed state machine.

Pure module: standard library only, no Django; time comes in as seconds elapsed since the call was
answered, so a test drives it with a fake clock. From the call-center document:

    "Hello! What can I do for you?" — 5 seconds of silence — "Hello, what can I do for you?" —
    5 seconds — "Sorry, there is no sound on your phone. Please call again, goodbye!" — 5 seconds —
    hang up.

A protocol has branches, each a list of lines; a line is said when its step starts and is followed
by its pause (`wait_seconds`), after which the next line is due. A branch whose last line has a
pause ends the call when that pause is over; a line without a pause waits for the next event
(the document's "can't hang up directly").

- `silent`: where every call starts;
- `low_volume`: the customer is too quiet (hands-free): ask them to pick up the handset, then to
  speak louder, then to call again from another phone, and hang up 5 seconds later;
- `noise`: too much noise to hear: ask them to call again, and hang up 5 seconds later;
- `foreign_language`: the customer speaks a language the agent does not: when an agent who speaks
  it is available the call is routed to them (`Instruction.action == "route"`), otherwise the agent
  asks for the house language, then for someone who speaks it, and never hangs up by themselves.

Events (`Call.on`): `customer_spoke` resolves the protocol (the conversation goes on as usual);
`low_volume`, `noise` and `foreign_language` switch to their branch, or, when the call is already
in it, move on to the branch's next line at once ("if you still can't hear clearly").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

__all__ = [
    "BRANCHES",
    "DEFAULT_WAIT_SECONDS",
    "EVENTS",
    "Call",
    "Instruction",
    "Line",
    "Protocol",
    "ProtocolError",
    "Step",
    "timeline",
]

Branch = Literal["silent", "low_volume", "noise", "foreign_language"]
BRANCHES: tuple[Branch, ...] = ("silent", "low_volume", "noise", "foreign_language")
Event = Literal["customer_spoke", "low_volume", "noise", "foreign_language"]
EVENTS: tuple[Event, ...] = ("customer_spoke", "low_volume", "noise", "foreign_language")
Action = Literal["say", "end", "route", "resolved"]

DEFAULT_WAIT_SECONDS = 5.0


class ProtocolError(ValueError):
    """A protocol that cannot run, or an event the call cannot take; the message says why."""


@dataclass(frozen=True)
class Line:
    text: str
    wait_seconds: float | None = DEFAULT_WAIT_SECONDS
    """The pause after the line; None: no timer, wait for the next event."""


@dataclass(frozen=True)
class Step:
    """One step of a branch as written: a line to say, or the hang-up."""

    number: int
    action: Literal["say", "end"]
    line: str
    starts_at: float | None
    """Seconds after the branch starts, if no event comes first; None: it waits for an event."""
    wait_seconds: float | None


@dataclass(frozen=True)
class Protocol:
    branches: Mapping[str, tuple[Line, ...]]
    route_line: str = ""
    """Said before transferring a customer to an agent who speaks their language."""

    def __post_init__(self) -> None:
        if not self.branches.get("silent"):
            raise ProtocolError("the silent branch needs at least one line")
        for name, lines in self.branches.items():
            if name not in BRANCHES:
                raise ProtocolError(f"unknown branch {name!r}; use {', '.join(BRANCHES)}")
            for line in lines:
                if line.wait_seconds is not None and line.wait_seconds <= 0:
                    raise ProtocolError(f"{name}: a pause is longer than zero seconds")

    @classmethod
    def of(
        cls,
        lines: Mapping[str, Sequence[str | tuple[str, float | None]]],
        *,
        route_line: str = "",
        wait_seconds: float = DEFAULT_WAIT_SECONDS,
    ) -> Protocol:
        """A protocol from plain lines (each followed by `wait_seconds`) or (line, pause) pairs."""
        branches = {
            name: tuple(
                Line(item, wait_seconds) if isinstance(item, str) else Line(item[0], item[1])
                for item in items
            )
            for name, items in lines.items()
        }
        return cls(branches=branches, route_line=route_line)

    def lines(self, branch: str) -> tuple[Line, ...]:
        return self.branches.get(branch, ())

    def steps(self, branch: str = "silent") -> list[Step]:
        """Every step of a branch, with when it starts if nothing happens (None: after an event)."""
        steps: list[Step] = []
        at: float | None = 0.0
        lines = self.lines(branch)
        for number, line in enumerate(lines, start=1):
            steps.append(Step(number, "say", line.text, at, line.wait_seconds))
            at = None if at is None or line.wait_seconds is None else at + line.wait_seconds
        if lines and at is not None:
            steps.append(Step(len(lines) + 1, "end", "", at, None))
        return steps

    def total_seconds(self, branch: str = "silent") -> float | None:
        """How long the branch lasts from its first line to the hang-up; None if it waits for events."""
        lines = self.lines(branch)
        if not lines or any(line.wait_seconds is None for line in lines):
            return None
        return sum(line.wait_seconds or 0.0 for line in lines)


@dataclass(frozen=True)
class Instruction:
    """What the agent does now."""

    action: Action
    """`say`: say `line` (due since `started_at`), then pause until `next_at`; `end`: hang up;
    `route`: say `line` and transfer the call to an agent who speaks `language`; `resolved`: the
    customer spoke, the protocol is over."""
    branch: str
    step: int
    """1-based number of the line in its branch; for `end`, one more than the branch's lines."""
    line: str
    started_at: float
    next_at: float | None
    """When the next step starts unless an event comes first; None: no timer."""
    language: str = ""


@dataclass(frozen=True)
class Call:
    """One call's position in the protocol; `on` returns a new Call, `at` reads the instruction."""

    protocol: Protocol
    branch: str = "silent"
    step_index: int = 0
    """Index of the line that started at `step_started_at`; later lines follow by their pauses."""
    step_started_at: float = 0.0
    outcome: Literal["resolved", "route"] | None = None
    outcome_at: float = 0.0
    route_language: str = ""
    last_event_at: float = 0.0

    def _schedule(self) -> list[tuple[float, int]]:
        """(start, index) of the lines from the current one on, and of the end (index = len)."""
        lines = self.protocol.lines(self.branch)
        schedule: list[tuple[float, int]] = []
        at = self.step_started_at
        for index in range(self.step_index, len(lines)):
            schedule.append((at, index))
            wait = lines[index].wait_seconds
            if wait is None:
                return schedule
            at += wait
        schedule.append((at, len(lines)))
        return schedule

    def at(self, elapsed: float) -> Instruction:
        """The instruction in force `elapsed` seconds after the call was answered."""
        if elapsed < 0:
            raise ProtocolError("elapsed time is zero or more seconds")
        if self.outcome is not None and elapsed >= self.outcome_at:
            return self._outcome()
        schedule = self._schedule()
        if elapsed < schedule[0][0]:
            raise ProtocolError("the call is known from its last event on")
        position = max(i for i, (start, _) in enumerate(schedule) if start <= elapsed)
        start, index = schedule[position]
        following = schedule[position + 1][0] if position + 1 < len(schedule) else None
        return self._instruction(start, index, following)

    def _instruction(self, start: float, index: int, next_at: float | None) -> Instruction:
        lines = self.protocol.lines(self.branch)
        if index >= len(lines):
            return Instruction("end", self.branch, index + 1, "", start, None)
        return Instruction("say", self.branch, index + 1, lines[index].text, start, next_at)

    def _outcome(self) -> Instruction:
        if self.outcome == "route":
            return Instruction(
                "route",
                "foreign_language",
                1,
                self.protocol.route_line,
                self.outcome_at,
                None,
                language=self.route_language,
            )
        return Instruction("resolved", self.branch, 0, "", self.outcome_at, None)

    def due_between(self, after: float, until: float) -> list[Instruction]:
        """Every step that starts in (after, until], in order: what a coarse poller must not miss."""
        if until < after:
            raise ProtocolError("the window ends before it starts")
        if self.outcome is not None and self.outcome_at <= after:
            return []
        schedule = self._schedule()
        due = []
        for position, (start, index) in enumerate(schedule):
            if self.outcome is not None and start >= self.outcome_at:
                break
            if after < start <= until:
                following = schedule[position + 1][0] if position + 1 < len(schedule) else None
                due.append(self._instruction(start, index, following))
        if self.outcome is not None and after < self.outcome_at <= until:
            due.append(self._outcome())
        return due

    def is_over(self, elapsed: float) -> bool:
        return self.at(elapsed).action in ("end", "route", "resolved")

    def on(
        self,
        event: Event,
        elapsed: float,
        *,
        language: str = "",
        agent_available: bool = False,
    ) -> Call:
        """The call after `event` at `elapsed`; a call that is over ignores events.

        For `foreign_language`, `language` is the customer's and `agent_available` says whether an
        agent who speaks it can take the call now.
        """
        if event not in EVENTS:
            raise ProtocolError(f"unknown event {event!r}; use {', '.join(EVENTS)}")
        if elapsed < self.last_event_at:
            raise ProtocolError("events arrive in time order")
        if self.is_over(elapsed):
            return self
        elapsed = float(elapsed)
        moved = replace(self, last_event_at=elapsed)
        if event == "customer_spoke":
            return replace(moved, outcome="resolved", outcome_at=elapsed)
        if event == "foreign_language" and agent_available:
            return replace(moved, outcome="route", outcome_at=elapsed, route_language=language)
        if event == self.branch:
            index = self.at(elapsed).step - 1
            if index + 1 >= len(self.protocol.lines(event)):
                return moved  # the last line runs its course: the document says not to hang up early
            return replace(moved, step_index=index + 1, step_started_at=elapsed)
        if not self.protocol.lines(event):
            raise ProtocolError(f"the protocol has no lines for {event}")
        return replace(moved, branch=event, step_index=0, step_started_at=elapsed)


def timeline(protocol: Protocol, branch: str = "silent") -> list[Instruction]:
    """Every step of a branch from its start (at 0 s) to the hang-up (or to its last line)."""
    call = Call(protocol=protocol, branch=branch)
    return [call._instruction(start, index, nxt) for (start, index), nxt in _with_next(call._schedule())]


def _with_next(schedule: Iterable[tuple[float, int]]) -> list[tuple[tuple[float, int], float | None]]:
    items = list(schedule)
    return [(item, items[i + 1][0] if i + 1 < len(items) else None) for i, item in enumerate(items)]
