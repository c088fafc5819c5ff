"""The board dashboard: goal statuses with symbol and text, indicators, filters, htmx, access,
and a query count that does not grow with goals, indicators or years."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goals.models import GoalArea
from indicators.models import Footnote, Indicator, MissingReason
from reports.dashboard.board import board_dashboard
from reports.dashboard.filters import INVALID_GOAL_AREA
from reports.dashboard.rows import FLOW_NOT_JUDGED, INHERITED_NOT_JUDGED, latest_period
from reports.dashboard.sparkline import sparkline
from reports.dashboard.status import suggest_level
from reports.views.dashboard import BOARD_NOT_IN_YEAR
from tests import dashboard_builders as b

pytestmark = pytest.mark.django_db
NBSP = "\xa0"


def url(board_code="AN", year=2022, **query):
    path = reverse("reports:board_dashboard", args=[board_code, year])
    if query:
        path += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return path


@pytest.fixture
def an_world(board_an):
    """AN 2022: two målområden, three nämndmål, indicators of several kinds."""
    citizens, economy = b.area("Medborgare", 2), b.area("Ekonomi", 3)
    kf_citizens = b.council_goal(citizens, "Stark gemenskap och människor i arbete")
    kf_economy = b.council_goal(economy, "Hållbar ekonomi")
    self_support = b.board_goal(board_an, kf_citizens, "Hög egenförsörjningsgrad", order=1)
    service = b.board_goal(board_an, kf_citizens, "Professionellt bemötande", order=2)
    balance = b.board_goal(board_an, kf_economy, "God ekonomisk styrning", order=1)

    households = b.indicator(
        board_an,
        self_support,
        "Antal hushåll med ekonomiskt bistånd",
        direction=Indicator.Direction.LOWER,
        aggregation=Indicator.Aggregation.STOCK,
    )
    for year, number in [(2020, 3327), (2021, 3196), (2022, 2917)]:
        b.value(households, year, number)
    b.target(households, 2022, 3300)

    to_work = b.indicator(
        board_an,
        self_support,
        "Antal deltagare som avslutas till arbete med subvention",
        aggregation=Indicator.Aggregation.FLOW,
        order=1,
    )
    for year, total, women, men in [(2020, 61, 12, 49), (2021, 44, 19, 25), (2022, 62, 25, 37)]:
        b.value(to_work, year, total)
        b.value(to_work, year, women, gender="K")
        b.value(to_work, year, men, gender="M")
    b.target(to_work, 2022, 120)

    waiting = b.indicator(
        board_an,
        service,
        "Väntetid i antal dagar",
        direction=Indicator.Direction.LOWER,
        aggregation=Indicator.Aggregation.AVERAGE,
    )
    b.value(waiting, 2020, 13)
    b.value(waiting, 2021, 15)
    b.value(
        waiting,
        2022,
        None,
        missing=MissingReason.NOT_YET,
        footnote="Redovisas i samband med delår 1 2023.",
    )
    b.target(waiting, 2022, 7)

    survey = b.indicator(
        board_an, service, "Andel positiva svar i brukarenkät", unit="procent", decimals=1, order=1
    )
    b.value(survey, 2021, 90)
    b.value(survey, 2022, "88.9")
    b.target(survey, 2022, 88)
    access = b.indicator(
        board_an, None, "Tillgänglighet", parent=survey, unit="procent", decimals=1
    )
    b.value(access, 2022, "85.7")

    deviation = b.indicator(board_an, balance, "Avvikelse mot budget", unit="procent", decimals=1)
    b.value(deviation, 2022, "2.6")
    b.target(deviation, 2022, 0, kind="grans", operator=">=")

    occasion = b.occasion(board_an, 2022, "helar")
    b.assess(occasion, self_support, "delvis")
    b.assess(occasion, balance, "uppnatt")
    b.set_state(occasion, "godkand")
    return {
        "citizens": citizens,
        "economy": economy,
        "self_support": self_support,
        "service": service,
        "balance": balance,
        "households": households,
        "to_work": to_work,
        "waiting": waiting,
        "survey": survey,
        "access": access,
        "occasion": occasion,
    }


def login(client, user):
    client.force_login(user)


def test_requires_login(client, board_an):
    response = client.get(url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))


@pytest.mark.parametrize("persona", ["controller_other", "outsider"])
def test_other_boards_get_404(client, request, board_an, an_world, persona):
    login(client, request.getfixturevalue(persona))
    assert client.get(url()).status_code == 404
    assert client.get(reverse("reports:board_dashboard_current", args=["AN"])).status_code == 404
    assert client.get(reverse("reports:dashboard_select") + "?namnd=AN&ar=2022").status_code == 404


def test_unknown_board_and_year_outside_the_board_are_404(client, manager_an, an_world):
    login(client, manager_an)
    assert client.get(url("XYZ")).status_code == 404
    response = client.get(url(year=2015))
    assert response.status_code == 404


def test_board_not_in_year_message_is_swedish():
    assert BOARD_NOT_IN_YEAR == "Nämnden fanns inte det året."


def test_goal_statuses_have_symbol_and_text(client, manager_an, an_world):
    login(client, manager_an)
    response = client.get(url())
    assert response.status_code == 200
    html = response.content.decode()
    # Assessed goals show the assessment with its symbol and text.
    card = section_of(html, "Hög egenförsörjningsgrad")
    assert "◐" in card and "Delvis uppnått" in card
    assert "✔" in section_of(html, "God ekonomisk styrning")
    # The unassessed goal says so and shows the suggestion computed from its indicators.
    service = section_of(html, "Professionellt bemötande")
    assert "○" in service and "Ej bedömd" in service
    assert "Förslag utifrån indikatorerna" in service
    # Survey 88,9 ≥ 88 is met; Tillgänglighet has only the main indicator's target and väntetid
    # is I.U.: neither is counted → Uppnått.
    assert re.search(r"Förslag utifrån indikatorerna:.*✔.*Uppnått", service, re.S)
    assert "Väntetid i antal dagar: räknas inte" in service
    assert "Tillgänglighet: räknas inte" in service


def section_of(html: str, title: str) -> str:
    start = html.index(title)
    end = html.find('<article class="goal-card"', start)
    return html[start : end if end != -1 else len(html)]


def test_indicator_rows_show_latest_value_target_and_status(client, manager_an, an_world):
    login(client, manager_an)
    html = client.get(url()).content.decode()
    households = section_of(html, "Hög egenförsörjningsgrad")
    assert f"2{NBSP}917" in households  # Swedish thousands separator
    assert f"3{NBSP}300" in households
    assert "Målvärdet nås" in households  # 2 917 ≤ 3 300, lower is better
    assert "Målvärdet nås inte" in households  # 62 < 120
    assert "Kvinnor 25, Män 37" in households
    service = section_of(html, "Professionellt bemötande")
    assert f"88,9{NBSP}%" in service
    assert "I.U." in service and "Redovisas i samband med delår 1 2023." in service
    assert "Kan inte bedömas" in service
    assert "(huvudindikatorns)" in service  # Tillgänglighet shows the parent's 88 %
    assert INHERITED_NOT_JUDGED in service
    # A small trend with a text alternative.
    assert f'aria-label="Trend 2020: 3{NBSP}327, 2021: 3{NBSP}196, 2022: 2{NBSP}917"' in households
    # Links to the indicator page.
    assert reverse("reports:indicator_detail", args=[an_world["households"].pk]) in households


def test_counts_and_charts_data(manager_an, an_world, board_an):
    dashboard = board_dashboard(board_an, 2022)
    goals = {item.status.key: item.count for item in dashboard.goal_counts}
    assert goals == {"uppnatt": 1, "delvis": 1, "ej_uppnatt": 0, "ej_bedomd": 1}
    indicators = {item.status.key: item.count for item in dashboard.indicator_counts}
    # met: households, survey, avvikelse ≥ 0; not met: to_work; not judged: väntetid (I.U.),
    # Tillgänglighet (only the main indicator's target)
    assert indicators == {"nadd": 3, "ej_nadd": 1, "kan_ej_bedomas": 2}


def test_preliminary_assessment_while_occasion_not_approved(client, manager_an, an_world):
    b.set_state(an_world["occasion"], "oppen")
    login(client, manager_an)
    html = client.get(url()).content.decode()
    assert "Preliminär: tillfället är inte godkänt" in section_of(html, "Hög egenförsörjningsgrad")


def test_without_occasion_every_goal_is_not_assessed_with_suggestion(board_an, an_world):
    b.set_state(an_world["occasion"], "oppen")
    an_world["occasion"].assessments.all().delete()
    an_world["occasion"].delete()
    dashboard = board_dashboard(board_an, 2022)
    cards = {card.goal.title: card for area in dashboard.areas for card in area.goals}
    assert all(card.status.key == "ej_bedomd" for card in cards.values())
    assert cards["God ekonomisk styrning"].suggested.key == "uppnatt"
    assert cards["Hög egenförsörjningsgrad"].suggested.key == "delvis"
    assert cards["Professionellt bemötande"].suggested.key == "uppnatt"


def test_latest_value_in_the_year_is_the_latest_period(board_an, an_world):
    b.set_state(an_world["occasion"], "oppen")
    households = an_world["households"]
    b.value(households, 2023, 2850, period_type="kvartal", period_number=1)
    b.value(households, 2023, 2800, period_type="kvartal", period_number=3)
    b.value(households, 2023, 2810, period_type="manad", period_number=9)
    b.target(households, 2023, 2900)
    to_work = an_world["to_work"]
    b.value(to_work, 2023, 30, period_type="tertial", period_number=2)
    b.target(to_work, 2023, 120)

    dashboard = board_dashboard(board_an, 2023)
    rows = {row.indicator.name: row for a in dashboard.areas for c in a.goals for row in c.rows}
    row = rows[households.name]
    assert row.period_label == "2023-09"  # September and quarter 3 end together: the month wins
    assert row.value_text == f"2{NBSP}810"
    assert row.met is True
    # A flow is summed over the year: a part of the year is not judged against the year target.
    flow = rows[to_work.name]
    assert flow.period_label == "2023 T2"
    assert flow.met is None and flow.note == FLOW_NOT_JUDGED


def test_goal_area_filter(client, manager_an, an_world):
    login(client, manager_an)
    html = client.get(url(malomrade=an_world["economy"].pk)).content.decode()
    assert "God ekonomisk styrning" in html
    assert "Hög egenförsörjningsgrad" not in html
    assert "Målområde Medborgare" not in html


def test_bad_goal_area_shows_swedish_message_and_all_areas(client, manager_an, an_world):
    login(client, manager_an)
    response = client.get(url(malomrade="abc"))
    assert response.status_code == 200
    html = response.content.decode()
    assert INVALID_GOAL_AREA in html
    assert '<option value="" selected>Alla målområden</option>' in html
    assert "Hög egenförsörjningsgrad" in html and "God ekonomisk styrning" in html


def test_htmx_gets_fragment_and_url_to_push(client, manager_an, an_world):
    login(client, manager_an)
    target = url(malomrade=an_world["citizens"].pk)
    response = client.get(target, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html and "<form" not in html
    assert "Hög egenförsörjningsgrad" in html
    assert response["HX-Push-Url"] == target
    assert "HX-Request" in response["Vary"]
    full = client.get(target)
    assert "<html" in full.content.decode()
    # A history restore needs the whole page.
    restore = client.get(
        target, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.content.decode()


def test_select_redirects_to_shareable_url(client, manager_an, an_world):
    login(client, manager_an)
    response = client.get(
        reverse("reports:dashboard_select")
        + f"?namnd=AN&ar=2021&malomrade={an_world['economy'].pk}&sida=dashboard"
    )
    assert response.status_code == 302
    assert response["Location"] == url(year=2021, malomrade=an_world["economy"].pk)
    response = client.get(reverse("reports:dashboard_select") + "?namnd=AN&ar=2022&sida=ekonomi")
    assert response["Location"] == reverse("reports:board_economy", args=["AN", 2022])
    assert client.get(reverse("reports:dashboard_select")).status_code == 404


def test_current_year_is_the_latest_followed_up(client, manager_an, an_world, board_an):
    b.occasion(board_an, 2023, "k1", "oppen")
    login(client, manager_an)
    response = client.get(reverse("reports:board_dashboard_current", args=["AN"]))
    assert response["Location"] == url(year=2023)


def test_page_loads_plotly_from_static_and_no_inline_script(client, manager_an, an_world):
    login(client, manager_an)
    html = client.get(url()).content.decode()
    assert "/static/js/plotly.min.js" in html and "/static/js/charts.js" in html
    assert "cdn" not in html.lower()
    scripts = re.findall(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", html, re.S)
    for attrs, _body in scripts:
        assert "src=" in attrs or 'type="application/json"' in attrs, attrs
    assert 'data-chart="chart-goals"' in html and 'id="chart-goals"' in html


def test_years_are_not_printed_as_numbers_with_separators(client, manager_an, an_world):
    login(client, manager_an)
    html = client.get(url()).content.decode()
    assert f"2{NBSP}022" not in html
    assert "måluppfyllelse 2022" in html
    assert reverse("reports:municipality_overview") + "?ar=2022" in html


def test_query_count_does_not_grow(client, manager_an, board_an):
    login(client, manager_an)
    b.sized_board(board_an, goals=2, indicators_per_goal=2, years=range(2021, 2023))
    with CaptureQueriesContext(connection) as small:
        assert client.get(url()).status_code == 200
    b.sized_board(board_an, goals=8, indicators_per_goal=5, years=range(2016, 2023))
    with CaptureQueriesContext(connection) as large:
        response = client.get(url())
    assert response.status_code == 200
    assert response.content.decode().count('class="goal-card"') == 10
    assert len(large.captured_queries) == len(small.captured_queries)
    with CaptureQueriesContext(connection) as fragment:
        client.get(url(), headers={"HX-Request": "true"})
    assert len(fragment.captured_queries) <= len(small.captured_queries)


def test_builder_query_count_is_fixed(board_an, django_assert_max_num_queries):
    b.sized_board(board_an, goals=6, indicators_per_goal=4)
    with django_assert_max_num_queries(12):
        board_dashboard(board_an, 2022, goal_area=GoalArea.objects.get(name="Ekonomi"))


# --- units -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("judgements", "expected"),
    [
        ([True, True], "uppnatt"),
        ([True, None, False], "delvis"),
        ([False, None], "ej_uppnatt"),
        ([None, None], None),
        ([], None),
    ],
)
def test_suggest_level(judgements, expected):
    assert suggest_level(judgements) == expected


def test_sparkline_breaks_at_missing_years_and_says_so():
    spark = sparkline([(2018, Decimal(10)), (2019, Decimal(12)), (2020, None), (2021, Decimal(8))])
    assert len(spark.lines) == 1  # 2018–2019; 2021 alone is a dot
    assert len(spark.dots) == 3
    assert spark.label == "Trend 2018: 10, 2019: 12, 2020: I.U., 2021: 8"
    absent = sparkline([(2020, Decimal(1)), (2021, None)], no_value_years={2021})
    assert absent.label == "Trend 2020: 1, 2021: inget värde"
    assert sparkline([(2020, None)]).is_empty


def test_sparkline_html_escapes_every_text_and_draws_each_point():
    hostile = '<script>alert("x")</script>'
    spark = sparkline(
        [(2020, Decimal(10)), (2021, None), (2022, Decimal(14))],
        shown={2021: hostile},
        target=Decimal(20),
        target_year=2022,
        target_label=hostile,
        direction=Indicator.Direction.HIGHER,
    )
    html = str(spark.html)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.count("<circle ") == len(spark.dots) == 2
    assert html.count("<polyline ") == len(spark.lines)
    assert 'class="spark-target"' in html and "Högre är bättre" in html
    assert html.startswith('<span class="trend"><svg class="sparkline" width="96" height="28"')
    assert str(sparkline([(2020, None)]).html) == '<span class="muted">Ingen trend</span>'


def test_latest_period_prefers_the_year_value(board_an, an_world):
    from indicators.selectors import load_series
    from reports.dashboard.rows import ALL_PERIOD_TYPES

    b.set_state(an_world["occasion"], "oppen")
    households = an_world["households"]
    b.value(households, 2022, 2950, period_type="kvartal", period_number=4)
    series = load_series([households], [2022], period_types=ALL_PERIOD_TYPES)[households.pk]
    period, cells = latest_period(series, 2022)
    assert period.label == "2022" and cells["total"].value == Decimal(2917)
    assert Footnote.objects.count() == 1


# --- the Linköping demo data -------------------------------------------------------------------


def test_demo_an_2022_as_seed(client, demo_data, manager_an):
    """Seed 001: eight nämndmål Delvis uppnått and one (God ekonomisk styrning) Uppnått."""
    dashboard = board_dashboard(demo_data, 2022)
    goals = {item.status.key: item.count for item in dashboard.goal_counts}
    assert goals == {"uppnatt": 1, "delvis": 8, "ej_uppnatt": 0, "ej_bedomd": 0}
    cards = {card.goal.title: card for area in dashboard.areas for card in area.goals}
    assert cards["God ekonomisk styrning"].status.label == "Uppnått"
    assert [area.area.name for area in dashboard.areas] == [
        "Medborgare",
        "Ekonomi",
        "Verksamhet",
        "Medarbetare",
    ]
    rows = {row.indicator.name: row for card in cards.values() for row in card.rows}
    households = next(row for name, row in rows.items() if name.startswith("Antal hushåll med ek"))
    assert households.value_text == f"2{NBSP}917" and households.target_text == f"3{NBSP}300"
    assert households.met is True
    budget = rows["Avvikelse mot budget, %"]
    assert budget.value_text == f"2,6{NBSP}%" and budget.met is True  # computed from the budget

    client.force_login(manager_an)
    response = client.get(url())
    assert response.status_code == 200
    assert response.content.decode().count('class="goal-card"') == 9


def test_demo_current_year_is_the_last_with_goals(client, demo_data, manager_an):
    """The demo's 2023 occasions are open and AN's nine nämndmål continue into 2023 (the demo
    makes 2023 by the year rollover): the current dashboard is 2023's, and it shows them."""
    client.force_login(manager_an)
    response = client.get(reverse("reports:board_dashboard_current", args=["AN"]))
    assert response["Location"] == url(year=2023)
    page = client.get(url(year=2023))
    assert page.status_code == 200
    assert page.content.decode().count('class="goal-card"') == 9
