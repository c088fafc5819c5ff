"""The verksamhetsplan (reports.report.verksamhetsplan): every activity of the year under what it
serves, deadlines as written, the follow-up at an occasion, the workbook, a flat query count."""

from __future__ import annotations

import io
from collections import defaultdict

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from goals.models import (
    Activity,
    ActivityStatus,
    BoardGoal,
    CouncilGoal,
    GoalArea,
    PlanKind,
    PolicyDocument,
    ReportingOccasion,
    StrategicAssignment,
    WorkStatus,
)
from goals.structure_services import create_activity
from reports.renderers.xlsx import render_xlsx
from reports.report.goal_tables import NOT_REPORTED
from reports.report.model import Report, ReportKind, ReportTable, RowKind
from reports.report.plans import build_plan
from reports.report.verksamhetsplan import (
    FOLLOW_UP,
    NO_ACTIVITIES,
    OCCASION_OF_OTHER_PLAN,
    OTHER_ACTIVITIES,
    WHOLE_AREA,
    build_verksamhetsplan,
)

pytestmark = pytest.mark.django_db

YEAR = 2022
Scope = StrategicAssignment.Scope


# --- reading the built tables ------------------------------------------------------------------


def listed(table: ReportTable) -> list[tuple[str, str, ...]]:
    """(section, group, activity, deadline[, status, comment]) per data row, the group read
    from the cell that spans the row (a covered cell repeats the one above)."""
    out = []
    section = group = ""
    for row in table.rows:
        if row.kind == RowKind.SECTION:
            section = row.cells[0].text
            continue
        head, *rest = row.cells
        if not head.covered:
            group = head.text
        out.append((section, group, *(cell.text for cell in rest)))
    return out


def check_spans(table: ReportTable) -> None:
    """Each group cell spans exactly the rows below it that it covers."""
    rows = [row for row in table.rows if row.kind == RowKind.DATA]
    index = 0
    while index < len(rows):
        head = rows[index].cells[0]
        assert not head.covered
        covered = rows[index + 1 : index + head.rowspan]
        assert len(covered) == head.rowspan - 1
        assert all(row.cells[0].covered for row in covered)
        assert all(
            len(row.cells) == len(table.columns) for row in rows[index : index + head.rowspan]
        )
        index += head.rowspan


# --- own fixtures ------------------------------------------------------------------------------


def area(name: str, order: int) -> GoalArea:
    return GoalArea.objects.get_or_create(name=name, defaults={"order": order})[0]


def council_goal(goal_area: GoalArea, title: str) -> CouncilGoal:
    return CouncilGoal.objects.create(goal_area=goal_area, title=title, valid_from=2019)


def board_goal(board, council: CouncilGoal, title: str, order: int = 0) -> BoardGoal:
    return BoardGoal.objects.create(
        board=board, council_goal=council, title=title, valid_from=2019, order=order
    )


def activity(board, title: str, deadline: str, *, year: int = YEAR, order: int = 0, **links):
    return create_activity(
        user=None, board=board, year=year, title=title, deadline=deadline, order=order, **links
    ).object


def assignment(board, scope: str, text: str, **extra) -> StrategicAssignment:
    return StrategicAssignment.objects.create(
        municipality=board.municipality,
        scope=scope,
        board=None if scope == Scope.COMMON else board,
        text=text,
        valid_from=2019,
        **extra,
    )


@pytest.fixture
def plan(board_an, board_other):
    citizens, economy = area("Medborgare", 2), area("Ekonomi", 3)
    kf_citizens = council_goal(citizens, "Välfärd med hög kvalitet")
    kf_economy = council_goal(economy, "Hållbar ekonomi")
    access = board_goal(board_an, kf_citizens, "Hög tillgänglighet", 1)
    self_support = board_goal(board_an, kf_citizens, "Hög egenförsörjning", 2)
    steering = board_goal(board_an, kf_economy, "God ekonomisk styrning", 1)
    board_goal(board_an, kf_economy, "Kostnadseffektivitet", 2)  # no activities
    board_goal(board_other, kf_economy, "Annan nämnds mål")
    common = assignment(board_an, Scope.COMMON, "Samtliga nämnder ska öka e-handeln", order=1)
    assignment(board_an, Scope.COMMON, "Samtliga nämnder ska spara energi", order=2)
    specific = assignment(
        board_an, Scope.BOARD, "AN ska minska biståndet", note="Kvarstår från Budget 2021"
    )
    own = assignment(board_an, Scope.BOARD_OWN, "Nämnduppdrag: ny rutin")
    assignment(board_other, Scope.BOARD, "BIN ska bygga skolor")
    procurement = PolicyDocument.objects.create(
        municipality=board_an.municipality, title="Upphandlingspolicy", valid_from=2019, order=1
    )
    PolicyDocument.objects.create(
        municipality=board_an.municipality, title="Miljöprogram", valid_from=2019, order=2
    )
    PolicyDocument.objects.create(
        municipality=board_an.municipality, title="Gammal policy", valid_from=2015, valid_to=2018
    )
    made = {
        "both": activity(
            board_an, "Gemensam rutin för synpunkter", "Q2", board_goals=[access, self_support]
        ),
        "later": activity(board_an, "Breddinförande", "Succesivt avslut Q4", board_goals=[access]),
        "ongoing": activity(board_an, "Löpande analys", "Kontinuerligt", board_goals=[steering]),
        "area": activity(
            board_an, "Hela området", "Kontinuerligt, uppföljning Q4", goal_area=economy
        ),
        "common": activity(
            board_an,
            "Etablera inköpsorganisation",
            "Sept Q3",
            board_goals=[steering],
            assignment=common,
        ),
        "specific": activity(board_an, "Arena Arbetsmarknad", "Q1", assignment=specific),
        "policy": activity(board_an, "Följ upphandlingsplanen", "Q3", policy_document=procurement),
        "own": activity(board_an, "Skriv rutinen", "", assignment=own),
    }
    # Another board's and another year's activities are not AN's 2022 plan.
    activity(board_other, "BIN:s aktivitet", "Q1", goal_area=economy)
    activity(board_an, "Nästa års aktivitet", "Q1", year=2023, board_goals=[access])
    return made


def test_goals_table_lists_each_activity_under_each_goal_it_serves(board_an, plan):
    report = build_verksamhetsplan(board_an, YEAR)
    assert report.kind == ReportKind.VERKSAMHETSPLAN and report.title == "Verksamhetsplan 2022"
    assert report.subtitle == ""
    table = report.table("namndmal")
    assert [column.label for column in table.columns] == ["Nämndmål", "Aktivitet", "Klart"]
    check_spans(table)
    assert listed(table) == [
        ("Målområde Medborgare", "Hög tillgänglighet", "Gemensam rutin för synpunkter", "Q2"),
        ("Målområde Medborgare", "Hög tillgänglighet", "Breddinförande", "Succesivt avslut Q4"),
        ("Målområde Medborgare", "Hög egenförsörjning", "Gemensam rutin för synpunkter", "Q2"),
        ("Målområde Ekonomi", "God ekonomisk styrning", "Etablera inköpsorganisation", "Sept Q3"),
        ("Målområde Ekonomi", "God ekonomisk styrning", "Löpande analys", "Kontinuerligt"),
        ("Målområde Ekonomi", "Kostnadseffektivitet", NO_ACTIVITIES, ""),
        ("Målområde Ekonomi", WHOLE_AREA, "Hela området", "Kontinuerligt, uppföljning Q4"),
    ]
    sections = [row.cells[0] for row in table.rows if row.kind == RowKind.SECTION]
    assert all(cell.colspan == 3 for cell in sections)


def test_assignment_policy_and_other_tables(board_an, plan):
    report = build_verksamhetsplan(board_an, YEAR)
    assert [table.key for table in report.tables] == [
        "namndmal",
        "uppdrag-kommungemensamma",
        "uppdrag-namndspecifika",
        "styrdokument",
        "ovriga",
    ]
    common, specific = (
        report.table("uppdrag-kommungemensamma"),
        report.table("uppdrag-namndspecifika"),
    )
    assert common.sheet == specific.sheet == "uppdrag"
    assert listed(common) == [
        ("", "Samtliga nämnder ska öka e-handeln", "Etablera inköpsorganisation", "Sept Q3"),
        ("", "Samtliga nämnder ska spara energi", NO_ACTIVITIES, ""),
    ]
    assert listed(specific) == [
        ("", "AN ska minska biståndet (Kvarstår från Budget 2021)", "Arena Arbetsmarknad", "Q1"),
    ]  # BIN's assignment is not AN's
    assert listed(report.table("styrdokument")) == [
        ("", "Upphandlingspolicy", "Följ upphandlingsplanen", "Q3"),
        ("", "Miljöprogram", NO_ACTIVITIES, ""),
    ]  # a policy no longer valid is not listed
    assert listed(report.table("ovriga")) == [("", "Nämnduppdrag: ny rutin", "Skriv rutinen", "")]
    for table in report.tables:
        check_spans(table)


def test_no_styrdokument_table_without_its_activities(board_an, plan):
    plan["policy"].delete()
    report = build_verksamhetsplan(board_an, YEAR)
    assert "styrdokument" not in [table.key for table in report.tables]


def test_an_activity_whose_links_are_outside_the_year_still_appears(board_an, plan):
    """Nothing is lost: an activity whose nämndmål has no KF goal of the year is listed under
    Övriga aktiviteter."""
    retired = council_goal(area("Medborgare", 2), "Gammalt KF-mål")
    retired.valid_to = 2020
    retired.save()
    orphan_goal = board_goal(board_an, retired, "Föräldralöst nämndmål")
    orphan = Activity.objects.create(board=board_an, year=YEAR, title="Kvarglömd", deadline="Q4")
    orphan.board_goals.set([orphan_goal])
    rows = listed(build_verksamhetsplan(board_an, YEAR).table("ovriga"))
    assert ("", OTHER_ACTIVITIES, "Kvarglömd", "Q4") in rows


def test_follow_up_has_status_and_comment(board_an, plan):
    occasion = ReportingOccasion.objects.create(board=board_an, year=YEAR, kind="d1")
    ActivityStatus.objects.create(
        occasion=occasion, activity=plan["both"], status=WorkStatus.DONE, comment=""
    )
    ActivityStatus.objects.create(
        occasion=occasion,
        activity=plan["common"],
        status=WorkStatus.ONGOING,
        comment="Fortsätter Q1",
    )
    other = ReportingOccasion.objects.create(board=board_an, year=YEAR, kind="helar")
    ActivityStatus.objects.create(occasion=other, activity=plan["later"], status=WorkStatus.DONE)
    report = build_plan(board_an, YEAR, PlanKind.VERKSAMHETSPLAN, occasion=occasion)
    assert report.subtitle == FOLLOW_UP.format(label="Delår 1 2022") == "Uppföljning Delår 1 2022"
    goals = report.table("namndmal")
    assert [column.label for column in goals.columns][-2:] == ["Status", "Kommentar"]
    check_spans(goals)
    rows = listed(goals)
    assert rows[0] == (
        "Målområde Medborgare",
        "Hög tillgänglighet",
        "Gemensam rutin för synpunkter",
        "Q2",
        "Genomfört",
        "",
    )
    # The status of another occasion is not this one's.
    assert rows[1][2:] == ("Breddinförande", "Succesivt avslut Q4", NOT_REPORTED, "")
    assert ("Etablera inköpsorganisation", "Sept Q3", "Pågår", "Fortsätter Q1") in [
        row[2:] for row in listed(report.table("uppdrag-kommungemensamma"))
    ]
    assert ("Målområde Ekonomi", "Kostnadseffektivitet", NO_ACTIVITIES, "", "", "") in rows


def test_an_occasion_of_another_board_or_year_is_refused(board_an, board_other, plan):
    for board, year in ((board_other, YEAR), (board_an, 2021)):
        occasion = ReportingOccasion.objects.create(board=board, year=year, kind="d1")
        with pytest.raises(ValueError, match=OCCASION_OF_OTHER_PLAN.format(year=YEAR)):
            build_verksamhetsplan(board_an, YEAR, occasion=occasion)


# --- the workbook ------------------------------------------------------------------------------


def workbook_texts(report: Report) -> dict[str, list]:
    workbook = load_workbook(io.BytesIO(render_xlsx(report)))
    cells = defaultdict(list)
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    cells[ws.title].append(cell)
    return cells


def test_workbook_keeps_texts_as_text(board_an, plan):
    hostile = activity(
        board_an,
        '=HYPERLINK("http://x";"klick")',
        "=Q2",
        goal_area=GoalArea.objects.get(name="Ekonomi"),
    )
    occasion = ReportingOccasion.objects.create(board=board_an, year=YEAR, kind="helar")
    ActivityStatus.objects.create(
        occasion=occasion, activity=hostile, status=WorkStatus.ONGOING, comment="=1+1"
    )
    cells = workbook_texts(build_verksamhetsplan(board_an, YEAR, occasion=occasion))
    every = [cell for sheet in cells.values() for cell in sheet]
    assert every and all(cell.data_type == "s" for cell in every)  # no numbers, no formulas
    values = {cell.value for cell in every}
    for text in ('=HYPERLINK("http://x";"klick")', "=Q2", "=1+1", "Succesivt avslut Q4"):
        assert text in values
    assert "Gemensam rutin för synpunkter" in values and "Pågår" in values
    assert {"Aktiviteter per nämndmål", "Strategiska utvecklingsuppdrag"} <= set(cells)


# --- query count -------------------------------------------------------------------------------


def count_build(board, occasion=None) -> tuple[int, Report]:
    with CaptureQueriesContext(connection) as ctx:
        report = build_verksamhetsplan(board, YEAR, occasion=occasion)
    return len(ctx.captured_queries), report


def test_query_count_is_flat(board_an, plan):
    occasion = ReportingOccasion.objects.create(board=board_an, year=YEAR, kind="helar")
    small, _ = count_build(board_an, occasion)
    small_plan, _ = count_build(board_an)
    economy = GoalArea.objects.get(name="Ekonomi")
    more = council_goal(economy, "Fler KF-mål")
    procurement = PolicyDocument.objects.get(title="Upphandlingspolicy")
    for year in (2019, 2020, 2021, 2023):  # other years' activities are read by no one
        activity(board_an, f"Aktivitet {year}", "Q1", year=year, goal_area=economy)
    for index in range(6):
        goal = board_goal(board_an, more, f"Nytt nämndmål {index}", 10 + index)
        common = assignment(board_an, Scope.COMMON, f"Nytt uppdrag {index}", order=10 + index)
        own = assignment(board_an, Scope.BOARD_OWN, f"Nytt nämnduppdrag {index}")
        for number in range(3):
            made = activity(
                board_an,
                f"Ny aktivitet {index}.{number}",
                f"Q{number + 1}",
                board_goals=[goal],
                assignment=common if number == 0 else own,
                policy_document=procurement if number == 2 else None,
            )
            ActivityStatus.objects.create(occasion=occasion, activity=made, status=WorkStatus.DONE)
    large, report = count_build(board_an, occasion)
    large_plan, _ = count_build(board_an)
    assert sum(len(listed(table)) for table in report.tables) >= 50
    assert small == large == 8, f"queries grew from {small} to {large}"
    assert small_plan == large_plan == 7


# --- the demo: AN 2022 -------------------------------------------------------------------------


def test_demo_plan_lists_every_activity_of_an_2022(demo_data):
    board = demo_data
    report = build_plan(board, YEAR, PlanKind.VERKSAMHETSPLAN)
    by_table = {table.key: listed(table) for table in report.tables}
    for table in report.tables:
        check_spans(table)
    activities = list(
        Activity.objects.filter(board=board, year=YEAR)
        .select_related("assignment", "policy_document", "goal_area")
        .prefetch_related("board_goals")
    )
    assert len(activities) >= 9
    scope_table = {
        Scope.COMMON: "uppdrag-kommungemensamma",
        Scope.BOARD: "uppdrag-namndspecifika",
        Scope.BOARD_OWN: "ovriga",
    }
    for item in activities:
        places = []
        for goal in item.board_goals.all():
            area_name = goal.council_goal.goal_area.name
            places.append(("namndmal", f"Målområde {area_name}", goal.title))
        if item.goal_area is not None:
            places.append(("namndmal", f"Målområde {item.goal_area.name}", WHOLE_AREA))
        if item.assignment is not None:
            text = item.assignment.text
            if item.assignment.note:
                text += f" ({item.assignment.note})"
            places.append((scope_table[item.assignment.scope], "", text))
        if item.policy_document is not None:
            places.append(("styrdokument", "", item.policy_document.title))
        if not places:
            places.append(("ovriga", "", OTHER_ACTIVITIES))
        for key, section, group in places:
            assert (section, group, item.title, item.deadline) in by_table[key], (key, item.title)
    # Nothing else is listed: each row is a demo activity or an empty goal or assignment.
    titles = {item.title for item in activities} | {NO_ACTIVITIES}
    assert {row[2] for rows in by_table.values() for row in rows} <= titles
    assert (
        "Målområde Medarbetare",
        "Goda arbetsplatser",
        "Partsgemensamt förberedelsearbete inför samverkansavtalet",
        "Kontinuerligt",
    ) in by_table["namndmal"]


def test_demo_follow_up_shows_the_statuses_of_the_year_end(demo_data):
    board = demo_data
    occasion = ReportingOccasion.objects.get(board=board, year=YEAR, kind="helar")
    statuses = {
        status.activity.title: status
        for status in ActivityStatus.objects.filter(occasion=occasion).select_related("activity")
    }
    assert len(statuses) >= 9
    report = build_plan(board, YEAR, PlanKind.VERKSAMHETSPLAN, occasion=occasion)
    assert report.subtitle == "Uppföljning Helår 2022"
    seen = set()
    for table in report.tables:
        for _section, _group, title, _deadline, status, comment in listed(table):
            if title == NO_ACTIVITIES:
                assert (status, comment) == ("", "")
                continue
            expected = statuses.get(title)
            assert status == (WorkStatus(expected.status).label if expected else NOT_REPORTED)
            assert comment == (expected.comment if expected else "")
            seen.add(title)
    assert set(statuses) <= seen
    rows = listed(report.table("namndmal"))
    assert ("Utbildning inom prognosarbetet", "Q4", "Ej relevant") in [row[2:5] for row in rows]
    cells = workbook_texts(report)
    values = {cell.value for sheet in cells.values() for cell in sheet}
    assert {"Ej relevant", "Pågår", "Genomfört"} <= values
