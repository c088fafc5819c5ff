"""python manage.py export_plan: a plan's workbook for scripts, and clear Swedish errors that
write nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from goals.models import BoardPlan, ReportingOccasion
from goals.selectors import end_of_day
from reports.management.commands import export_plan
from reports.report import plans as plan_builders
from reports.report.model import Cell, Column, ReportTable, Row, RowKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def builds(monkeypatch):
    """build_plan as the command calls it, plus one table naming the moment and occasion."""
    calls: list[dict] = []

    def build(board, year, kind, *, as_of=None, occasion=None, now=None):
        calls.append({"kind": kind, "as_of": as_of, "occasion": occasion})
        report = plan_builders.build_plan(board, year, kind, as_of=as_of, occasion=occasion)
        report.tables.append(
            ReportTable(
                key="testtabell",
                title="Testtabell",
                columns=[Column("text", "Text"), Column("tal", "Tal", numeric=True)],
                rows=[Row(RowKind.DATA, [Cell("=SUM(A1)"), Cell.number(Decimal("88.9"), 1)])],
            )
        )
        return report

    monkeypatch.setattr(export_plan, "build_plan", build)
    return calls


def run(tmp_path, *args: str):
    output = tmp_path / "plan.xlsx"
    call_command("export_plan", "--board", "AN", "--year", "2022", "--output", str(output), *args)
    return output


def test_writes_the_internbudget_as_of_its_decision(board_an, tmp_path, capsys, builds):
    BoardPlan.objects.create(
        board=board_an, year=2022, kind="internbudget", decided_on=datetime.date(2021, 10, 20)
    )
    output = run(tmp_path)
    workbook = load_workbook(output)
    cells = [c for ws in workbook.worksheets for row in ws.iter_rows() for c in row]
    assert "=SUM(A1)" in [c.value for c in cells if c.data_type == "s"]  # text, not a formula
    assert 88.9 in [c.value for c in cells]  # a number stays a number
    assert builds == [
        {"kind": "internbudget", "as_of": end_of_day(datetime.date(2021, 10, 20)), "occasion": None}
    ]
    out = capsys.readouterr().out
    assert f"Skrev {output}" in out
    assert "Internbudget 2022 med plan för 2023–2027" in out
    assert "som de var kända 20 oktober 2021, när planen beslutades" in out


def test_without_a_decision_the_figures_are_todays(board_an, tmp_path, capsys, builds):
    run(tmp_path)
    assert builds[0]["as_of"] is None
    assert "planen har inget beslutsdatum" in capsys.readouterr().out


def test_per_names_another_day(board_an, tmp_path, capsys, builds):
    run(tmp_path, "--per", "2022-06-30")
    assert builds[0]["as_of"] == end_of_day(datetime.date(2022, 6, 30))
    assert "som de var kända 30 juni 2022" in capsys.readouterr().out


def test_the_verksamhetsplan_and_its_follow_up(board_an, tmp_path, capsys, builds):
    occasion = ReportingOccasion.objects.create(board=board_an, year=2022, kind="d1")
    output = run(tmp_path, "--kind", "verksamhetsplan")
    assert load_workbook(output).sheetnames
    assert builds[-1] == {"kind": "verksamhetsplan", "as_of": None, "occasion": None}
    assert "Verksamhetsplan 2022" in capsys.readouterr().out
    run(tmp_path, "--kind", "verksamhetsplan", "--tillfalle", str(occasion.pk))
    assert builds[-1]["occasion"] == occasion
    run(tmp_path, "--kind", "verksamhetsplan", "--tillfalle", "d1")
    assert builds[-1]["occasion"] == occasion
    assert "uppföljningen vid delår 1" in capsys.readouterr().out


def test_the_real_builders_write_a_workbook_that_reopens(board_an, tmp_path):
    for kind in ("internbudget", "verksamhetsplan"):
        output = tmp_path / f"{kind}.xlsx"
        call_command(
            "export_plan", board="AN", year=2022, kind=kind, output=str(output), verbosity=0
        )
        assert load_workbook(output).worksheets


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"board": "XX"}, "Det finns ingen nämnd med kortnamnet XX."),
        ({"year": 2001}, "Nämnden AN fanns inte år 2001."),
        (
            {"kind": "budget"},
            "Okänt slag av plan: budget. Välj internbudget eller verksamhetsplan.",
        ),
        ({"per": "2021-02-30"}, "Ange datumet som ÅÅÅÅ-MM-DD"),
        ({"per": "20 oktober"}, "Ange datumet som ÅÅÅÅ-MM-DD"),
        ({"per": "9999-01-01"}, "har inte varit än"),
        ({"tillfalle": "1"}, "--tillfalle gäller verksamhetsplanen"),
        ({"kind": "verksamhetsplan", "per": "2022-01-01"}, "--per gäller internbudgeten"),
        (
            {"kind": "verksamhetsplan", "tillfalle": "helar"},
            "Nämnden AN har inget uppföljningstillfälle helar år 2022",
        ),
        (
            {"kind": "verksamhetsplan", "tillfalle": "OTHER"},
            "Nämnden AN har inget uppföljningstillfälle",
        ),
    ],
)
def test_errors_are_swedish_and_write_nothing(
    board_an, board_other, tmp_path, builds, arguments, message
):
    foreign = ReportingOccasion.objects.create(board=board_other, year=2022, kind="d1")
    ReportingOccasion.objects.create(board=board_an, year=2021, kind="helar")
    if arguments.get("tillfalle") == "OTHER":
        arguments = {**arguments, "tillfalle": str(foreign.pk)}
    options = {"board": "AN", "year": 2022, **arguments}
    output = tmp_path / "plan.xlsx"
    with pytest.raises(CommandError, match=message):
        call_command("export_plan", output=str(output), verbosity=0, **options)
    assert not output.exists()
    assert builds == []


def test_unwritable_output_is_an_error(board_an, tmp_path):
    with pytest.raises(CommandError, match="Kunde inte skriva"):
        call_command(
            "export_plan",
            board="AN",
            year=2022,
            output=str(tmp_path / "saknas" / "x.xlsx"),
            verbosity=0,
        )
