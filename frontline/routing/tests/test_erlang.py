"""Erlang C: known values, the unstable and empty edges, and properties (hypothesis)."""

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontline.routing import erlang


def exact_probability_of_waiting(traffic: Fraction, agents: int) -> Fraction:
    """The textbook closed form, A^N/N! · N/(N−A) over the same plus Σ A^k/k!, in exact fractions."""
    top = traffic**agents / math.factorial(agents) * agents / (agents - traffic)
    return top / (sum(traffic**k / math.factorial(k) for k in range(agents)) + top)


@pytest.mark.parametrize(
    ("calls_per_hour", "handle_seconds", "agents", "traffic", "waiting", "service_level", "asa", "occupancy"),
    [
        # The classic: 100 calls an hour of 3 minutes is 5 erlangs; 7 agents answer 74 % in 20 s.
        (100, 180, 7, 5.0, 0.3241, 0.7404, 29.17, 0.7143),
        (100, 180, 6, 5.0, 0.5875, 0.4743, 105.75, 0.8333),
        (100, 180, 8, 5.0, 0.1673, 0.8801, 10.04, 0.625),
        # 360 calls a half hour of 4 minutes (48 erlangs): 54 agents are the first above 80/20.
        (720, 240, 54, 48.0, 0.3013, 0.8172, 12.05, 0.8889),
        (720, 240, 55, 48.0, 0.2387, 0.8668, 8.18, 0.8727),
        # M/M/2 at half load: C = 2ρ²/(1+ρ) = 1/3.
        (3600, 1, 2, 1.0, 0.3333, 1.0, 0.33, 0.5),
        (20, 300, 3, 1.6667, 0.2998, 0.7257, 67.45, 0.5556),
    ],
)
def test_known_figures(
    calls_per_hour, handle_seconds, agents, traffic, waiting, service_level, asa, occupancy
):
    figures = erlang.figures(
        calls_per_hour=calls_per_hour, handle_seconds=handle_seconds, agents=agents, target_seconds=20
    )
    assert round(figures.traffic, 4) == traffic
    assert round(figures.probability_of_waiting, 4) == waiting
    assert round(figures.service_level, 4) == service_level
    assert round(figures.average_speed_of_answer, 2) == asa
    assert round(figures.occupancy, 4) == occupancy


@pytest.mark.parametrize(
    ("traffic", "agents", "blocking"),
    [(1, 1, 0.5), (2, 2, 0.4), (5, 7, 0.1205), (10, 10, 0.2146), (0, 3, 0.0), (3, 0, 1.0)],
)
def test_erlang_b_table(traffic, agents, blocking):
    assert round(erlang.erlang_b(traffic, agents), 4) == blocking


@pytest.mark.parametrize(
    ("traffic", "handle_seconds", "target_seconds", "share", "max_occupancy", "agents"),
    [
        (5, 180, 20, 0.8, 1.0, 8),
        (48, 240, 20, 0.8, 1.0, 54),
        (48, 240, 20, 0.8, 0.85, 57),  # 48/57 = 84 % busy; 56 agents would be 85.7 %
        (5000, 180, 20, 0.8, 1.0, 5013),
        (0, 180, 20, 0.8, 1.0, 0),
        (0.5, 180, 0, 0.0, 1.0, 1),  # any service level: the fewest agents that keep up
    ],
)
def test_agents_needed(traffic, handle_seconds, target_seconds, share, max_occupancy, agents):
    assert (
        erlang.agents_needed(traffic, handle_seconds, target_seconds, share, max_occupancy=max_occupancy)
        == agents
    )


def test_thousands_of_agents_stay_finite():
    """A^N/N! overflows a float long before 5,000 agents; the recursion does not."""
    waiting = erlang.probability_of_waiting(5000, 5100)
    assert 0 < waiting < 1
    assert round(waiting, 6) == round(erlang.probability_of_waiting(5000.0, 5100), 6)
    assert erlang.service_level(5000, 5100, 180, 20) > erlang.service_level(5000, 5050, 180, 20)
    assert math.isfinite(erlang.average_speed_of_answer(100_000, 100_200, 180))


def test_a_queue_with_too_few_agents_grows_without_bound():
    assert erlang.probability_of_waiting(5, 5) == 1.0
    assert erlang.service_level(5, 4, 180, 20) == 0.0
    assert erlang.average_speed_of_answer(5, 5, 180) == math.inf
    assert erlang.occupancy(5, 3) == 1.0


def test_no_traffic_means_no_wait():
    assert erlang.probability_of_waiting(0, 0) == 0.0
    assert erlang.service_level(0, 0, 180, 20) == 1.0
    assert erlang.average_speed_of_answer(0, 2, 180) == 0.0
    assert erlang.occupancy(0, 2) == 0.0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: erlang.erlang_b(-1, 3), "traffic must be"),
        (lambda: erlang.erlang_b(1, -3), "agents cannot be negative"),
        (lambda: erlang.probability_of_waiting(math.nan, 3), "traffic must be"),
        (lambda: erlang.service_level(1, 3, -1, 20), "cannot be negative"),
        (lambda: erlang.traffic_erlangs(-5, 180), "cannot be negative"),
        (lambda: erlang.agents_needed(5, 180, 20, 1.0), "service level target"),
        (lambda: erlang.agents_needed(5, 180, 20, 0.8, max_occupancy=0), "maximum occupancy"),
        (lambda: erlang.agents_needed(50, 180, 20, 0.8, max_agents=10), "more than 10 agents"),
    ],
)
def test_bad_input_is_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()


traffic_st = st.fractions(min_value=0, max_value=60, max_denominator=20).filter(lambda a: a > 0)


@given(traffic_st, st.integers(1, 70))
def test_the_recursion_agrees_with_the_closed_form(traffic, agents):
    if agents <= traffic:
        assert erlang.probability_of_waiting(float(traffic), agents) == 1.0
    else:
        exact = float(exact_probability_of_waiting(traffic, agents))
        assert erlang.probability_of_waiting(float(traffic), agents) == pytest.approx(exact, rel=1e-9)


@given(
    st.floats(0.01, 200),
    st.integers(0, 250),
    st.floats(1, 1000),
    st.floats(0, 300),
)
def test_another_agent_never_makes_callers_wait_longer(traffic, agents, handle_seconds, target_seconds):
    """More agents: service level never lower, waiting and ASA never higher; Erlang C ≥ Erlang B."""
    one, more = agents, agents + 1
    assert erlang.service_level(traffic, more, handle_seconds, target_seconds) >= erlang.service_level(
        traffic, one, handle_seconds, target_seconds
    )
    assert erlang.probability_of_waiting(traffic, more) <= erlang.probability_of_waiting(traffic, one)
    assert erlang.average_speed_of_answer(traffic, more, handle_seconds) <= erlang.average_speed_of_answer(
        traffic, one, handle_seconds
    )
    assert 0 <= erlang.erlang_b(traffic, one) <= erlang.probability_of_waiting(traffic, one) <= 1
    assert 0 <= erlang.service_level(traffic, one, handle_seconds, target_seconds) <= 1


@given(st.floats(0.01, 200), st.integers(1, 250), st.floats(1, 1000), st.floats(0, 300), st.floats(0, 300))
def test_a_longer_target_never_lowers_the_service_level(traffic, agents, handle_seconds, shorter, longer):
    shorter, longer = sorted((shorter, longer))
    assert erlang.service_level(traffic, agents, handle_seconds, longer) >= erlang.service_level(
        traffic, agents, handle_seconds, shorter
    )


@given(st.floats(0.01, 500), st.floats(1, 1000), st.floats(0, 120), st.floats(0, 0.99))
def test_agents_needed_is_the_fewest_that_reach_the_target(traffic, handle_seconds, target_seconds, share):
    agents = erlang.agents_needed(traffic, handle_seconds, target_seconds, share)
    assert agents > traffic
    assert erlang.service_level(traffic, agents, handle_seconds, target_seconds) >= share
    fewer = agents - 1
    assert fewer <= traffic or erlang.service_level(traffic, fewer, handle_seconds, target_seconds) < share
