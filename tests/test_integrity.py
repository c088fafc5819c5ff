"""Every link of the structure stays within one board and within overlapping years.

The model rules (clean(), run by full_clean()) give a Swedish message on the field; the
database triggers (goals 0006, indicators 0004) refuse the cross-board links on every path,
raw SQL and bulk_create included. Run on SQLite and on PostgreSQL (DATABASE_URL).
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from budget.models import LINK_PLAN_CHANGE_LINE_OTHER_BOARD, BudgetLine, PlanChange
from goals import integrity
from goals.models import (
    LINK_ACTIVITY_ASSIGNMENT_OTHER_BOARD,
    LINK_ACTIVITY_ASSIGNMENT_YEAR,
    LINK_ACTIVITY_GOAL_OTHER_BOARD,
    LINK_ACTIVITY_GOAL_YEAR,
    LINK_ACTIVITY_POLICY_YEAR,
    LINK_ACTIVITY_YEAR_OUTSIDE_BOARD,
    LINK_ASSIGNMENT_PREDECESSOR_OTHER_BOARD,
    LINK_COUNCIL_GOAL_YEARS,
    LINK_GOAL_PREDECESSOR_OTHER_BOARD,
    Activity,
    BoardGoal,
    CouncilGoal,
    GoalArea,
    PolicyDocument,
    StrategicAssignment,
)
from goals.models import LINK_NOT_OWN_PREDECESSOR as GOALS_NOT_OWN_PREDECESSOR
from indicators.models import (
    LINK_BREAKDOWN_YEARS,
    LINK_INDICATOR_GOAL_OTHER_BOARD,
    LINK_INDICATOR_GOAL_YEARS,
    LINK_INDICATOR_PARENT_OTHER_BOARD,
    LINK_INDICATOR_PARENT_SELF,
    LINK_INDICATOR_PARENT_YEARS,
    LINK_NOT_OWN_PREDECESSOR,
    LINK_TARGET_BREAKDOWN,
    LINK_TARGET_YEAR,
    Indicator,
    IndicatorBreakdown,
    Target,
)
from tests.builders import breakdown

GOALS_RULES = integrity.ACTIVITY_LINK_RULES
INDICATOR_RULES = integrity.INDICATOR_LINK_RULES


@pytest.fixture
def council(db):
    area = GoalArea.objects.get_or_create(name="Medborgare", defaults={"order": 2})[0]
    return CouncilGoal.objects.create(goal_area=area, title="KF-mål", valid_from=2019)


@pytest.fixture
def goal_an(board_an, council):
    return BoardGoal.objects.create(
        board=board_an, council_goal=council, title="AN:s mål", valid_from=2021, valid_to=2022
    )


@pytest.fixture
def goal_other(board_other, council):
    return BoardGoal.objects.create(
        board=board_other, council_goal=council, title="BIN:s mål", valid_from=2021
    )


def indicator(board, goal, **extra) -> Indicator:
    fields = {"name": "Antal deltagare", "valid_from": 2021, **extra}
    return Indicator.objects.create(board=board, board_goal=goal, **fields)


def field_messages(error: pytest.ExceptionInfo[ValidationError], field: str) -> list[str]:
    return error.value.message_dict[field]


# --- clean(): refused with the message, accepted when right ----------------------------------


def test_indicator_goal_of_another_board_is_refused(board_an, goal_other, goal_an):
    row = Indicator(board=board_an, board_goal=goal_other, name="X", valid_from=2021)
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert field_messages(error, "board_goal") == [LINK_INDICATOR_GOAL_OTHER_BOARD]
    row.board_goal = goal_an
    row.full_clean()


def test_indicator_goal_years_must_overlap(board_an, goal_an):
    row = Indicator(board=board_an, board_goal=goal_an, name="X", valid_from=2023)
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert field_messages(error, "board_goal") == [
        LINK_INDICATOR_GOAL_YEARS.format(indicator="2023–", goal="2021–2022")
    ]
    row.valid_from = 2022
    row.full_clean()


def test_indicator_parent_same_board_and_overlapping_years(board_an, board_other, goal_an):
    other_goal = BoardGoal.objects.create(
        board=board_other, council_goal=goal_an.council_goal, title="Y", valid_from=2019
    )
    foreign = indicator(board_other, other_goal)
    parent = indicator(board_an, goal_an, valid_to=2021)
    row = Indicator(board=board_an, parent=foreign, name="Del", valid_from=2021)
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert field_messages(error, "parent") == [LINK_INDICATOR_PARENT_OTHER_BOARD]
    row.parent, row.valid_from = parent, 2022
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert field_messages(error, "parent") == [
        LINK_INDICATOR_PARENT_YEARS.format(indicator="2022–", parent="2021–2021")
    ]
    row.valid_from = 2021
    row.full_clean()


def test_a_form_without_the_field_gets_the_error_as_a_non_field_error(board_an, goal_other):
    row = Indicator(board=board_an, board_goal=goal_other, name="X", valid_from=2021)
    with pytest.raises(ValidationError) as error:
        row.full_clean(exclude=["board_goal"])
    assert error.value.message_dict["__all__"] == [LINK_INDICATOR_GOAL_OTHER_BOARD]


def test_board_goal_years_overlap_the_council_goal(board_an, council):
    council.valid_to = 2020
    council.save()
    row = BoardGoal(board=board_an, council_goal=council, title="Nytt", valid_from=2021)
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert field_messages(error, "council_goal") == [
        LINK_COUNCIL_GOAL_YEARS.format(goal="2021–", council="2019–2020")
    ]
    row.valid_from = 2020
    row.full_clean()


def test_board_goal_predecessor_of_the_same_board(board_an, goal_an, goal_other):
    row = BoardGoal(
        board=board_an,
        council_goal=goal_an.council_goal,
        title="Efterträdaren",
        valid_from=2023,
        predecessor=goal_other,
    )
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert field_messages(error, "predecessor") == [LINK_GOAL_PREDECESSOR_OTHER_BOARD]
    row.predecessor = goal_an
    row.full_clean()


def test_assignment_predecessor_of_the_same_board(municipality, board_an, board_other):
    old = StrategicAssignment.objects.create(
        municipality=municipality,
        scope="namndspecifikt",
        board=board_other,
        text="A",
        valid_from=2019,
    )
    row = StrategicAssignment(
        municipality=municipality,
        scope="namndspecifikt",
        board=board_an,
        text="B",
        valid_from=2023,
        predecessor=old,
    )
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert field_messages(error, "predecessor") == [LINK_ASSIGNMENT_PREDECESSOR_OTHER_BOARD]
    old.board = board_an
    old.save()
    row.full_clean()


def test_indicator_breakdown_years_inside_the_indicators(board_an, goal_an):
    row_indicator = indicator(board_an, goal_an, valid_to=2022)
    row = IndicatorBreakdown(
        indicator=row_indicator, breakdown=breakdown("K"), valid_from=2018, valid_to=2022
    )
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert field_messages(error, "valid_from") == [
        LINK_BREAKDOWN_YEARS.format(breakdown="2018–2022", indicator="2021–2022")
    ]
    row.valid_from = 2019  # the two baseline years before the start are split too
    row.full_clean()
    row.valid_from, row.valid_to = 2021, None
    with pytest.raises(ValidationError):  # open end past the indicator's last year
        row.full_clean()
    row.valid_to = 2022
    row.full_clean()


def test_target_year_within_the_indicator_and_a_reported_breakdown(board_an, goal_an):
    row_indicator = indicator(board_an, goal_an, valid_to=2022)
    women = breakdown("K")
    row = Target(indicator=row_indicator, year=2024, breakdown=breakdown(), kind="varde", value=5)
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert field_messages(error, "year") == [
        LINK_TARGET_YEAR.format(year=2024, indicator="2021–2022")
    ]
    row.year = 2020
    with pytest.raises(ValidationError):
        row.full_clean()
    row.year = 2023  # the plan's target for the year after the last (carried by the rollover)
    row.full_clean()
    row.year = 2022
    row.full_clean()  # the total is always a target's breakdown
    row.breakdown = women
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert field_messages(error, "breakdown") == [
        LINK_TARGET_BREAKDOWN.format(breakdown="Kvinnor", year=2022)
    ]
    IndicatorBreakdown.objects.create(indicator=row_indicator, breakdown=women, valid_from=2021)
    Target(indicator=row_indicator, year=2022, breakdown=women, kind="varde", value=5).full_clean()


def test_activity_year_assignment_and_policy_document(municipality, board_an, board_other):
    board_an.valid_to = 2024
    board_an.save()
    activity = Activity(board=board_an, year=2025, title="Aktivitet")
    with pytest.raises(ValidationError) as error:
        activity.full_clean()
    assert field_messages(error, "year") == [
        LINK_ACTIVITY_YEAR_OUTSIDE_BOARD.format(year=2025, years="2019–2024")
    ]
    activity.year = 2022
    activity.full_clean()

    foreign = StrategicAssignment.objects.create(
        municipality=municipality,
        scope="namndspecifikt",
        board=board_other,
        text="B",
        valid_from=2019,
    )
    common = StrategicAssignment.objects.create(
        municipality=municipality, scope="kommungemensamt", text="K", valid_from=2023
    )
    activity.assignment = foreign
    with pytest.raises(ValidationError) as error:
        activity.full_clean()
    assert field_messages(error, "assignment") == [LINK_ACTIVITY_ASSIGNMENT_OTHER_BOARD]
    activity.assignment = common
    with pytest.raises(ValidationError) as error:
        activity.full_clean()
    assert field_messages(error, "assignment") == [
        LINK_ACTIVITY_ASSIGNMENT_YEAR.format(year=2022, years="2023–")
    ]
    activity.year = 2023
    activity.full_clean()

    policy = PolicyDocument.objects.create(
        municipality=municipality, title="Policy", valid_from=2019, valid_to=2022
    )
    activity.policy_document = policy
    with pytest.raises(ValidationError) as error:
        activity.full_clean()
    assert field_messages(error, "policy_document") == [
        LINK_ACTIVITY_POLICY_YEAR.format(year=2023, years="2019–2022")
    ]
    policy.valid_to = None
    policy.save()
    activity.full_clean()


def test_plan_change_line_of_the_same_board(board_an, board_other):
    line = BudgetLine.objects.create(
        board=board_other, scheme="drift", code="skola", name="Skola", valid_from=2019
    )
    row = PlanChange(board=board_an, document_year=2022, kind="specifikation", line=line, text="T")
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert field_messages(error, "line") == [LINK_PLAN_CHANGE_LINE_OTHER_BOARD]
    row.board = board_other
    row.full_clean()


# --- the activity's nämndmål (many-to-many): check_activity_links and the signal ------------


def test_activity_goals_of_another_board_or_year_are_refused_on_add(board_an, goal_an, goal_other):
    activity = Activity.objects.create(board=board_an, year=2022, title="A")
    # The receiver raises inside add()'s transaction: a caller checks first (see below).
    with pytest.raises(ValidationError) as error, transaction.atomic():
        activity.board_goals.add(goal_other)
    assert error.value.messages == [LINK_ACTIVITY_GOAL_OTHER_BOARD.format(goal="BIN:s mål")]
    later = Activity.objects.create(board=board_an, year=2023, title="B")
    with pytest.raises(ValidationError) as error, transaction.atomic():
        goal_an.activities.add(later)  # the reverse side meets the same rule
    assert error.value.messages == [
        LINK_ACTIVITY_GOAL_YEAR.format(goal="AN:s mål", year=2023, years="2021–2022")
    ]
    assert not later.board_goals.exists() and not activity.board_goals.exists()
    activity.board_goals.add(goal_an)
    assert list(activity.board_goals.all()) == [goal_an]


def test_check_activity_links_before_set(board_an, goal_an, goal_other):
    activity = Activity.objects.create(board=board_an, year=2022, title="A")
    with pytest.raises(ValidationError) as error:
        integrity.check_activity_links(activity, [goal_an, goal_other])
    assert error.value.message_dict == {
        "board_goals": [LINK_ACTIVITY_GOAL_OTHER_BOARD.format(goal="BIN:s mål")]
    }
    integrity.check_activity_links(activity, [goal_an])
    with pytest.raises(ValidationError), transaction.atomic():
        activity.board_goals.set([goal_an, goal_other])
    assert not activity.board_goals.exists()


# --- the database triggers --------------------------------------------------------------------


def installed_triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {name for (name,) in cursor.fetchall()}


def test_every_link_trigger_is_installed(db):
    expected = integrity.link_trigger_names(connection.vendor, GOALS_RULES + INDICATOR_RULES)
    assert len(expected) >= 7
    assert set(expected) <= installed_triggers()


def test_a_dropped_trigger_is_installed_again_after_migrate(db):
    """SQLite drops a table's triggers when a migration rebuilds the table; post_migrate
    (here called directly) installs every applied migration's rules again."""
    name = integrity.link_trigger_names(connection.vendor, INDICATOR_RULES)[0]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER {name} ON indicators_indicator")
        else:
            cursor.execute(f"DROP TRIGGER {name}")
    assert name not in installed_triggers()
    installed = integrity.install_link_triggers()
    assert "styrkort_indicator_goal_same_board" in installed
    assert name in installed_triggers()


def refused(sql: str, params: list) -> str:
    with pytest.raises(DatabaseError) as error, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return str(error.value)


def test_raw_sql_indicator_with_another_boards_goal_is_refused(board_an, goal_an, goal_other):
    row = indicator(board_an, goal_an)
    message = refused(
        "UPDATE indicators_indicator SET board_goal_id = %s WHERE id = %s", [goal_other.pk, row.pk]
    )
    assert "Nämndmålet hör till en annan nämnd än indikatorn." in message
    refused(
        "UPDATE indicators_indicator SET board_id = %s WHERE id = %s", [goal_other.board_id, row.pk]
    )
    refused(
        "UPDATE goals_boardgoal SET board_id = %s WHERE id = %s", [goal_other.board_id, goal_an.pk]
    )
    row.refresh_from_db()
    assert row.board_goal_id == goal_an.pk and row.board_id == goal_an.board_id


def test_bulk_create_indicator_with_another_boards_goal_is_refused(board_an, goal_other):
    with pytest.raises(DatabaseError), transaction.atomic():
        Indicator.objects.bulk_create(
            [Indicator(board=board_an, board_goal=goal_other, name="X", valid_from=2021)]
        )
    assert not Indicator.objects.filter(name="X").exists()
    with pytest.raises(DatabaseError), transaction.atomic():
        Indicator.objects.create(board=board_an, board_goal=goal_other, name="Y", valid_from=2021)


def test_indicator_parent_of_another_board_is_refused(board_an, goal_an, goal_other):
    parent = indicator(goal_other.board, goal_other, name="BIN:s huvudindikator")
    child = indicator(board_an, goal_an, name="AN:s delindikator")
    message = refused(
        "UPDATE indicators_indicator SET parent_id = %s WHERE id = %s", [parent.pk, child.pk]
    )
    assert "Huvudindikatorn och delindikatorn hör till olika nämnder." in message
    same = indicator(board_an, goal_an, name="AN:s huvudindikator")
    child.parent = same
    child.save()
    # Moving the main indicator away from its sub-indicators is refused too.
    refused(
        "UPDATE indicators_indicator SET board_id = %s, board_goal_id = %s WHERE id = %s",
        [goal_other.board_id, goal_other.pk, same.pk],
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        Indicator.objects.bulk_create(
            [
                Indicator(
                    board=board_an, board_goal=goal_an, parent=parent, name="Z", valid_from=2021
                )
            ]
        )


def test_activity_goal_link_across_boards_is_refused_by_the_database(board_an, goal_an, goal_other):
    activity = Activity.objects.create(board=board_an, year=2022, title="A")
    through = Activity.board_goals.through
    message = refused(
        "INSERT INTO goals_activity_board_goals (activity_id, boardgoal_id) VALUES (%s, %s)",
        [activity.pk, goal_other.pk],
    )
    assert "Nämndmålet hör till en annan nämnd än aktiviteten." in message
    with pytest.raises(DatabaseError), transaction.atomic():
        through.objects.bulk_create([through(activity=activity, boardgoal=goal_other)])
    through.objects.bulk_create([through(activity=activity, boardgoal=goal_an)])
    refused(
        "UPDATE goals_activity SET board_id = %s WHERE id = %s", [goal_other.board_id, activity.pk]
    )
    refused(
        "UPDATE goals_boardgoal SET board_id = %s WHERE id = %s", [goal_other.board_id, goal_an.pk]
    )
    link = through.objects.get()
    refused(
        "UPDATE goals_activity_board_goals SET boardgoal_id = %s WHERE id = %s",
        [goal_other.pk, link.pk],
    )
    assert list(activity.board_goals.all()) == [goal_an]


def test_board_goal_predecessor_of_another_board_is_refused_by_the_database(goal_an, goal_other):
    message = refused(
        "UPDATE goals_boardgoal SET predecessor_id = %s WHERE id = %s", [goal_other.pk, goal_an.pk]
    )
    assert "Ett nämndmål kan bara ersätta ett nämndmål i samma nämnd." in message


def test_a_board_without_links_moves_freely(board_other, goal_an):
    """The triggers refuse only broken links: a goal with nothing under it may change board."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE goals_boardgoal SET board_id = %s WHERE id = %s", [board_other.pk, goal_an.pk]
        )
    goal_an.refresh_from_db()
    assert goal_an.board_id == board_other.pk


# --- duplicate titles ----------------------------------------------------------------------


def test_duplicate_title_warnings(board_an, board_other, council, goal_an):
    assert integrity.duplicate_title_warnings(board=board_an, year=2022) == []
    BoardGoal.objects.create(
        board=board_an, council_goal=council, title="AN:s mål", valid_from=2022
    )
    BoardGoal.objects.create(
        board=board_an, council_goal=council, title="AN:s mål", valid_from=2023
    )
    BoardGoal.objects.create(
        board=board_other, council_goal=council, title="AN:s mål", valid_from=2019
    )
    indicator(board_an, goal_an, name="Antal")
    indicator(board_an, goal_an, name="Antal")
    indicator(board_an, goal_an, name="Antal", valid_from=2023)  # not valid in 2022
    indicator(board_an, goal_an, name="Andel")
    assert integrity.duplicate_title_warnings(board=board_an, year=2022) == [
        integrity.DUPLICATE_GOAL_TITLE.format(title="AN:s mål", count=2, year=2022),
        integrity.DUPLICATE_INDICATOR_NAME.format(name="Antal", count=2, goal="AN:s mål"),
    ]
    assert integrity.duplicate_title_warnings(board=board_an, year=2021) == [
        integrity.DUPLICATE_INDICATOR_NAME.format(name="Antal", count=2, goal="AN:s mål"),
    ]


# --- CHECK constraints: no row is its own parent or predecessor -------------------------------


def test_no_row_is_its_own_parent_or_predecessor(municipality, board_an, goal_an):
    row = indicator(board_an, goal_an)
    row.parent = row
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert field_messages(error, "parent") == [LINK_INDICATOR_PARENT_SELF]
    row.parent, row.predecessor = None, row
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert error.value.messages == [LINK_NOT_OWN_PREDECESSOR]
    goal_an.predecessor = goal_an
    with pytest.raises(ValidationError) as error:
        goal_an.full_clean()
    assert GOALS_NOT_OWN_PREDECESSOR in error.value.messages
    activity = Activity.objects.create(board=board_an, year=2022, title="A")
    for table, column, pk in [
        ("indicators_indicator", "parent_id", row.pk),
        ("indicators_indicator", "predecessor_id", row.pk),
        ("goals_boardgoal", "predecessor_id", goal_an.pk),
        ("goals_activity", "predecessor_id", activity.pk),
    ]:
        refused(f"UPDATE {table} SET {column} = %s WHERE id = %s", [pk, pk])
    assignment = StrategicAssignment.objects.create(
        municipality=municipality, scope="kommungemensamt", text="K", valid_from=2019
    )
    refused(
        "UPDATE goals_strategicassignment SET predecessor_id = %s WHERE id = %s",
        [assignment.pk, assignment.pk],
    )
