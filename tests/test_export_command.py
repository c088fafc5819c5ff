"""python manage.py export_report: the same workbook for scripts, and clear Swedish errors."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from tests.test_report_fixtures import mini_an  # noqa: F401

pytestmark = pytest.mark.django_db


def test_writes_the_whole_workbook(mini_an, tmp_path, capsys):  # noqa: F811
    output = tmp_path / "rapport.xlsx"
    call_command("export_report", "--board", "AN", "--year", "2022", "--output", str(output))
    workbook = load_workbook(output)
    assert "Nämndindikatorer" in workbook.sheetnames
    assert len(workbook.sheetnames) == 8
    assert "Skrev" in capsys.readouterr().out


def test_one_table_only(mini_an, tmp_path):  # noqa: F811
    output = tmp_path / "personal.xlsx"
    call_command(
        "export_report", board="AN", year=2022, output=str(output), table="personal", verbosity=0
    )
    assert load_workbook(output).sheetnames == ["Personal"]


def test_json_of_the_report_model(mini_an, tmp_path):  # noqa: F811
    output = tmp_path / "rapport.json"
    call_command("export_report", board="AN", year=2022, output=str(output), json=True, verbosity=0)
    data = json.loads(output.read_text(encoding="utf-8"))
    assert data["board"] == {"code": "AN", "name": "Arbetsmarknadsnämnden"}
    assert data["tables"][0]["key"] == "ekonomi"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"board": "XX", "year": 2022}, "Det finns ingen nämnd med kortnamnet XX."),
        ({"board": "AN", "year": 2001}, "Nämnden AN fanns inte år 2001."),
        ({"board": "AN", "year": 2022, "table": "nope"}, "Rapporten har ingen tabell nope."),
    ],
)
def test_errors_are_swedish_and_write_nothing(mini_an, tmp_path, arguments, message):  # noqa: F811
    output = tmp_path / "rapport.xlsx"
    with pytest.raises(CommandError, match=message):
        call_command("export_report", output=str(output), verbosity=0, **arguments)
    assert not output.exists()


def test_unwritable_output_is_an_error(mini_an, tmp_path):  # noqa: F811
    with pytest.raises(CommandError, match="Kunde inte skriva"):
        call_command(
            "export_report", board="AN", year=2022, output=str(tmp_path / "saknas" / "x.xlsx")
        )
