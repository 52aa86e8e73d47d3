"""`frontline simulate`: the routing engine under simulated load, next to what Erlang C predicts."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from frontline.routing import erlang
from frontline.routing.engine import Strategy
from frontline.routing.simulation import Scenario, simulate


class Command(BaseCommand):
    help = (
        "Simulate one voice queue (Poisson arrivals, exponential handle times) routed by the real "
        "engine, and print the measured figures next to Erlang C's."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--calls-per-hour", type=float, default=100)
        parser.add_argument("--aht", type=float, default=180, help="average handle time, seconds")
        parser.add_argument("--agents", type=int, default=7)
        parser.add_argument("--hours", type=float, default=1000, help="simulated hours")
        parser.add_argument("--target", type=float, default=20, help="service level target, seconds")
        parser.add_argument(
            "--patience",
            type=float,
            default=None,
            help="average patience, seconds (default: nobody abandons)",
        )
        parser.add_argument("--strategy", choices=[s.value for s in Strategy], default=Strategy.LONGEST_IDLE)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["agents"] < 1 or options["hours"] <= 0 or options["calls_per_hour"] < 0:
            raise CommandError("--agents must be at least 1, --hours above 0, --calls-per-hour at least 0")
        if options["aht"] <= 0 or options["target"] < 0:
            raise CommandError("--aht must be above 0 and --target at least 0")
        scenario = Scenario(
            calls_per_hour=options["calls_per_hour"],
            handle_seconds=options["aht"],
            agents=options["agents"],
            hours=options["hours"],
            target_seconds=options["target"],
            patience_seconds=options["patience"],
            strategy=Strategy(options["strategy"]),
            seed=options["seed"],
        )
        began = time.perf_counter()
        outcome = simulate(scenario)
        seconds = time.perf_counter() - began
        predicted = erlang.figures(
            calls_per_hour=scenario.calls_per_hour,
            handle_seconds=scenario.handle_seconds,
            agents=scenario.agents,
            target_seconds=scenario.target_seconds,
        )
        target = f"{scenario.target_seconds:g} s"
        callers = (
            f"patience {scenario.patience_seconds:g} s" if scenario.patience_seconds else "no abandonment"
        )
        self.stdout.write(
            f"{scenario.calls_per_hour:g} calls/h x {scenario.handle_seconds:g} s"
            f" = {predicted.traffic:.2f} erlangs, {scenario.agents} agents, {scenario.strategy.value},"
            f" {scenario.hours:g} h simulated (seed {scenario.seed}, {callers}):"
            f" {outcome.offered:,} contacts, {outcome.decisions:,} engine decisions in {seconds:.1f} s"
        )
        rows = [
            (f"service level at {target}", _share(outcome.service_level), _share(predicted.service_level)),
            ("average speed of answer", f"{outcome.average_speed_of_answer:.1f} s", _asa(predicted)),
            (
                "probability of waiting",
                _share(outcome.probability_of_waiting),
                _share(predicted.probability_of_waiting),
            ),
            ("occupancy", _share(outcome.occupancy), _share(predicted.occupancy)),
            ("abandoned", f"{outcome.abandoned:,} ({_share(outcome.abandonment)})", "n/a (patient callers)"),
            ("handled", f"{outcome.answered:,}", ""),
        ]
        self.stdout.write(f"{'':<28}{'simulated':>18}{'Erlang C':>24}")
        for name, simulated, expected in rows:
            self.stdout.write(f"{name:<28}{simulated:>18}{expected:>24}".rstrip())


def _share(value: float) -> str:
    return f"{value * 100:.1f} %"


def _asa(figures: erlang.QueueFigures) -> str:
    return (
        f"{figures.average_speed_of_answer:.1f} s"
        if figures.average_speed_of_answer < float("inf")
        else "unbounded"
    )
