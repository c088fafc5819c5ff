"""The Excel outcome template and import with a qualitative indicator's text outcome."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from indicators import importing
from indicators.importing import COLUMN, SHEET
from indicators.models import IndicatorValue
from indicators.services import NUMBER_ON_TEXT
from tests.test_value_kinds_data import QUALITATIVE, TEXT_OUTCOME, build_plan, full_year

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(board_an):
    return build_plan(board_an)


def template(occasion):
    return load_workbook(io.BytesIO(importing.build_template(occasion)))


def row_of(ws, name: str) -> int:
    for number in range(2, ws.max_row + 1):
        if ws.cell(row=number, column=COLUMN["name"]).value == name:
            return number
    raise AssertionError(name)


def upload(workbook, *, user, occasion):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return importing.read_and_import(
        user=user, occasion=occasion, data=buffer.getvalue(), filename="utfall.xlsx"
    )


def snapshot():
    return list(IndicatorValue.objects.order_by("pk").values_list("pk", "value", "text", "version"))


def test_the_template_has_the_stored_text_as_text(plan):
    workbook = template(full_year(plan.goal.board))
    ws = workbook[SHEET]
    cell = ws.cell(row=row_of(ws, QUALITATIVE), column=COLUMN["value"])
    assert cell.value == TEXT_OUTCOME and cell.data_type == "s"


def test_a_text_outcome_is_imported(plan, controller_an):
    occasion = full_year(plan.goal.board)
    workbook = template(occasion)
    ws = workbook[SHEET]
    number = row_of(ws, QUALITATIVE)
    ws.cell(row=number, column=COLUMN["value"]).value = "Inga skillnader kan utläsas."
    result = upload(workbook, user=controller_an, occasion=occasion)
    assert result.ok, result.errors
    assert result.written == 1
    value = IndicatorValue.objects.get(indicator=plan.qualitative, year=2022)
    assert (value.text, value.value, value.version) == ("Inga skillnader kan utläsas.", None, 2)


def test_the_unchanged_template_writes_nothing(plan, controller_an):
    occasion = full_year(plan.goal.board)
    before = snapshot()
    result = upload(template(occasion), user=controller_an, occasion=occasion)
    assert result.ok and result.written == 0
    assert snapshot() == before


def test_a_number_on_the_text_row_and_a_text_on_a_number_row_write_nothing(plan, controller_an):
    occasion = full_year(plan.goal.board)
    workbook = template(occasion)
    ws = workbook[SHEET]
    ws.cell(row=row_of(ws, QUALITATIVE), column=COLUMN["value"]).value = 42
    not_given = row_of(ws, "Antal genomförda tillsyner")
    ws.cell(row=not_given, column=COLUMN["value"]).value = "många"
    before = snapshot()
    result = upload(workbook, user=controller_an, occasion=occasion)
    assert not result.ok
    messages = {(error.row, error.column[0]): error.message for error in result.errors}
    assert messages[(row_of(ws, QUALITATIVE), "K")] == NUMBER_ON_TEXT
    assert (not_given, "K") in messages  # the Swedish number parser's message
    assert snapshot() == before


def test_a_text_with_an_iu_reason_is_refused(plan, controller_an):
    occasion = full_year(plan.goal.board)
    workbook = template(occasion)
    ws = workbook[SHEET]
    number = row_of(ws, QUALITATIVE)
    ws.cell(row=number, column=COLUMN["missing_reason"]).value = "Mättes inte"
    before = snapshot()
    result = upload(workbook, user=controller_an, occasion=occasion)
    assert [error.message for error in result.errors] == [importing.VALUE_AND_REASON]
    assert snapshot() == before
