"""Issue 19, "a dashboard a manager reads in ten seconds": sparklines with target, direction and
a scale; cells that do not run together; the economy on the overview and on each board;
deviation bars; Swedish numbers on every plotly axis; I.U. off the value axis; many series
told apart; Swedish history labels; user text never markup in a chart."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budget.models import AmountKind, BudgetAmount, BudgetLine, Scheme, Section
from goals.models import Board, OrganisationUnit, Role
from indicators.models import Indicator, MissingReason
from reports import charts
from reports.dashboard.economy import economy_overview_chart, economy_tiles
from reports.dashboard.indicator import indicator_chart_data
from reports.dashboard.rows import indicator_row, load_dashboard_series
from reports.dashboard.sparkline import sparkline
from tests import dashboard_builders as b
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
NBSP = "\xa0"
HOSTILE = '<img src=x onerror="alert(1)"> & Nämnd'


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


@pytest.fixture
def goal(board_an):
    kf = b.council_goal(b.area("Medborgare", 2), "Stark gemenskap och människor i arbete")
    return b.board_goal(board_an, kf, "Hög egenförsörjningsgrad")


@pytest.fixture
def chef_all(db):
    return make_user("chef_alla", Role.MANAGER, None)


def figure(html: str, element_id: str) -> dict:
    match = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, element_id
    return json.loads(match.group(1))


def add_budget(board: Board, *, budget: int, outcome: int | None, forecast: int | None = None):
    """One drift line of the board in 2022 (kronor)."""
    line = BudgetLine.objects.create(
        board=board,
        scheme=Scheme.DRIFT,
        section=Section.OPERATIONS,
        code=f"{board.code}-drift",
        name="Verksamhet",
        order=1,
        valid_from=2019,
    )
    amounts = [(AmountKind.BUDGET, None, budget)]
    if outcome is not None:
        amounts.append((AmountKind.OUTCOME, None, outcome))
    if forecast is not None:
        amounts.append((AmountKind.FORECAST, 10, forecast))
    for kind, month, amount in amounts:
        BudgetAmount.objects.create(line=line, year=2022, kind=kind, month=month, amount=amount)


# --- sparklines ---------------------------------------------------------------------------


def test_sparkline_has_target_line_direction_and_end_values(board_an, goal):
    ind = b.indicator(
        board_an, goal, "Antal hushåll med ekonomiskt bistånd", direction=Indicator.Direction.LOWER
    )
    for year, number in [(2020, 3327), (2021, 3196), (2022, 2917)]:
        b.value(ind, year, number)
    b.target(ind, 2022, 3300)
    row = indicator_row(load_dashboard_series([ind], 2022)[ind.pk], 2022)
    spark = row.trend
    assert spark.first_text == f"2020: 3{NBSP}327" and spark.last_text == f"2022: 2{NBSP}917"
    assert spark.direction_symbol == "↓" and spark.direction_text == "Lägre är bättre"
    assert spark.target_text == f"Målvärde 2022: 3{NBSP}300"
    # The scale takes in the target: 3 300 lies between the lowest and highest point drawn.
    ys = [float(y) for _, y in spark.dots]
    assert min(ys) < float(spark.target_y) < max(ys)


def test_sparkline_target_outside_values_stays_in_the_box():
    spark = sparkline([(2021, Decimal(10)), (2022, Decimal(12))], target=Decimal(20))
    assert float(spark.target_y) == 3.0  # the top padding: the highest figure drawn
    assert all(float(y) > 3.0 for _, y in spark.dots)


def test_dashboard_shows_sparkline_parts_with_screen_reader_text(
    client, manager_an, board_an, goal
):
    ind = b.indicator(board_an, goal, "Andel i arbete", direction=Indicator.Direction.HIGHER)
    b.value(ind, 2021, 40)
    b.value(ind, 2022, 45)
    b.target(ind, 2022, 50)
    client.force_login(manager_an)
    html = client.get(reverse("reports:board_dashboard", args=["AN", 2022])).content.decode()
    assert '<line class="spark-target"' in html
    assert '<span class="visually-hidden">Högre är bättre</span>' in html
    assert "2021: 40 → 2022: 45" in html


# --- cells that do not run together ------------------------------------------------------


def test_inherited_target_and_missing_reason_stand_apart(client, manager_an, board_an, goal):
    parent = b.indicator(board_an, goal, "Antal deltagare")
    b.value(parent, 2022, 100)
    b.target(parent, 2022, Decimal("5.0"), decimals=1)
    child = b.indicator(board_an, None, "AMC", parent=parent)
    b.value(
        child,
        2022,
        None,
        missing=MissingReason.OTHER,
        footnote="Nytt verksamhetssystem under året.",
    )
    series = load_dashboard_series([parent, child], 2022)
    row = indicator_row(series[child.pk], 2022, parent=series[parent.pk], depth=1)
    assert row.missing_text == "Annat skäl: Nytt verksamhetssystem under året."
    client.force_login(manager_an)
    html = client.get(reverse("reports:board_dashboard", args=["AN", 2022])).content.decode()
    assert '5,0<br><span class="muted target-inherited">(huvudindikatorns)</span>' in html
    assert "Annat skäl: Nytt verksamhetssystem under året." in html


def test_hme_shows_the_same_on_dashboard_and_in_report(demo_data):
    """The rule lives in indicators.formatting: no stored total is "–", a stored I.U. is I.U."""
    from reports.report import build_report

    board = demo_data
    report = build_report(board, 2022)
    printed = {}
    for table in report.tables:
        if table.sheet != "namndindikatorer":
            continue
        column = table.column_index("indicator")
        year_column = next(i for i, c in enumerate(table.columns) if c.label == "2022")
        for row in table.rows:
            printed.setdefault(
                row.cells[column].text.split(" (Källa")[0], row.cells[year_column].text
            )
    indicators = list(
        Indicator.objects.filter(
            board=board, name__in=["Hållbart medarbetarengagemang (HME)", "Chefsindex"]
        )
    )
    series = load_dashboard_series(indicators, 2022)
    shown = {ind.name: indicator_row(series[ind.pk], 2022).value_text for ind in indicators}
    assert (
        shown["Hållbart medarbetarengagemang (HME)"]
        == printed["Hållbart medarbetarengagemang (HME)"]
        == "\u2013"
    )
    assert shown["Chefsindex"] == printed["Chefsindex"] == "I.U."


# --- economy ------------------------------------------------------------------------------


def test_economy_tiles_use_bokslut_else_the_latest_forecast(board_an, board_other):
    add_budget(board_an, budget=465_446_000, outcome=453_257_000)
    add_budget(board_other, budget=100_000_000, outcome=None, forecast=104_914_000)
    an, other = economy_tiles([board_an, board_other], 2022)
    assert (an.budget, an.outcome, an.outcome_label) == (465_446, 453_257, "Bokslut 2022")
    assert an.balance.word == "Överskott" and an.signed_deviation == f"+12{NBSP}189"
    assert (other.outcome, other.outcome_label) == (104_914, "Prognos 31 oktober")
    assert other.balance.word == "Underskott" and other.signed_deviation == f"\u22124{NBSP}914"
    assert other.balance.css == "deficit"


def test_small_overrun_is_as_visible_as_a_large_surplus(board_an, board_other):
    add_budget(board_an, budget=465_446_000, outcome=453_257_000)
    add_budget(board_other, budget=40_000_000, outcome=44_914_000)
    chart = economy_overview_chart(economy_tiles([board_an, board_other], 2022))
    (bars,) = chart["data"]
    # Bars are the deviations, not the budgets: 12 189 and −4 914 on one scale.
    assert bars["x"] == [12189.0, -4914.0]
    assert bars["marker"]["pattern"]["shape"] == ["", "x"]  # not colour alone
    assert bars["text"] == [f"+12{NBSP}189", f"\u22124{NBSP}914"]
    assert "Budget: 465" in bars["hovertext"][0]


def test_overview_and_board_dashboard_show_the_economy(client, chef_all, board_an, board_other):
    add_budget(board_an, budget=465_446_000, outcome=453_257_000)
    client.force_login(chef_all)
    html = client.get(reverse("reports:municipality_overview") + "?ar=2022").content.decode()
    assert "Ekonomi 2022: utfall mot budget" in html
    row = re.search(
        r"Arbetsmarknadsnämnden</a></th>(.*?)</tr>", html.split("overview-economy-table")[1], re.S
    )
    assert f"465{NBSP}446" in row.group(1) and f"Överskott +12{NBSP}189" in row.group(1)
    assert figure(html, "chart-overview-economy")["data"][0]["x"] == [12189.0]
    other = re.search(
        r"Bildningsnämnden</a></th>(.*?)</tr>", html.split("overview-economy-table")[1], re.S
    )
    assert "Inget utfall ännu" in other.group(1)

    html = client.get(reverse("reports:board_dashboard", args=["AN", 2022])).content.decode()
    tile = html.split('class="economy-tile"')[1].split("</section>")[0]
    assert f"465{NBSP}446 tkr" in tile and f"453{NBSP}257 tkr" in tile
    assert f"Överskott +12{NBSP}189 tkr" in tile and 'class="balance surplus"' in tile


def test_overview_queries_flat_in_boards_with_budgets(client, chef_all, municipality):
    def boards(start: int, count: int) -> None:
        for number in range(start, start + count):
            board = Board.objects.create(
                municipality=municipality,
                code=f"N{number}",
                name=f"Nämnd {number}",
                valid_from=2019,
            )
            b.sized_board(board, goals=2, indicators_per_goal=2, years=range(2021, 2023))
            add_budget(board, budget=10_000_000, outcome=9_000_000 + number)

    boards(0, 2)
    client.force_login(chef_all)
    with CaptureQueriesContext(connection) as two:
        assert client.get(reverse("reports:municipality_overview") + "?ar=2022").status_code == 200
    boards(2, 5)
    cache.clear()
    with CaptureQueriesContext(connection) as seven:
        html = client.get(reverse("reports:municipality_overview") + "?ar=2022").content.decode()
    assert html.count("Överskott +") == 7
    assert len(seven.captured_queries) == len(two.captured_queries)


def test_board_dashboard_queries_flat_with_the_tile(client, manager_an, board_an):
    b.sized_board(board_an, goals=2, indicators_per_goal=2, years=range(2021, 2023))
    add_budget(board_an, budget=10_000_000, outcome=9_000_000)
    client.force_login(manager_an)
    url = reverse("reports:board_dashboard", args=["AN", 2022])
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    b.sized_board(board_an, goals=4, indicators_per_goal=3, years=range(2018, 2023))
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        html = client.get(url).content.decode()
    assert 'class="economy-tile"' in html
    assert len(large.captured_queries) == len(small.captured_queries)


# --- charts -------------------------------------------------------------------------------


def value_axes(fig: dict) -> list[dict]:
    layout = fig["layout"]
    return [
        axis
        for name, axis in layout.items()
        if name.startswith(("xaxis", "yaxis"))
        and axis.get("type") not in {"date", "category"}
        and axis.get("visible") is not False
    ]


def test_every_value_axis_reads_50_000(board_an, goal):
    ind = b.indicator(board_an, goal, "Antal besök")
    b.value(ind, 2022, 50_000)
    figures = [
        indicator_chart_data(ind, [2021, 2022]).figure,
        charts.deviation_chart(
            ["A"], [50_000], [45_000], [5_000], outcome_name="B", budget_name="C"
        ),
        charts.forecast_chart(["30 april", "Bokslut"], [1000, 52_000]),
    ]
    for fig in figures:
        assert fig["layout"]["separators"] == "," + NBSP
        axes = value_axes(fig)
        assert axes
        for axis in axes:
            assert axis["exponentformat"] == "none" and axis["separatethousands"] is True
            assert axis.get("tickformat", ",").startswith(",")


def test_long_board_names_wrap_and_hostile_names_are_escaped():
    long_name = "Integrations- och arbetsmarknadsförvaltningen " + HOSTILE
    fig = charts.deviation_chart(
        [long_name], [100], [90], [10], outcome_name="Bokslut", budget_name="Budget"
    )
    (bars,) = fig["data"]
    label = bars["y"][0]
    assert "<img" not in label and "&lt;img" in label and "&amp;" in label
    assert all(len(line) <= charts.LABEL_WIDTH + 20 for line in label.split("<br>"))
    assert fig["layout"]["yaxis"]["automargin"] is True
    assert "<img" not in bars["hovertext"][0]


def test_missing_value_is_a_gap_with_a_marker_at_the_top_not_at_zero(board_an, goal):
    ind = b.indicator(board_an, goal, "Andel nöjda")
    b.value(ind, 2020, 80)
    b.value(ind, 2021, None, missing=MissingReason.TOO_SMALL)
    b.value(ind, 2022, 84)
    fig = indicator_chart_data(ind, [2020, 2021, 2022]).figure
    data = {trace["name"]: trace for trace in fig["data"]}
    assert data["Totalt"]["y"] == [80.0, None, 84.0] and data["Totalt"]["connectgaps"] is False
    missing = data["I.U. (ingen uppgift)"]
    assert missing["yaxis"] == "y3" and missing["y"] == [1.0]
    assert missing["text"] == ["I.U."]
    assert fig["layout"]["yaxis3"]["range"] == [0, 1]
    assert fig["layout"]["yaxis3"]["overlaying"] == "y"


def test_fifteen_series_have_distinct_colour_and_marker(board_an, goal):
    ind = b.indicator(board_an, goal, "Sjukfrånvaro per enhet, %", unit=Indicator.Unit.PERCENT)
    b.value(ind, 2022, 6)
    units = [
        OrganisationUnit.objects.create(
            municipality=board_an.municipality,
            kind="enhet",
            code=f"E{n}",
            name=f"Enhet {n}",
            valid_from=2019,
        )
        for n in range(7)
    ]
    for number, unit in enumerate(units):
        b.value(ind, 2022, 5 + number, gender="K", org_unit=unit)
        b.value(ind, 2022, 4 + number, gender="M", org_unit=unit)
    fig = indicator_chart_data(ind, [2021, 2022]).figure
    series = [t for t in fig["data"] if t.get("mode") == "lines+markers"]
    assert len(series) == 15
    pairs = {(t["line"]["color"], t["marker"]["symbol"]) for t in series}
    assert len(pairs) == 15
    assert len({t["line"]["color"] for t in series}) == 15  # so 8 units share no colour either
    # The legend goes under the plot so the plot keeps its height.
    assert fig["layout"]["legend"]["yanchor"] == "top" and fig["layout"]["height"] > 380


def test_status_chart_axis_is_readable_for_many_indicators():
    from reports.dashboard.board import StatusCount
    from reports.dashboard.status import TARGET_STATUSES

    fig = charts.status_chart([StatusCount(TARGET_STATUSES["nadd"], 33)], title="Antal")
    assert fig["layout"]["xaxis"].get("dtick") is None
    fig = charts.status_chart([StatusCount(TARGET_STATUSES["nadd"], 4)], title="Antal")
    assert fig["layout"]["xaxis"]["dtick"] == 1


# --- the indicator page's history ---------------------------------------------------------


def test_history_table_is_swedish(client, manager_an, board_an, goal):
    ind = b.indicator(board_an, goal, "Antal deltagare")
    ind.name = "Antal deltagare totalt"
    ind.save()
    client.force_login(manager_an)
    html = client.get(reverse("reports:indicator_detail", args=[ind.pk])).content.decode()
    history = html.split('id="definition-history"')[1]
    assert "<td>Skapad</td>" in history and "<td>Ändrad</td>" in history
    assert "Created" not in history and "Changed" not in history
