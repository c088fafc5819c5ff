"""The goal tree and the indicator page: access, Swedish formatting, flat query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goals.periods import PeriodType
from indicators.models import Footnote, IndicatorValue, MissingReason
from tests.builders import breakdown
from tests.entry_data import VALUE_YEARS, goal_chain

pytestmark = pytest.mark.django_db


def count_queries(client, url: str) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries), response


def test_pages_require_login(client, board_an):
    for url in [reverse("reports:home"), reverse("reports:goal_tree", args=["AN", 2022])]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("core:login"))


def test_goal_tree_shows_values_the_swedish_way(client, controller_an, board_an):
    (indicator,) = goal_chain(
        board_an, goals=1, indicators_per_goal=1, frequency=PeriodType.YEAR, value_years=VALUE_YEARS
    )
    value = IndicatorValue.objects.get(indicator=indicator, year=2021, breakdown__code="total")
    value.value, value.missing_reason = None, MissingReason.TOO_SMALL
    value.save()
    Footnote.objects.create(value=value, text="Svarsfrekvensen var för låg.")
    IndicatorValue.objects.filter(indicator=indicator, year=2022, breakdown__code="total").update(
        value=Decimal("3327")
    )
    client.force_login(controller_an)
    response = client.get(reverse("reports:goal_tree", args=["AN", 2022]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "3\xa0327" in html  # grouped with a no-break space
    assert "I.U." in html
    assert "Svarsfrekvensen var för låg." in html
    assert "3\xa0300" in html  # the target
    assert "Kvinnor" in html and "Män" in html
    assert "2\xa0022" not in html and "2022" in html  # years are not numbers to group


def test_goal_tree_of_another_board_is_404(client, controller_other, board_an):
    goal_chain(
        board_an, goals=1, indicators_per_goal=1, frequency=PeriodType.YEAR, value_years=VALUE_YEARS
    )
    client.force_login(controller_other)
    assert client.get(reverse("reports:goal_tree", args=["AN", 2022])).status_code == 404
    assert client.get(reverse("reports:goal_tree", args=["NOPE", 2022])).status_code == 404


def test_goal_tree_query_count_is_flat(client, controller_an, board_an, board_other):
    client.force_login(controller_an)
    goal_chain(
        board_an, goals=2, indicators_per_goal=2, frequency=PeriodType.YEAR, value_years=VALUE_YEARS
    )
    small, _ = count_queries(client, reverse("reports:goal_tree", args=["AN", 2022]))
    goal_chain(
        board_an, goals=6, indicators_per_goal=5, frequency=PeriodType.YEAR, value_years=VALUE_YEARS
    )
    large, response = count_queries(client, reverse("reports:goal_tree", args=["AN", 2022]))
    assert response.content.decode().count("Indikator ") >= 34
    assert small == large, f"queries grew from {small} to {large}"
    assert large <= 20


def test_indicator_page_shows_history_targets_and_breakdowns(client, manager_an, board_an):
    (indicator,) = goal_chain(
        board_an, goals=1, indicators_per_goal=1, frequency=PeriodType.YEAR, value_years=VALUE_YEARS
    )
    indicator.name = "Nytt namn på indikatorn"
    indicator.save()
    client.force_login(manager_an)
    response = client.get(reverse("reports:indicator_detail", args=[indicator.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Definitionens historik" in html
    assert html.count("Nytt namn på indikatorn") >= 2
    assert "Kvinnor" in html and "3\xa0300" in html
    assert "2\xa0022" not in html and "2\xa0019" not in html


def test_indicator_page_of_another_board_is_404(client, controller_other, board_an):
    (indicator,) = goal_chain(
        board_an, goals=1, indicators_per_goal=1, frequency=PeriodType.YEAR, value_years=VALUE_YEARS
    )
    client.force_login(controller_other)
    assert client.get(reverse("reports:indicator_detail", args=[indicator.pk])).status_code == 404
    assert client.get(reverse("reports:indicator_detail", args=[999999])).status_code == 404


def test_indicator_page_query_count_does_not_grow_with_years(client, manager_an, board_an):
    client.force_login(manager_an)
    (indicator,) = goal_chain(
        board_an,
        goals=1,
        indicators_per_goal=1,
        frequency=PeriodType.YEAR,
        value_years=(2021, 2022),
    )
    small, _ = count_queries(client, reverse("reports:indicator_detail", args=[indicator.pk]))
    total, women = breakdown(), breakdown("K")
    for year in range(2010, 2021):
        IndicatorValue.objects.create(
            indicator=indicator, year=year, breakdown=total, value=Decimal(year)
        )
        IndicatorValue.objects.create(
            indicator=indicator, year=year, breakdown=women, value=Decimal(1)
        )
    large, response = count_queries(
        client, reverse("reports:indicator_detail", args=[indicator.pk])
    )
    assert "2\xa0010" in response.content.decode()
    assert small == large, f"queries grew from {small} to {large}"


def test_indicator_page_lists_the_latest_years_periods_and_all_on_request(
    client, manager_an, board_an
):
    client.force_login(manager_an)
    (indicator,) = goal_chain(
        board_an, goals=1, indicators_per_goal=1, frequency=PeriodType.YEAR, value_years=(2022,)
    )
    total = breakdown()
    for year in range(2015, 2023):
        IndicatorValue.objects.create(
            indicator=indicator,
            year=year,
            period_type="kvartal",
            period_number=2,
            breakdown=total,
            value=Decimal(100 + year - 2000),
            comment=f"Kvartalskommentar {year}",
        )
    url = reverse("reports:indicator_detail", args=[indicator.pk])
    # Both counted cold: the page's cached parts (its Kolada panel, even when it is empty)
    # are shared by the two views.
    cache.clear()
    latest, page = count_queries(client, url)
    html = page.content.decode()
    assert "Kvartalskommentar 2020" in html and "Kvartalskommentar 2022" in html
    assert "Kvartalskommentar 2019" not in html
    assert "?perioder=alla" in html and "Perioder 2020–2022" in html
    cache.clear()
    every, page = count_queries(client, url + "?perioder=alla")
    html = page.content.decode()
    assert "Kvartalskommentar 2015" in html and "Kvartalskommentar 2022" in html
    assert "Visa bara de senaste åren" in html
    assert latest == every


def test_forecast_accuracy_bound_is_judged_on_the_size_of_the_gap(board_an):
    from indicators.evaluation import target_met
    from indicators.models import Indicator, Target

    goal_chain(
        board_an, goals=1, indicators_per_goal=1, frequency=PeriodType.YEAR, value_years=VALUE_YEARS
    )
    parent = Indicator.objects.get(board=board_an)
    august = Indicator.objects.create(
        board=board_an,
        parent=parent,
        name="Augusti",
        unit="procent",
        decimals=1,
        computed=Indicator.Computed.FORECAST_AUGUST,
        direction="lagre",
        valid_from=2020,
    )
    target = Target(
        indicator=august,
        year=2022,
        breakdown=breakdown(),
        kind="grans",
        operator="<",
        value=Decimal(1),
    )
    assert target_met(target, Decimal("-9.0"), direction="lagre") is False
    assert target_met(target, Decimal("0.4"), direction="lagre") is True
    assert target_met(target, Decimal("-0.4"), direction="lagre") is True


def test_home_lists_only_the_users_boards_with_links_to_every_page(
    client, controller_an, board_an, board_other
):
    goal_chain(
        board_an, goals=1, indicators_per_goal=1, frequency=PeriodType.YEAR, value_years=VALUE_YEARS
    )
    client.force_login(controller_an)
    html = client.get(reverse("reports:home")).content.decode()
    assert "Arbetsmarknadsnämnden" in html
    assert "Bildningsnämnden" not in html
    for name in [
        "reports:goal_tree",
        "reports:board_dashboard",
        "reports:board_economy",
        "budget:budget_overview",
        "reports:report",
        "reports:report_xlsx",
    ]:
        assert reverse(name, args=["AN", 2022]) in html


def test_home_query_count_does_not_grow_with_boards(client, admin_user, municipality):
    from goals.models import Board

    client.force_login(admin_user)
    Board.objects.create(municipality=municipality, code="B1", name="Nämnd 1", valid_from=2019)
    small, _ = count_queries(client, reverse("reports:home"))
    for n in range(2, 8):
        Board.objects.create(
            municipality=municipality, code=f"B{n}", name=f"Nämnd {n}", valid_from=2019
        )
    large, response = count_queries(client, reverse("reports:home"))
    assert "Nämnd 7" in response.content.decode()
    assert small == large
