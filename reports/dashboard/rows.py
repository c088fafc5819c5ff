"""One indicator as the dashboards show it: latest value, target, whether it is met, trend."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from goals.periods import Period, PeriodType
from indicators.evaluation import target_met
from indicators.formatting import format_target
from indicators.models import Indicator, Target
from indicators.selectors import TOTAL, Cell, IndicatorSeries, load_series
from indicators.yearrule import derived_note
from reports.dashboard.sparkline import Sparkline, sparkline
from reports.dashboard.status import Status, target_status

HISTORY_YEARS = 5
TARGET_LINE_KINDS = {Target.Kind.VALUE, Target.Kind.BOUND}  # a målvärde with a number
ALL_PERIOD_TYPES = (PeriodType.YEAR, PeriodType.TERTIAL, PeriodType.QUARTER, PeriodType.MONTH)
NO_VALUE = "Inget utfall ännu"
NO_TOTAL = "–"
GENDER_LABELS = {"K": "Kvinnor", "M": "Män"}
FLOW_NOT_JUDGED = "Summeras över året: bedöms mot målvärdet vid helår."
# A sub-indicator without a target of its own shows the main indicator's for reference but is
# not judged against it (as the entry page's suggested assessment does not count it).
INHERITED_NOT_JUDGED = "Målvärdet gäller huvudindikatorn."


def history_years(year: int, count: int = HISTORY_YEARS) -> list[int]:
    return list(range(year - count + 1, year + 1))


def load_dashboard_series(indicators: Iterable[Indicator], year: int) -> dict[int, IndicatorSeries]:
    """Yearly values of the last five years, this year's months, quarters and tertials, and
    this year's targets (the rows show only its målvärde, no footnote of a target), in a
    fixed number of queries. The splits by kön or enhet only of this year: the trend shows
    the totals, the row the latest period's splits; the values' notes only where they give
    the reason an outcome is missing (missing_reason_text), the only place a row shows them."""
    return load_series(
        indicators,
        history_years(year),
        period_types=ALL_PERIOD_TYPES,
        sub_year_periods_in=[year],
        target_years=[year],
        target_notes=False,
        splits_in=[year],
        notes_of_missing_only=True,
    )


def latest_period(series: IndicatorSeries, year: int) -> tuple[Period, dict[str, Cell]] | None:
    """The year's value if there is one, else the latest month, quarter or tertial of the year."""
    cells = series.cells(year)
    if cells:
        return Period(year, PeriodType.YEAR, 1), cells
    best: tuple[Period, dict[str, Cell]] | None = None
    for (value_year, period_type, number), period_cells in series.values.items():
        if value_year != year or period_type == PeriodType.YEAR or not period_cells:
            continue
        period = Period(value_year, PeriodType(period_type), number)
        # The latest end month wins; on a tie the finer period (month) is the more recent figure.
        rank = (period.end_month, -PeriodType(period_type).months)
        if best is None or rank > (best[0].end_month, -PeriodType(best[0].type).months):
            best = (period, period_cells)
    return best


@dataclass
class IndicatorRow:
    indicator: Indicator
    depth: int = 0
    period_label: str = ""
    value_text: str = NO_VALUE
    breakdown_text: str = ""
    is_missing: bool = False
    missing_text: str = ""
    target: Target | None = None
    target_text: str = ""
    target_inherited: bool = False
    met: bool | None = None
    status: Status = field(default_factory=lambda: target_status(None))
    note: str = ""
    derived_note: str = ""  # the year value is derived by the indicator's year rule
    trend: Sparkline | None = None

    @property
    def has_value(self) -> bool:
        return self.period_label != ""


def indicator_row(
    series: IndicatorSeries,
    year: int,
    *,
    parent: IndicatorSeries | None = None,
    depth: int = 0,
    with_trend: bool = True,
) -> IndicatorRow:
    indicator = series.indicator
    row = IndicatorRow(indicator=indicator, depth=depth)

    target = series.target(year)
    if target is None and parent is not None:
        target = parent.target(year)
        row.target_inherited = target is not None
    row.target = target
    if target is not None:
        row.target_text = format_target(target)

    latest = latest_period(series, year)
    if latest is not None:
        _judge_latest(row, series, year, latest, target)
    row.status = target_status(row.met)
    if not with_trend:
        return row

    row.trend = _trend(series, year)
    return row


def _judge_latest(
    row: IndicatorRow,
    series: IndicatorSeries,
    year: int,
    latest: tuple[Period, dict[str, Cell]],
    target: Target | None,
) -> None:
    """The latest period's value, its breakdown text and, where it can be, the judgement."""
    indicator = series.indicator
    outcome = None
    period, cells = latest
    row.period_label = period.label
    total = cells.get(TOTAL)
    where = (period.year, period.type, period.number)
    if total is not None:
        row.value_text = total.shown(indicator.unit)
        row.is_missing = total.is_missing
        if total.is_missing:
            row.missing_text = missing_reason_text(total)
        outcome = total.value
        if total.is_derived:
            row.derived_note = derived_note(indicator)
    else:
        # Only split values: shown as the report prints them (`UAF: 2,5 SOF: 6,9`,
        # `7,6 (total, inkl BEA-anst) 5,2 (enbart HÖK-anst)`); not judged against the target.
        row.value_text = series.row_text(where[0], "", *where[1:]) or NO_TOTAL
    row.breakdown_text = ", ".join(
        f"{GENDER_LABELS[gender]} {text}"
        for gender in series.genders()
        if (text := series.row_text(where[0], gender, *where[1:]))
    )
    if row.target_inherited:
        row.note = INHERITED_NOT_JUDGED
    elif target is not None and outcome is not None:
        if period.type != PeriodType.YEAR and indicator.aggregation == Indicator.Aggregation.FLOW:
            row.note = FLOW_NOT_JUDGED
        else:
            previous = series.total(year - 1)
            row.met = target_met(
                target,
                outcome,
                direction=indicator.direction,
                previous=previous.value if previous is not None else None,
            )


def missing_reason_text(cell: Cell) -> str:
    """Why a value is I.U., the reason and its notes kept apart: "Annat skäl: Nytt
    verksamhetssystem …" (a reason without notes alone, notes without a reason alone)."""
    notes = " ".join(text.strip() for text in cell.footnotes if text.strip())
    if cell.missing_label and notes:
        return f"{cell.missing_label}: {notes}"
    return cell.missing_label or notes


def _trend(series: IndicatorSeries, year: int) -> Sparkline:
    """The sparkline of the history years, from the first year with a value."""
    points: list[tuple[int, Decimal | None]] = []
    absent: set[int] = set()
    shown: dict[int, str] = {}  # a stored value that is no number: its I.U. or its text
    for trend_year in history_years(year):
        cell = series.total(trend_year)
        if cell is None:
            if not points:
                continue  # the trend starts at the first year with a value
            absent.add(trend_year)
        elif cell.value is None:
            shown[trend_year] = cell.text
        points.append((trend_year, cell.value if cell is not None else None))
    target = series.target(year)
    target_value = (
        target.value
        if target is not None and target.kind in TARGET_LINE_KINDS and target.value is not None
        else None
    )
    return sparkline(
        points,
        series.indicator.decimals,
        no_value_years=absent,
        shown=shown,
        target=target_value,
        target_year=year,
        target_label=format_target(target)
        if target is not None and target_value is not None
        else "",
        direction=series.indicator.direction,
    )


def indicator_rows(
    indicators: Iterable[Indicator],
    series: dict[int, IndicatorSeries],
    year: int,
    *,
    with_trend: bool = True,
) -> list[IndicatorRow]:
    """Rows for top-level indicators (as from group_by_goal), each followed by its sub-indicators."""
    rows = []
    for indicator in indicators:
        parent_series = series[indicator.pk]
        rows.append(indicator_row(parent_series, year, with_trend=with_trend))
        for child in getattr(indicator, "sub_indicators", []):
            if child.pk in series:
                rows.append(
                    indicator_row(
                        series[child.pk],
                        year,
                        parent=parent_series,
                        depth=1,
                        with_trend=with_trend,
                    )
                )
    return rows


def latest_judgements(indicators: Iterable[Indicator], year: int) -> dict[int, IndicatorRow]:
    """Each indicator's latest outcome of the year against its målvärde, judged as the board
    dashboard judges it (a sub-indicator against its main indicator's target where it has
    none of its own), in a fixed number of queries whatever the number of indicators."""
    indicators = list(indicators)
    listed = {indicator.pk for indicator in indicators}
    missing_parents = {i.parent_id for i in indicators if i.parent_id and i.parent_id not in listed}
    parents = list(Indicator.objects.filter(pk__in=missing_parents)) if missing_parents else []
    series = load_series(
        [*indicators, *parents],
        [year - 1, year],  # last year's outcome is the base of a direction target
        period_types=ALL_PERIOD_TYPES,
        sub_year_periods_in=[year],
        target_years=[year],  # only this year's målvärde is judged against
    )
    return {
        indicator.pk: indicator_row(
            series[indicator.pk],
            year,
            parent=series.get(indicator.parent_id) if indicator.parent_id else None,
            depth=1 if indicator.parent_id else 0,
            with_trend=False,
        )
        for indicator in indicators
    }
