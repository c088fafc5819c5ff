"""The structure workbook: export → import of the same file changes nothing; an empty
board-year gets everything; bad input is refused at its cell with nothing written."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from goals.models import Activity, BoardGoal, StrategicAssignment
from indicators.models import Footnote, Indicator, IndicatorBreakdown, IndicatorValue, Target
from indicators.structure_workbook import sheets
from indicators.structure_workbook.export import export_structure
from indicators.structure_workbook.importing import import_structure
from indicators.structure_workbook.state import load_state
from tests.structure_workbook_data import (
    EVERY_KIND,
    YEAR,
    structure_prerequisites,
    write_workbook,
)


def records(board, year):
    state = load_state(board, year)
    return {
        sheet.key: {key: entry.record for key, entry in state.kind(sheet.key).items()}
        for sheet in sheets.SHEETS[1:]
    }


def test_demo_round_trip_changes_nothing(demo_data, django_assert_max_num_queries):
    board = demo_data
    before = records(board, 2022)
    data = export_structure(board=board, year=2022)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == [sheet.title for sheet in sheets.SHEETS]
    result = import_structure(data=data, user=None, dry_run=False)
    assert result.ok, [str(e) for e in result.errors]
    assert result.changed == 0, result.summary_lines()
    assert sum(c.unchanged for c in result.counts.values()) > 50
    assert records(board, 2022) == before


# --- a workbook written by hand, with every value kind, on an empty board-year ---------------


@pytest.fixture
def empty_year(board_an, municipality):
    structure_prerequisites(municipality)
    return board_an


def test_every_value_kind_is_stored_exactly_as_written(empty_year, admin_user):
    board = empty_year
    result = import_structure(data=write_workbook(EVERY_KIND), user=admin_user, dry_run=False)
    assert result.ok, [str(e) for e in result.errors]
    assert result.written
    assert {kind: count.created for kind, count in result.counts.items()} == {
        "goals": 2,
        "indicators": 4,
        "breakdowns": 5,
        "targets": 6,
        "values": 7,
        "footnotes": 3,
        "assignments": 2,
        "policies": 1,
        "activities": 5,
    }
    goals = {g.title: g for g in BoardGoal.objects.filter(board=board)}
    assert goals["Fler går till arbete eller studier"].description == "=inte en formel"
    assert goals["Tryggare mötesplatser"].description == ""  # the empty cell
    assert {g.valid_from for g in goals.values()} == {YEAR}

    ind = {i.name: i for i in Indicator.objects.filter(board=board)}
    share = ind["Andel i arbete efter insats"]
    assert (share.unit, share.decimals, share.source, share.mandatory) == (
        "procent",
        1,
        "SCB",
        True,
    )
    assert ind["Upplevd trygghet"].unit == Indicator.Unit.TEXT
    assert ind["Varav unga"].parent == share
    assert ind["Antal deltagare"].category == Indicator.Category.VOLUME
    assert ind["Antal deltagare"].board_goal is None
    links = IndicatorBreakdown.objects.filter(indicator=ind["Antal deltagare"])
    assert sorted(link.breakdown.label for link in links) == ["Totalt", "UAF"]

    targets = {(t.indicator.name, t.breakdown.label): t for t in Target.objects.filter(year=YEAR)}
    assert targets[(share.name, "Totalt")].value == Decimal("88.9")
    assert targets[(share.name, "Kvinnor")].trend == Target.TrendDirection.NOT_INCREASE
    bound = targets[(share.name, "Män")]
    assert (bound.kind, bound.operator, bound.value) == ("grans", ">=", Decimal(85))
    young = targets[("Varav unga", "Totalt")]
    assert (young.trend, young.base_value, young.base_year) == ("ej_minska", Decimal("12.5"), 2022)
    assert targets[("Upplevd trygghet", "Totalt")].text == "Tryggare än 2022"
    assert targets[("Antal deltagare", "Totalt")].kind == Target.Kind.MISSING

    values = {
        (v.indicator.name, v.year, v.breakdown.label): v
        for v in IndicatorValue.objects.select_related("indicator", "breakdown__org_unit")
    }
    assert values[(share.name, YEAR, "Totalt")].value == Decimal("88.9")
    assert values[(share.name, YEAR, "Totalt")].comment == "Preliminärt"
    assert values[(share.name, YEAR, "Kvinnor")].value == Decimal(90)
    assert values[(share.name, 2021, "Totalt")].value == Decimal("80.1")  # a baseline
    assert values[(share.name, 2022, "Totalt")].value == Decimal("81.5")
    missing = values[(share.name, 2022, "Kvinnor")]
    assert (missing.value, missing.missing_reason) == (None, "for_litet_underlag")
    text = values[("Upplevd trygghet", YEAR, "Totalt")]
    assert text.is_text and text.text == "Tryggheten ökade i alla stadsdelar"
    assert values[("Antal deltagare", YEAR, "UAF")].value == Decimal(3327)
    assert len(values) == 7

    shared = Footnote.objects.get(text="Gäller båda åren")
    assert shared.value == values[(share.name, YEAR, "Totalt")]
    assert list(shared.shared_values.all()) == [values[(share.name, 2021, "Totalt")]]
    assert (
        Footnote.objects.get(text="Om målet").board_goal.title
        == "Fler går till arbete eller studier"
    )
    assert Footnote.objects.get(text="Om målet").year == YEAR
    assert Footnote.objects.get(text="Om målvärdet").target == targets[(share.name, "Totalt")]

    own = StrategicAssignment.objects.get(text__startswith="Utred")
    assert (own.scope, own.board, own.note) == ("namnduppdrag", board, "Ny 2023")

    acts = {a.title: a for a in Activity.objects.filter(board=board, year=YEAR)}
    two = acts["Samverkan med arbetsgivare"]
    assert sorted(g.title for g in two.board_goals.all()) == sorted(goals)
    assert (two.deadline, two.due_quarter) == ("Succesivt avslut Q4", 4)
    created = two.history.get()  # its history row holds the goals, as a save would write it
    assert created.history_user == admin_user and created.history_type == "+"
    assert sorted(link.boardgoal.title for link in created.board_goals.all()) == sorted(goals)
    area_only = acts["Medarbetarenkät"]
    assert (area_only.goal_area.name, area_only.board_goals.count()) == ("Medarbetare", 0)
    assert (area_only.deadline, area_only.due_quarter) == ("Kontinuerligt, uppföljning Q4", 4)
    policy = acts["Trygghetsvandringar"]
    assert policy.policy_document.title == "Program för trygghet och säkerhet"
    assert (policy.deadline, policy.due_quarter) == ("Sept Q3", 3)
    assert acts["Ingång för arbetssökande"].assignment == own
    assert acts["Ingång för arbetssökande"].due_quarter == 4
    assert (acts["Löpande uppföljning"].deadline, acts["Löpande uppföljning"].due_quarter) == (
        "",
        2,
    )

    # History: who wrote it, from where.
    assert share.history.first().history_user == admin_user
    assert share.history.first().history_source == "import"

    # The written workbook comes back unchanged.
    again = import_structure(
        data=export_structure(board=board, year=YEAR), user=admin_user, dry_run=False
    )
    assert again.ok and again.changed == 0, again.summary_lines()


def test_the_same_file_twice_changes_nothing_the_second_time(empty_year, admin_user):
    rows = {**EVERY_KIND, "policies": [["SD-1", "Program för trygghet och säkerhet", None, None]]}
    data = write_workbook(rows)  # an empty Ordning reads as the stored 0
    import_structure(data=data, user=admin_user, dry_run=False)
    second = import_structure(data=data, user=admin_user, dry_run=False)
    assert second.ok and second.changed == 0, second.summary_lines()


def test_dry_run_reports_and_writes_nothing(empty_year, admin_user):
    result = import_structure(data=write_workbook(EVERY_KIND), user=admin_user, dry_run=True)
    assert result.ok and not result.written
    assert result.counts["indicators"].created == 4
    assert not Indicator.objects.exists()
    assert not Activity.objects.exists()


def test_a_renamed_row_is_found_by_its_id_and_updated(empty_year, admin_user):
    import_structure(data=write_workbook(EVERY_KIND), user=admin_user, dry_run=False)
    book = load_workbook(io.BytesIO(export_structure(board=empty_year, year=YEAR)))
    ws = book[sheets.GOAL_SHEET.title]
    assert ws["C2"].value == "Fler går till arbete eller studier"
    ws["C2"].value = "Fler i egen försörjning"
    ws = book[sheets.INDICATOR_SHEET.title]
    ws["G2"].value = 2  # Decimaler of IND-1
    out = io.BytesIO()
    book.save(out)
    result = import_structure(data=out.getvalue(), user=admin_user, dry_run=False)
    assert result.ok, [str(e) for e in result.errors]
    assert (result.counts["goals"].updated, result.counts["goals"].created) == (1, 0)
    assert (result.counts["indicators"].updated, result.counts["indicators"].created) == (1, 0)
    assert result.changed == 2
    goal = BoardGoal.objects.get(title="Fler i egen försörjning")
    assert goal.indicators.get().decimals == 2
    assert goal.activities.count() == 2  # its activities still point at it
    assert BoardGoal.objects.count() == 2


def test_a_changed_header_is_an_error_at_row_one(empty_year, admin_user):
    book = load_workbook(io.BytesIO(write_workbook(EVERY_KIND)))
    book[sheets.INDICATOR_SHEET.title]["F1"].value = "Måttenhet"
    out = io.BytesIO()
    book.save(out)
    result = import_structure(data=out.getvalue(), user=admin_user, dry_run=False)
    assert [str(e) for e in result.errors] == [
        "Blad Indikatorer, rad 1, kolumn Enhet: Rubriken ska vara ”Enhet”."
    ]
    assert not Indicator.objects.exists()
