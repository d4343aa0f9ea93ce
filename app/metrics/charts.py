"""Chart geometry for server-side SVG (pure): numbers in, coordinates out.

``templates/metrics/_charts.html`` draws the shapes; no JavaScript, no third-party request.
Each chart also has a data table and a one-sentence text alternative (built here too, so the
sentence always says what the picture shows).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 40
#: Series colours are CSS classes (``chart-s0`` ...): the stylesheet picks colours that keep
#: 3:1 contrast against the background and each other.
SERIES_CLASSES = ("chart-s0", "chart-s1", "chart-s2", "chart-s3", "chart-s4", "chart-s5")


def nice_max(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 2.5 or 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover (the loop always returns)


@dataclass
class Chart:
    """Everything a template needs to draw one chart."""

    width: int = WIDTH
    height: int = HEIGHT
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    x_labels: list[tuple[float, str]] = field(default_factory=list)
    lines: list[dict] = field(default_factory=list)
    bars: list[dict] = field(default_factory=list)
    legend: list[dict] = field(default_factory=list)
    marker: dict | None = None


def _plot_box() -> tuple[float, float, float, float]:
    return LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM


def _y_axis(chart: Chart, top_value: float) -> None:
    _, y0, _, plot_height = _plot_box()
    for step in range(5):
        value = top_value * step / 4
        y = y0 + plot_height - plot_height * step / 4
        chart.y_ticks.append((round(y, 1), f"{value:g}"))


def _label_every(count: int, room: int = 12) -> int:
    return max(1, math.ceil(count / room))


def line_chart(labels: Sequence[str], series: dict[str, Sequence[float]]) -> Chart:
    """Trend lines over periods (one polyline per series)."""
    chart = Chart()
    x0, y0, plot_width, plot_height = _plot_box()
    top_value = nice_max(max((max(values, default=0) for values in series.values()), default=0))
    _y_axis(chart, top_value)
    count = len(labels)
    step = plot_width / max(count - 1, 1)
    every = _label_every(count)
    for index, label in enumerate(labels):
        if index % every == 0:
            chart.x_labels.append((round(x0 + index * step, 1), label))
    for number, (name, values) in enumerate(series.items()):
        css = SERIES_CLASSES[number % len(SERIES_CLASSES)]
        points = " ".join(
            f"{x0 + index * step:.1f},{y0 + plot_height - plot_height * value / top_value:.1f}"
            for index, value in enumerate(values)
        )
        chart.lines.append({"name": name, "points": points, "css": css})
        chart.legend.append({"name": name, "css": css})
    return chart


def stacked_bars(labels: Sequence[str], segments: dict[str, Sequence[float]]) -> Chart:
    """One bar per label, stacked from the segments in order."""
    chart = Chart()
    x0, y0, plot_width, plot_height = _plot_box()
    totals = [sum(values[i] for values in segments.values()) for i in range(len(labels))]
    top_value = nice_max(max(totals, default=0))
    _y_axis(chart, top_value)
    slot = plot_width / max(len(labels), 1)
    bar_width = max(slot * 0.7, 1)
    every = _label_every(len(labels), room=8)
    for index, label in enumerate(labels):
        left = x0 + index * slot + (slot - bar_width) / 2
        if index % every == 0:
            chart.x_labels.append((round(left + bar_width / 2, 1), label))
        base = y0 + plot_height
        for number, (name, values) in enumerate(segments.items()):
            height = plot_height * values[index] / top_value
            base -= height
            chart.bars.append({
                "x": round(left, 1), "y": round(base, 1), "width": round(bar_width, 1),
                "height": round(height, 1), "css": SERIES_CLASSES[number % len(SERIES_CLASSES)],
                "title": f"{label}, {name}: {values[index]:g}",
            })  # fmt: skip
    for number, name in enumerate(segments):
        chart.legend.append({"name": name, "css": SERIES_CLASSES[number % len(SERIES_CLASSES)]})
    return chart


def with_target_line(chart: Chart, labels: Sequence[str], after_index: int, text: str) -> Chart:
    """A vertical line between bar ``after_index`` and the next (the target)."""
    x0, y0, plot_width, plot_height = _plot_box()
    slot = plot_width / max(len(labels), 1)
    x = round(x0 + (after_index + 1) * slot, 1)
    chart.marker = {"x": x, "y1": y0, "y2": y0 + plot_height, "text": text}
    return chart
