"""Value kinds in every output: the report (model, HTML, xlsx, all boards' xlsx), the
dashboard, the indicator page and its chart — a text outcome as written, "–" for no value
and I.U. only for a stored I.U., a shared footnote once with one number, "Ska inte öka"
judged, baselines in the earlier years."""

from __future__ import annotations

import io
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from openpyxl import load_workbook

from indicators.models import Footnote, IndicatorValue
from reports.dashboard.rows import indicator_row, load_dashboard_series
from reports.report import build_report
from reports.report.model import FootnoteNumbering, ReportTable
from tests.test_structure_plan_end_to_end import after
from tests.test_value_kinds_data import (
    BASELINE,
    NOT_GIVEN,
    NOT_INCREASE,
    OTHER_NOTE,
    QUALITATIVE,
    SHARED_NOTE,
    TEXT_OUTCOME,
    build_plan,
    full_year,
)

pytestmark = pytest.mark.django_db

DASH = "\u2013"


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


@pytest.fixture
def plan(board_an):
    full_year(board_an)
    return build_plan(board_an)


def indicator_table(report) -> ReportTable:
    return next(
        t for t in report.tables if t.sheet == "namndindikatorer" and "Trygg omsorg" in t.title
    )


def row_texts(table: ReportTable, name: str) -> list[str]:
    column = table.column_index("indicator")
    for row in table.rows:
        if row.cells[column].text.startswith(name):
            return [cell.text for cell in row.cells[column + 1 :]]
    raise AssertionError(f"no row {name!r}")


def row_cells(table: ReportTable, name: str):
    column = table.column_index("indicator")
    for row in table.rows:
        if row.cells[column].text.startswith(name):
            return row.cells[column + 1 :]
    raise AssertionError(f"no row {name!r}")


# -- the report model -------------------------------------------------------------------------
def test_the_report_prints_each_value_kind(plan):
    table = indicator_table(build_report(plan.goal.board, 2022))
    assert [c.label for c in table.columns][3:6] == ["2020", "2021", "2022"]
    # Text outcome as written; no value yet for 2020/2021 is "–", never I.U.
    assert row_texts(table, QUALITATIVE) == [
        DASH,
        DASH,
        TEXT_OUTCOME,
        "Inga skillnader mellan grupperna",
    ]
    # A stored I.U. is I.U.; "Ska inte öka" printed as the target.
    assert row_texts(table, NOT_INCREASE) == ["I.U.", "100", "95", "Ska inte öka"]
    assert row_texts(table, NOT_GIVEN) == [DASH, "12", DASH, ""]
    # Baselines before the indicator's start (2022) fill the earlier columns.
    assert row_texts(table, BASELINE) == ["41,5%", "47,25%", "52,0%", ""]
    assert "I.U." not in " ".join(row_texts(table, NOT_GIVEN) + row_texts(table, QUALITATIVE))


def test_a_shared_footnote_is_printed_once_with_one_number(plan):
    table = indicator_table(build_report(plan.goal.board, 2022))
    cells = row_cells(table, NOT_INCREASE)
    marks_2021, marks_2022 = cells[1].marks, cells[2].marks
    assert marks_2021 and marks_2021 == marks_2022
    assert [note.text for note in table.footnotes].count(SHARED_NOTE) == 1
    number = next(note.number for note in table.footnotes if note.text == SHARED_NOTE)
    assert marks_2021 == [number]


def test_two_footnote_rows_with_the_same_text_keep_two_numbers(plan):
    latest = IndicatorValue.objects.get(indicator=plan.not_increase, year=2022)
    earlier = IndicatorValue.objects.get(indicator=plan.not_increase, year=2021)
    Footnote.objects.create(value=latest, text=OTHER_NOTE, order=1)
    Footnote.objects.create(value=earlier, text=OTHER_NOTE, order=1)
    table = indicator_table(build_report(plan.goal.board, 2022))
    assert [note.text for note in table.footnotes].count(OTHER_NOTE) == 2
    cells = row_cells(table, NOT_INCREASE)
    assert len(cells[1].marks) == 2 and len(cells[2].marks) == 2
    assert cells[1].marks[0] == cells[2].marks[0]  # the shared one
    assert cells[1].marks[1] != cells[2].marks[1]  # two rows, two numbers


def test_numbering_by_id_in_the_model():
    numbering = FootnoteNumbering()
    table = ReportTable(key="t", title="T", columns=[])
    assert numbering.note_marks(table, [(7, "A"), (8, "A")]) == [1, 2]
    assert numbering.note_marks(table, [(7, "A")]) == [1]
    assert numbering.note_marks(table, [(None, "B"), (None, "B")]) == [3, 4]
    assert [note.number for note in table.footnotes] == [1, 2, 3, 4]


# -- the HTML report and the workbooks ---------------------------------------------------------
def test_the_html_report_shows_text_dash_and_iu(client, plan, controller_an):
    client.force_login(controller_an)
    html = client.get(reverse("reports:report", args=["AN", 2022])).content.decode()
    assert TEXT_OUTCOME in html
    assert "Ska inte öka" in html
    row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{NOT_GIVEN}(?:(?!</tr>).)*</tr>", html, re.S)
    assert row is not None
    assert DASH in row.group(0) and "I.U." not in row.group(0)
    assert html.count(SHARED_NOTE) == 1


def _sheet_row(workbook, name: str) -> list:
    """The cells after the one that starts with `name` on the Nämndindikatorer sheet."""
    return after(
        [list(row) for row in workbook["Nämndindikatorer"].iter_rows(values_only=True)], name
    )


def test_the_xlsx_has_the_text_in_the_year_cell_and_dash_not_iu(client, plan, controller_an):
    client.force_login(controller_an)
    response = client.get(reverse("reports:report_xlsx", args=["AN", 2022]))
    workbook = load_workbook(io.BytesIO(response.content))
    qualitative = _sheet_row(workbook, QUALITATIVE)
    assert qualitative[:3] == [DASH, DASH, TEXT_OUTCOME]
    not_given = _sheet_row(workbook, NOT_GIVEN)
    assert not_given[0] == DASH and not_given[1] == 12 and not_given[2] == DASH
    assert _sheet_row(workbook, NOT_INCREASE)[:2] == ["I.U.", 100]
    ws = workbook["Nämndindikatorer"]
    notes = [
        value
        for row in ws.iter_rows(values_only=True)
        for value in row
        if isinstance(value, str) and SHARED_NOTE in value
    ]
    assert len(notes) == 1


def test_the_all_boards_xlsx_prints_dash_not_iu(client, plan, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("reports:report_xlsx_all", args=[2022]))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    found = []
    for ws in workbook.worksheets:
        for row in ws.iter_rows(values_only=True):
            if any(isinstance(v, str) and v.startswith(NOT_GIVEN) for v in row):
                found.append(row)
    assert found
    assert all("I.U." not in row for row in found)
    assert any(DASH in row for row in found)


def test_a_text_starting_with_equals_stays_text_in_the_xlsx(client, plan, controller_an):
    plan.text_value.text = '=HYPERLINK("x") är vad de skrev'
    plan.text_value.save()
    client.force_login(controller_an)
    response = client.get(reverse("reports:report_xlsx", args=["AN", 2022]))
    workbook = load_workbook(io.BytesIO(response.content))
    ws = workbook["Nämndindikatorer"]
    cells = [c for row in ws.iter_rows() for c in row if c.value == plan.text_value.text]
    assert cells and cells[0].data_type == "s"


# -- dashboards, the indicator page and its chart ---------------------------------------------
def test_dashboard_rows_judge_not_increase_and_show_text(plan):
    series = load_dashboard_series(
        [plan.qualitative, plan.not_increase, plan.not_given, plan.baseline], 2022
    )
    text_row = indicator_row(series[plan.qualitative.pk], 2022)
    assert text_row.value_text == TEXT_OUTCOME and text_row.met is None and not text_row.is_missing
    assert text_row.trend is not None and text_row.trend.is_empty  # a text is no point
    assert f"2022: {TEXT_OUTCOME}" in text_row.trend.label
    judged = indicator_row(series[plan.not_increase.pk], 2022)
    assert judged.met is True and judged.target_text == "Ska inte öka"
    assert "2020: I.U." in judged.trend.label
    baseline = indicator_row(series[plan.baseline.pk], 2022)
    assert "2020: 41,5" in baseline.trend.label and "2021: 47,3" in baseline.trend.label


def test_dashboard_not_increase_not_met(board_an):
    plan = build_plan(board_an, not_increase_2022=120)
    series = load_dashboard_series([plan.not_increase], 2022)
    assert indicator_row(series[plan.not_increase.pk], 2022).met is False


def test_the_board_dashboard_lists_the_text(client, plan, controller_an):
    client.force_login(controller_an)
    response = client.get(reverse("reports:board_dashboard", args=["AN", 2022]))
    assert response.status_code == 200
    html = response.content.decode()
    assert TEXT_OUTCOME in html


def test_the_indicator_page_shows_text_baselines_and_dash(client, plan, controller_an):
    client.force_login(controller_an)
    html = client.get(reverse("reports:indicator_detail", args=[plan.qualitative.pk])).content
    html = html.decode()
    assert TEXT_OUTCOME in html and "I.U." not in html
    assert "är en kvalitativ indikator" in html and 'data-chart="' not in html
    html = client.get(reverse("reports:indicator_detail", args=[plan.baseline.pk])).content
    html = html.decode()
    assert "41,5" in html and "47,25" in html
    html = client.get(reverse("reports:indicator_detail", args=[plan.not_increase.pk])).content
    assert "I.U." in html.decode()


def test_the_indicator_chart_table_tells_dash_from_iu_and_shows_the_text(plan):
    from reports.dashboard.indicator import indicator_chart_data

    chart = indicator_chart_data(plan.not_given, [2020, 2021, 2022])
    texts = {row.period_label: row.cells[0].text for row in chart.rows}
    assert texts.get("2022", DASH) == DASH and "I.U." not in texts.values()
    chart = indicator_chart_data(plan.not_increase, [2020, 2021, 2022])
    texts = {row.period_label: row.cells[0].text for row in chart.rows}
    assert texts["2020"] == "I.U." and texts["2022"] == "95"
    chart = indicator_chart_data(plan.qualitative, [2021, 2022])
    texts = {row.period_label: row.cells[0].text for row in chart.rows}
    assert texts["2022"] == TEXT_OUTCOME
    assert not [y for trace in chart.figure.get("data", []) for y in trace.get("y", []) if y]
