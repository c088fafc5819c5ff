"""An approved year's report, rebuilt now, equals its archived copy after later years change.

The demo is loaded without its own rollover (demo.loaders.rollover), so AN's 2020–2022
occasions are approved and archived while 2023 does not exist yet. Then 2023 is made by the
year rollover and its structure edited with plain ORM saves (the structure services may not
be there); the reports of 2022 and earlier, rebuilt at their approval time, are the archived
JSON exactly. A change to 2022 itself does show: the comparison can fail.
"""

from __future__ import annotations

import pytest

from demo.management.commands.load_demo import LOADERS, load_all
from goals import rollover
from goals.models import Board, BoardGoal
from indicators.models import Indicator
from reports.archive import report_json_text
from reports.models import ArchivedReport
from reports.renderers.xlsx import render_xlsx
from reports.report.documents import build_document, document_for_occasion
from tests.test_demo_load import sheet_values

pytestmark = pytest.mark.django_db


def rebuilt(archive: ArchivedReport):
    """The archive's document (its occasion's) built again now with the archive's time."""
    document = document_for_occasion(archive.kind)
    return build_document(archive.board, archive.year, document, now=archive.created_at)


def rebuilt_json(archive: ArchivedReport) -> str:
    return report_json_text(rebuilt(archive))


def assert_rebuilt_equals_archive(archives: list[ArchivedReport]) -> None:
    for archive in archives:
        report = rebuilt(archive)
        assert report_json_text(report) == archive.json_text, archive
        assert sheet_values(render_xlsx(report)) == sheet_values(bytes(archive.xlsx)), archive


@pytest.fixture
def archives(admin_user):
    load_all([path for path in LOADERS if path != "demo.loaders.rollover"])
    found = list(ArchivedReport.objects.filter(board__code="AN").select_related("board"))
    assert {archive.year for archive in found} == {2020, 2021, 2022}
    assert_rebuilt_equals_archive(found)  # before anything: the rebuild is the archive
    return found


def test_archives_equal_their_rebuild_after_the_rollover_and_a_2023_structure_edit(
    archives, admin_user
):
    board = Board.objects.get(code="AN")
    result = rollover.publish_rollover(board=board, from_year=2022, to_year=2023, user=admin_user)
    assert result.written > 0
    assert_rebuilt_equals_archive(archives)

    # 2023's structure edited with plain saves: a goal replaced, a new indicator, a rename.
    old = BoardGoal.objects.get(board=board, title="Goda arbetsplatser", valid_from=2020)
    old.valid_to = 2022
    old.save()
    new = BoardGoal.objects.create(
        board=board,
        council_goal=old.council_goal,
        title="Attraktiv arbetsgivare",
        order=old.order,
        valid_from=2023,
        predecessor=old,
    )
    Indicator.objects.create(
        board=board, board_goal=new, name="Andel medarbetare som rekommenderar", valid_from=2023
    )
    continued = (
        Indicator.objects.valid_in(2023)
        .filter(board=board, valid_to=2023, parent=None, board_goal__isnull=False)
        .first()
    )
    successor = Indicator.objects.create(
        board=board,
        board_goal=continued.board_goal,
        category=continued.category,
        name=f"{continued.name} (ny definition)",
        unit=continued.unit,
        valid_from=2023,
        predecessor=continued,
    )
    continued.valid_to = 2022
    continued.save()
    assert successor.is_valid_in(2023)
    assert_rebuilt_equals_archive(archives)


def test_a_change_to_the_archived_year_itself_shows_in_the_rebuild(archives):
    goal = BoardGoal.objects.get(board__code="AN", title="Goda arbetsplatser", valid_from=2020)
    goal.title = "Goda arbetsplatser (ändrad)"
    goal.save()
    archive = next(a for a in archives if a.year == 2022 and a.kind == "helar")
    assert rebuilt_json(archive) != archive.json_text


def test_archives_equal_their_rebuild_after_structure_page_edits_of_2023(archives, admin_user):
    """The structure services edit "as of" a year: a 2023 rename of a goal and an indicator that
    began in 2020 splits them, new breakdowns and targets for 2023 — 2022's reports stay."""
    from goals import structure_services as goal_services
    from indicators import structure_services as indicator_services

    board = Board.objects.get(code="AN")
    rollover.publish_rollover(board=board, from_year=2022, to_year=2023, user=admin_user)
    goal = BoardGoal.objects.valid_in(2023).get(board=board, title="Goda arbetsplatser")
    saved = goal_services.update_board_goal(
        user=admin_user,
        goal=goal,
        year=2023,
        council_goal=goal.council_goal,
        title="Goda och hälsosamma arbetsplatser",
        description=goal.description,
        order=goal.order,
    )
    renamed = saved.object
    assert renamed.pk != goal.pk and renamed.predecessor_id == goal.pk  # split, not rewritten
    indicator = (
        Indicator.objects.valid_in(2023)
        .filter(board=board, valid_from__lte=2022, parent=None, board_goal__isnull=False)
        .first()
    )
    changed = indicator_services.update_indicator(
        user=admin_user, indicator=indicator, year=2023, changes={"name": f"{indicator.name} (ny)"}
    ).object
    indicator_services.set_breakdowns(user=admin_user, indicator=changed, year=2023, by_gender=True)
    indicator_services.save_targets(
        user=admin_user,
        indicator=changed,
        year=2023,
        rows=[indicator_services.TargetInput(year=2024, kind="riktning", trend="ej_oka")],
    )
    assert_rebuilt_equals_archive(archives)


def test_a_correction_of_the_approved_year_is_recorded_and_the_archive_kept(archives, admin_user):
    from goals import structure_services as goal_services
    from goals.models import StructureCorrection

    goal = BoardGoal.objects.get(board__code="AN", title="Goda arbetsplatser", valid_from=2020)
    goal_services.update_board_goal(
        user=admin_user,
        goal=goal,
        year=2022,
        council_goal=goal.council_goal,
        title="Goda arbetsplatser",
        description="Rättad beskrivning",
        order=goal.order,
        reason="Fel beskrivning i beslutet",
    )
    correction = StructureCorrection.objects.get()
    assert (correction.year, correction.reason) == (2022, "Fel beskrivning i beslutet")
    archive = next(a for a in archives if a.year == 2022 and a.kind == "helar")
    archive.refresh_from_db()
    assert rebuilt_json(archive) != archive.json_text  # the rebuild shows the correction,
    assert "Rättad beskrivning" not in archive.json_text  # the archived copy never changes
