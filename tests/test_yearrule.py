"""The year rule (indicators.yearrule): stock, flow, average and once, and where it is applied —
the report, the dashboards, the indicator chart, the entry warning and the entry page."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from goals.models import ReportingOccasion
from goals.periods import Period, PeriodType
from indicators import yearrule
from indicators.models import Indicator, IndicatorValue, MissingReason
from indicators.selectors import load_series
from indicators.services import save_value
from reports.dashboard.board import board_dashboard
from reports.dashboard.indicator import indicator_chart_data
from reports.renderers.xlsx import render_xlsx
from reports.report import build_report
from tests import dashboard_builders as b
from tests.entry_data import breakdown, goal_chain, set_value

A = Indicator.Aggregation
Q = PeriodType.QUARTER
Y = PeriodType.YEAR
NBSP = "\xa0"


def derive(aggregation, periods, frequency=Q):
    return yearrule.derive_year_value(aggregation=aggregation, frequency=frequency, periods=periods)


def quarters(*numbers):
    return {n: None if v is None else Decimal(str(v)) for n, v in enumerate(numbers, start=1)}


# --- The rule ----------------------------------------------------------------------------------


def test_stock_is_the_last_period():
    result = derive(A.STOCK, quarters(3327, 3196, 3050, 2917))
    assert result.derived and result.value == Decimal(2917) and result.reason == ""


def test_flow_is_the_sum():
    assert derive(A.FLOW, quarters(20, 30, "28.5", 40)).value == Decimal("118.5")


def test_average_is_the_mean_kept_exact():
    assert derive(A.AVERAGE, quarters(13, 15, 14, 16)).value == Decimal("14.5")


def test_average_is_rounded_half_up_to_four_decimals():
    # (0,0001 + 0 + 0 + 0,0001) / 4 = 0,00005 needs five decimals: half up to 0,0001.
    assert derive(A.AVERAGE, quarters("0.0001", 0, 0, "0.0001")).value == Decimal("0.0001")
    # a third of tertials: 10/3 = 3,3333…
    thirds = {1: Decimal(10), 2: Decimal(0), 3: Decimal(0)}
    assert derive(A.AVERAGE, thirds, PeriodType.TERTIAL).value == Decimal("3.3333")


def test_months_need_all_twelve():
    months = {n: Decimal(n) for n in range(1, 13)}
    assert derive(A.FLOW, months, PeriodType.MONTH).value == Decimal(78)
    del months[7]
    result = derive(A.FLOW, months, PeriodType.MONTH)
    assert result.value is None and result.reason == "Årsvärdet kan inte härledas: månad 7 saknas."


def test_once_is_not_derived_from_periods():
    result = derive(A.ONCE, quarters(1, 2, 3, 4))
    assert not result.derived and result.reason == yearrule.REASON_ONCE


def test_yearly_indicator_has_nothing_to_derive():
    result = derive(A.FLOW, {1: Decimal(5)}, Y)
    assert not result.derived and result.reason == yearrule.REASON_YEARLY


def test_a_missing_period_gives_no_value_and_says_which():
    result = derive(A.FLOW, {1: Decimal(1), 2: Decimal(2), 4: Decimal(4)})
    assert result.value is None
    assert result.reason == "Årsvärdet kan inte härledas: kvartal 3 saknas."


def test_an_iu_period_gives_no_value_and_says_which():
    result = derive(A.STOCK, quarters(1, None, 3))
    assert result.value is None
    assert result.reason == "Årsvärdet kan inte härledas: kvartal 4 saknas, kvartal 2 är I.U."


def test_per_breakdown(board_an):
    indicator = Indicator(board=board_an, frequency=Q, aggregation=A.FLOW)
    results = yearrule.derive_by_breakdown(
        indicator,
        {"total": quarters(10, 10, 10, 12), "K": quarters(4, 5, 6, 5), "M": quarters(6, 5, 4)},
    )
    assert results["total"].value == Decimal(42)
    assert results["K"].value == Decimal(20)
    assert results["M"].value is None and "kvartal 4 saknas" in results["M"].reason


def test_a_computed_indicator_is_never_derived(board_an):
    indicator = Indicator(
        board=board_an, frequency=Q, aggregation=A.FLOW, computed="budgetavvikelse"
    )
    assert not yearrule.is_derivable(indicator)
    assert yearrule.derive_for(indicator, quarters(1, 2, 3, 4)).value is None


@given(st.lists(st.decimals(min_value=-(10**6), max_value=10**6, places=4), min_size=4, max_size=4))
def test_properties_of_the_rule(numbers):
    periods = dict(enumerate(numbers, start=1))
    assert derive(A.FLOW, periods).value == sum(numbers)
    assert derive(A.STOCK, periods).value == numbers[-1]
    mean = derive(A.AVERAGE, periods).value
    assert min(numbers) <= mean <= max(numbers)
    assert -mean.as_tuple().exponent <= yearrule.MEAN_DECIMALS
    assert abs(mean - sum(numbers) / 4) <= Decimal("0.00005")


def test_texts(board_an):
    flow = Indicator(board=board_an, frequency=Q, aggregation=A.FLOW)
    stock = Indicator(board=board_an, frequency=PeriodType.MONTH, aggregation=A.STOCK)
    mean = Indicator(board=board_an, frequency=PeriodType.TERTIAL, aggregation=A.AVERAGE)
    assert (
        yearrule.derived_note(flow) == "Härlett från kvartalen enligt indikatorns årsregel (summa)."
    )
    assert yearrule.rule_description(stock) == "läget vid årets slut (månad 12)"
    assert yearrule.rule_description(mean) == "medelvärde av tertialen"
    assert (
        yearrule.difference_warning(flow, Decimal(120), Decimal(118))
        == "Årsvärdet 120 skiljer sig från det som följer av kvartalen enligt årsregeln (summa): 118."
    )
    assert yearrule.difference_warning(flow, Decimal(118), Decimal(118)) == ""
    # as the database returns it, with four decimals
    assert yearrule.difference_warning(flow, Decimal("118.0000"), Decimal(118)) == ""
    assert "Årsvärdet 118,5 " in yearrule.difference_warning(
        flow, Decimal("118.5000"), Decimal(118)
    )
    # A mean entered as shown (one decimal) is the derived figure, not a different one.
    mean.decimals = 1
    assert yearrule.difference_warning(mean, Decimal("15.3"), Decimal("15.325")) == ""
    assert "15,4" in yearrule.difference_warning(mean, Decimal("15.4"), Decimal("15.325"))


# --- Reading: series, report, dashboards -------------------------------------------------------


@pytest.fixture
def quarterly(board_an):
    """A quarterly flow indicator: 2021 has only quarters (K/M too), 2022 a year value entered
    that differs from its quarters, 2020 quarters with one I.U."""
    area = b.area("Medborgare", 2)
    goal = b.board_goal(board_an, b.council_goal(area, "Stark gemenskap"), "Hög egenförsörjning")
    indicator = b.indicator(
        board_an,
        goal,
        "Antal deltagare till arbete",
        frequency=Q,
        aggregation=A.FLOW,
    )
    for number, (total, women, men) in enumerate(
        [(10, 4, 6), (12, 5, 7), (9, 4, 5), (13, 6, 7)], start=1
    ):
        b.value(indicator, 2021, total, period_type=Q, period_number=number)
        b.value(indicator, 2021, women, gender="K", period_type=Q, period_number=number)
        b.value(indicator, 2021, men, gender="M", period_type=Q, period_number=number)
        b.value(indicator, 2022, 20 + number, period_type=Q, period_number=number)
        b.value(indicator, 2020, None if number == 2 else 5, period_type=Q, period_number=number)
    b.value(indicator, 2022, 100)  # entered; the quarters give 90
    b.target(indicator, 2022, 80)
    return indicator


def test_series_derives_missing_year_values_and_keeps_entered_ones(quarterly):
    series = load_series([quarterly], [2020, 2021, 2022])[quarterly.pk]
    derived = series.total(2021)
    assert derived.value == Decimal(44) and derived.is_derived
    assert derived.footnotes == [yearrule.derived_note(quarterly)]
    assert series.cells(2021)["k=K|e=|c="].value == Decimal(19)
    assert series.cells(2021)["k=M|e=|c="].value == Decimal(25)
    entered = series.total(2022)
    assert entered.value == Decimal(100) and not entered.is_derived
    assert series.total(2020) is None  # a quarter is I.U.
    # Only the year values were asked for: the quarters were read for the rule, not returned.
    assert all(key[1] == "ar" for key in series.values)


def test_report_prints_the_derived_year_value_with_a_note(quarterly):
    report = build_report(quarterly.board, 2022)
    table = next(t for t in report.tables if t.key.startswith("namndindikatorer"))
    row = next(r for r in table.rows if any(c.text == quarterly.name for c in r.cells))
    texts = [cell.text for cell in row.cells]
    year_cells = row.cells[3:6]  # 2020, 2021, 2022
    # 2020 has no year value and one I.U. quarter, so none is derived: not given, "–" (a stored
    # I.U. year value would print I.U.).
    assert [cell.text for cell in year_cells] == ["–", "44", "100"], texts
    derived = year_cells[1]
    assert derived.value == Decimal(44) and derived.is_number
    notes = {note.number: note.text for note in table.footnotes}
    assert [notes[mark] for mark in derived.marks] == [yearrule.derived_note(quarterly)]
    assert year_cells[2].marks == []  # the entered value stands, without the note
    # Kvinnor and Män rows come from their own quarters.
    women = next(r for r in table.rows if r.cells[2].text == "Kvinnor")
    assert [cell.text for cell in women.cells[3:6]] == ["", "19", ""]

    # In the workbook the derived figure is the number itself.
    sheet = load_workbook(io.BytesIO(render_xlsx(report)))["Nämndindikatorer"]
    numbers = [cell.value for row in sheet.iter_rows() for cell in row]
    assert 44 in numbers and 100 in numbers


def test_report_query_count_does_not_grow_with_derived_indicators(quarterly, board_an):
    build_report(board_an, 2022)
    with CaptureQueriesContext(connection) as small:
        build_report(board_an, 2022)
    goal = quarterly.board_goal
    for index in range(5):
        more = b.indicator(board_an, goal, f"Fler {index}", frequency=Q, aggregation=A.STOCK)
        for number in range(1, 5):
            b.value(more, 2021, number, period_type=Q, period_number=number)
    with CaptureQueriesContext(connection) as large:
        report = build_report(board_an, 2022)
    assert len(large) == len(small)
    table = next(t for t in report.tables if t.key.startswith("namndindikatorer"))
    assert sum(1 for row in table.rows for cell in row.cells if cell.text == "Fler 4") == 1


def test_dashboard_shows_the_derived_year_value(board_an, quarterly):
    # 2023: all four quarters given, no year value → the year value is the derived sum.
    for number in range(1, 5):
        b.value(quarterly, 2023, 20, period_type=Q, period_number=number)
    b.target(quarterly, 2023, 70)
    dashboard = board_dashboard(board_an, 2023)
    row = next(row for area in dashboard.areas for card in area.goals for row in card.rows)
    assert row.value_text == "80" and row.period_label == "2023"
    assert row.met is True  # a flow is judged on the whole year: 80 ≥ 70 (higher is better)
    assert row.derived_note == yearrule.derived_note(quarterly)
    # The trend has the derived 2021 too.
    assert "2021: 44, 2022: 100, 2023: 80" in row.trend.label


def test_dashboard_page_shows_the_note(client, controller_an, board_an, quarterly):
    for number in range(1, 5):
        b.value(quarterly, 2023, 20, period_type=Q, period_number=number)
    client.force_login(controller_an)
    html = client.get(reverse("reports:board_dashboard", args=["AN", 2023])).content.decode()
    assert "Härlett från kvartalen enligt indikatorns årsregel (summa)." in html


def test_indicator_chart_marks_the_derived_year(quarterly):
    chart = indicator_chart_data(quarterly, [2020, 2021, 2022])
    row_2021 = next(row for row in chart.rows if row.period_label == "2021")
    assert row_2021.cells[0].text == "44"
    assert [chart.footnotes[m - 1] for m in row_2021.cells[0].marks] == [
        yearrule.derived_note(quarterly)
    ]
    hovers = [
        text
        for trace in chart.figure["data"]
        for text in (trace.get("hovertext") or [])
        if text and "2021:" in text and "Totalt" in text and "K" not in text.split(":")[0]
    ]
    assert any("Härlett från kvartalen" in text for text in hovers), hovers


# --- Entry: the warning and the page -----------------------------------------------------------


@pytest.fixture
def flow_indicator(board_an):
    indicator = goal_chain(board_an, goals=1, indicators_per_goal=1, with_gender=False)[0]
    Indicator.objects.filter(pk=indicator.pk).update(aggregation=A.FLOW)
    indicator.refresh_from_db()
    for number, amount in enumerate((30, 28, 25, 35), start=1):
        set_value(indicator, year=2023, period_type=Q, number=number, value=amount)
    return indicator


def save_year(user, indicator, amount, version=0):
    return save_value(
        user=user,
        indicator=indicator,
        period=Period(2023, PeriodType(Y), 1),
        breakdown=breakdown(),
        value=Decimal(amount),
        expected_version=version,
    )


def test_a_differing_year_value_is_saved_with_a_warning(controller_an, flow_indicator):
    result = save_year(controller_an, flow_indicator, 120)
    warning = (
        "Årsvärdet 120 skiljer sig från det som följer av kvartalen enligt årsregeln (summa): 118."
    )
    assert warning in result.warnings
    # The entered value stands.
    stored = IndicatorValue.objects.get(indicator=flow_indicator, period_type=Y)
    assert stored.value == Decimal(120)


def test_an_equal_year_value_gives_no_warning(controller_an, flow_indicator):
    result = save_year(controller_an, flow_indicator, 118)
    assert not [w for w in result.warnings if "årsregeln" in w]


def test_the_last_quarter_warns_when_it_leaves_the_year_value_differing(controller_an, board_an):
    indicator = goal_chain(board_an, goals=1, indicators_per_goal=1, with_gender=False)[0]
    for number in (1, 2, 3):
        set_value(indicator, year=2023, period_type=Q, number=number, value=10)
    assert not [w for w in save_year(controller_an, indicator, 12).warnings if "årsregeln" in w]
    result = save_value(
        user=controller_an,
        indicator=indicator,
        period=Period(2023, PeriodType(Q), 4),
        breakdown=breakdown(),
        value=Decimal(11),
        expected_version=0,
    )
    assert (
        "Årsvärdet 12 skiljer sig från det som följer av kvartalen enligt årsregeln "
        "(läget vid årets slut): 11." in result.warnings
    )


def test_an_iu_quarter_gives_no_warning(controller_an, flow_indicator):
    IndicatorValue.objects.filter(indicator=flow_indicator, period_number=2).update(
        value=None, missing_reason=MissingReason.TOO_SMALL
    )
    assert not [
        w for w in save_year(controller_an, flow_indicator, 120).warnings if "årsregeln" in w
    ]


def page_url(occasion):
    return reverse(
        "indicators:entry_page", args=[occasion.board.code, occasion.year, occasion.kind]
    )


def test_entry_page_shows_the_derived_figure_beside_the_year_field(
    client, controller_an, board_an, flow_indicator
):
    occasion = ReportingOccasion.objects.create(board=board_an, year=2023, kind="helar")
    client.force_login(controller_an)
    html = client.get(page_url(occasion)).content.decode()
    assert '<span class="ref-label">Enligt årsregeln</span> 118 (summa av kvartalen)' in html
    assert html.count("Enligt årsregeln") == 1  # the year field only, not K4


def test_entry_page_query_count_with_derived_figures(client, controller_an, board_an):
    occasion = ReportingOccasion.objects.create(board=board_an, year=2023, kind="helar")

    def grow(count):
        for indicator in goal_chain(board_an, goals=1, indicators_per_goal=count):
            for number in range(1, 5):
                for gender in ("", "K", "M"):
                    set_value(
                        indicator, year=2023, period_type=Q, number=number, value=7, gender=gender
                    )

    grow(1)
    client.force_login(controller_an)
    client.get(page_url(occasion))
    with CaptureQueriesContext(connection) as small:
        client.get(page_url(occasion))
    grow(6)
    with CaptureQueriesContext(connection) as large:
        html = client.get(page_url(occasion)).content.decode()
    assert html.count("Enligt årsregeln") == 7 * 3  # total, Kvinnor, Män of each indicator
    assert len(large) == len(small), [q["sql"][:120] for q in large.captured_queries]


def test_saved_year_field_answers_with_the_derived_figure_and_the_warning(
    client, controller_an, board_an, flow_indicator
):
    ReportingOccasion.objects.create(board=board_an, year=2023, kind="helar")
    client.force_login(controller_an)
    data = {
        "indicator": flow_indicator.pk,
        "breakdown": breakdown().pk,
        "period_type": Y,
        "period_number": 1,
        "version": 0,
        "value": "120",
        "missing_reason": "",
        "comment": "",
        "footnote": "",
    }
    url = reverse("indicators:entry_save_value", args=["AN", 2023, "helar"])
    html = client.post(url, data, HTTP_HX_REQUEST="true").content.decode()
    assert "Enligt årsregeln</span> 118 (summa av kvartalen)" in html
    assert "(summa): 118." in html
    assert IndicatorValue.objects.get(indicator=flow_indicator, period_type=Y).value == 120


def test_suggested_assessment_judges_the_derived_year_value(board_an, flow_indicator):
    from indicators.entry import entry_sheet

    occasion = ReportingOccasion.objects.create(board=board_an, year=2023, kind="helar")
    sheet = entry_sheet(occasion)
    suggestion = sheet.areas[0].goals[0].suggestion
    # 118 against the target 3 300 (higher is better): not met, and said to be the rule's figure.
    assert any("118 (enligt årsregeln) mot målvärdet" in line for line in suggestion.lines)
    assert suggestion.level == "ej_uppnatt"
