"""The computed indicators of the budget follow-up, registered with indicators.computed.

* **Avvikelse mot budget, %** = (budget − bokslut) / budget of the net cost including the
  municipal units (2022: 12 189 / 465 446 = 2,6 %).
* **Träffsäkerhet i ekonomiprognos, Augusti / Oktober** = (bokslut's avvikelse − the forecast's
  avvikelse at 31 augusti / 31 oktober) / budget, both against the year's budget; that is
  (prognos − bokslut) / budget. Seed 001: in 2022 the October forecast was a surplus of
  6,2 mnkr and the result 12,2 mnkr, (12 189 − 6 200) / 465 446 = 1,3 %. Positive means the
  forecast was more cautious than the outcome.

The figures come from each year's own lines (`budget.tables.yearly_totals`), so changing a
forecast or the bokslut changes the indicator. Values are never stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from budget.formatting import format_tkr
from budget.models import forecast_label
from budget.tables import YearTotals, yearly_totals
from indicators.computed import ComputedValue
from indicators.models import Indicator, MissingReason

# Keyed by the stored kind (a plain str from the database compares equal to its choice).
FORECAST_MONTH: dict[str, int] = {
    Indicator.Computed.FORECAST_AUGUST: 8,
    Indicator.Computed.FORECAST_OCTOBER: 10,
}
HANDLED = {Indicator.Computed.BUDGET_DEVIATION, *FORECAST_MONTH}
PRECISION = Decimal("0.0001")


def _percent(numerator: int, denominator: int) -> Decimal:
    return (Decimal(100) * numerator / Decimal(denominator)).quantize(
        PRECISION, rounding=ROUND_HALF_UP
    )


def compute(kind: str, year: int, totals: YearTotals) -> tuple[Decimal | None, str]:
    """The indicator's value for one year and how it was computed (tkr, Swedish)."""
    budget, bokslut = totals.budget, totals.bokslut
    if not budget or bokslut is None:
        return None, "Budget eller bokslut saknas för året."
    if kind == Indicator.Computed.BUDGET_DEVIATION:
        return _percent(budget - bokslut, budget), (
            f"(budget {format_tkr(budget)} − bokslut {format_tkr(bokslut)}) / budget "
            f"{format_tkr(budget)} tkr"
        )
    month = FORECAST_MONTH[kind]
    forecast = totals.forecasts.get(month)
    if forecast is None:
        return None, f"Prognosen per {forecast_label(year, month)} saknas."
    return _percent(forecast - bokslut, budget), (
        f"(prognos {forecast_label(year, month)} {format_tkr(forecast)} − bokslut "
        f"{format_tkr(bokslut)}) / budget {format_tkr(budget)} tkr"
    )


def provide(by_kind: dict[str, list], years: Iterable[int]) -> list[ComputedValue]:
    """indicators.computed provider: 2 queries for any number of indicators, boards and years."""
    indicators = [ind for kind, inds in by_kind.items() if kind in HANDLED for ind in inds]
    if not indicators:
        return []
    years = sorted(set(years))
    totals = yearly_totals({indicator.board_id for indicator in indicators}, years)
    values = []
    for indicator in indicators:
        for year in years:
            if not indicator.is_valid_in(year):
                continue
            found = totals.get((indicator.board_id, year))
            if found is None:
                continue  # no budget data at all for the board that year
            value, explanation = compute(indicator.computed, year, found)
            values.append(
                ComputedValue(
                    indicator_id=indicator.pk,
                    year=year,
                    value=value,
                    missing_reason="" if value is not None else MissingReason.NOT_YET,
                    explanation=f"Beräknas ur budgetuppföljningen: {explanation}",
                )
            )
    return values
