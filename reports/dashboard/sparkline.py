"""A small trend line drawn on the server as inline SVG: no JavaScript, with a text alternative."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from indicators.formatting import MISSING, format_number

WIDTH = 96
HEIGHT = 24
PAD = 3
NO_VALUE = "inget värde"


@dataclass
class Sparkline:
    """Polylines (one per run of known values; I.U. years break the line) and dots."""

    label: str
    width: int = WIDTH
    height: int = HEIGHT
    lines: list[str] = field(default_factory=list)
    dots: list[tuple[str, str]] = field(default_factory=list)  # text: templates localise floats

    @property
    def is_empty(self) -> bool:
        return not self.dots


def sparkline(
    points: Sequence[tuple[int, Decimal | None]],
    decimals: int = 0,
    *,
    no_value_years: Collection[int] = (),
    shown: Mapping[int, str] | None = None,
) -> Sparkline:
    """Trend over the years: points are (year, value), None for I.U., a text outcome (its
    text in `shown`) or, for the years in `no_value_years`, for no value at all. Each breaks
    the line: a text is no point and no zero."""
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
    if not known:
        return spark
    low = min(value for _, value in known)
    high = max(value for _, value in known)
    span = high - low
    count = len(points)
    step = (WIDTH - 2 * PAD) / (count - 1) if count > 1 else 0

    def xy(index: int, value: Decimal) -> tuple[float, float]:
        x = PAD + index * step if count > 1 else WIDTH / 2
        ratio = float((value - low) / span) if span else 0.5
        y = HEIGHT - PAD - ratio * (HEIGHT - 2 * PAD)
        return round(x, 1), round(y, 1)

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
