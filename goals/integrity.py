"""The links of the structure stay within one board and within overlapping years.

The rules on foreign keys are the models' clean() methods (goals/indicators/budget models);
the database refuses the cross-board links with triggers as well (migrations goals 0006 and
indicators 0004). An activity's nämndmål are a many-to-many field, which clean() cannot see:
`check_activity_links` is what a service calls before `activity.board_goals.set(...)`, and
`refuse_cross_board_goals` (connected in goals.apps) applies the same rule to every `add`.

`duplicate_title_warnings` is a soft check: pages and the structure workbook show it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Q

from goals.models import (
    LINK_ACTIVITY_GOAL_OTHER_BOARD,
    LINK_ACTIVITY_GOAL_YEAR,
    Activity,
    Board,
    BoardGoal,
)

DUPLICATE_GOAL_TITLE = "Nämndmålet ”{title}” finns {count} gånger år {year}."
DUPLICATE_INDICATOR_NAME = "Indikatorn ”{name}” finns {count} gånger under nämndmålet ”{goal}”."


def activity_link_errors(activity: Activity, board_goals: Iterable[BoardGoal]) -> list[str]:
    """What is wrong with linking these nämndmål to the activity (empty when all is right)."""
    errors = []
    for goal in board_goals:
        if goal.board_id != activity.board_id:
            errors.append(LINK_ACTIVITY_GOAL_OTHER_BOARD.format(goal=goal.title))
        elif activity.year is not None and not goal.is_valid_in(activity.year):
            errors.append(
                LINK_ACTIVITY_GOAL_YEAR.format(
                    goal=goal.title, year=activity.year, years=goal.years_label
                )
            )
    return errors


def check_activity_links(activity: Activity, board_goals: Iterable[BoardGoal]) -> None:
    """Raise ValidationError (field "board_goals") unless every nämndmål may serve the activity:
    the same board, valid in the activity's year. Call before `activity.board_goals.set()`."""
    errors = activity_link_errors(activity, board_goals)
    if errors:
        raise ValidationError({"board_goals": errors})


def refuse_cross_board_goals(
    sender: Any,
    instance: Any,
    action: str,
    reverse: bool,
    model: Any,
    pk_set: set[int] | None,
    **kwargs: Any,
) -> None:
    """m2m_changed receiver of Activity.board_goals.through: refuse a wrong link on pre_add.

    The last line of defence: Django's add() runs in an atomic block without a savepoint, so
    the ValidationError also marks the caller's transaction for rollback. A service calls
    check_activity_links first, shows the message, and never reaches this.
    """
    if action != "pre_add" or not pk_set:
        return
    if reverse:  # goal.activities.add(activity, …)
        for activity in Activity.objects.filter(pk__in=pk_set):
            check_activity_links(activity, [instance])
    else:
        check_activity_links(instance, BoardGoal.objects.filter(pk__in=pk_set))


def duplicate_title_warnings(*, board: Board, year: int) -> list[str]:
    """Nämndmål of the board with the same title valid in `year`, and indicators with the same
    name under the same nämndmål (both valid in `year`). Two queries."""
    warnings = []
    goals = list(
        BoardGoal.objects.valid_in(year).filter(board=board).values_list("title", flat=True)
    )
    for title, count in sorted(Counter(title.strip().casefold() for title in goals).items()):
        if count > 1:
            shown = next(t for t in goals if t.strip().casefold() == title)
            warnings.append(DUPLICATE_GOAL_TITLE.format(title=shown, count=count, year=year))
    # The indicators through the goals' reverse relation: indicators is a higher app.
    rows = list(
        BoardGoal.objects.valid_in(year)
        .filter(board=board)
        .filter(
            Q(indicators__valid_from__lte=year)
            & (Q(indicators__valid_to__isnull=True) | Q(indicators__valid_to__gte=year))
        )
        .order_by("order", "pk", "indicators__name")
        .values_list("pk", "title", "indicators__name")
    )
    counts = Counter((goal_id, name.strip().casefold()) for goal_id, _title, name in rows)
    reported = set()
    for goal_id, goal_title, name in rows:
        key = (goal_id, name.strip().casefold())
        if counts[key] > 1 and key not in reported:
            reported.add(key)
            warnings.append(
                DUPLICATE_INDICATOR_NAME.format(name=name, count=counts[key], goal=goal_title)
            )
    return warnings


# --- database triggers -----------------------------------------------------------------------
# The migrations goals 0006 and indicators 0004 install these rules; after every migrate (and
# flush) they are installed again, as reports.freshness does with its triggers, because SQLite
# drops a table's triggers when a later migration rebuilds the table.
# A rule is (name, table, update_columns, condition, message): the write is refused when the
# condition (SQL over NEW.*) is true; an UPDATE is checked when it sets one of update_columns.
# PostgreSQL gets one trigger named `name` (a function of the same name); SQLite one per
# event, `name_insert` and `name_update` (or only `name_update` for a rule without insert).

LinkRule = tuple[str, str, tuple[str, ...], str, str, bool]


def link_trigger_sql(vendor: str, rules: Iterable[LinkRule]) -> list[str]:
    statements: list[str] = []
    for name, table, columns, condition, message, on_insert in rules:
        update = f"UPDATE OF {', '.join(columns)}"
        if vendor == "postgresql":
            events = f"INSERT OR {update}" if on_insert else update
            statements += [
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$\n"
                f"BEGIN\n    IF {condition} THEN\n"
                f"        RAISE EXCEPTION '{message}' USING ERRCODE = 'integrity_constraint_violation';\n"
                "    END IF;\n    RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql",
                f"DROP TRIGGER IF EXISTS {name} ON {table}",
                f"CREATE TRIGGER {name} BEFORE {events} ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {name}()",
            ]
        elif vendor == "sqlite":
            for suffix, event in (("insert", "INSERT"), ("update", update)):
                if suffix == "insert" and not on_insert:
                    continue
                statements += [
                    f"DROP TRIGGER IF EXISTS {name}_{suffix}",
                    f"CREATE TRIGGER {name}_{suffix} BEFORE {event} ON {table} "
                    f"WHEN {condition} BEGIN SELECT RAISE(ABORT, '{message}'); END",
                ]
    return statements


def drop_link_trigger_sql(vendor: str, rules: Iterable[LinkRule]) -> list[str]:
    statements: list[str] = []
    for name, table, *_rest in rules:
        if vendor == "postgresql":
            statements += [
                f"DROP TRIGGER IF EXISTS {name} ON {table}",
                f"DROP FUNCTION IF EXISTS {name}()",
            ]
        elif vendor == "sqlite":
            statements += [f"DROP TRIGGER IF EXISTS {name}_{s}" for s in ("insert", "update")]
    return statements


def link_trigger_names(vendor: str, rules: Iterable[LinkRule]) -> list[str]:
    """The trigger names the rules install on this backend (for the tests)."""
    names = []
    for name, _table, _columns, _condition, _message, on_insert in rules:
        if vendor == "sqlite":
            names += [f"{name}_insert"] if on_insert else []
            names.append(f"{name}_update")
        else:
            names.append(name)
    return names


ACTIVITY_LINK_RULES: list[LinkRule] = [
    (
        "styrkort_activity_goal_same_board",
        "goals_activity_board_goals",
        ("activity_id", "boardgoal_id"),
        "(SELECT board_id FROM goals_activity WHERE id = NEW.activity_id)"
        " <> (SELECT board_id FROM goals_boardgoal WHERE id = NEW.boardgoal_id)",
        "Nämndmålet hör till en annan nämnd än aktiviteten.",
        True,
    ),
    (
        "styrkort_activity_board_keeps_goals",
        "goals_activity",
        ("board_id",),
        "EXISTS (SELECT 1 FROM goals_activity_board_goals l"
        " JOIN goals_boardgoal g ON g.id = l.boardgoal_id"
        " WHERE l.activity_id = NEW.id AND g.board_id <> NEW.board_id)",
        "Aktiviteten har nämndmål i sin nämnd och kan inte flyttas till en annan nämnd.",
        False,
    ),
    (
        "styrkort_boardgoal_board_keeps_activities",
        "goals_boardgoal",
        ("board_id",),
        "EXISTS (SELECT 1 FROM goals_activity_board_goals l"
        " JOIN goals_activity a ON a.id = l.activity_id"
        " WHERE l.boardgoal_id = NEW.id AND a.board_id <> NEW.board_id)",
        "Nämndmålet har aktiviteter i sin nämnd och kan inte flyttas till en annan nämnd.",
        False,
    ),
    (
        "styrkort_boardgoal_predecessor_same_board",
        "goals_boardgoal",
        ("board_id", "predecessor_id"),
        "NEW.predecessor_id IS NOT NULL"
        " AND (SELECT board_id FROM goals_boardgoal WHERE id = NEW.predecessor_id) <> NEW.board_id",
        "Ett nämndmål kan bara ersätta ett nämndmål i samma nämnd.",
        True,
    ),
]

INDICATOR_LINK_RULES: list[LinkRule] = [
    (
        "styrkort_indicator_goal_same_board",
        "indicators_indicator",
        ("board_id", "board_goal_id"),
        "NEW.board_goal_id IS NOT NULL"
        " AND (SELECT board_id FROM goals_boardgoal WHERE id = NEW.board_goal_id) <> NEW.board_id",
        "Nämndmålet hör till en annan nämnd än indikatorn.",
        True,
    ),
    (
        "styrkort_indicator_parent_same_board",
        "indicators_indicator",
        ("board_id", "parent_id"),
        "(NEW.parent_id IS NOT NULL"
        " AND (SELECT board_id FROM indicators_indicator WHERE id = NEW.parent_id) <> NEW.board_id)"
        " OR EXISTS (SELECT 1 FROM indicators_indicator c"
        " WHERE c.parent_id = NEW.id AND c.board_id <> NEW.board_id)",
        "Huvudindikatorn och delindikatorn hör till olika nämnder.",
        True,
    ),
    (
        "styrkort_boardgoal_board_keeps_indicators",
        "goals_boardgoal",
        ("board_id",),
        "EXISTS (SELECT 1 FROM indicators_indicator i"
        " WHERE i.board_goal_id = NEW.id AND i.board_id <> NEW.board_id)",
        "Nämndmålet har indikatorer i sin nämnd och kan inte flyttas till en annan nämnd.",
        False,
    ),
]

# Which migration installs which rules: only rules whose migration is applied are reinstalled,
# so migrating back past it leaves them removed.
RULES_BY_MIGRATION = {
    ("goals", "0006_link_triggers"): ACTIVITY_LINK_RULES,
    ("indicators", "0004_link_triggers"): INDICATOR_LINK_RULES,
}


def install_link_triggers(using: str = "default") -> list[str]:
    """(Re)create the link triggers of every applied migration; returns the rule names."""
    connection = connections[using]
    applied = MigrationRecorder(connection).applied_migrations()
    rules = [rule for key, group in RULES_BY_MIGRATION.items() if key in applied for rule in group]
    statements = link_trigger_sql(connection.vendor, rules)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    return [rule[0] for rule in rules] if statements else []


def install_link_triggers_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    if sender.name == "goals":
        install_link_triggers(using)
