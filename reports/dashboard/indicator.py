"""The chart and its table for one indicator's page (the lead's indicator_detail includes it).

Usage in a view::

    from reports.dashboard.indicator import indicator_chart_data
    context["chart"] = indicator_chart_data(indicator)          # or years=range(2020, 2023)

and in the template ``{% include "reports/_indicator_chart.html" with chart=chart %}``
(the page must load plotly.min.js and js/charts.js, see the include's comment).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Max, Min

from goals.periods import PeriodType
from indicators.formatting import format_target
from indicators.models import Indicator, IndicatorValue
from indicators.selectors import IndicatorSeries, load_series
from reports.charts import _SeriesKey, indicator_chart, series_keys, sorted_periods
from reports.dashboard.rows import ALL_PERIOD_TYPES

MAX_YEARS = 10
NO_VALUE = "–"


class FootnoteNumbers:
    """Numbers footnotes in order of first appearance; the same text keeps its number."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def mark(self, texts: Iterable[str]) -> list[int]:
        marks = []
        for text in texts:
            if text not in self.texts:
                self.texts.append(text)
            marks.append(self.texts.index(text) + 1)
        return marks


@dataclass
class TableCell:
    text: str
    marks: list[int] = field(default_factory=list)
    missing_label: str = ""
    is_missing: bool = False


@dataclass
class TableRow:
    period_label: str
    is_year: bool
    cells: list[TableCell]
    target: TableCell


@dataclass
class IndicatorChart:
    indicator: Indicator
    element_id: str
    figure: dict
    columns: list[str]
    rows: list[TableRow]
    name_marks: list[int]
    footnotes: list[str]

    @property
    def many_series(self) -> bool:
        """Too many columns for the table beside the chart: it goes under it, full width."""
        return len(self.columns) > 4

    @property
    def numbered_footnotes(self) -> list[tuple[int, str]]:
        return list(enumerate(self.footnotes, start=1))


def chart_years(indicator: Indicator) -> list[int]:
    """The years with stored values (at most the last ten), or the indicator's first year."""
    bounds = IndicatorValue.objects.filter(indicator=indicator).aggregate(
        first=Min("year"), last=Max("year")
    )
    first = bounds["first"] or indicator.valid_from
    last = max(bounds["last"] or first, first)
    first = max(first, last - MAX_YEARS + 1)
    return list(range(first, last + 1))


def indicator_chart_data(
    indicator: Indicator,
    years: Sequence[int] | None = None,
    *,
    series: IndicatorSeries | None = None,
    numbers: FootnoteNumbers | None = None,
) -> IndicatorChart:
    """Figure, table and footnotes for the indicator over the years (5–7 queries).

    Pass `series` when the page already loaded it with every period type and these years.
    Pass `numbers` to number the footnotes together with more tables of the same page: the
    chart's list of footnotes is then the page's one list (`numbers.texts`), each text once.
    """
    years = sorted(set(years)) if years is not None else chart_years(indicator)
    if series is None:
        series = load_series([indicator], years, period_types=ALL_PERIOD_TYPES)[indicator.pk]
    notes = numbers if numbers is not None else FootnoteNumbers()
    name_marks = notes.mark(
        note.text for note in indicator.footnotes.all() if note.year is None or note.year in years
    )

    keys = series_keys(series)
    columns = [key.label for key in keys] or ["Totalt"]
    rows = []
    for period in sorted_periods(series, years):
        is_year = period.type == PeriodType.YEAR
        cells_by_code = series.cells(period.year, period.type, period.number)
        cells = []
        shown: list[_SeriesKey | None] = list(keys) if keys else [None]
        for key in shown:
            cell = cells_by_code.get(key.code) if key is not None else None
            if cell is None:
                cells.append(TableCell(NO_VALUE))
                continue
            cells.append(
                TableCell(
                    text=cell.shown(indicator.unit),
                    marks=notes.mark(cell.footnotes),
                    missing_label=cell.missing_label,
                    is_missing=cell.is_missing,
                )
            )
        target_cell = TableCell("")
        target = series.target(period.year) if is_year else None
        if target is not None:
            target_cell = TableCell(
                format_target(target),
                marks=notes.mark(note.text for note in target.footnotes.all()),
            )
        rows.append(TableRow(period.label, is_year, cells, target_cell))

    return IndicatorChart(
        indicator=indicator,
        element_id=f"chart-indicator-{indicator.pk}",
        figure=indicator_chart(series, years),
        columns=columns,
        rows=rows,
        name_marks=name_marks,
        footnotes=notes.texts,
    )
