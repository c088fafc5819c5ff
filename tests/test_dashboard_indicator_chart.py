"""The indicator page's chart: years and quarters, target line or band, K and M as series,
I.U. as gaps with the reason on hover, footnotes under it and a table with the same data."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goals.models import OrganisationUnit
from indicators.models import Footnote, Indicator, MissingReason
from reports.charts import period_middle
from reports.dashboard.indicator import chart_years, indicator_chart_data
from tests import dashboard_builders as b

pytestmark = pytest.mark.django_db
NBSP = "\xa0"


@pytest.fixture
def goal(board_an):
    kf = b.council_goal(b.area("Medborgare", 2), "Stark gemenskap och människor i arbete")
    return b.board_goal(board_an, kf, "Hög egenförsörjningsgrad")


@pytest.fixture
def to_work(board_an, goal):
    ind = b.indicator(
        board_an,
        goal,
        "Antal deltagare som avslutas till arbete med subvention",
        aggregation=Indicator.Aggregation.FLOW,
    )
    for year, total, women, men in [(2020, 61, 12, 49), (2021, 44, 19, 25), (2022, 62, 25, 37)]:
        b.value(ind, year, total)
        b.value(ind, year, women, gender="K")
        b.value(ind, year, men, gender="M")
    for quarter, number in [(1, 10), (2, 14), (3, 18), (4, 20)]:
        b.value(ind, 2022, number, period_type="kvartal", period_number=quarter)
    target = b.target(ind, 2022, 120)
    Footnote.objects.create(target=target, text="Gäller Arena Arbetsmarknad")
    Footnote.objects.create(indicator=ind, text="Källa: Accorda, Lifecare, manuell statistik AMS")
    b.value(ind, 2023, 5, period_type="kvartal", period_number=1)
    return ind


def traces(figure: dict) -> dict[str, dict]:
    return {trace["name"]: trace for trace in figure["data"]}


def test_series_per_gender_years_and_quarters(to_work):
    chart = indicator_chart_data(to_work, [2020, 2021, 2022, 2023])
    data = traces(chart.figure)
    assert data["Totalt"]["y"] == [61.0, 44.0, 62.0, None]
    assert data["Kvinnor"]["y"] == [12.0, 19.0, 25.0, None]
    assert data["Män"]["y"] == [49.0, 25.0, 37.0, None]
    assert data["Totalt"]["x"][0] == "2020-07-01"
    # Quarters are their own series, on a second axis since a flow's quarter is a part of the year.
    quarters = data["Totalt per period"]
    assert quarters["y"] == [10.0, 14.0, 18.0, 20.0, 5.0]
    assert quarters["x"][0] == "2022-02-15"
    assert quarters["yaxis"] == "y2"
    # Colour is not the only difference between series.
    assert data["Kvinnor"]["line"]["dash"] != data["Män"]["line"]["dash"]
    assert data["Kvinnor"]["marker"]["symbol"] != data["Män"]["marker"]["symbol"]
    assert chart.figure["layout"]["separators"] == "," + NBSP


def test_target_line_and_bound_band(board_an, goal, to_work):
    line = traces(indicator_chart_data(to_work, [2021, 2022]).figure)["Målvärde"]
    assert line["x"] == ["2022-01-01", "2022-12-31", None]
    assert line["y"] == [120.0, 120.0, None]
    assert "Målvärde 2022: 120" in line["hovertext"][0]

    deviation = b.indicator(board_an, goal, "Avvikelse mot budget", unit="procent", decimals=1)
    b.value(deviation, 2022, "2.6")
    b.value(deviation, 2021, "-1.6")
    b.target(deviation, 2022, 0, kind="grans", operator=">=")
    data = traces(indicator_chart_data(deviation, [2021, 2022]).figure)
    band = data["Godtagbart område (gräns)"]
    assert band["fill"] == "toself"
    assert band["y"][:2] == [0.0, 0.0] and band["y"][2] > 2.6  # from the bound upwards
    assert "≥0" in data["Målvärde"]["hovertext"][0]
    assert f"2,6{NBSP}%" in data["Totalt"]["hovertext"][1]


def test_missing_values_are_gaps_with_reason_on_hover(board_an, goal):
    waiting = b.indicator(board_an, goal, "Väntetid i antal dagar")
    b.value(waiting, 2020, 13)
    b.value(waiting, 2021, 15)
    b.value(
        waiting,
        2022,
        None,
        missing=MissingReason.NOT_YET,
        footnote="Redovisas i samband med delår 1 2023.",
    )
    chart = indicator_chart_data(waiting, [2020, 2021, 2022])
    data = traces(chart.figure)
    assert data["Totalt"]["y"] == [13.0, 15.0, None]
    assert data["Totalt"]["connectgaps"] is False
    missing = data["I.U. (ingen uppgift)"]
    assert missing["x"] == ["2022-07-01"]
    assert "Uppgiften är inte tillgänglig ännu" in missing["hovertext"][0]
    assert "Redovisas i samband med delår 1 2023." in missing["hovertext"][0]
    # The table says the same, with the footnote numbered under the chart.
    row = chart.rows[-1]
    assert row.period_label == "2022" and row.cells[0].text == "I.U."
    assert row.cells[0].missing_label == "Uppgiften är inte tillgänglig ännu"
    assert chart.footnotes == ["Redovisas i samband med delår 1 2023."]
    assert row.cells[0].marks == [1]


def test_unit_split_values_are_series(board_an, goal, municipality):
    uaf = OrganisationUnit.objects.create(
        municipality=municipality, kind="forvaltning", code="UAF", name="UAF", valid_from=2019
    )
    sof = OrganisationUnit.objects.create(
        municipality=municipality, kind="forvaltning", code="SOF", name="SOF", valid_from=2019
    )
    sick = b.indicator(board_an, goal, "Total sjukfrånvaro", unit="procent", decimals=1)
    b.value(sick, 2020, "2.5", org_unit=uaf)
    b.value(sick, 2020, "6.9", org_unit=sof)
    b.value(sick, 2022, "7.6")
    data = traces(indicator_chart_data(sick, [2020, 2021, 2022]).figure)
    assert set(data) >= {"Totalt", "UAF", "SOF"}
    assert data["UAF"]["y"] == [2.5, None, None]


def test_table_and_footnotes(to_work):
    chart = indicator_chart_data(to_work, [2020, 2021, 2022])
    assert chart.columns == ["Totalt", "Kvinnor", "Män"]
    labels = [row.period_label for row in chart.rows]
    assert labels == ["2020", "2021", "2022 K1", "2022 K2", "2022 K3", "2022 K4", "2022"]
    year_2022 = chart.rows[-1]
    assert [cell.text for cell in year_2022.cells] == ["62", "25", "37"]
    assert year_2022.target.text == "120"
    assert chart.footnotes == [
        "Källa: Accorda, Lifecare, manuell statistik AMS",
        "Gäller Arena Arbetsmarknad",
    ]
    assert chart.name_marks == [1] and year_2022.target.marks == [2]
    quarter = chart.rows[2]
    assert not quarter.is_year and quarter.cells[1].text == "–"


def test_default_years_follow_the_values(to_work):
    assert chart_years(to_work) == [2020, 2021, 2022, 2023]


def test_period_middles():
    from goals.periods import Period, PeriodType

    assert period_middle(Period(2022, PeriodType.QUARTER, 4)) == "2022-11-15"
    assert period_middle(Period(2022, PeriodType.TERTIAL, 2)) == "2022-07-01"
    assert period_middle(Period(2022, PeriodType.MONTH, 9)) == "2022-09-15"


def test_indicator_page_shows_chart_and_table(client, manager_an, to_work):
    client.force_login(manager_an)
    response = client.get(reverse("reports:indicator_detail", args=[to_work.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    element = f"chart-indicator-{to_work.pk}"
    assert f'data-chart="{element}"' in html
    match = re.search(rf'<script id="{element}" type="application/json">(.*?)</script>', html, re.S)
    assert json.loads(match.group(1))["data"]
    assert "Värden i diagrammet" in html
    assert "/static/js/plotly.min.js" in html and "/static/js/charts.js" in html


def test_chart_query_count_does_not_grow_with_years(board_an, goal, to_work):
    with CaptureQueriesContext(connection) as few:
        indicator_chart_data(to_work, [2021, 2022])
    for year in range(2010, 2020):
        b.value(to_work, year, 50 + year % 7)
        b.value(to_work, year, 20, gender="K")
        b.target(to_work, year, 100)
    with CaptureQueriesContext(connection) as many:
        chart = indicator_chart_data(to_work, range(2010, 2023))
    assert len(chart.rows) == 13 + 4
    assert len(many.captured_queries) == len(few.captured_queries)
