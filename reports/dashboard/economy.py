"""The economy dashboard: budget vs bokslut per driftsammandrag line, and the year's forecasts
against budget (30 april, 31 augusti, 31 oktober next to the final result).

Reads budget.tables (amounts in kronor, derived figures already computed) and turns each
printed figure into tkr on its own with budget.formatting.to_tkr (4 queries in all).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from budget.formatting import to_tkr
from budget.models import forecast_label
from budget.tables import ForecastTable, RowKind, forecasts, operating_summary, yearly_totals
from goals.models import Board
from reports import charts

BOKSLUT = "Bokslut"
ROW_CLASSES = {
    RowKind.SUM: "sum",
    RowKind.TOTAL: "sum",
    RowKind.COSTS: "varav",
    RowKind.REVENUES: "varav",
    RowKind.UNIT: "unit",
}


def _tkr(kronor: int | None) -> int | None:
    return to_tkr(kronor)


@dataclass
class EconomyRow:
    label: str
    css: str
    bokslut: int | None  # tkr
    budget: int | None
    avvikelse: int | None
    previous_bokslut: int | None


@dataclass
class ForecastLine:
    label: str
    css: str
    budget: int | None  # tkr
    forecasts: list[int | None]
    bokslut: int | None


@dataclass
class Balance:
    """The year's result in words as well as numbers: överskott / underskott / i balans."""

    label: str
    tkr: int | None

    @property
    def word(self) -> str:
        if self.tkr is None:
            return "Inget utfall"
        if self.tkr > 0:
            return "Överskott"
        if self.tkr < 0:
            return "Underskott"
        return "I balans"

    @property
    def css(self) -> str:
        if not self.tkr:
            return ""
        return "surplus" if self.tkr > 0 else "deficit"

    @property
    def amount(self) -> int | None:
        """The size of the surplus or deficit (the word carries the sign)."""
        return abs(self.tkr) if self.tkr is not None else None

    @property
    def symbol(self) -> str:
        if not self.tkr:
            return "="
        return "▲" if self.tkr > 0 else "▼"


@dataclass
class EconomyDashboard:
    board: Board
    year: int
    rows: list[EconomyRow] = field(default_factory=list)
    previous_restated: bool = False
    forecast_labels: list[str] = field(default_factory=list)
    forecast_rows: list[ForecastLine] = field(default_factory=list)
    forecast_deviations: list[int | None] = field(default_factory=list)
    balances: list[Balance] = field(default_factory=list)
    budget_total: int | None = None
    outcome_name: str = ""
    operating_chart: dict | None = None
    forecast_chart: dict | None = None

    @property
    def has_data(self) -> bool:
        return bool(self.rows)


def economy_years(year: int) -> range:
    """The years the economy page of `year` reads, for its data token (reports.freshness): the
    year's budget, forecasts and bokslut, and last year's bokslut."""
    return range(year - 1, year + 1)


def economy_dashboard(board: Board, year: int) -> EconomyDashboard:
    """The board's economy page: driftsammandrag, forecasts and their charts, as ready text."""
    summary = operating_summary(board, year)
    table = forecasts(board, year)
    economy = EconomyDashboard(board=board, year=year, previous_restated=summary.previous_restated)
    if not summary.rows:
        return economy

    economy.rows = [
        EconomyRow(
            label=row.label,
            css=ROW_CLASSES.get(row.kind, ""),
            bokslut=_tkr(row.bokslut),
            budget=_tkr(row.budget),
            avvikelse=_tkr(row.avvikelse),
            previous_bokslut=_tkr(row.previous_bokslut),
        )
        for row in summary.rows
    ]

    _add_forecasts(economy, table, year)
    _add_operating_chart(economy, table, year)
    return economy


def _add_forecasts(economy: EconomyDashboard, table: ForecastTable, year: int) -> None:
    """The forecast table, the deviations per forecast and their chart."""
    months = list(table.months)
    economy.forecast_labels = [f"Prognos {table.label(month)}" for month in months]
    economy.forecast_rows = [
        ForecastLine(
            label=row.label,
            css=ROW_CLASSES.get(row.kind, ""),
            budget=_tkr(row.budget),
            forecasts=[_tkr(row.forecasts.get(month)) for month in months],
            bokslut=_tkr(row.bokslut),
        )
        for row in table.rows
    ]
    total = table.row(RowKind.TOTAL) or table.row(RowKind.SUM)
    if total is not None:
        economy.budget_total = _tkr(total.budget)
        economy.forecast_deviations = [
            _tkr(total.forecast_deviation(month)) for month in months
        ] + [_tkr(total.avvikelse)]
        economy.balances = [
            Balance(f"Prognos {table.label(month)}", _tkr(total.forecast_deviation(month)))
            for month in months
            if total.forecasts.get(month) is not None
        ]
        economy.balances.append(Balance(f"Bokslut {year}", _tkr(total.avvikelse)))
        economy.forecast_chart = charts.forecast_chart(
            [table.label(month) for month in months] + [BOKSLUT],
            economy.forecast_deviations,
        )


def _add_operating_chart(economy: EconomyDashboard, table: ForecastTable, year: int) -> None:
    """Each line's deviation from budget: bokslut, or before the year is closed the latest
    forecast (charts.deviation_chart says why deviations rather than budget beside outcome)."""
    lines = [row for row in table.rows if row.kind in (RowKind.LINE, RowKind.UNIT)]
    outcome_kronor: list[int | None]
    if any(row.bokslut is not None for row in lines):
        outcome_kronor = [row.bokslut for row in lines]
        economy.outcome_name = f"Bokslut {year}"
    else:
        forecast_months = [
            m for m in table.months if any(row.forecasts.get(m) is not None for row in lines)
        ]
        if forecast_months:
            month = forecast_months[-1]
            outcome_kronor = [row.forecasts.get(month) for row in lines]
            economy.outcome_name = f"Prognos {table.label(month)}"
        else:
            outcome_kronor = [None for _ in lines]
            economy.outcome_name = "Inget utfall ännu"
    economy.operating_chart = charts.deviation_chart(
        [row.label for row in lines],
        [_tkr(row.budget) for row in lines],
        [_tkr(outcome) for outcome in outcome_kronor],
        [
            _tkr(deviation(row.budget, outcome))
            for row, outcome in zip(lines, outcome_kronor, strict=True)
        ],
        outcome_name=economy.outcome_name,
        budget_name=f"Budget {year}",
    )


def deviation(budget: int | None, outcome: int | None) -> int | None:
    """Budget − outcome in kronor (positive = överskott), None without both."""
    if budget is None or outcome is None:
        return None
    return budget - outcome


# --- one figure per board: the overview's economy table and the board dashboard's tile --------


@dataclass
class EconomyTile:
    """A board's year in three figures (tkr): budget, the latest outcome and the deviation."""

    board: Board
    year: int
    budget: int | None
    outcome: int | None
    outcome_label: str  # "Bokslut 2022", "Prognos 31 oktober", or "" before any outcome
    balance: Balance

    @property
    def has_budget(self) -> bool:
        return self.budget is not None

    @property
    def signed_deviation(self) -> str:
        return charts.signed_tkr(self.balance.tkr)


def economy_tiles(boards: Sequence[Board], year: int) -> list[EconomyTile]:
    """Per board the net cost incl. municipal units against budget: bokslut when there is one,
    else the year's latest complete prognos (budget.tables.yearly_totals: 2 queries, any number
    of boards)."""
    totals = yearly_totals([board.pk for board in boards], [year])
    tiles = []
    for board in boards:
        found = totals.get((board.pk, year))
        budget = found.budget if found else None
        outcome: int | None = None
        label = ""
        if found is not None and found.bokslut is not None:
            outcome, label = found.bokslut, f"Bokslut {year}"
        elif found is not None:
            months = [month for month, value in found.forecasts.items() if value is not None]
            if months:
                month = max(months)
                outcome, label = found.forecasts[month], f"Prognos {forecast_label(year, month)}"
        tiles.append(
            EconomyTile(
                board=board,
                year=year,
                budget=_tkr(budget),
                outcome=_tkr(outcome),
                outcome_label=label,
                balance=Balance(label, _tkr(deviation(budget, outcome))),
            )
        )
    return tiles


def economy_overview_chart(tiles: Sequence[EconomyTile]) -> dict | None:
    """The boards' deviations from budget side by side (None when no board has an outcome)."""
    shown = [tile for tile in tiles if tile.outcome is not None and tile.budget is not None]
    if not shown:
        return None
    return charts.deviation_chart(
        [tile.board.name for tile in shown],
        [tile.budget for tile in shown],
        [tile.outcome for tile in shown],
        [tile.balance.tkr for tile in shown],
        outcome_name="Utfall (bokslut eller senaste prognos)",
        budget_name="Budget",
    )
