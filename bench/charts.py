"""Small SVG charts for the benchmark report: line charts (linear or log axes) and horizontal bars.

Standard library only. The output is deterministic (same input, same bytes), so regenerated images only
show up in a diff when a figure changed.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal
from xml.sax.saxutils import escape, quoteattr

WIDTH = 720
# Okabe & Ito's colour-blind-safe palette, without its yellow (too faint on white).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
# Dark and light shades of one hue, for two series that belong together (Parley and its baseline);
# the light ones are the palette's sky blue and orange, and a tint of its green and purple.
PAIRS = (("#0072B2", "#56B4E9"), ("#D55E00", "#E69F00"), ("#009E73", "#66C2A5"), ("#CC79A7", "#E3A9C9"))
Marker = Literal["circle", "square", "triangle", "diamond", "triangle-down"]
MARKERS: tuple[Marker, ...] = ("circle", "square", "triangle", "diamond", "triangle-down")
# Dash patterns, so series still differ in greyscale; "" is a solid line.
SOLID, DASHED, DOTTED, DASH_DOT = "", "7 4", "2 3", "9 3 2 3"
DASHES = (SOLID, DASHED, DOTTED, DASH_DOT)
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
INK = "#222222"
MUTED = "#555555"
AXIS = "#444444"
GRID = "#e3e3e3"
GRID_MINOR = "#f1f1f1"
REFERENCE = "#6b6b6b"
TITLE_SIZE = 15
TEXT_SIZE = 12
TICK_SIZE = 11
MARKER_RADIUS = 4.5
LEGEND_ROW = 20.0
LEGEND_SAMPLE = 30.0


@dataclass(frozen=True)
class Point:
    """One measurement; a failed one (e.g. messages were lost) is drawn hollow."""

    x: float
    y: float
    failed: bool = False


@dataclass(frozen=True)
class Series:
    """A named line; colour, marker and dash default to the series' position in the chart."""

    name: str
    points: Sequence[Point]
    colour: str | None = None
    marker: Marker | None = None
    dash: str | None = None


@dataclass(frozen=True)
class Axis:
    """An axis title and scale; a linear axis starts at zero unless `include_zero` is False."""

    title: str
    log: bool = False
    include_zero: bool = True


@dataclass(frozen=True)
class Reference:
    """A labelled line across the plot at one value (horizontal in line charts, vertical in bar charts)."""

    value: float
    label: str


@dataclass(frozen=True)
class Bar:
    """One bar of a bar chart, its value written at its end (`text`, or the value itself)."""

    label: str
    value: float
    text: str = ""
    colour: str | None = None


@dataclass(frozen=True)
class Scale:
    """Maps values in [low, high] onto [0, 1]; `ticks` are labelled, `minor` are gridlines only."""

    low: float
    high: float
    log: bool
    ticks: tuple[float, ...]
    minor: tuple[float, ...]
    labels: tuple[str, ...]

    def fraction(self, value: float) -> float:
        """Where a value sits between low (0) and high (1)."""
        if self.log:
            return (math.log10(value) - math.log10(self.low)) / (math.log10(self.high) - math.log10(self.low))
        return (value - self.low) / (self.high - self.low)


# --- Scales -------------------------------------------------------------------------------------------


def nice_step(span: float, target_ticks: int = 5) -> float:
    """A step of 1, 2, 2.5 or 5 times a power of ten that cuts `span` into about `target_ticks` parts."""
    raw = span / target_ticks
    magnitude = 10.0 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * 0.999)


def decimals_for(step: float) -> int:
    """Digits after the point that every multiple of `step` needs."""
    for digits in range(7):
        scaled = step * 10**digits
        if abs(scaled - round(scaled)) < 1e-6:
            return digits
    return 6


def number(value: float, digits: int = 0) -> str:
    """A tick or value label: thousands separated, `digits` after the point."""
    return f"{value:,.{digits}f}"


def linear_scale(values: Sequence[float], *, include_zero: bool) -> Scale:
    """Nice round bounds and ticks around the values."""
    low, high = min(values), max(values)
    if include_zero:
        low, high = min(low, 0.0), max(high, 0.0)
    if high == low:
        # One value: give it room (or, for zero alone, a unit range).
        pad = abs(high) * 0.5 or 1.0
        low, high = (low if include_zero and low == 0 else low - pad), high + pad
    step = nice_step(high - low)
    low, high = math.floor(low / step + 1e-9) * step, math.ceil(high / step - 1e-9) * step
    count = round((high - low) / step)
    ticks = tuple(low + index * step for index in range(count + 1))
    digits = decimals_for(step)
    return Scale(low, high, False, ticks, (), tuple(number(tick, digits) for tick in ticks))


def log_label(value: float) -> str:
    """A log-axis label: 0.1, 1, 20, 1,000."""
    return number(value) if value >= 1 else f"{value:g}"


def log_scale(values: Sequence[float]) -> Scale:
    """Whole decades around the (positive) values; 2 and 5 are labelled too when there are few decades."""
    positive = [value for value in values if value > 0] or [1.0]
    low = math.floor(math.log10(min(positive)) + 1e-9)
    high = math.ceil(math.log10(max(positive)) - 1e-9)
    if high == low:
        high += 1
    few = high - low <= 2
    ticks: list[float] = []
    minor: list[float] = []
    for decade in range(low, high + 1):
        base = 10.0**decade
        ticks.append(base)
        if decade == high:
            break
        for multiple in range(2, 10):
            (ticks if few and multiple in (2, 5) else minor).append(multiple * base)
    return Scale(10.0**low, 10.0**high, True, tuple(ticks), tuple(minor), tuple(log_label(t) for t in ticks))


def scale_for(axis: Axis, values: Sequence[float]) -> Scale:
    """The scale an axis asks for."""
    return log_scale(values) if axis.log else linear_scale(values, include_zero=axis.include_zero)


# --- SVG pieces ---------------------------------------------------------------------------------------


def fmt(value: float) -> str:
    """A coordinate: at most two decimals, no trailing zeros (short, and stable across runs)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def text_width(text: str, size: float) -> float:
    """About how wide a system-ui string is (no font metrics here; errs on the wide side)."""
    em = 0.0
    for char in text:
        if char in "il.,:;'|!()[] ":
            em += 0.3
        elif char.isupper() or char in "mwMW%\N{EM DASH}\N{RIGHTWARDS ARROW}\N{MULTIPLICATION SIGN}":
            em += 0.72
        elif char.isdigit():
            em += 0.57
        else:
            em += 0.58
    return em * size


def text(
    x: float,
    y: float,
    content: str,
    *,
    size: float = TEXT_SIZE,
    anchor: str = "start",
    fill: str = INK,
    weight: str = "",
    rotate: bool = False,
    halo: bool = False,
) -> str:
    """A <text> element; `halo` paints a white outline under it so it reads over gridlines and lines."""
    attributes = [f'x="{fmt(x)}"', f'y="{fmt(y)}"', f'font-size="{fmt(size)}"', f'fill="{fill}"']
    if anchor != "start":
        attributes.append(f'text-anchor="{anchor}"')
    if weight:
        attributes.append(f'font-weight="{weight}"')
    if rotate:
        attributes.append(f'transform="rotate(-90 {fmt(x)} {fmt(y)})"')
    if halo:
        attributes.append('stroke="#ffffff" stroke-width="4" stroke-linejoin="round" paint-order="stroke"')
    return f"<text {' '.join(attributes)}>{escape(content)}</text>"


def line(x1: float, y1: float, x2: float, y2: float, *, stroke: str, width: float = 1, dash: str = "") -> str:
    """A <line> element."""
    dashing = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{fmt(x1)}" y1="{fmt(y1)}" x2="{fmt(x2)}" y2="{fmt(y2)}" stroke="{stroke}" '
        f'stroke-width="{fmt(width)}"{dashing}/>'
    )


def marker(shape: Marker, x: float, y: float, colour: str, *, hollow: bool = False) -> str:
    """A point marker; hollow ones are white inside, so failed points stand out in colour and in grey."""
    r = MARKER_RADIUS
    paint = (
        f'fill="#ffffff" stroke="{colour}" stroke-width="1.8"'
        if hollow
        else f'fill="{colour}" stroke="#ffffff" stroke-width="1"'
    )
    if shape == "circle":
        return f'<circle cx="{fmt(x)}" cy="{fmt(y)}" r="{fmt(r)}" {paint}/>'
    if shape == "square":
        side = r * 1.7
        return (
            f'<rect x="{fmt(x - side / 2)}" y="{fmt(y - side / 2)}" width="{fmt(side)}" '
            f'height="{fmt(side)}" {paint}/>'
        )
    corners = {
        "triangle": ((0, -1.25), (1.1, 0.8), (-1.1, 0.8)),
        "triangle-down": ((0, 1.25), (1.1, -0.8), (-1.1, -0.8)),
        "diamond": ((0, -1.3), (1.3, 0), (0, 1.3), (-1.3, 0)),
    }[shape]
    points = " ".join(f"{fmt(x + dx * r)},{fmt(y + dy * r)}" for dx, dy in corners)
    return f'<polygon points="{points}" {paint}/>'


def document(*, title: str, description: str, height: float, body: list[str]) -> str:
    """The <svg> root: accessible name and description, system font, white background."""
    slug = "".join(char if char.isalnum() else "-" for char in title.lower()).strip("-")[:40] or "chart"
    head = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {fmt(height)}" width="{WIDTH}" '
        f'height="{fmt(height)}" role="img" aria-labelledby="{slug}-title {slug}-desc" '
        f"font-family={quoteattr(FONT)}>",
        f'<title id="{slug}-title">{escape(title)}</title>',
        f'<desc id="{slug}-desc">{escape(description)}</desc>',
        '<rect width="100%" height="100%" fill="#ffffff"/>',
    ]
    return "\n".join([*head, *body, "</svg>"]) + "\n"


def heading(title: str, subtitle: str) -> tuple[list[str], float]:
    """The chart's title and subtitle at the top left; returns them and where the plot may start."""
    parts = [text(16, 24, title, size=TITLE_SIZE, weight="600")]
    if subtitle:
        parts.append(text(16, 42, subtitle, fill=MUTED))
        return parts, 62.0
    return parts, 46.0


@dataclass(frozen=True)
class LegendItem:
    """A legend entry: a line sample and marker (either optional) before a name."""

    name: str
    colour: str
    marker: Marker | None
    dash: str | None  # None: no line sample
    hollow: bool = False


def legend(items: Sequence[LegendItem], *, left: float, right: float, top: float) -> tuple[list[str], float]:
    """Entries in as many equal columns as fit between left and right; returns them and their bottom."""
    widest = max(LEGEND_SAMPLE + 8 + text_width(item.name, TEXT_SIZE) + 16 for item in items)
    columns = max(1, min(len(items), int((right - left) // widest)))
    column_width = (right - left) / columns
    parts: list[str] = []
    for index, item in enumerate(items):
        x = left + (index % columns) * column_width
        y = top + (index // columns) * LEGEND_ROW + LEGEND_ROW / 2
        if item.dash is not None:
            parts.append(line(x, y, x + LEGEND_SAMPLE, y, stroke=item.colour, width=2, dash=item.dash))
        if item.marker is not None:
            parts.append(marker(item.marker, x + LEGEND_SAMPLE / 2, y, item.colour, hollow=item.hollow))
        parts.append(text(x + LEGEND_SAMPLE + 8, y + 4, item.name))
    rows = math.ceil(len(items) / columns)
    return parts, top + rows * LEGEND_ROW


# --- Charts -------------------------------------------------------------------------------------------


def line_chart(
    *,
    title: str,
    description: str,
    x_axis: Axis,
    y_axis: Axis,
    series: Sequence[Series],
    subtitle: str = "",
    reference: Reference | None = None,
    failed_label: str = "failed",
    plot_height: float = 250,
) -> str:
    """A line chart: one line and marker per series, a legend below, failed points hollow."""
    points = [point for one in series for point in one.points if not y_axis.log or point.y > 0]
    xs = [point.x for point in points] or [0.0]
    if len(set(xs)) == 1:
        # Measured at one x only: keep its points off the plot's right edge.
        xs.append(xs[0] * 1.5 if xs[0] > 0 else 1.0)
    ys = [point.y for point in points] or [1.0]
    x_scale = scale_for(x_axis, xs)
    y_scale = scale_for(y_axis, [*ys, reference.value] if reference else ys)
    parts, top = heading(title, subtitle)
    y_label_width = max(text_width(label, TICK_SIZE) for label in y_scale.labels)
    left = 16 + TEXT_SIZE + 12 + y_label_width + 8
    right = WIDTH - 24
    bottom = top + plot_height

    def to_x(value: float) -> float:
        return left + x_scale.fraction(value) * (right - left)

    def to_y(value: float) -> float:
        return bottom - y_scale.fraction(value) * (bottom - top)

    for value in y_scale.minor:
        parts.append(line(left, to_y(value), right, to_y(value), stroke=GRID_MINOR))
    for value, label in zip(y_scale.ticks, y_scale.labels, strict=True):
        parts.append(line(left, to_y(value), right, to_y(value), stroke=GRID))
        parts.append(line(left - 4, to_y(value), left, to_y(value), stroke=AXIS))
        parts.append(text(left - 7, to_y(value) + 4, label, size=TICK_SIZE, anchor="end", fill=MUTED))
    for value, label in zip(x_scale.ticks, x_scale.labels, strict=True):
        parts.append(line(to_x(value), top, to_x(value), bottom, stroke=GRID))
        parts.append(line(to_x(value), bottom, to_x(value), bottom + 4, stroke=AXIS))
        parts.append(text(to_x(value), bottom + 17, label, size=TICK_SIZE, anchor="middle", fill=MUTED))
    parts.append(line(left, bottom, right, bottom, stroke=AXIS))
    parts.append(line(left, top, left, bottom, stroke=AXIS))
    parts.append(text(16 + TEXT_SIZE, (top + bottom) / 2, y_axis.title, anchor="middle", rotate=True))
    parts.append(text((left + right) / 2, bottom + 38, x_axis.title, anchor="middle"))
    if reference is not None:
        y = to_y(reference.value)
        parts.append(line(left, y, right, y, stroke=REFERENCE, width=1.2, dash="4 3"))
        parts.append(text(right - 4, y - 5, reference.label, anchor="end", fill=REFERENCE, halo=True))

    items: list[LegendItem] = []
    any_failed = False
    for index, one in enumerate(series):
        colour = one.colour or PALETTE[index % len(PALETTE)]
        shape = one.marker or MARKERS[index % len(MARKERS)]
        dash = DASHES[index % len(DASHES)] if one.dash is None else one.dash
        drawn = sorted(
            (point for point in one.points if not y_axis.log or point.y > 0), key=lambda point: point.x
        )
        if len(drawn) > 1:
            path = " ".join(f"{fmt(to_x(point.x))},{fmt(to_y(point.y))}" for point in drawn)
            dashing = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2" '
                f'stroke-linejoin="round"{dashing}/>'
            )
        for point in drawn:
            parts.append(marker(shape, to_x(point.x), to_y(point.y), colour, hollow=point.failed))
            any_failed = any_failed or point.failed
        items.append(LegendItem(one.name, colour, shape, dash))
    if any_failed:
        items.append(LegendItem(f"hollow: {failed_label}", MUTED, "circle", None, hollow=True))
    # Aligned with the title rather than the plot, so two columns of long names fit.
    legend_parts, legend_bottom = legend(items, left=16, right=WIDTH - 16, top=bottom + 50)
    parts += legend_parts
    return document(title=title, description=description, height=legend_bottom + 12, body=parts)


def bar_chart(
    *,
    title: str,
    description: str,
    axis: Axis,
    bars: Sequence[Bar],
    subtitle: str = "",
    reference: Reference | None = None,
    value_text: Callable[[float], str] = number,
) -> str:
    """Horizontal bars from zero, each labelled on the left and its value written just past its end."""
    parts, top = heading(title, subtitle)
    if reference is not None:
        # The reference line's label sits above the bars.
        top += 16
    bar_height, gap = 22.0, 12.0
    left = 16 + max((text_width(bar.label, TEXT_SIZE) for bar in bars), default=100) + 12
    right = WIDTH - 24
    bottom = top + gap + len(bars) * (bar_height + gap)
    values = [bar.value for bar in bars] or [0.0]
    # Room past the longest bar for the widest value label.
    widest_value = max((text_width(bar.text or value_text(bar.value), TEXT_SIZE) for bar in bars), default=0)
    room = max(values) * (right - left) / max(right - left - widest_value - 12, 1)
    scale = linear_scale([*values, room, *([reference.value] if reference else [])], include_zero=True)

    def to_x(value: float) -> float:
        return left + scale.fraction(value) * (right - left)

    def middle(index: int) -> float:
        return top + gap + index * (bar_height + gap) + bar_height / 2

    for value, label in zip(scale.ticks, scale.labels, strict=True):
        parts.append(line(to_x(value), top, to_x(value), bottom, stroke=GRID))
        parts.append(line(to_x(value), bottom, to_x(value), bottom + 4, stroke=AXIS))
        parts.append(text(to_x(value), bottom + 17, label, size=TICK_SIZE, anchor="middle", fill=MUTED))
    for index, bar in enumerate(bars):
        colour = bar.colour or PALETTE[index % len(PALETTE)]
        parts.append(
            f'<rect x="{fmt(left)}" y="{fmt(middle(index) - bar_height / 2)}" '
            f'width="{fmt(max(to_x(bar.value) - left, 0))}" height="{fmt(bar_height)}" fill="{colour}"/>'
        )
        parts.append(text(left - 8, middle(index) + 4, bar.label, anchor="end"))
    parts.append(line(left, top, left, bottom, stroke=AXIS))
    parts.append(line(left, bottom, right, bottom, stroke=AXIS))
    parts.append(text((left + right) / 2, bottom + 38, axis.title, anchor="middle"))
    if reference is not None:
        x = to_x(reference.value)
        parts.append(line(x, top - 4, x, bottom, stroke=REFERENCE, width=1.2, dash="4 3"))
        # Centred on its line, unless that would push it past either side of the chart.
        half = text_width(reference.label, TEXT_SIZE) / 2
        anchor, at = ("middle", x)
        if x - half < 16:
            anchor, at = ("start", 16.0)
        elif x + half > WIDTH - 16:
            anchor, at = ("end", WIDTH - 16.0)
        parts.append(text(at, top - 8, reference.label, anchor=anchor, fill=REFERENCE))
    # Values last, haloed, so a reference line running through one does not strike it out.
    for index, bar in enumerate(bars):
        value_label = bar.text or value_text(bar.value)
        parts.append(text(to_x(bar.value) + 6, middle(index) + 4, value_label, halo=True))
    return document(title=title, description=description, height=bottom + 54, body=parts)
