"""The simulated contact center: a scripted day by hand, agreement with Erlang C, abandonment."""

import math
import random
from dataclasses import replace
from io import StringIO

import pytest
from django.core.management import call_command

from frontline.routing import erlang
from frontline.routing.engine import Rules, Strategy
from frontline.routing.simulation import Arrival, Scenario, run, simulate


def test_a_scripted_queue_gives_the_figures_worked_out_by_hand():
    """Two agents; every wait below follows from the arrivals and handle times.

    t=0   #1 -> agent 1 (both idle since the start: the lower id), busy until 100
    t=10  #2 -> agent 2, busy until 60
    t=20  #3 waits; t=30 #4 waits (patience 40)
    t=60  agent 2 free: #3, the longer waiting, waited 40 s; busy until 90
    t=70  #5 arrives (nobody free), then #4 hangs up after 40 s
    t=90  agent 2 free: #5 waited 20 s (within the target: at most 20 s); busy until 105
    t=120 #6: both free, agent 1 (idle since 100) before agent 2 (since 105); no wait
    """
    arrivals = [
        Arrival(0, 100),
        Arrival(10, 50),
        Arrival(20, 30, patience_seconds=100),
        Arrival(30, 30, patience_seconds=40),
        Arrival(70, 15),
        Arrival(120, 5),
    ]
    outcome = run(
        arrivals,
        agents=2,
        horizon_seconds=200,
        target_seconds=20,
        rules=Rules(Strategy.LONGEST_IDLE),
        rng=random.Random(0),
    )
    assert (outcome.offered, outcome.answered, outcome.abandoned, outcome.decisions) == (6, 5, 1, 5)
    assert outcome.wait_seconds == 60
    assert outcome.average_speed_of_answer == 12
    assert outcome.answered_within_target == 4
    assert outcome.service_level == 4 / 6
    assert outcome.probability_of_waiting == 2 / 5
    assert outcome.busy_seconds == 100 + 50 + 30 + 15 + 5
    assert outcome.occupancy == 200 / (2 * 200)
    assert outcome.abandonment == 1 / 6


def test_handling_past_the_horizon_is_not_counted_as_occupancy():
    outcome = run(
        [Arrival(50, 100)],
        agents=1,
        horizon_seconds=100,
        target_seconds=20,
        rules=Rules(),
        rng=random.Random(0),
    )
    assert (outcome.answered, outcome.busy_seconds, outcome.occupancy) == (1, 50, 0.5)


def test_the_simulated_queue_agrees_with_erlang_c():
    """100 calls an hour, 180 s handle time, 7 agents, patient callers, 2,000 simulated hours
    (about 200,000 calls, each routed by `plan_assignments`): the service level at 20 s within
    3 percentage points of Erlang C's, the average speed of answer within 10 %."""
    outcome = simulate(Scenario(calls_per_hour=100, handle_seconds=180, agents=7, hours=2000, seed=1))
    predicted = erlang.figures(calls_per_hour=100, handle_seconds=180, agents=7, target_seconds=20)
    assert outcome.offered == outcome.answered == outcome.decisions
    assert outcome.abandoned == 0
    assert abs(outcome.service_level - predicted.service_level) <= 0.03
    assert abs(outcome.average_speed_of_answer - predicted.average_speed_of_answer) <= (
        0.10 * predicted.average_speed_of_answer
    )
    assert abs(outcome.probability_of_waiting - predicted.probability_of_waiting) <= 0.03
    assert abs(outcome.occupancy - predicted.occupancy) <= 0.01


@pytest.mark.parametrize("strategy", [s for s in Strategy if s != Strategy.LONGEST_IDLE])
def test_among_identical_agents_the_strategy_does_not_change_the_waits(strategy):
    """Who answers differs; when someone is free, and so every wait, does not. (Ring-all rings
    several contacts' worth of agents at once, so it makes more offers than there are answers.)"""
    baseline = simulate(Scenario(100, 180, 7, hours=50, seed=3))
    other = simulate(Scenario(100, 180, 7, hours=50, seed=3, strategy=strategy))
    assert replace(other, decisions=baseline.decisions) == baseline
    assert other.decisions >= baseline.decisions == baseline.answered


def test_a_seed_repeats_its_run_and_another_seed_does_not():
    scenario = Scenario(100, 180, 6, hours=20, patience_seconds=90, seed=5)
    assert simulate(scenario) == simulate(scenario)
    assert simulate(scenario) != simulate(Scenario(100, 180, 6, hours=20, patience_seconds=90, seed=6))


def test_impatient_callers_abandon_and_shorten_the_wait_of_the_rest():
    patient = simulate(Scenario(100, 180, 6, hours=100, seed=2))
    impatient = simulate(Scenario(100, 180, 6, hours=100, patience_seconds=60, seed=2))
    assert impatient.offered == impatient.answered + impatient.abandoned
    assert impatient.abandoned > 0
    assert 0 < impatient.abandonment < 1
    assert impatient.average_speed_of_answer < patient.average_speed_of_answer
    assert patient.abandoned == 0


def test_no_callers_no_figures():
    outcome = simulate(Scenario(calls_per_hour=0, handle_seconds=180, agents=2, hours=10))
    assert (outcome.offered, outcome.service_level, outcome.average_speed_of_answer) == (0, 1.0, 0.0)
    assert outcome.occupancy == 0.0
    with pytest.raises(ValueError, match="at least one agent"):
        simulate(Scenario(100, 180, agents=0, hours=1))
    assert math.isinf(Arrival(0, 1).patience_seconds)


def test_the_simulate_command_prints_the_simulated_figures_next_to_erlang_c():
    out = StringIO()
    call_command(
        "simulate",
        "--calls-per-hour=100",
        "--aht=180",
        "--agents=7",
        "--hours=20",
        "--seed=1",
        "--strategy=round_robin",
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("100 calls/h x 180 s = 5.00 erlangs, 7 agents, round_robin, 20 h simulated")
    assert lines[1].split() == ["simulated", "Erlang", "C"]
    assert lines[2].startswith("service level at 20 s")
    assert lines[2].endswith("74.0 %")
    assert lines[3].startswith("average speed of answer")
    assert lines[3].endswith("29.2 s")
    assert lines[5].startswith("occupancy")
    assert lines[5].endswith("71.4 %")
