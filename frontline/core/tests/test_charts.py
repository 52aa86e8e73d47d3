import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontline.core import charts
from frontline.core.charts import TINY, bar_chart, nice_axis

values = st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False)


@given(values, st.integers(min_value=1, max_value=10))
def test_the_axis_covers_the_maximum_in_even_round_steps(maximum, count):
    axis = nice_axis(maximum, count)
    assert axis.ticks[0] == 0
    assert axis.top >= maximum
    steps = [b - a for a, b in zip(axis.ticks, axis.ticks[1:], strict=False)]
    assert all(math.isclose(s, steps[0], rel_tol=1e-9) for s in steps)
    mantissa = steps[0] / 10 ** math.floor(math.log10(steps[0]))
    assert any(math.isclose(mantissa, m, rel_tol=1e-9) for m in (1, 2, 2.5, 5, 10))
    if maximum >= TINY:  # no more than one step of headroom, and about `count` steps
        assert axis.top - steps[0] < maximum
        assert len(steps) <= 2 * count + 1


def test_known_axes():
    assert nice_axis(0).ticks == (0, 1)
    assert nice_axis(7).ticks == (0, 2, 4, 6, 8)
    assert nice_axis(100).ticks == (0, 20, 40, 60, 80, 100)
    assert nice_axis(0.42).top == pytest.approx(0.5)


def test_bad_input_is_refused_with_the_reason():
    with pytest.raises(ValueError, match="maximum"):
        nice_axis(-1)
    with pytest.raises(ValueError, match="2 values for 3"):
        bar_chart(["a", "b", "c"], {"email": [1, 2]})
    with pytest.raises(ValueError, match="negative"):
        bar_chart(["a"], {"email": [-1]})


series_and_categories = st.integers(min_value=1, max_value=30).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.dictionaries(
            st.sampled_from(["email", "chat", "voice", "sms"]),
            st.lists(values, min_size=n, max_size=n),
            min_size=1,
        ),
    )
)


@given(series_and_categories, st.sampled_from(["stacked", "grouped"]))
def test_bars_stay_inside_the_plot_and_measure_their_values(data, mode):
    n, series = data
    categories = [f"c{i}" for i in range(n)]
    chart = bar_chart(categories, series, mode=mode)
    assert len(chart.bars) == n * len(series)
    axis_top = chart.ticks[-1].value
    scale = (chart.bottom - chart.top) / axis_top
    for bar in chart.bars:
        assert chart.left - 1e-6 <= bar.x
        assert bar.x + bar.width <= chart.right + 1e-6
        assert chart.top - 1e-6 <= bar.y
        assert bar.y + bar.height <= chart.bottom + 1e-6
        assert math.isclose(bar.height, bar.value * scale, rel_tol=1e-9, abs_tol=1e-9)
    if mode == "stacked":  # a category's bars pile up from the bottom without gaps
        for category in categories:
            pile = sorted((b for b in chart.bars if b.category == category), key=lambda b: -b.y)
            base = chart.bottom
            for bar in pile:
                assert math.isclose(bar.y + bar.height, base, abs_tol=1e-6)
                base = bar.y
    assert len(chart.labels) <= 12


def test_a_line_chart_draws_one_polyline_per_run_of_figures():
    chart = charts.line_chart(["a", "b", "c", "d"], {"SL": [50.0, None, 100.0, 75.0]}, top=100)
    assert [line.points.count(",") for line in chart.lines] == [1, 2]
    assert chart.ticks[-1].value == 100
    first = chart.lines[0].points.split(",")
    assert float(first[1]) == pytest.approx(chart.bottom - (chart.bottom - chart.top) / 2)


def test_a_line_chart_refuses_a_negative_figure():
    with pytest.raises(ValueError, match="negative"):
        charts.line_chart(["a"], {"x": [-1.0]})
