from django import template

from budget.formatting import format_tkr

register = template.Library()


@register.filter
def tkr(kronor) -> str:
    """Kronor shown as Swedish tkr: 303 503 600 → '303 504'; missing → '-'."""
    return format_tkr(kronor)


@register.filter
def forecast_of(row, month: int):
    """A forecast row's amount at a month end (templates cannot index dicts by variables)."""
    return row.forecasts.get(month)


@register.filter
def forecast_deviation_of(row, month: int):
    return row.forecast_deviation(month)


@register.filter
def forecast_label_of(table, month: int) -> str:
    return table.label(month)
