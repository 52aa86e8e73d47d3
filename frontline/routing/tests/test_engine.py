"""The routing engine: the exact agent each strategy picks, and batch invariants (hypothesis)."""

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontline.routing.engine import (
    Agent,
    Contact,
    Decision,
    Rules,
    Strategy,
    pick,
    plan_assignments,
    queue_order,
    required_skills,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def ago(seconds):
    return NOW - timedelta(seconds=seconds)


ANA = Agent(
    1,
    True,
    capacity=2,
    load=0,
    idle_since=ago(300),
    skills={"aircon": 5},
    languages=frozenset({"en", "fil"}),
    weight=1,
    last_offered_seq=7,
)
BEN = Agent(
    2,
    True,
    capacity=2,
    load=1,
    idle_since=ago(900),
    skills={"aircon": 3},
    languages=frozenset({"en"}),
    weight=3,
    last_offered_seq=5,
)
CY = Agent(
    3,
    True,
    capacity=4,
    load=1,
    idle_since=ago(60),
    skills={"aircon": 4, "billing": 2},
    languages=frozenset({"en", "zh"}),
    weight=1,
    last_offered_seq=9,
)
DI = Agent(
    4, False, capacity=2, load=0, idle_since=ago(5000), skills={"aircon": 5}, languages=frozenset({"en"})
)
TEAM = [ANA, BEN, CY, DI]


def contact(**kwargs):
    kwargs.setdefault("priority", 0)
    kwargs.setdefault("waiting_since", ago(10))
    return Contact(id=kwargs.pop("id", 100), **kwargs)


@pytest.mark.parametrize(
    ("strategy", "expected"),
    [
        # Longest idle among the least loaded: Ana (0 contacts) although Ben waited longer with one.
        (Strategy.LONGEST_IDLE, (1,)),
        # Least occupied by ratio: Ana 0/2, then Cy 1/4, then Ben 1/2.
        (Strategy.LEAST_OCCUPIED, (1,)),
        # Round robin: the agent offered longest ago (lowest sequence) is Ben.
        (Strategy.ROUND_ROBIN, (2,)),
        # Skills-based: the most proficient in aircon is Ana (5; Di is not available).
        (Strategy.SKILLS_BASED, (1,)),
        # Ring all: everyone eligible, by id.
        (Strategy.RING_ALL, (1, 2, 3)),
    ],
)
def test_each_strategy_picks_the_expected_agent(strategy, expected):
    assert pick(contact(skills={"aircon": 3}), TEAM, Rules(strategy=strategy), NOW) == expected


def test_least_occupied_prefers_ratio_over_idle_time():
    full_ana = Agent(1, True, capacity=2, load=1, idle_since=ago(3000))
    roomy_cy = Agent(3, True, capacity=4, load=1, idle_since=ago(10))
    assert pick(contact(), [full_ana, roomy_cy], Rules(Strategy.LEAST_OCCUPIED), NOW) == (3,)
    assert pick(contact(), [full_ana, roomy_cy], Rules(Strategy.LONGEST_IDLE), NOW) == (1,)


def test_weighted_random_is_seeded_and_follows_weights():
    picks = [
        pick(contact(), [ANA, BEN], Rules(Strategy.WEIGHTED_RANDOM), NOW, random.Random(seed))[0]
        for seed in range(400)
    ]
    assert pick(contact(), [ANA, BEN], Rules(Strategy.WEIGHTED_RANDOM), NOW, random.Random(1)) == pick(
        contact(), [ANA, BEN], Rules(Strategy.WEIGHTED_RANDOM), NOW, random.Random(1)
    )
    assert 0.65 < picks.count(2) / len(picks) < 0.85  # Ben weighs 3 of 4


def test_language_and_skill_minimums():
    assert pick(contact(language="zh"), TEAM, Rules(), NOW) == (3,)
    assert pick(contact(skills={"billing": 2}), TEAM, Rules(), NOW) == (3,)
    assert pick(contact(skills={"billing": 3}), TEAM, Rules(), NOW) == ()
    assert pick(contact(language="ja"), TEAM, Rules(), NOW) == ()


def test_skills_relax_as_the_wait_grows():
    rules = Rules(
        Strategy.SKILLS_BASED, relax_after_seconds=60, relax_step_seconds=30, drop_skills_after_seconds=300
    )
    needy = {"skills": {"billing": 4}}
    assert pick(contact(waiting_since=ago(59), **needy), TEAM, rules, NOW) == ()
    assert required_skills(contact(waiting_since=ago(60), **needy), rules, NOW) == {"billing": 3}
    assert required_skills(contact(waiting_since=ago(90), **needy), rules, NOW) == {"billing": 2}
    assert pick(contact(waiting_since=ago(90), **needy), TEAM, rules, NOW) == (3,)
    assert required_skills(
        contact(waiting_since=ago(10_000), skills={"x": 5}), Rules(relax_after_seconds=0), NOW
    ) == {"x": 1}
    assert required_skills(contact(waiting_since=ago(300), **needy), rules, NOW) == {}


def test_sticky_agent_waits_then_lets_others_take_it():
    rules = Rules(Strategy.LONGEST_IDLE, sticky_seconds=30)
    busy_ben = Agent(2, True, capacity=1, load=1, idle_since=ago(10))
    loyal = {"preferred_agent": 2}
    assert pick(contact(waiting_since=ago(10), **loyal), [ANA, BEN], rules, NOW) == (2,)
    assert pick(contact(waiting_since=ago(10), **loyal), [ANA, busy_ben], rules, NOW) == ()
    assert pick(contact(waiting_since=ago(30), **loyal), [ANA, busy_ben], rules, NOW) == (1,)


def test_declined_agents_are_skipped():
    assert pick(contact(excluded_agents=frozenset({1})), TEAM, Rules(), NOW) == (2,)


def test_priority_then_wait():
    old_low = contact(id=1, priority=0, waiting_since=ago(500))
    new_high = contact(id=2, priority=5, waiting_since=ago(5))
    old_high = contact(id=3, priority=5, waiting_since=ago(50))
    assert [c.id for c in queue_order([old_low, new_high, old_high])] == [3, 2, 1]
    one_slot = [Agent(9, True, capacity=1, load=0, idle_since=ago(1))]
    decisions = plan_assignments([old_low, new_high, old_high], one_slot, Rules(), NOW)
    assert [(d.contact, d.agents) for d in decisions] == [(3, (9,))]


agents_st = st.lists(
    st.builds(
        Agent,
        id=st.integers(1, 40),
        available=st.booleans(),
        capacity=st.integers(0, 3),
        load=st.integers(0, 3),
        idle_since=st.integers(0, 5000).map(ago),
        skills=st.dictionaries(st.sampled_from(["a", "b", "c"]), st.integers(1, 5), max_size=3),
        languages=st.frozensets(st.sampled_from(["en", "fil", "zh"])),
        last_offered_seq=st.integers(0, 50),
    ),
    max_size=15,
    unique_by=lambda a: a.id,
)
contacts_st = st.lists(
    st.builds(
        Contact,
        id=st.integers(1, 10_000),
        priority=st.integers(0, 3),
        waiting_since=st.integers(0, 600).map(ago),
        skills=st.dictionaries(st.sampled_from(["a", "b", "c"]), st.integers(1, 5), max_size=2),
        language=st.sampled_from(["", "en", "zh"]),
    ),
    max_size=30,
    unique_by=lambda c: c.id,
)
strategies_st = st.sampled_from([s for s in Strategy if s != Strategy.RING_ALL])


@given(contacts_st, agents_st, strategies_st, st.integers(0, 2**32))
def test_a_batch_never_exceeds_capacity_and_assigns_each_contact_once(contacts, agents, strategy, seed):
    decisions = plan_assignments(
        contacts, agents, Rules(strategy, relax_after_seconds=120), NOW, random.Random(seed)
    )
    assert len({d.contact for d in decisions}) == len(decisions)
    by_id = {a.id: a for a in agents}
    given_now = {}
    for d in decisions:
        (agent_id,) = d.agents
        given_now[agent_id] = given_now.get(agent_id, 0) + 1
        assert by_id[agent_id].available
    for agent_id, n in given_now.items():
        assert by_id[agent_id].load + n <= by_id[agent_id].capacity


@given(contacts_st, agents_st)
def test_a_contact_left_waiting_had_no_eligible_agent_with_room(contacts, agents):
    rules = Rules(Strategy.LONGEST_IDLE)
    decisions = plan_assignments(contacts, agents, rules, NOW)
    served = {d.contact for d in decisions}
    used = {}
    for d in decisions:
        used[d.agents[0]] = used.get(d.agents[0], 0) + 1
    for c in contacts:
        if c.id not in served:
            for a in agents:
                if (
                    a.available
                    and a.load + used.get(a.id, 0) < a.capacity
                    and (not c.language or c.language in a.languages)
                ):
                    assert any(a.skills.get(s, 0) < level for s, level in c.skills.items())


# --- The indexed batch makes the decisions of the plain one -------------------------------------
# `plan_assignments` indexes the agents (by language, skill and the strategy's order) instead of
# calling `pick` on every agent for every contact. The reference below is the plain algorithm the
# engine started with: filter every agent, take the minimum by the strategy's key, one contact at
# a time on the agents as the batch left them.


def reference_eligible(agent, contact, skills):
    if not agent.available or agent.room <= 0 or agent.id in contact.excluded_agents:
        return False
    if contact.language and contact.language not in agent.languages:
        return False
    return all(agent.skills.get(skill, 0) >= level for skill, level in skills.items())


def reference_pick(contact, agents, rules, now, rng=None):
    skills = required_skills(contact, rules, now)
    candidates = [a for a in agents if reference_eligible(a, contact, skills)]
    if not candidates:
        return ()
    if contact.preferred_agent is not None:
        preferred = [a for a in candidates if a.id == contact.preferred_agent]
        if preferred:
            return (preferred[0].id,)
        if (now - contact.waiting_since).total_seconds() < rules.sticky_seconds:
            return ()
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
        best = min(
            candidates,
            key=lambda a: (-sum(a.skills.get(s, 0) for s in contact.skills), a.load, a.idle_since, a.id),
        )
    else:
        chooser = rng or random.Random(0)
        ordered = sorted(candidates, key=lambda a: a.id)
        best = chooser.choices(ordered, weights=[max(a.weight, 0) or 1 for a in ordered])[0]
    return (best.id,)


def reference_plan(contacts, agents, rules, now, rng=None, next_seq=1):
    pool = {a.id: a for a in agents}
    decisions = []
    seq = next_seq
    for c in queue_order(contacts):
        chosen = reference_pick(c, list(pool.values()), rules, now, rng)
        if not chosen:
            continue
        decisions.append(Decision(c.id, chosen))
        if rules.strategy != Strategy.RING_ALL:
            agent = pool[chosen[0]]
            pool[agent.id] = replace(agent, load=agent.load + 1, last_offered_seq=seq, idle_since=now)
            seq += 1
    return decisions


SKILL_NAMES = ["a", "b", "c", "d"]
varied_agents_st = st.lists(
    st.builds(
        Agent,
        id=st.integers(1, 60),
        available=st.booleans(),
        capacity=st.integers(1, 4),
        load=st.integers(0, 3),
        idle_since=st.integers(0, 50).map(ago),  # few distinct moments: ties broken by id
        skills=st.dictionaries(st.sampled_from(SKILL_NAMES), st.integers(1, 5), max_size=4),
        languages=st.frozensets(st.sampled_from(["en", "fil", "zh"])),
        weight=st.integers(-1, 5),
        last_offered_seq=st.integers(0, 10),
    ),
    max_size=40,
    unique_by=lambda a: a.id,
)
varied_contacts_st = st.lists(
    st.builds(
        Contact,
        id=st.integers(1, 10_000),
        priority=st.integers(0, 2),
        waiting_since=st.integers(0, 400).map(ago),
        skills=st.dictionaries(st.sampled_from(SKILL_NAMES), st.integers(1, 5), max_size=2),
        language=st.sampled_from(["", "", "en", "zh", "ja"]),
        preferred_agent=st.none() | st.integers(1, 60),
        excluded_agents=st.frozensets(st.integers(1, 60), max_size=5),
    ),
    max_size=40,
    unique_by=lambda c: c.id,
)
rules_st = st.builds(
    Rules,
    strategy=st.sampled_from(list(Strategy)),
    sticky_seconds=st.sampled_from([0, 30, 120]),
    relax_after_seconds=st.none() | st.sampled_from([0, 60, 200]),
    relax_step_seconds=st.sampled_from([0, 30, 90]),
    drop_skills_after_seconds=st.none() | st.sampled_from([100, 300]),
)


@given(varied_contacts_st, varied_agents_st, rules_st, st.none() | st.integers(0, 2**32), st.integers(1, 20))
def test_the_indexed_batch_decides_as_the_plain_algorithm(contacts, agents, rules, seed, next_seq):
    """Every strategy, sticky agents, exclusions, relaxation: the same decisions, in the same order."""
    expected = reference_plan(
        contacts, agents, rules, NOW, random.Random(seed) if seed is not None else None, next_seq
    )
    decided = plan_assignments(
        contacts, agents, rules, NOW, random.Random(seed) if seed is not None else None, next_seq
    )
    assert decided == expected
    for c in contacts:
        assert pick(c, agents, rules, NOW, random.Random(1)) == reference_pick(
            c, agents, rules, NOW, random.Random(1)
        )


@pytest.mark.parametrize("strategy", list(Strategy))
def test_a_large_batch_decides_as_the_plain_algorithm(strategy):
    """300 agents and 1,200 contacts, most of them left waiting once the room runs out."""
    rng = random.Random(7)
    skills = [f"skill{n}" for n in range(12)]
    agents = [
        Agent(
            id,
            rng.random() < 0.95,
            capacity=(capacity := rng.choice([1, 2, 3, 5])),
            load=rng.randrange(capacity),
            idle_since=ago(rng.randrange(3600)),
            skills={s: rng.randint(1, 5) for s in rng.sample(skills, rng.randint(1, 5))},
            languages=frozenset(["en"] * (rng.random() < 0.9) + ["fil"] * (rng.random() < 0.3)),
            weight=rng.randint(1, 4),
            last_offered_seq=rng.randrange(100),
        )
        for id in range(1, 301)
    ]
    contacts = [
        Contact(
            id,
            priority=rng.randint(0, 3),
            waiting_since=ago(rng.randrange(900)),
            skills={s: rng.randint(1, 4) for s in rng.sample(skills, rng.choice([0, 0, 1, 2]))},
            language=rng.choice(["", "en", "en", "fil", "zh"]),
            preferred_agent=rng.randint(1, 300) if rng.random() < 0.05 else None,
            excluded_agents=frozenset(rng.sample(range(1, 301), 2)) if rng.random() < 0.05 else frozenset(),
        )
        for id in range(1, 1201)
    ]
    rules = Rules(strategy, sticky_seconds=30, relax_after_seconds=120, drop_skills_after_seconds=600)
    decided = plan_assignments(contacts, agents, rules, NOW, random.Random(3))
    assert decided == reference_plan(contacts, agents, rules, NOW, random.Random(3))
    assert len(decided) > 100
