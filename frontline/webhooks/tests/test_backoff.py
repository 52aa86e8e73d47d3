"""Backoff: full jitter under an exponential, capped ceiling."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontline.webhooks.backoff import Backoff

SCHEDULE = Backoff(base=60, factor=3, cap=12 * 3600)


def test_the_ceilings_grow_by_the_factor_until_the_cap():
    assert [SCHEDULE.ceiling(n) for n in range(1, 9)] == [
        60,
        180,
        540,
        1620,
        4860,
        14580,
        43200,
        43200,
    ]


@pytest.mark.parametrize(("rand", "delay"), [(0.0, 1.0), (0.5, 270.0), (0.999, 539.46)])
def test_the_delay_is_a_share_of_the_ceiling_and_at_least_the_minimum(rand, delay):
    assert SCHEDULE.delay(3, rand) == pytest.approx(delay)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="attempts count from 1"):
        SCHEDULE.ceiling(0)
    with pytest.raises(ValueError, match=r"a share in \[0, 1\)"):
        SCHEDULE.delay(1, 1.0)
    with pytest.raises(ValueError, match="cap >= base"):
        Backoff(base=10, cap=5)


@given(attempt=st.integers(1, 10_000), rand=st.floats(0, 1, exclude_max=True))
def test_a_delay_is_never_more_than_its_ceiling_nor_the_cap(attempt, rand):
    delay = SCHEDULE.delay(attempt, rand)
    assert 0 < delay <= SCHEDULE.ceiling(attempt) <= SCHEDULE.cap


@given(
    base=st.floats(0.1, 1000),
    factor=st.floats(1, 10),
    extra=st.floats(0, 1e6),
    attempt=st.integers(1, 5000),
)
def test_ceilings_never_shrink(base, factor, extra, attempt):
    backoff = Backoff(base=base, factor=factor, cap=base + extra)
    assert backoff.ceiling(attempt) <= backoff.ceiling(attempt + 1)
