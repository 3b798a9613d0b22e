"""Charts drawn on the server as inline SVG: no script, no image file. A chart is a pure function
of the figures it is given (no database, no app) and reads without its picture: the ``<svg>``
has ``role="img"`` and an ``aria-label`` (also its ``<title>``) giving every figure, and each bar
or box has a ``<title>`` tooltip. Every text is escaped before the markup is marked safe;
everything else is a number.

One engine for every chart of the site:

* ``Scale``: the value axis, from zero (or a round figure below it) to a round figure at or
  above the data in steps of 1, 2 or 5 × 10ⁿ, never finer than the data's ``unit``: counts get
  whole-number ticks (0, 1, 2, never 0, 0, 1, 2, 2), money whole cents. Decimal arithmetic, so
  ticks are exact.
* ``bar_chart``: a group of bars per category, a bar per series. ``ROWS``: horizontal bars under
  a label column, the axis below; the picture grows with the groups. ``COLUMNS``: vertical bars
  in a fixed frame, the axis on the left, the labels below (every n-th one when they would
  overlap). ``stacked``: one bar per group, its positive parts stacked up from the zero line and
  its negative parts down from it.
* ``box_chart``: horizontal box plots (minimum, quartiles, median, maximum) in the ROWS frame.

The SVG classes a page styles: ``grid`` and ``zero`` (the grid line at zero), ``tick``,
``axis-title``, ``legend``, ``label`` (a category), ``value``; ``group`` > ``bar`` (side by side)
or ``bar`` > ``segment`` (stacked), ``negative`` on a bar or segment below zero; ``box`` >
``whisker``, ``iqr``, ``median``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

Number = int | float | Decimal

ZERO = Decimal(0)
NICE = (1, 2, 5, 10)  # × 10ⁿ: the steps of an axis
PALETTE = ("#145a9e", "#0a7f6f", "#8a5a00")
NO_DATA = "No data yet, so there is no chart."

ROWS = "rows"
COLUMNS = "columns"

# Category labels (both layouts): cut to MAX_LABEL characters and LABEL_W - 12 pixels.
MAX_LABEL = 24
NARROW = frozenset(" .,:;'|!()[]iljtfI")

# ROWS: 560 wide; a label column, the plot, room for the figure printed after the longest bar.
ROWS_WIDTH = 560
LABEL_W = 180
VALUE_W = 124
BAR_H = 16  # one bar, 1 px of air above and below
ROW_GAP = 10  # between groups
BOX_ROW_H = 30
LEGEND_H = 24
AXIS_H = 26  # the tick labels under the plot
ROWS_INTERVALS = 4

# COLUMNS: a fixed picture; margins for the tick labels (left), the legend (top) and the
# category labels (bottom).
COLUMNS_WIDTH = 720
COLUMNS_HEIGHT = 320
PLOT_LEFT = 96
PLOT_RIGHT = 16
PLOT_TOP = 40
PLOT_BOTTOM = 44
MAX_BAR_WIDTH = 72
MIN_VALUE_SLOT = 60  # px per bar needed to print its figure
MIN_LABEL_SLOT = 40  # px per category label
COLUMNS_INTERVALS = 5


# --- texts and numbers ----------------------------------------------------------------------


def coord(value: float) -> str:
    """An SVG coordinate: two decimals at most, no trailing zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def whole(value: Number) -> str:
    """``12,500``: the default figure of ticks and bars."""
    return f"{value:,.0f}"


def text_px(text: str) -> float:
    """A rough width of ``text`` in the 12px chart font: capitals and non-Latin letters (a
    Russian label) are wider than Latin lower case."""
    return sum(
        3.5 if ch in NARROW else 6.6 if ch.isascii() and not ch.isupper() else 7.9 for ch in text
    )


def fit_label(text: str) -> tuple[str, str]:
    """``(shown, full)``, both escaped: a long category label cut with an ellipsis to at most
    MAX_LABEL characters and LABEL_W - 12 pixels, whatever the language."""
    short = text
    while len(short) > MAX_LABEL or text_px(short) > LABEL_W - 12:
        short = short[:-2].rstrip() + "…"
    return escape(short), escape(text)


def no_data(message: str = NO_DATA) -> SafeString:
    """What stands in the place of a chart without figures."""
    return format_html('<p class="empty chart-empty">{}</p>', message)


def _decimal(value: Number) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _plain(value: Decimal) -> Decimal:
    """Without an exponent (``5E+1`` is 50), so that any format writes it as a plain number."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


# --- the value axis -------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    lo: Decimal
    hi: Decimal
    step: Decimal

    @classmethod
    def fit(
        cls, low: Number = 0, high: Number = 0, *, intervals: int = ROWS_INTERVALS, unit: Number = 1
    ) -> Scale:
        """The round range over ``low``..``high`` and zero, in about ``intervals`` steps of 1, 2
        or 5 × 10ⁿ and never finer than ``unit`` (a power of ten: 1 for counts, 0.01 for money).
        Nothing to show (all zero) gives 0 to 1."""
        lo, hi = min(ZERO, _decimal(low)), max(ZERO, _decimal(high))
        if lo == hi:
            hi = lo + 1
        raw = max((hi - lo) / intervals, _decimal(unit))
        base = Decimal(1).scaleb(raw.adjusted())
        step = next(m * base for m in NICE if raw <= m * base)
        return cls(
            _plain((lo / step).to_integral_value(ROUND_FLOOR) * step),
            _plain((hi / step).to_integral_value(ROUND_CEILING) * step),
            _plain(step),
        )

    @property
    def ticks(self) -> list[Decimal]:
        return [
            _plain(self.lo + self.step * i) for i in range(int((self.hi - self.lo) / self.step) + 1)
        ]

    def fraction(self, value: Number) -> float:
        """Where ``value`` falls between ``lo`` (0) and ``hi`` (1)."""
        return float((_decimal(value) - self.lo) / (self.hi - self.lo))


# --- the frame ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Frame:
    """The picture, the plot inside it, which way the value axis runs and how much room each
    category has along the other axis (``slot``)."""

    scale: Scale
    horizontal: bool
    width: float
    height: float
    left: float
    right: float
    top: float
    bottom: float
    slot: float

    @classmethod
    def rows(cls, scale: Scale, n: int, slot: float, *, legend: bool, axis_title: bool) -> _Frame:
        top = LEGEND_H if legend else 6
        bottom = top + slot * n
        height = bottom + AXIS_H + (16 if axis_title else 0)
        return cls(
            scale, True, ROWS_WIDTH, height, LABEL_W, ROWS_WIDTH - VALUE_W, top, bottom, slot
        )

    @classmethod
    def columns(cls, scale: Scale, n: int, width: float, height: float) -> _Frame:
        left, right = PLOT_LEFT, width - PLOT_RIGHT
        return cls(
            scale,
            False,
            width,
            height,
            left,
            right,
            PLOT_TOP,
            height - PLOT_BOTTOM,
            (right - left) / n,
        )

    def at(self, value: Number) -> float:
        """The position of ``value`` on the value axis: x across, y upwards."""
        f = self.scale.fraction(value)
        if self.horizontal:
            return self.left + (self.right - self.left) * f
        return self.bottom - (self.bottom - self.top) * f

    def centre(self, index: int) -> float:
        """The middle of the ``index``-th category on the category axis."""
        return (self.top if self.horizontal else self.left) + self.slot * (index + 0.5)

    def rect(self, start: float, size: float, a: Number, b: Number, least: float = 0.0) -> str:
        """The place of a bar ``size`` thick from ``start`` on the category axis, running from
        value ``a`` to value ``b`` (at least ``least`` long)."""
        p, q = sorted((self.at(a), self.at(b)))
        length = max(q - p, least)
        x, y, w, h = (p, start, length, size) if self.horizontal else (start, p, size, length)
        return f'x="{coord(x)}" y="{coord(y)}" width="{coord(w)}" height="{coord(h)}"'

    def open(self, css: str, label: str) -> str:
        label = escape(label)
        return (
            f'<svg class="{escape(css)}" xmlns="http://www.w3.org/2000/svg" role="img" '
            f'viewBox="0 0 {coord(self.width)} {coord(self.height)}" aria-label="{label}">'
            f"<title>{label}</title>"
        )

    def legend(self, names: Sequence[str], colours: Sequence[str]) -> str:
        """A swatch and a name per series, starting over the plot or, when the names (a
        translation) are too long to fit after it, further left."""
        advances = [40 + max(7 * len(name), round(text_px(name))) for name in names]
        x = max(6, min(self.left, self.width - sum(advances) + 22))
        out = []
        for name, colour, advance in zip(names, colours, advances, strict=True):
            out.append(
                f'<g class="legend"><rect x="{coord(x)}" y="8" width="12" height="12" '
                f'fill="{colour}"/><text x="{coord(x + 18)}" y="18">{escape(name)}</text></g>'
            )
            x += advance
        return "".join(out)

    def axis(self, fmt: Callable[[Number], str], title: str = "") -> str:
        """A grid line and a label per tick (the line at zero is ``zero``), and the axis title:
        under the ticks across, turned along the axis upwards."""
        out = []
        for tick in self.scale.ticks:
            at = coord(self.at(tick))
            line = "zero" if tick == 0 else "grid"
            label = escape(fmt(tick))
            if self.horizontal:
                out.append(
                    f'<line class="{line}" x1="{at}" x2="{at}" y1="{coord(self.top)}" '
                    f'y2="{coord(self.bottom)}"/><text class="tick" x="{at}" '
                    f'y="{coord(self.bottom + 16)}" text-anchor="middle">{label}</text>'
                )
            else:
                out.append(
                    f'<line class="{line}" x1="{coord(self.left)}" x2="{coord(self.right)}" '
                    f'y1="{at}" y2="{at}"/><text class="tick" x="{coord(self.left - 6)}" '
                    f'y="{at}" dy="4" text-anchor="end">{label}</text>'
                )
        if title and self.horizontal:
            out.append(
                f'<text class="axis-title" x="{coord((self.left + self.right) / 2)}" '
                f'y="{coord(self.bottom + 38)}" text-anchor="middle">{escape(title)}</text>'
            )
        elif title:
            mid = coord((self.top + self.bottom) / 2)
            out.append(
                f'<text class="axis-title" x="12" y="{mid}" transform="rotate(-90 12 {mid})" '
                f'text-anchor="middle">{escape(title)}</text>'
            )
        return "".join(out)

    def label_every(self, labels: Sequence[str]) -> int:
        """Draw every n-th category label so that none overlaps the next (ROWS: all)."""
        if self.horizontal:
            return 1
        widest = max((text_px(fit_label(label)[0]) for label in labels), default=0)
        return max(1, math.ceil(max(MIN_LABEL_SLOT, widest + 8) / self.slot))

    def label(self, index: int, text: str, css: str = "label") -> str:
        """The name of a category: right-aligned in the label column across, centred under its
        bar upwards; the full text as its tooltip when it had to be cut."""
        shown, full = fit_label(text)
        title = f"<title>{full}</title>" if shown != full else ""
        c = self.centre(index)
        if self.horizontal:
            x, y, anchor = self.left - 8, c + 4, "end"
        else:
            x, y, anchor = c, self.bottom + 20, "middle"
        return (
            f'<text class="{escape(css)}" x="{coord(x)}" y="{coord(y)}" text-anchor="{anchor}">'
            f"{title}{shown}</text>"
        )

    def value(self, centre: float, end: Number, negative: bool, text: str) -> str:
        """``text`` just past the end of a bar whose middle is at ``centre`` on the category axis:
        after it (before it when the bar is ``negative``) across, above it (below) upwards."""
        at = self.at(end)
        if self.horizontal:
            x, y = (at - 4 if negative else at + 4), centre + 4
            anchor = "end" if negative else "start"
        else:
            x, y, anchor = centre, (at + 14 if negative else at - 6), "middle"
        return (
            f'<text class="value" x="{coord(x)}" y="{coord(y)}" text-anchor="{anchor}">'
            f"{escape(text)}</text>"
        )


# --- bar charts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    name: str = ""  # in the legend and the tooltips; a chart whose series are unnamed has no legend
    colour: str = ""  # "": the palette's, by position


@dataclass(frozen=True)
class Group:
    """The bars of one category, a value per series."""

    label: str
    values: Sequence[Number]
    note: str | None = None  # printed instead of the figure: the total's (stacked), the first bar's
    data: Mapping[str, object] = field(default_factory=dict)  # data-* attributes of its <g>


def _total(values: Sequence[Number]) -> Number:
    return sum(values) if values else ZERO


def _bar(css: str, value: Number, place: str, colour: str, tip: str) -> str:
    negative = " negative" if value < 0 else ""
    return (
        f'<rect class="{css}{negative}" {place} fill="{colour}"><title>{escape(tip)}</title></rect>'
    )


def bar_chart(
    title: str,
    groups: Sequence[Group],
    series: Sequence[Series] = (Series(),),
    *,
    layout: str = ROWS,
    stacked: bool = False,
    scale: Scale | None = None,
    unit: Number = 1,
    fmt: Callable[[Number], str] = whole,
    full: Callable[[Number], str] | None = None,
    axis_title: str = "",
    label_class: str = "label",
    css: str = "chart bar-chart",
    width: float = COLUMNS_WIDTH,
    height: float = COLUMNS_HEIGHT,
    empty: str = NO_DATA,
) -> SafeString:
    """Bars, a group per category and in it a bar per series (or, ``stacked``, one bar of a
    segment per series). ``fmt`` writes the ticks and the figures printed at the bars, ``full``
    (default ``fmt``) the figures of the tooltips and of the summary. The axis is ``scale``, or
    fitted to the data in steps no finer than ``unit``. ``width`` and ``height`` size a COLUMNS
    chart; a ROWS chart is ROWS_WIDTH wide and as high as its groups need. Without groups, the
    ``empty`` message instead of a chart."""
    if not groups:
        return no_data(empty)
    full = full or fmt
    colours = [s.colour or PALETTE[i % len(PALETTE)] for i, s in enumerate(series)]
    per_group = 1 if stacked else len(series)
    if stacked:
        highs = [_total([v for v in g.values if v > 0]) for g in groups]
        lows = [_total([v for v in g.values if v < 0]) for g in groups]
    else:
        highs = lows = [v for g in groups for v in g.values]
    if layout == ROWS:
        scale = scale or Scale.fit(min(lows, default=0), max(highs, default=0), unit=unit)
        legend = any(s.name for s in series)
        frame = _Frame.rows(
            scale,
            len(groups),
            BAR_H * per_group + ROW_GAP,
            legend=legend,
            axis_title=bool(axis_title),
        )
        thickness, inset, show_values = BAR_H * per_group, 1, True
    else:
        scale = scale or Scale.fit(
            min(lows, default=0), max(highs, default=0), intervals=COLUMNS_INTERVALS, unit=unit
        )
        frame = _Frame.columns(scale, len(groups), width, height)
        thickness, inset = min(MAX_BAR_WIDTH, frame.slot * 0.6), 0
        show_values = frame.slot / per_group >= MIN_VALUE_SLOT

    def tip(group: Group, s: Series, value: Number) -> str:
        return f"{group.label}{', ' + s.name if s.name else ''}: {full(value)}"

    if stacked:
        parts = [f"{g.label}: {full(_total(g.values))}" for g in groups]
    else:
        parts = [
            f"{g.label}: "
            + ", ".join(
                f"{s.name} {full(v)}".strip() for s, v in zip(series, g.values, strict=True)
            )
            for g in groups
        ]
    out = [frame.open(css, f"{title}. {'; '.join(parts)}.")]
    if any(s.name for s in series):
        out.append(frame.legend([s.name for s in series], colours))
    out.append(frame.axis(fmt, axis_title))
    every = frame.label_every([g.label for g in groups])
    for index, group in enumerate(groups):
        centre = frame.centre(index)
        start = centre - thickness / 2
        data = "".join(f' data-{escape(k)}="{escape(v)}"' for k, v in group.data.items())
        out.append(f'<g class="{"bar" if stacked else "group"}"{data}>')
        if index % every == 0:
            out.append(frame.label(index, group.label, label_class))
        if stacked:
            up = down = 0
            for s, colour, value in zip(series, colours, group.values, strict=True):
                if value == 0:
                    continue
                if value > 0:
                    a, b = up, up + value
                    up = b
                else:
                    a, b = down, down + value
                    down = b
                place = frame.rect(start + inset, thickness - 2 * inset, a, b, least=0.5)
                out.append(_bar("segment", value, place, colour, tip(group, s, value)))
            if show_values:
                total = _total(group.values)
                text = group.note if group.note is not None else fmt(total)
                out.append(frame.value(centre, down if total < 0 else up, total < 0, text))
        else:
            size = thickness / per_group
            for i, (s, colour, value) in enumerate(zip(series, colours, group.values, strict=True)):
                place = frame.rect(start + size * i + inset, size - 2 * inset, 0, value)
                out.append(_bar("bar", value, place, colour, tip(group, s, value)))
                if show_values:
                    text = group.note if group.note is not None and i == 0 else fmt(value)
                    out.append(frame.value(start + size * (i + 0.5), value, value < 0, text))
        out.append("</g>")
    out.append("</svg>")
    return mark_safe("".join(out))  # nosec B308, B703 # numbers and escaped text only


# --- box plots ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    """The spread of one category: minimum, quartiles, median and maximum, with its texts."""

    label: str
    low: Number
    q1: Number
    median: Number
    q3: Number
    high: Number
    summary: str  # its part of the chart's aria-label
    tip: str  # its tooltip
    note: str  # printed after its whisker


def box_chart(
    title: str,
    boxes: Sequence[Box],
    *,
    fmt: Callable[[Number], str] = whole,
    unit: Number = 1,
    css: str = "chart box-chart",
    empty: str = NO_DATA,
) -> SafeString:
    """Horizontal box plots, one row per box: whiskers from the minimum to the maximum, the box
    from the first to the third quartile, a thick line at the median."""
    if not boxes:
        return no_data(empty)
    scale = Scale.fit(0, max(b.high for b in boxes), unit=unit)
    frame = _Frame.rows(scale, len(boxes), BOX_ROW_H, legend=False, axis_title=False)
    out = [
        frame.open(css, f"{title}. {'; '.join(b.summary for b in boxes)}."),
        frame.axis(fmt),
    ]
    for index, b in enumerate(boxes):
        cy = frame.centre(index)
        low, high, median = (
            coord(frame.at(b.low)),
            coord(frame.at(b.high)),
            coord(frame.at(b.median)),
        )
        out.append(
            f'<g class="box"><title>{escape(b.tip)}</title>{frame.label(index, b.label)}'
            f'<line class="whisker" x1="{low}" x2="{high}" y1="{coord(cy)}" y2="{coord(cy)}"/>'
            f'<line class="whisker" x1="{low}" x2="{low}" y1="{coord(cy - 6)}" y2="{coord(cy + 6)}"/>'
            f'<line class="whisker" x1="{high}" x2="{high}" y1="{coord(cy - 6)}" '
            f'y2="{coord(cy + 6)}"/>'
            f'<rect class="iqr" {frame.rect(cy - 8, 16, b.q1, b.q3, least=1)} fill="{PALETTE[0]}"/>'
            f'<line class="median" x1="{median}" x2="{median}" y1="{coord(cy - 9)}" '
            f'y2="{coord(cy + 9)}"/>'
            f"{frame.value(cy, b.high, False, b.note)}</g>"
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # nosec B308, B703 # numbers and escaped text only
