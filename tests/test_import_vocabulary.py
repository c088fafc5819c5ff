"""Issue 12: the import reads values with the form's vocabulary and warnings, has a footnote
column, names what differs in a wrong occasion and blames a locked row's own cell."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from goals.models import OccasionLockedError, ReportingOccasion
from indicators import importing
from indicators.importing import COLUMN, SHEET, build_template, read_and_import
from indicators.models import Indicator
from indicators.parsing import PERCENT_ON_COUNT, WARN_SHARE_RANGE
from indicators.services import value_footnote_text
from tests.entry_data import goal_chain, set_value
from tests.test_import_excel import Q, fill, stored


@pytest.fixture
def occasion(board_an):
    return ReportingOccasion.objects.create(board=board_an, year=2023, kind="k3")


@pytest.fixture
def indicators(board_an):
    return goal_chain(board_an, goals=1, indicators_per_goal=2)


def run(controller, occasion, changes):
    data = fill(build_template(occasion), changes)
    return read_and_import(user=controller, occasion=occasion, data=data, filename="u.xlsx")


def test_spaced_iu_spelling_is_accepted(controller_an, occasion, indicators):
    result = run(
        controller_an,
        occasion,
        {("Indikator 1.1", "Totalt"): {"value": "I. U.", "missing_reason": "För litet underlag"}},
    )
    assert result.ok, [str(error) for error in result.errors]
    value = stored(indicators[0])
    assert value.value is None and value.missing_reason == "for_litet_underlag"


def test_percent_on_a_count_is_refused_at_the_value_cell(controller_an, occasion, indicators):
    result = run(controller_an, occasion, {("Indikator 1.1", "Totalt"): {"value": "5 %"}})
    assert not result.ok
    assert [error.message for error in result.errors] == [PERCENT_ON_COUNT]
    assert result.errors[0].column.startswith("K")
    assert stored(indicators[0]) is None


def test_share_over_100_warns_like_the_form(controller_an, occasion, indicators):
    Indicator.objects.filter(pk=indicators[1].pk).update(unit="procent", decimals=1)
    result = run(controller_an, occasion, {("Indikator 1.2", "Totalt"): {"value": "150 %"}})
    assert result.ok
    assert any(WARN_SHARE_RANGE in warning for warning in result.warnings)
    assert stored(indicators[1]).value == Decimal(150)


def test_footnote_column_is_written_and_read(controller_an, occasion, indicators):
    result = run(
        controller_an,
        occasion,
        {("Indikator 1.1", "Totalt"): {"value": 12, "footnote": "Preliminär siffra"}},
    )
    assert result.ok
    assert value_footnote_text(stored(indicators[0])) == "Preliminär siffra"
    workbook = load_workbook(io.BytesIO(build_template(occasion)))
    ws = workbook[SHEET]
    assert ws.cell(row=1, column=COLUMN["footnote"]).value == "Fotnot"
    texts = [ws.cell(row=row, column=COLUMN["footnote"]).value for row in range(2, ws.max_row + 1)]
    assert "Preliminär siffra" in texts


def test_template_shows_a_finer_stored_figure_exactly(controller_an, occasion, indicators):
    set_value(indicators[0], year=2023, period_type=Q, number=3, value=Decimal("9.5"))
    ws = load_workbook(io.BytesIO(build_template(occasion)))[SHEET]
    cells = [
        ws.cell(row=row, column=COLUMN["value"])
        for row in range(2, ws.max_row + 1)
        if ws.cell(row=row, column=COLUMN["value"]).value is not None
    ]
    assert [(cell.value, cell.number_format) for cell in cells] == [(9.5, "#,##0.0")]


def test_wrong_occasion_says_what_differs(controller_an, board_an, occasion, indicators):
    other = ReportingOccasion.objects.create(board=board_an, year=2023, kind="k2")
    data = build_template(occasion)
    try:
        read_and_import(user=controller_an, occasion=other, data=data, filename="u.xlsx")
    except importing.ImportRefused as refused:
        message = refused.messages[0]
    assert "Filen gäller AN Kvartal 3 2023, inte AN Kvartal 2 2023" in message
    assert "tillfälle Kvartal 3 i filen, Kvartal 2 här" in message
    assert "nämnd" not in message.split("(")[1].split(")")[0]


def test_locked_period_is_blamed_on_its_row_and_value_cell(
    controller_an, occasion, indicators, monkeypatch
):
    def locked(**kwargs):
        raise OccasionLockedError("AN Helår 2023")

    monkeypatch.setattr(importing, "save_value", locked)
    result = run(controller_an, occasion, {("Indikator 1.1", "Totalt"): {"value": 1}})
    assert not result.ok
    (error,) = result.errors
    assert error.row == 2 and error.column.startswith("K")
    assert "AN Helår 2023" in error.message
