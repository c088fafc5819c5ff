"""export_structure and import_structure on the command line, with --dry-run."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from goals.models import BoardGoal
from indicators.models import Indicator
from indicators.structure_workbook import importing as wb
from tests.structure_workbook_data import EVERY_KIND, structure_prerequisites, write_workbook


@pytest.fixture
def workbook_file(board_an, municipality, tmp_path):
    structure_prerequisites(municipality)
    path = tmp_path / "struktur.xlsx"
    path.write_bytes(write_workbook(EVERY_KIND))
    return path


def test_dry_run_then_import_then_export_and_import_again(workbook_file, tmp_path, capsys):
    call_command("import_structure", "--file", str(workbook_file), "--dry-run")
    out = capsys.readouterr().out
    assert "Provkörning för AN 2023: inget skrevs." in out
    assert "indikatorer: 4 nya, 0 ändrade, 0 oförändrade" in out
    assert not Indicator.objects.exists()

    call_command("import_structure", "--file", str(workbook_file))
    out = capsys.readouterr().out
    assert "Läste in strukturen för AN 2023:" in out
    assert Indicator.objects.count() == 4
    history = Indicator.objects.first().history.first()
    assert history.history_source == "kommando"

    exported = tmp_path / "ut.xlsx"
    call_command("export_structure", "--board", "AN", "--year", "2023", "--output", str(exported))
    assert "Skrev strukturen för AN 2023" in capsys.readouterr().out
    call_command("import_structure", "--file", str(exported))
    out = capsys.readouterr().out
    assert "nämndmål: 0 nya, 0 ändrade, 2 oförändrade" in out
    assert "aktiviteter: 0 nya, 0 ändrade, 5 oförändrade" in out


def test_errors_are_printed_and_nothing_is_written(workbook_file, tmp_path, capsys):
    rows = {**EVERY_KIND, "goals": [["NM-1", "Fler i arbete", "", None, 1]]}
    bad = tmp_path / "fel.xlsx"
    bad.write_bytes(write_workbook(rows))
    with pytest.raises(CommandError) as error:
        call_command("import_structure", "--file", str(bad))
    assert "Inget lästes in" in str(error.value)
    assert "Blad Nämndmål, rad 2, kolumn Rubrik: Fyll i Rubrik." in capsys.readouterr().err
    assert not BoardGoal.objects.exists()


def test_refused_file_and_unknown_board(workbook_file, tmp_path):
    text = tmp_path / "inte.xlsx"
    text.write_text("hej", encoding="utf-8")
    with pytest.raises(CommandError, match="inte en Excelfil"):
        call_command("import_structure", "--file", str(text))
    with pytest.raises(CommandError, match="ingen nämnd med kortnamnet XX"):
        call_command("export_structure", board="XX", year=2023, output=str(tmp_path / "x.xlsx"))
    macro_named = tmp_path / "struktur.xlsm"
    macro_named.write_bytes(workbook_file.read_bytes())
    with pytest.raises(CommandError, match="makro"):
        call_command("import_structure", "--file", str(macro_named))
    assert wb.NOTHING_WRITTEN
