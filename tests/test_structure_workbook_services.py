"""The structure workbook changes stored rows through the structure services, as of its year.

A row valid over several years changed through a later year's workbook is split (the earlier
year keeps its row, the new row has `predecessor`); a change to an approved year is refused
without a reason and recorded as StructureCorrection with one; duplicate titles are warnings;
a wrong nämndmål link of an activity is a cell error.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from goals.integrity import DUPLICATE_GOAL_TITLE
from goals.models import (
    LINK_ACTIVITY_GOAL_YEAR,
    Activity,
    Board,
    BoardGoal,
    ReportingOccasion,
    StructureCorrection,
    years_text,
)
from indicators.importing import ImportRefused
from indicators.models import Footnote, Indicator, IndicatorBreakdown, IndicatorValue, Target
from indicators.structure_workbook import importing as wb
from indicators.structure_workbook import sheets
from indicators.structure_workbook.export import export_structure
from indicators.structure_workbook.importing import import_structure
from tests.structure_workbook_data import EVERY_KIND, YEAR, structure_prerequisites, write_workbook
from tests.test_archive_rollover import archives, assert_rebuilt_equals_archive  # noqa: F401
from tests.test_structure_workbook import records

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(board_an, municipality, admin_user):
    """EVERY_KIND imported into AN 2023; its rows run on (valid_to open)."""
    structure_prerequisites(municipality)
    result = import_structure(data=write_workbook(EVERY_KIND), user=admin_user, dry_run=False)
    assert result.ok and result.written, [str(e) for e in result.errors]
    return board_an


def approve(board: Board, year: int) -> ReportingOccasion:
    return ReportingOccasion.objects.create(
        board=board, year=year, kind="helar", state=ReportingOccasion.State.APPROVED
    )


def edited(data: bytes, sheet: sheets.Sheet, match: str, key: str, value: object) -> bytes:
    """The workbook with one cell changed: the row whose first cell is `match`, column `key`."""
    book = load_workbook(io.BytesIO(data))
    ws = book[sheet.title]
    column = [c.key for c in sheet.columns].index(key) + 1
    for row in ws.iter_rows(min_row=sheets.FIRST_ROW):
        if row[0].value == match:
            ws.cell(row=row[0].row, column=column, value=value)
            break
    else:
        raise AssertionError(f"{match} finns inte på {sheet.title}")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_later_years_workbook_splits_the_rows_and_leaves_the_earlier_year(imported, admin_user):
    board = imported
    approve(board, YEAR)  # an approved earlier year is not touched, so no reason is needed
    before = records(board, YEAR)
    goal = BoardGoal.objects.get(title="Fler går till arbete eller studier")
    indicator = Indicator.objects.get(name="Andel i arbete efter insats")
    assert (goal.valid_from, goal.valid_to, indicator.valid_to) == (YEAR, None, None)

    Footnote.objects.create(board_goal=goal, text="Arbete eller studier", order=1)
    Footnote.objects.create(board_goal=goal, year=YEAR + 1, text="Nytt mått 2024", order=2)
    before = records(board, YEAR)

    data = export_structure(board=board, year=YEAR + 1)
    note_id = next(
        key
        for key, rec in records(board, YEAR + 1)["footnotes"].items()
        if rec["text"] == "Arbete eller studier"
    )
    data = edited(data, sheets.FOOTNOTE_SHEET, note_id, "text", "Arbete, studier eller praktik")
    data = edited(data, sheets.GOAL_SHEET, "NM-1", "title", "Fler i arbete och studier")
    data = edited(data, sheets.INDICATOR_SHEET, "IND-1", "name", "Andel i arbete eller studier")
    # A volume measure without a goal: split by its own change, not by its goal's.
    volume_id = next(
        key
        for key, rec in records(board, YEAR + 1)["indicators"].items()
        if rec["name"] == "Antal deltagare"
    )
    data = edited(data, sheets.INDICATOR_SHEET, volume_id, "name", "Antal deltagare i insatser")
    result = import_structure(data=data, user=admin_user, dry_run=False)
    assert result.ok and result.written, [str(e) for e in result.errors]
    assert result.corrections == 0

    # The earlier year reads exactly as before: the old rows are closed at 2023.
    assert records(board, YEAR) == before
    goal.refresh_from_db()
    indicator.refresh_from_db()
    assert (goal.title, goal.valid_to) == ("Fler går till arbete eller studier", YEAR)
    assert (indicator.name, indicator.valid_to) == ("Andel i arbete efter insats", YEAR)
    new_goal = BoardGoal.objects.get(title="Fler i arbete och studier")
    new_indicator = Indicator.objects.get(name="Andel i arbete eller studier")
    assert (new_goal.valid_from, new_goal.predecessor) == (YEAR + 1, goal)
    assert (new_indicator.valid_from, new_indicator.predecessor) == (YEAR + 1, indicator)
    assert new_indicator.board_goal == new_goal
    # The sub-indicator followed its main indicator; 2023's values stay on the old row.
    sub = Indicator.objects.valid_in(YEAR + 1).get(name="Varav unga")
    assert sub.parent == new_indicator and sub.predecessor is not None
    assert IndicatorValue.objects.filter(indicator=indicator, year=YEAR).exists()
    assert Target.objects.filter(indicator=indicator, year=YEAR).count() == 3
    # The goal's footnotes: the one for every year copied (2023 keeps its text), 2024's moved.
    assert sorted(goal.footnotes.values_list("text", "year")) == [
        ("Arbete eller studier", None),
        ("Om målet", YEAR),
    ]
    assert sorted(new_goal.footnotes.values_list("text", "year")) == [
        ("Arbete, studier eller praktik", None),
        ("Nytt mått 2024", YEAR + 1),
    ]
    volume = Indicator.objects.get(name="Antal deltagare i insatser")
    assert (volume.valid_from, volume.predecessor.name) == (YEAR + 1, "Antal deltagare")
    assert volume.predecessor.valid_to == YEAR
    assert not StructureCorrection.objects.exists()

    # The split year's own export reads back unchanged.
    again = import_structure(
        data=export_structure(board=board, year=YEAR + 1), user=admin_user, dry_run=False
    )
    assert again.ok and again.changed == 0, again.summary_lines()


def test_a_breakdowns_order_changed_for_a_later_year_leaves_the_earlier_years_link(
    imported, admin_user
):
    board = imported
    before = records(board, YEAR)
    volume = Indicator.objects.get(name="Antal deltagare")
    ident = next(
        key
        for key, rec in records(board, YEAR + 1)["indicators"].items()
        if rec["name"] == "Antal deltagare"
    )
    book = load_workbook(io.BytesIO(export_structure(board=board, year=YEAR + 1)))
    ws = book[sheets.BREAKDOWN_SHEET.title]
    keys = [c.key for c in sheets.BREAKDOWN_SHEET.columns]
    for row in ws.iter_rows(min_row=sheets.FIRST_ROW):
        if row[0].value == ident and row[keys.index("org_unit")].value == "UAF":
            ws.cell(row=row[0].row, column=keys.index("order") + 1, value=7)
    out = io.BytesIO()
    book.save(out)
    result = import_structure(data=out.getvalue(), user=admin_user, dry_run=False)
    assert result.ok and result.counts["breakdowns"].updated == 1, result.summary_lines()
    assert records(board, YEAR) == before
    links = IndicatorBreakdown.objects.filter(indicator=volume, breakdown__org_unit__code="UAF")
    assert sorted(links.values_list("valid_from", "valid_to", "order")) == [
        (YEAR, YEAR, 1),
        (YEAR + 1, None, 7),
    ]


def note_id(board: Board, year: int, text: str) -> str:
    return next(
        key for key, rec in records(board, year)["footnotes"].items() if rec["text"] == text
    )


def test_a_footnote_for_every_year_changes_only_from_the_files_year(imported, admin_user):
    board = imported
    volume = Indicator.objects.get(name="Antal deltagare")
    goal = BoardGoal.objects.get(title="Tryggare mötesplatser")
    Footnote.objects.create(indicator=volume, text="Deltagare i insatser", order=0)
    Footnote.objects.create(board_goal=goal, text="Om trygghet", order=0)
    before = records(board, YEAR)
    data = export_structure(board=board, year=YEAR + 1)

    # The goal's note for every year is refused at its cell: nothing is written.
    refused = edited(
        data, sheets.FOOTNOTE_SHEET, note_id(board, YEAR + 1, "Om trygghet"), "text", "Ändrad"
    )
    result = import_structure(data=refused, user=admin_user, dry_run=False)
    assert [(e.sheet, e.column, e.message) for e in result.errors] == [
        (
            sheets.FOOTNOTE_SHEET.title,
            sheets.FOOTNOTE_SHEET.column["text"].header,
            wb.FOOTNOTE_FOR_EVERY_YEAR.format(owner="nämndmålet", year=YEAR + 1),
        )
    ]
    assert not Footnote.objects.filter(text="Ändrad").exists()

    # The indicator's definition changes as of the year: the indicator is split.
    changed = edited(
        data,
        sheets.FOOTNOTE_SHEET,
        note_id(board, YEAR + 1, "Deltagare i insatser"),
        "text",
        "Deltagare i arbetsmarknadsinsatser",
    )
    result = import_structure(data=changed, user=admin_user, dry_run=False)
    assert result.ok and result.written, [str(e) for e in result.errors]
    assert records(board, YEAR) == before
    successor = Indicator.objects.get(predecessor=volume)
    assert successor.valid_from == YEAR + 1
    assert volume.footnotes.get(year=None).text == "Deltagare i insatser"
    assert successor.footnotes.get(year=None).text == "Deltagare i arbetsmarknadsinsatser"


def test_an_approved_year_is_refused_without_a_reason_and_recorded_with_one(imported, admin_user):
    board = imported
    occasion = approve(board, YEAR)
    data = export_structure(board=board, year=YEAR)
    data = edited(data, sheets.GOAL_SHEET, "NM-2", "title", "Trygga och säkra mötesplatser")
    target_row = next(
        key for key in records(board, YEAR)["targets"] if key[0] == "IND-1" and key[2][0] == "M"
    )
    assert target_row
    book = load_workbook(io.BytesIO(data))
    ws = book[sheets.TARGET_SHEET.title]
    value_column = [c.key for c in sheets.TARGET_SHEET.columns].index("value") + 1
    for row in ws.iter_rows(min_row=sheets.FIRST_ROW):
        if row[0].value == "IND-1" and row[2].value == "Män":
            ws.cell(row=row[0].row, column=value_column, value=80)
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()

    with pytest.raises(ImportRefused) as refused:
        import_structure(data=data, user=admin_user, dry_run=False)
    assert refused.value.messages == [wb.APPROVED_YEAR.format(occasion=occasion, year=YEAR)]
    assert not BoardGoal.objects.filter(title="Trygga och säkra mötesplatser").exists()
    assert not StructureCorrection.objects.exists()

    result = import_structure(
        data=data, user=admin_user, dry_run=False, reason="Rubriken var fel i planen"
    )
    assert result.ok and result.written, [str(e) for e in result.errors]
    assert BoardGoal.objects.get(title="Trygga och säkra mötesplatser").valid_from == YEAR
    corrections = {c.object_label: c for c in StructureCorrection.objects.all()}
    assert result.corrections == len(corrections) == 2
    goal_fix = corrections["Nämndmål Tryggare mötesplatser"]
    assert "Tryggare mötesplatser → Trygga och säkra mötesplatser" in goal_fix.changes
    bulk_fix = corrections[wb.CORRECTION_LABEL.format(code="AN", year=YEAR)]
    assert "Målvärden: 1 nya eller ändrade rader" in bulk_fix.changes
    for correction in corrections.values():
        assert (correction.occasion, correction.year) == (occasion, YEAR)
        assert (correction.reason, correction.user) == ("Rubriken var fel i planen", admin_user)


def test_the_command_takes_a_reason_for_an_approved_year(imported, tmp_path, capsys):
    board = imported
    approve(board, YEAR)
    path = tmp_path / "fix.xlsx"
    path.write_bytes(
        edited(
            export_structure(board=board, year=YEAR),
            sheets.GOAL_SHEET,
            "NM-1",
            "description",
            "Ny beskrivning",
        )
    )
    with pytest.raises(CommandError):
        call_command("import_structure", "--file", str(path))
    assert not StructureCorrection.objects.exists()
    call_command("import_structure", "--file", str(path), "--reason", "Beskrivningen saknades")
    out = capsys.readouterr().out
    assert "1 rättelse(r) av godkända år sparades med motiveringen." in out
    correction = StructureCorrection.objects.get()
    assert (correction.reason, correction.user) == ("Beskrivningen saknades", None)


def duplicate_goal_file(board: Board) -> bytes:
    """The year's workbook when an older nämndmål (from 2022, still running) has the title of
    the year's first one: allowed (another start year), but worth a look."""
    first = BoardGoal.objects.get(title="Fler går till arbete eller studier")
    BoardGoal.objects.create(
        board=board, council_goal=first.council_goal, title=first.title, valid_from=YEAR - 1
    )
    data = export_structure(board=board, year=YEAR)
    return edited(data, sheets.INDICATOR_SHEET, "IND-4", "name", "Antal deltagare i insatser")


def test_duplicate_titles_are_warnings_on_the_command_and_the_page(
    imported, admin_user, client, tmp_path, capsys
):
    board = imported
    warning = DUPLICATE_GOAL_TITLE.format(
        title="Fler går till arbete eller studier", count=2, year=YEAR
    )
    data = duplicate_goal_file(board)

    dry = import_structure(data=data, user=admin_user, dry_run=True)
    assert dry.ok and dry.warnings == [warning]

    path = tmp_path / "dubbel.xlsx"
    path.write_bytes(data)
    call_command("import_structure", "--file", str(path), "--dry-run")
    assert f"Varning: {warning}" in capsys.readouterr().out

    client.force_login(admin_user)
    url = reverse("indicators:structure_workbook_upload", args=["AN", YEAR])
    response = client.post(url, {"file": _upload(data), "dry_run": "on"})
    assert response.status_code == 200
    assert warning in response.content.decode()
    response = client.post(url, {"file": _upload(data)}, follow=True)
    assert response.status_code == 200
    assert f"Varning: {warning}" in response.content.decode()
    assert BoardGoal.objects.filter(title="Fler går till arbete eller studier").count() == 2


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(wb.FILENAME, data, content_type="application/octet-stream")


def test_a_wrong_activity_link_is_a_cell_error(imported, admin_user):
    board = imported
    activity = Activity.objects.filter(board=board, year=YEAR).order_by("order", "pk").first()
    ended = BoardGoal.objects.create(
        board=board,
        council_goal=BoardGoal.objects.first().council_goal,
        title="Ett mål som slutade",
        valid_from=2020,
        valid_to=2021,
    )
    # A link older data may hold (a bulk insert skips the checks of add()).
    Activity.board_goals.through.objects.create(activity=activity, boardgoal=ended)
    ident = next(
        key
        for key, rec in records(board, YEAR)["activities"].items()
        if rec["title"] == activity.title
    )
    data = edited(
        export_structure(board=board, year=YEAR), sheets.ACTIVITY_SHEET, ident, "title", "Ny titel"
    )
    result = import_structure(data=data, user=admin_user, dry_run=False)
    assert not result.ok and not result.written
    message = LINK_ACTIVITY_GOAL_YEAR.format(goal=ended.title, year=YEAR, years=years_text(ended))
    assert [(e.sheet, e.column, e.message) for e in result.errors] == [
        (sheets.ACTIVITY_SHEET.title, sheets.ACTIVITY_SHEET.column["goals"].header, message)
    ]
    activity.refresh_from_db()
    assert activity.title != "Ny titel"


def test_an_approved_years_report_equals_its_archive_after_a_later_years_workbook(
    archives,  # noqa: F811
    admin_user,
):
    from goals import rollover

    board = Board.objects.get(code="AN")
    rollover.publish_rollover(board=board, from_year=2022, to_year=2023, user=admin_user)
    state = records(board, 2023)
    long_lived = {
        ind.name: ind
        for ind in Indicator.objects.valid_in(2023).filter(board=board, valid_from__lt=2023)
    }
    ident, rec = next(
        (key, rec) for key, rec in state["indicators"].items() if rec["name"] in long_lived
    )
    # A goal other than the indicator's: the indicator is split by its own change.
    goal_ident = next(key for key, goal in state["goals"].items() if key != rec["goal"])
    data = export_structure(board=board, year=2023)
    data = edited(data, sheets.INDICATOR_SHEET, ident, "name", rec["name"] + " (ny lydelse)")
    data = edited(data, sheets.GOAL_SHEET, goal_ident, "description", "Ny beskrivning 2023")
    result = import_structure(data=data, user=admin_user, dry_run=False)
    assert result.ok and result.written, [str(e) for e in result.errors]
    old = long_lived[rec["name"]]
    old.refresh_from_db()
    assert old.valid_to == 2022
    assert Indicator.objects.get(name=rec["name"] + " (ny lydelse)").predecessor == old
    assert_rebuilt_equals_archive(archives)


def test_the_upload_page_takes_a_reason_for_an_approved_year(imported, admin_user, client):
    board = imported
    occasion = approve(board, YEAR)
    data = edited(
        export_structure(board=board, year=YEAR),
        sheets.GOAL_SHEET,
        "NM-1",
        "description",
        "Beskrivning rättad",
    )
    client.force_login(admin_user)
    url = reverse("indicators:structure_workbook_upload", args=["AN", YEAR])
    page = client.get(url).content.decode()
    assert 'name="reason"' in page and "Motivering (krävs för ett godkänt år)" in page

    response = client.post(url, {"file": _upload(data)})
    assert response.status_code == 400
    assert wb.APPROVED_YEAR.format(occasion=occasion, year=YEAR) in response.content.decode()
    assert not StructureCorrection.objects.exists()

    response = client.post(url, {"file": _upload(data), "reason": "Texten saknades i planen"})
    assert response.status_code == 302
    correction = StructureCorrection.objects.get()
    assert (correction.reason, correction.user, correction.occasion) == (
        "Texten saknades i planen",
        admin_user,
        occasion,
    )
    assert BoardGoal.objects.get(description="Beskrivning rättad").valid_from == YEAR
