from __future__ import annotations

from typing import TYPE_CHECKING

from django import template

from budget.formatting import format_tkr

if TYPE_CHECKING:
    from budget.tables import ForecastRow, ForecastTable

register = template.Library()


@register.filter
def tkr(kronor: int | None) -> str:
    """Kronor shown as Swedish tkr: 303 503 600 → '303 504'; missing → '-'."""
    return format_tkr(kronor)


@register.filter
def forecast_of(row: ForecastRow, month: int) -> int | None:
    """A forecast row's amount at a month end (templates cannot index dicts by variables)."""
    return row.forecasts.get(month)


@register.filter
def forecast_deviation_of(row: ForecastRow, month: int) -> int | None:
    return row.forecast_deviation(month)


@register.filter
def forecast_label_of(table: ForecastTable, month: int) -> str:
    return table.label(month)
