"""The agent performance report from a scripted day of state changes, exact to the second."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontline.routing import report, selectors, services
from frontline.routing.models import Queue
from frontline.routing.tests.conftest import make_agent


def at(h, m=0, s=0):
    return datetime(2026, 11, 23, h, m, s, tzinfo=UTC)


@pytest.mark.django_db
def test_a_scripted_day(clock):
    queue = Queue.objects.create(name="Phone", channel="voice", offer_timeout_seconds=20, wrap_up_seconds=30)
    ana = make_agent()
    clock(at(8), services.presence_set, actor=ana, user=ana, state="available")
    first = clock(at(8, 10), services.interaction_enqueue, queue=queue)
    clock(at(8, 10, 5), services.interaction_accept, user=ana, interaction=first)
    clock(at(8, 15, 5), services.interaction_end, actor=ana, interaction=first)
    clock(at(8, 15, 35), services.wrap_up_end, interaction=first)
    clock(at(9), services.presence_set, actor=ana, user=ana, state="not_ready", reason="lunch")
    clock(at(10), services.presence_set, actor=ana, user=ana, state="available")
    second = clock(at(10, 30), services.interaction_enqueue, queue=queue)
    clock(at(10, 30, 20), services.offer_expire, interaction_id=second.pk)
    clock(at(10, 31), services.presence_set, actor=ana, user=ana, state="available")
    clock(at(10, 32), services.interaction_end, actor=None, interaction=second)  # the caller hung up
    clock(at(12), services.presence_set, actor=ana, user=ana, state="logged_out")

    [row] = selectors.performance_report(agents=[ana], start=at(0), end=at(0) + timedelta(days=1))
    day = row.figures
    assert (day.first_login, day.last_logout) == (at(8), at(12))
    assert day.online == 4 * 3600
    assert day.busy == 300
    assert day.wrap_up == 30
    assert day.not_ready_by_reason == {"lunch": 3600, "missed_offer": 40}
    assert day.not_ready == 3640
    assert day.idle == 4 * 3600 - 300 - 30 - 3640
    assert (day.offered, day.handled, day.missed) == (2, 1, 1)
    assert day.average_handle_seconds == 330
    assert day.average_after_contact_seconds == 30
    assert day.occupancy == pytest.approx(330 / (day.idle + 330))

    # Any range adds up: the morning alone.
    [morning] = selectors.performance_report(agents=[ana], start=at(8, 30), end=at(9, 30), per_day=False)
    assert (morning.figures.idle, morning.figures.not_ready, morning.figures.first_login) == (
        1800,
        1800,
        at(8, 30),
    )


def test_an_empty_range_is_refused():
    with pytest.raises(ValueError, match="end after"):
        report.agent_report([], at(9), at(9))


states = st.sampled_from(["logged_out", "available", "not_ready", "busy", "wrap_up"])
changes_st = st.lists(
    st.tuples(st.integers(0, 86_400 * 2), states, st.sampled_from(["", "break", "lunch"])), max_size=30
).map(
    lambda items: [
        report.Change(at(0) + timedelta(seconds=t), s, r if s == "not_ready" else "")
        for t, s, r in sorted(items)
    ]
)


@given(changes_st, st.integers(0, 86_400), st.integers(1, 86_400))
def test_states_add_up_to_online_time(changes, offset, length):
    start = at(0) + timedelta(seconds=offset)
    day = report.agent_report(changes, start, start + timedelta(seconds=length))
    assert day.online == pytest.approx(day.idle + day.busy + day.wrap_up + day.not_ready)
    assert day.not_ready == pytest.approx(sum(day.not_ready_by_reason.values()))
    assert 0 <= day.online <= length


@given(changes_st, st.integers(1, 86_399))
def test_splitting_a_range_splits_every_figure(changes, cut):
    whole = report.agent_report(changes, at(0), at(0) + timedelta(days=1))
    left = report.agent_report(changes, at(0), at(0) + timedelta(seconds=cut))
    right = report.agent_report(changes, at(0) + timedelta(seconds=cut), at(0) + timedelta(days=1))
    for name in ("online", "idle", "busy", "wrap_up", "not_ready"):
        assert getattr(whole, name) == pytest.approx(getattr(left, name) + getattr(right, name))
