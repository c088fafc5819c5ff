"""The computed economy indicators equal the seed's printed figures and follow the budget data."""

from __future__ import annotations

from decimal import Decimal

import pytest

from budget.models import AmountKind, BudgetAmount
from goals.models import ReportingOccasion
from indicators.computed import computed_values
from indicators.formatting import format_number
from indicators.models import Indicator
from indicators.selectors import load_series

# Seed 001, målområde Ekonomi: 2020, 2021, 2022.
SEED = {
    Indicator.Computed.BUDGET_DEVIATION: ("0,0", "-1,6", "2,6"),
    Indicator.Computed.FORECAST_AUGUST: ("-9,0", "-2,6", "2,6"),
    Indicator.Computed.FORECAST_OCTOBER: ("0,0", "-0,7", "1,3"),
}
YEARS = (2020, 2021, 2022)


def shown(indicators, years=YEARS) -> dict[tuple[str, int], str]:
    values = computed_values(indicators, years)
    by_id = {indicator.pk: indicator for indicator in indicators}
    return {(by_id[v.indicator_id].computed, v.year): format_number(v.value, 1) for v in values}


@pytest.fixture
def computed(demo_data):
    return list(Indicator.objects.filter(board=demo_data).exclude(computed=""))


def test_computed_indicators_equal_the_seed(computed):
    assert {indicator.computed for indicator in computed} == set(SEED)
    figures = shown(computed)
    for kind, printed in SEED.items():
        assert tuple(figures[(kind, year)] for year in YEARS) == printed, kind


def test_they_appear_in_the_indicator_tables_as_computed_values(computed):
    series = load_series(computed, YEARS)
    august = next(i for i in computed if i.computed == Indicator.Computed.FORECAST_AUGUST)
    cell = series[august.pk].values[(2022, "ar", 1)]["total"]
    assert cell.is_computed
    assert format_number(cell.value, cell.decimals) == "2,6"
    # The 2020 figure keeps the footnote of the stored carrier value.
    cell_2020 = series[august.pk].values[(2020, "ar", 1)]["total"]
    assert format_number(cell_2020.value, 1) == "-9,0"
    assert "Exklusive tilläggsanslag" in cell_2020.footnotes


def test_a_changed_forecast_moves_the_indicator(computed):
    october = [i for i in computed if i.computed == Indicator.Computed.FORECAST_OCTOBER]
    assert shown(october, [2022])[(Indicator.Computed.FORECAST_OCTOBER, 2022)] == "1,3"
    forecast = BudgetAmount.objects.get(
        line__code="ekonomiskt-bistand", line__scheme="drift", year=2022, kind="prognos", month=10
    )
    forecast.amount += 4_655_000  # one percent of the budget more cautious
    forecast.save()
    assert shown(october, [2022])[(Indicator.Computed.FORECAST_OCTOBER, 2022)] == "2,3"


def reopen_all(board) -> None:
    """Test set-up: the demo's approved occasions lock 2020–2022; open them to edit."""
    ReportingOccasion.objects.filter(board=board).update(state=ReportingOccasion.State.OPEN)


def test_a_changed_bokslut_moves_the_deviation(computed, demo_data):
    reopen_all(demo_data)
    deviation = [i for i in computed if i.computed == Indicator.Computed.BUDGET_DEVIATION]
    outcome = BudgetAmount.objects.get(
        line__code="ekonomiskt-bistand", line__scheme="internbudget", year=2021, kind="bokslut"
    )
    outcome.amount -= 7_356_000  # AN's 2021 result on budget
    outcome.save()
    value = computed_values(deviation, [2021])[0]
    assert value.value == Decimal("0.0000")
    assert "451" in value.explanation


def test_an_incomplete_forecast_is_iu(computed, demo_data):
    reopen_all(demo_data)
    august = [i for i in computed if i.computed == Indicator.Computed.FORECAST_AUGUST]
    BudgetAmount.objects.filter(
        line__scheme="drift",
        line__code="flyktingmottagande",
        year=2022,
        kind=AmountKind.FORECAST,
        month=8,
    ).delete()
    (value,) = computed_values(august, [2022])
    assert value.value is None
    assert value.missing_reason == "ej_tillganglig"


def test_query_count_does_not_depend_on_indicators_or_years(computed, django_assert_num_queries):
    with django_assert_num_queries(2):
        computed_values(computed[:1], [2022])
    with django_assert_num_queries(2):
        computed_values(computed, range(2018, 2024))
