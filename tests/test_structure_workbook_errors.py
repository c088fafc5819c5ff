"""Bad structure workbooks: every error at its sheet, row and column in Swedish, nothing written."""

from __future__ import annotations

import copy
import io

import pytest
from openpyxl import load_workbook

from goals.models import Activity, BoardGoal, ReportingOccasion, Role
from indicators import parsing, services
from indicators.importing import NOT_XLSX, ImportRefused
from indicators.models import Indicator, IndicatorValue
from indicators.structure_workbook import importing as wb
from indicators.structure_workbook.export import export_structure
from indicators.structure_workbook.importing import import_structure
from tests.conftest import make_user
from tests.structure_workbook_data import EVERY_KIND, YEAR, structure_prerequisites, write_workbook


@pytest.fixture
def empty_year(board_an, municipality):
    structure_prerequisites(municipality)
    return board_an


def rows_with(**changes):
    """EVERY_KIND with cells replaced: key "sheet:row:col" (0-based row and column) → value."""
    rows = copy.deepcopy(EVERY_KIND)
    for key, value in changes.items():
        sheet, row, col = key.split("__")
        rows[sheet][int(row)][int(col)] = value
    return rows


def nothing_written():
    return not (
        BoardGoal.objects.exists() or Indicator.objects.exists() or Activity.objects.exists()
    )


def errors_of(rows, user):
    result = import_structure(data=write_workbook(rows), user=user, dry_run=False)
    assert not result.ok and not result.written
    assert nothing_written()
    return [str(error) for error in result.errors]


def test_cell_errors_name_sheet_row_and_column(empty_year, admin_user):
    rows = rows_with(
        indicators__0__5="Procentenhet",
        targets__0__5="88.9",
        values__1__3="nittio",
        activities__2__4="SD-9",
        goals__1__1="Okänt KF-mål",
    )
    errors = errors_of(rows, admin_user)
    assert "Blad Indikatorer, rad 2, kolumn Enhet: Okänt värde ”Procentenhet”." in errors[0]
    assert (
        "Blad Målvärden, rad 2, kolumn Värde: " + parsing.DECIMAL_POINT.format(suggestion="88,9")
        in errors
    )
    assert f"Blad Utfall, rad 3, kolumn Värde: {parsing.INVALID_NUMBER}" in errors
    assert len(errors) == 3  # references are checked once the cells are right


def test_reference_errors(empty_year, admin_user):
    rows = rows_with(activities__2__4="SD-9", goals__1__1="Okänt KF-mål", indicators__2__2="IND-99")
    errors = errors_of(rows, admin_user)
    assert (
        "Blad Aktiviteter, rad 4, kolumn Styrdokument: SD-9 finns inte på bladet Styrdokument."
        in errors
    )
    assert (
        "Blad Nämndmål, rad 3, kolumn KF-mål: "
        + wb.UNKNOWN_COUNCIL_GOAL.format(title="Okänt KF-mål", year=YEAR)
        in errors
    )
    assert (
        "Blad Indikatorer, rad 4, kolumn Delindikator till: IND-99 finns inte på bladet Indikatorer."
        in errors
    )


def test_a_formula_is_refused_and_a_text_with_equals_is_data(empty_year, admin_user):
    rows = rows_with(goals__0__2="==SUM(1,2)")  # a real formula in Rubrik
    errors = errors_of(rows, admin_user)
    assert errors == [f"Blad Nämndmål, rad 2, kolumn Rubrik: {wb.FORMULA}"]


def test_value_checks_are_the_entry_checks(empty_year, admin_user):
    rows = copy.deepcopy(EVERY_KIND)
    rows["values"].append(["IND-1", 2020, "Totalt", 70, None, None, None])  # 3 years before
    rows["values"].append(["IND-4", YEAR, "Kvinnor", 7, None, None, None])  # not a breakdown
    rows["values"].append(["IND-1", YEAR, "Män", "I.U.", None, None, None])  # no reason
    rows["values"].append(["IND-2", 2022, "Totalt", 5, None, None, None])  # a number on Text
    errors = errors_of(rows, admin_user)
    assert "Blad Utfall, rad 11, kolumn Skäl till I.U.: " + wb.REASON_REQUIRED in errors
    assert "Blad Utfall, rad 12, kolumn Värde: " + wb.NUMBER_ON_TEXT in errors
    rows["values"] = rows["values"][:-2]
    errors = errors_of(rows, admin_user)
    assert errors == [
        "Blad Utfall, rad 9, kolumn Värde: " + services.INDICATOR_NOT_VALID.format(year=2020),
        "Blad Utfall, rad 10, kolumn Värde: "
        + services.BREAKDOWN_NOT_REPORTED.format(breakdown="Kvinnor", year=YEAR),
    ]


def test_missing_or_unknown_sheet_and_a_file_that_is_not_xlsx(empty_year, admin_user):
    with pytest.raises(ImportRefused) as refused:
        import_structure(
            data=write_workbook(EVERY_KIND, skip={"values"}), user=admin_user, dry_run=False
        )
    assert refused.value.messages == [wb.MISSING_SHEET.format(sheet="Utfall")]
    with pytest.raises(ImportRefused) as refused:
        import_structure(data="Nämnd;År\nAN;2023\n".encode(), user=admin_user, dry_run=False)
    assert refused.value.messages == [NOT_XLSX]
    book = load_workbook(io.BytesIO(write_workbook(EVERY_KIND)))
    book["Utfall"].title = "Resultat"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ImportRefused) as refused:
        import_structure(data=out.getvalue(), user=admin_user, dry_run=False)
    assert "Bladet ”Resultat” hör inte till arbetsboken" in refused.value.messages[0]
    assert nothing_written()


def test_another_boards_file_or_no_right(empty_year, board_other, admin_user):
    data = write_workbook(EVERY_KIND, board="BIN")
    with pytest.raises(ImportRefused) as refused:
        import_structure(data=data, user=admin_user, dry_run=False, expected_board=empty_year)
    assert refused.value.messages == [wb.WRONG_BOARD.format(found="BIN", expected="AN")]
    bin_admin = make_user("admin_bin", Role.ADMINISTRATOR, board_other)
    with pytest.raises(ImportRefused) as refused:
        import_structure(data=write_workbook(EVERY_KIND), user=bin_admin, dry_run=False)
    assert refused.value.messages == [wb.NO_RIGHT.format(board=empty_year)]
    with pytest.raises(ImportRefused) as refused:
        import_structure(
            data=write_workbook(EVERY_KIND, board="XYZ"), user=admin_user, dry_run=False
        )
    assert refused.value.messages == [wb.UNKNOWN_BOARD.format(code="XYZ")]
    with pytest.raises(ImportRefused) as refused:
        import_structure(data=write_workbook(EVERY_KIND, year=2015), user=admin_user, dry_run=False)
    assert refused.value.messages == [wb.BOARD_NOT_VALID.format(code="AN", year=2015)]
    assert nothing_written()


def test_an_approved_year_is_refused_unless_unchanged(empty_year, admin_user):
    import_structure(data=write_workbook(EVERY_KIND), user=admin_user, dry_run=False)
    occasion = ReportingOccasion.objects.create(
        board=empty_year, year=YEAR, kind="helar", state=ReportingOccasion.State.APPROVED
    )
    same = export_structure(board=empty_year, year=YEAR)
    assert import_structure(data=same, user=admin_user, dry_run=False).changed == 0
    rows = rows_with(goals__0__2="En ny rubrik")
    with pytest.raises(ImportRefused) as refused:
        import_structure(data=write_workbook(rows), user=admin_user, dry_run=False)
    assert refused.value.messages == [wb.APPROVED_YEAR.format(occasion=occasion, year=YEAR)]
    assert not BoardGoal.objects.filter(title="En ny rubrik").exists()
    assert IndicatorValue.objects.count() == 7
