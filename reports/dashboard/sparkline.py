"""A small trend line drawn on the server as inline SVG: no JavaScript, with a text alternative.

Read in a glance: the first and last values are printed beside the line (the scale), the
year's målvärde is a dashed line, and an arrow with words says which way is good.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from indicators.formatting import MISSING, format_number
from indicators.models import Indicator

WIDTH = 96
HEIGHT = 28
PAD = 3
NO_VALUE = "inget värde"
DIRECTIONS: dict[str, tuple[str, str]] = {
    Indicator.Direction.HIGHER: ("↑", "Högre är bättre"),
    Indicator.Direction.LOWER: ("↓", "Lägre är bättre"),
}


@dataclass
class Sparkline:
    """Polylines (one per run of known values; I.U. years break the line) and dots."""

    label: str
    width: int = WIDTH
    height: int = HEIGHT
    lines: list[str] = field(default_factory=list)
    dots: list[tuple[str, str]] = field(default_factory=list)  # text: templates localise floats
    first_text: str = ""  # "2018: 62", the first year drawn
    last_text: str = ""  # "2022: 46"
    target_y: str = ""  # where the målvärde's dashed line runs, "" without one
    target_text: str = ""  # "Målvärde 2022: 100"
    direction_symbol: str = ""  # ↑ / ↓
    direction_text: str = ""  # "Högre är bättre"

    @property
    def is_empty(self) -> bool:
        return not self.dots

    @property
    def html(self) -> SafeString:
        """The trend as the dashboard shows it. Written here, not by a template: one per
        indicator row, and a template drawing each took a third of a cold dashboard."""
        if self.is_empty:
            return NO_TREND_HTML
        label = escape(self.label)
        size = f'width="{self.width}" height="{self.height}"'
        parts = [
            f'<span class="trend"><svg class="sparkline" {size} '
            f'viewBox="0 0 {self.width} {self.height}" role="img" aria-label="{label}" '
            f'focusable="false"><title>{label}</title>'
        ]
        if self.target_y:
            y = escape(self.target_y)
            parts.append(
                f'<line class="spark-target" x1="0" x2="{self.width}" y1="{y}" y2="{y}" '
                'stroke="#444444" stroke-width="1" stroke-dasharray="3 2"></line>'
            )
        parts.extend(
            f'<polyline points="{escape(points)}" fill="none" stroke="currentColor" '
            'stroke-width="1.5"></polyline>'
            for points in self.lines
        )
        parts.extend(
            f'<circle cx="{escape(x)}" cy="{escape(y)}" r="2" fill="currentColor"></circle>'
            for x, y in self.dots
        )
        parts.append("</svg>")
        if self.direction_symbol:
            words = escape(self.direction_text)
            parts.append(
                f'<span class="spark-direction" title="{words}"><span aria-hidden="true">'
                f'{escape(self.direction_symbol)}</span><span class="visually-hidden">{words}'
                "</span></span>"
            )
        ends: str = escape(self.first_text)
        if self.last_text:
            ends += f" → {escape(self.last_text)}"
        parts.append(f'<span class="spark-ends" aria-hidden="true">{ends}</span>')
        if self.target_text:
            parts.append(
                '<span class="spark-legend" aria-hidden="true"><span class="spark-dash">- -'
                f"</span> {escape(self.target_text)}</span>"
            )
        parts.append("</span>")
        return mark_safe("".join(parts))


NO_TREND_HTML = mark_safe('<span class="muted">Ingen trend</span>')


def sparkline(
    points: Sequence[tuple[int, Decimal | None]],
    decimals: int = 0,
    *,
    no_value_years: Collection[int] = (),
    shown: Mapping[int, str] | None = None,
    target: Decimal | None = None,
    target_year: int | None = None,
    target_label: str = "",
    direction: str = "",
) -> Sparkline:
    """Trend over the years: points are (year, value), None for I.U., a text outcome (its
    text in `shown`) or, for the years in `no_value_years`, for no value at all. Each breaks
    the line: a text is no point and no zero. `target` is drawn as a line across (the scale
    includes it), `target_label` its text as the Målvärde column prints it; `direction` is the
    indicator's good direction."""
    shown = shown or {}
    known = [(year, value) for year, value in points if value is not None]

    def point_text(year: int, value: Decimal | None) -> str:
        if value is not None:
            return format_number(value, decimals)
        if year in no_value_years:
            return NO_VALUE
        return shown.get(year, MISSING)

    texts = [f"{year}: {point_text(year, value)}" for year, value in points]
    label = "Trend " + ", ".join(texts) if texts else "Ingen trend: inga värden"
    spark = Sparkline(label=label)
    spark.direction_symbol, spark.direction_text = DIRECTIONS.get(direction, ("", ""))
    if target is not None:
        shown_target = target_label or format_number(target, decimals)
        spark.target_text = f"Målvärde {target_year}: {shown_target}"
    if not known:
        return spark
    spark.first_text = f"{known[0][0]}: {format_number(known[0][1], decimals)}"
    if len(known) > 1:
        spark.last_text = f"{known[-1][0]}: {format_number(known[-1][1], decimals)}"
    scale = [value for _, value in known] + ([target] if target is not None else [])
    low = min(scale)
    high = max(scale)
    span = high - low
    count = len(points)
    step = (WIDTH - 2 * PAD) / (count - 1) if count > 1 else 0

    def y_of(value: Decimal) -> float:
        ratio = float((value - low) / span) if span else 0.5
        return round(HEIGHT - PAD - ratio * (HEIGHT - 2 * PAD), 1)

    def xy(index: int, value: Decimal) -> tuple[float, float]:
        x = PAD + index * step if count > 1 else WIDTH / 2
        return round(x, 1), y_of(value)

    if target is not None:
        spark.target_y = str(y_of(target))
    run: list[tuple[float, float]] = []
    for index, (_, value) in enumerate(points):
        if value is None:
            if len(run) > 1:
                spark.lines.append(" ".join(f"{x},{y}" for x, y in run))
            run = []
            continue
        point = xy(index, value)
        run.append(point)
        spark.dots.append((str(point[0]), str(point[1])))
    if len(run) > 1:
        spark.lines.append(" ".join(f"{x},{y}" for x, y in run))
    return spark
