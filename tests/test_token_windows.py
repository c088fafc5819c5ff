"""Each cached output's window of years (reports.freshness) holds every year its builder reads.

An output is kept under the marks of the years in its window; a builder that read a year
outside it would show a stale figure after a save there. So: change values, targets, budget
and investment amounts in the years just outside each window and the built output must be
exactly what it was; change them inside the window and it must differ (the check can fail).
The plans are read as their history stood at the decision (the history tables), which raw SQL
does not write, so they are not tried here; their window reaches every year up to N+5.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.db import connection
from django.utils import timezone

from goals.periods import PeriodType
from indicators.models import Indicator, IndicatorValue
from reports.dashboard.board import board_dashboard
from reports.dashboard.economy import economy_dashboard, economy_years
from reports.dashboard.overview import municipality_overview, overview_years
from reports.dashboard.rows import history_years
from reports.renderers.html import report_context
from reports.report.build import build_report
from reports.report.data import report_years
from tests.test_report_fixtures import breakdown, mini_an  # noqa: F401

pytestmark = pytest.mark.django_db
YEAR = 2022
NOW = timezone.make_aware(datetime.datetime(2023, 3, 1, 12, 0))


def _outside(window) -> list[int]:
    years = sorted(window)
    return [year for year in (years[0] - 1, years[-1] + 1) if year > 0]


def _change_year(board, year: int, *, add: bool = True) -> None:
    """Every kind of board-year row of `year` changes (raw SQL: approved years are locked to
    the ORM), and with `add` each indicator gets a year value there if it had none."""
    with connection.cursor() as cursor:
        for sql in (
            "UPDATE indicators_indicatorvalue SET value = value + 1 WHERE year = %s "
            "AND indicator_id IN (SELECT id FROM indicators_indicator WHERE board_id = %s)",
            "UPDATE indicators_target SET value = value + 1 WHERE year = %s "
            "AND indicator_id IN (SELECT id FROM indicators_indicator WHERE board_id = %s)",
            "UPDATE budget_budgetamount SET amount = amount + 1000 WHERE year = %s "
            "AND line_id IN (SELECT id FROM budget_budgetline WHERE board_id = %s)",
            "UPDATE budget_investmentamount SET amount = amount + 1000 WHERE year = %s "
            "AND project_id IN (SELECT id FROM budget_investmentproject WHERE board_id = %s)",
        ):
            cursor.execute(sql, [year, board.pk])
    if not add:
        return
    have = set(
        IndicatorValue.objects.filter(year=year, period_type=PeriodType.YEAR).values_list(
            "indicator_id", flat=True
        )
    )
    IndicatorValue.objects.bulk_create(
        IndicatorValue(
            indicator=indicator,
            breakdown=breakdown(),
            year=year,
            period_type=PeriodType.YEAR,
            period_number=1,
            value=12345,
        )
        for indicator in Indicator.objects.filter(board=board).exclude(pk__in=have)
        if not indicator.computed
    )


OUTPUTS: dict[str, tuple[Callable, Callable[[int], object]]] = {
    "report": (lambda board: report_context(build_report(board, YEAR, now=NOW)), report_years),
    "dashboard": (lambda board: board_dashboard(board, YEAR), history_years),
    "overview": (lambda board: municipality_overview([board], YEAR), overview_years),
    "economy": (lambda board: economy_dashboard(board, YEAR), economy_years),
}


@pytest.mark.parametrize("output", list(OUTPUTS))
def test_a_change_outside_the_window_leaves_the_output_as_it_was(mini_an, output):  # noqa: F811
    build, window = OUTPUTS[output]
    board = mini_an.board
    before = build(board)
    for year in _outside(window(YEAR)):
        _change_year(board, year)
    assert build(board) == before, f"{output} läser ett år utanför sitt fönster"
    inside = list(window(YEAR))[-8:]
    for year in inside:
        _change_year(board, year, add=False)
    with connection.cursor() as cursor:  # far from every target: statuses change too
        cursor.execute(
            "UPDATE indicators_target SET value = value * 1000 + 1000 WHERE year BETWEEN %s AND %s",
            [inside[0], inside[-1]],
        )
    assert build(board) != before  # the comparison sees a change in the window
