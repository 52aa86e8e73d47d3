"""Bar chart geometry for server-rendered SVG reports: a readable value axis and the bars' boxes.

Templates draw what `bar_chart` lays out, so a chart needs no script and reads the same in every
browser, in print and in a screen reader (each bar carries its label and value).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)
TINY = 1e-9


@dataclass(frozen=True)
class Axis:
    top: float
    ticks: tuple[float, ...]


def nice_axis(maximum: float, count: int = 5) -> Axis:
    """An axis from 0 to a round number at or above `maximum`, in about `count` round steps.

    Maxima under one billionth (nothing worth a bar) get the axis 0 to 1.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    if not math.isfinite(maximum) or maximum < 0:
        raise ValueError("maximum must be a finite number ≥ 0")
    if maximum < TINY:
        return Axis(top=1.0, ticks=(0.0, 1.0))
    raw = maximum / count
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(s * magnitude for s in _STEPS if s * magnitude >= raw * (1 - 1e-12))
    steps = math.ceil(maximum / step - 1e-9)
    ticks = tuple(float(f"{i * step:.12g}") for i in range(steps + 1))
    return Axis(top=ticks[-1], ticks=ticks)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    category: str
    series: int
    name: str
    value: float


@dataclass(frozen=True)
class Tick:
    value: float
    y: float


@dataclass(frozen=True)
class Label:
    text: str
    x: float


@dataclass(frozen=True)
class Line:
    series: int
    name: str
    points: str  # "x,y x,y …" for an SVG polyline; a gap (a None value) starts a new line


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: float
    top: float
    right: float
    bottom: float
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    labels: tuple[Label, ...]
    series: tuple[str, ...]
    lines: tuple[Line, ...] = ()


def bar_chart(
    categories: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    mode: Literal["stacked", "grouped"] = "stacked",
    width: int = 720,
    height: int = 240,
    max_labels: int = 12,
) -> Chart:
    """Bars for each category, one per series side by side ("grouped") or on top of each other.

    Every series has one value ≥ 0 per category. At most `max_labels` category labels are kept
    (evenly spaced) so they do not overlap.
    """
    names = tuple(series)
    for name in names:
        values = series[name]
        if len(values) != len(categories):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(categories)} categories")
        if any(not math.isfinite(v) or v < 0 for v in values):
            raise ValueError(f"series {name!r} has a value that is negative or not a number")
    left, top, right, bottom = 48.0, 8.0, float(width) - 8.0, float(height) - 24.0
    plot_height = bottom - top
    if mode == "stacked":
        peak = max((sum(series[n][i] for n in names) for i in range(len(categories))), default=0.0)
    else:
        peak = max((v for n in names for v in series[n]), default=0.0)
    axis = nice_axis(peak)
    scale = plot_height / axis.top
    slot = (right - left) / max(len(categories), 1)
    gap = min(slot * 0.2, 8.0)
    bars: list[Bar] = []
    for i, category in enumerate(categories):
        x0 = left + i * slot + gap / 2
        inner = slot - gap
        base = bottom
        for s, name in enumerate(names):
            value = float(series[name][i])
            h = value * scale
            if mode == "stacked":
                bars.append(Bar(x0, base - h, inner, h, category, s, name, value))
                base -= h
            else:
                w = inner / max(len(names), 1)
                bars.append(Bar(x0 + s * w, bottom - h, w, h, category, s, name, value))
    ticks = tuple(Tick(value=t, y=bottom - t * scale) for t in axis.ticks)
    every = max(1, math.ceil(len(categories) / max_labels))
    labels = tuple(
        Label(text=c, x=left + i * slot + slot / 2) for i, c in enumerate(categories) if i % every == 0
    )
    return Chart(width, height, left, top, right, bottom, tuple(bars), ticks, labels, names)


def line_chart(
    categories: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    top: float | None = None,
    width: int = 720,
    height: int = 240,
    max_labels: int = 12,
) -> Chart:
    """A line per series over the categories (a trend); None is a gap (no figure for that point).

    The value axis runs from 0 to `top` when given (e.g. 100 for a percentage), else to a round
    number at or above the largest value. A line with a gap is drawn as separate polylines.
    """
    names = tuple(series)
    for name in names:
        values = series[name]
        if len(values) != len(categories):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(categories)} categories")
        if any(v is not None and (not math.isfinite(v) or v < 0) for v in values):
            raise ValueError(f"series {name!r} has a value that is negative or not a number")
    left, plot_top, right, bottom = 48.0, 8.0, float(width) - 8.0, float(height) - 24.0
    peak = max((v for n in names for v in series[n] if v is not None), default=0.0)
    axis = nice_axis(top if top is not None else peak)
    scale = (bottom - plot_top) / axis.top
    slot = (right - left) / max(len(categories), 1)
    lines: list[Line] = []
    for s, name in enumerate(names):
        run: list[str] = []
        for i, value in enumerate(series[name]):
            if value is None:
                if run:
                    lines.append(Line(s, name, " ".join(run)))
                run = []
                continue
            run.append(f"{left + i * slot + slot / 2:.1f},{bottom - min(value, axis.top) * scale:.1f}")
        if run:
            lines.append(Line(s, name, " ".join(run)))
    ticks = tuple(Tick(value=t, y=bottom - t * scale) for t in axis.ticks)
    every = max(1, math.ceil(len(categories) / max_labels))
    labels = tuple(
        Label(text=c, x=left + i * slot + slot / 2) for i, c in enumerate(categories) if i % every == 0
    )
    return Chart(width, height, left, plot_top, right, bottom, (), ticks, labels, names, tuple(lines))
