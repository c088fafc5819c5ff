"""The Kolada comparison panel of the indicator page and the board dashboard.

Per linked indicator a small table per year: Kommunen, Liknande kommuner (medel, median),
Riket, Rang ("3 av 8"), in Swedish number format, "prel." on a preliminary year, and always
"Källa: Kolada" under it. Built from `indicators.kolada.comparison.compare` (a fixed number of
queries) and drawn by `templates/reports/_kolada_comparison.html`, which both pages include
with one line.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from goals.models import Board
from indicators.formatting import exact_decimals, format_number
from indicators.kolada.comparison import Comparison, IndicatorComparison, compare
from indicators.models import Indicator
from reports.freshness import cached

PANEL_YEARS = 5
MAX_DECIMALS = 2
NO_GROUP = "Nämnden har ingen jämförelsegrupp vald, så bara kommunen och Riket visas."
NO_CODE = "Kommunens Kolada-kod saknas, så kommunens egna värden kan inte visas."


@dataclass(frozen=True)
class PanelRow:
    year: int
    own: str
    mean: str
    median: str
    riket: str
    rank: str
    preliminary: bool


@dataclass(frozen=True)
class PanelTable:
    indicator: Indicator
    kpi_id: str
    kpi_title: str
    kpi_unit: str
    rows: list[PanelRow]


@dataclass
class KoladaPanel:
    group_title: str
    peer_count: int
    notes: list[str] = field(default_factory=list)
    tables: list[PanelTable] = field(default_factory=list)

    @property
    def has_figures(self) -> bool:
        """Whether any Kolada figure is shown (then the source is named, as Kolada's terms ask)."""
        return any(table.rows for table in self.tables)


def _decimals(values: Iterable[Decimal | None]) -> int:
    shown = [exact_decimals(value) for value in values if value is not None]
    return min(max(shown, default=0), MAX_DECIMALS)


def _table(item: IndicatorComparison) -> PanelTable:
    decimals = _decimals(v for year in item.years for v in (year.own, year.riket))
    # A mean of whole numbers is rarely whole: one decimal more than the figures, at most two.
    mean_decimals = min(max(decimals, 1), MAX_DECIMALS)
    rows = [
        PanelRow(
            year=year.year,
            own=format_number(year.own, decimals),
            mean=format_number(year.peer_mean, mean_decimals),
            median=format_number(year.peer_median, mean_decimals),
            riket=format_number(year.riket, decimals),
            rank=f"{year.rank} av {year.ranked}" if year.rank is not None else "–",
            preliminary=year.preliminary,
        )
        for year in item.years
        if year.has_figures
    ]
    return PanelTable(
        indicator=item.indicator,
        kpi_id=item.kpi.id,
        kpi_title=item.kpi.title,
        kpi_unit=item.kpi.unit,
        rows=rows,
    )


def panel_from(comparison: Comparison) -> KoladaPanel | None:
    """None when no indicator is linked: then the pages show nothing of Kolada."""
    if not comparison.indicators:
        return None
    panel = KoladaPanel(group_title=comparison.group_title, peer_count=comparison.peer_count)
    if not comparison.municipality_code:
        panel.notes.append(NO_CODE)
    if not comparison.group_title:
        panel.notes.append(NO_GROUP)
    panel.tables = [_table(item) for item in comparison.indicators]
    return panel


def panel_years(last: int) -> list[int]:
    return list(range(last - PANEL_YEARS + 1, last + 1))


def _built(
    key: str,
    build_comparison: Callable[[datetime.date], Comparison],
    *,
    board: Board,
    years: Sequence[int],
) -> KoladaPanel | None:
    # Preliminary depends on today's date, so the day is part of what is built. Kolada is
    # shared structure; the board's links, peer group and own values of the years are its own.
    today = datetime.date.today()
    return cached(
        f"{key}:{today.isoformat()}",
        lambda: panel_from(build_comparison(today)),
        boards=[board],
        years=years,
    )


def indicator_panel(indicator: Indicator, years: Sequence[int]) -> KoladaPanel | None:
    """The indicator page's panel: the last PANEL_YEARS of the page's years."""
    shown = panel_years(max(years)) if years else []
    return _built(
        f"kolada-indicator:{indicator.pk}:{','.join(map(str, shown))}",
        lambda today: compare(
            board=indicator.board, indicators=[indicator], years=shown, today=today
        ),
        board=indicator.board,
        years=shown,
    )


def board_panel(board: Board, year: int) -> KoladaPanel | None:
    """The board dashboard's panel: every indicator of the board's year that is linked."""

    def build(today: datetime.date) -> Comparison:
        indicators = (
            Indicator.objects.valid_in(year)
            .filter(board=board)
            .order_by("board_goal__order", "parent__order", "order", "pk")
        )
        return compare(board=board, indicators=indicators, years=panel_years(year), today=today)

    return _built(f"kolada-board:{board.pk}:{year}", build, board=board, years=panel_years(year))
