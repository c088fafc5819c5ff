"""Is a cached output still true? The data token answers with one small read, per scope.

Every table of goals, indicators and budget (except history and access tables) carries
triggers that give the scopes a statement touched new random marks in reports_datatoken:

- the shared structure (board 0): municipality, målområden, KF-mål, mandate periods, policy
  documents, the organisation and its board links, breakdowns, outlines and Kolada, which
  every output may show;
- a board (B, year 0): the board row and what spans its years (nämndmål, indicators, budget
  lines, investment projects, plan changes, Kolada links and peer group);
- a board's year (B, Y): what carries or reaches a year (values, targets, footnotes, occasions
  and everything hanging off them, activities, plans, texts, amounts).

An output is cached under the digest of the scopes it shows (`data_token(boards=…, years=…)`:
shared + (B, 0) + (B, Y) for each year of its window, one query), so a save in board A year Y
leaves board B's outputs and A's outputs of other years in use. Each table's scopes are
declared here (SCOPES / SHARED_TABLES) and a test fails for a watched table with none; a row
moved between boards or years changes both; TRUNCATE changes the shared scope, which is in
every digest.

Why triggers and not Django signals: bulk_create, QuerySet.update(), the Excel import, a
restore and raw SQL skip signals, and one missed path would show a stale official report.

The marks are part of the writing transaction: others see them change in the same instant
as the data (at commit), the transaction itself at once, and a rollback takes both back. On
PostgreSQL the triggers are per statement with transition tables and upsert the statement's
scopes in one sorted order (so two statements never lock the same marks in opposite orders);
a scope has a few slots and a transaction writes the slot its transaction id names, so two
writers in one board seldom wait for each other until commit. SQLite has one writer at a time
and row triggers that upsert the same scopes from NEW and OLD.

Values are random rather than counters, so a database that is flushed, restored or rolled back
to an earlier state can never meet a copy cached under a token from another state: the shared
mark is renewed after every migrate, flush and restore, and a reader that finds none (an
emptied table) creates a new one.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.apps import AppConfig, apps
from django.db import connections
from django.db.models import Q

import core.cache
from core.gc_pause import gc_paused
from reports.models import DataToken

T = TypeVar("T")
WATCHED_APPS = ("goals", "indicators", "budget")
# Rows that do not feed any output: who may do what (and the audit history, by name below).
NOT_WATCHED = {
    "goals.boardrole",
    "goals.externalidentity",
    "goals.grouprolemapping",
    "goals.accesschange",
    "goals.notification",
}
# Outputs follow their outline too, so a changed template is a change of data.
ALSO_WATCHED = ("reports.outlineitem",)
TRIGGER = "reports_data_token"
FUNCTION_PREFIX = "reports_dt_"

# --- Which scopes a row touches ----------------------------------------------------------------
# Each scope is (board, year) as SQL over the row "{r}" (a transition table's row on PostgreSQL,
# NEW or OLD on SQLite). A board column that is NULL (a KF-wide assignment) is the shared scope,
# a year that is NULL all years of the board. A board reached through a parent row that is gone
# marks nothing: the parent was deleted in this transaction (the foreign keys are deferred and
# Django's collector may delete a value before its footnotes) and its own trigger marked a scope
# that covers the child's (its board, or its board-year that the child inherits).
SHARED_TABLES = frozenset(
    {
        "goals_municipality",
        "goals_goalarea",
        "goals_councilgoal",
        "goals_mandateperiod",
        "goals_policydocument",
        "goals_organisationunit",
        "goals_organisationunit_boards",
        "indicators_breakdown",
        "indicators_koladakpi",
        "indicators_koladamunicipality",
        "indicators_koladagroup",
        "indicators_koladagroup_members",
        "indicators_koladaimport",
        "indicators_koladavalue",
        "indicators_koladarevision",
        "reports_outlineitem",
    }
)


def _via(table: str, column: str, fk: str) -> str:
    return f"(SELECT {column} FROM {table} WHERE id = {{r}}.{fk})"


def _indicator_board(fk: str) -> str:
    return _via("indicators_indicator", "board_id", fk)


def _board_via_indicator_of(table: str, fk: str) -> str:
    return (
        f"(SELECT i.board_id FROM {table} x JOIN indicators_indicator i ON i.id = x.indicator_id "
        f"WHERE x.id = {{r}}.{fk})"
    )


ALL = "0"
OCCASION_BOARD = _via("goals_reportingoccasion", "board_id", "occasion_id")
OCCASION_YEAR = _via("goals_reportingoccasion", "year", "occasion_id")
SCOPES: dict[str, list[tuple[str, str]]] = {
    # a board, all years
    "goals_board": [("{r}.id", ALL)],
    "goals_boardgoal": [("{r}.board_id", ALL)],
    "goals_strategicassignment": [("{r}.board_id", ALL)],  # no board: KF's, shared
    "indicators_indicator": [("{r}.board_id", ALL)],
    "indicators_indicatorbreakdown": [(_indicator_board("indicator_id"), ALL)],
    "indicators_koladalink": [(_indicator_board("indicator_id"), ALL)],
    "indicators_koladapeergroup": [("{r}.board_id", ALL)],
    "budget_budgetline": [("{r}.board_id", ALL)],
    "budget_planchange": [("{r}.board_id", ALL)],
    "budget_investmentproject": [("{r}.board_id", ALL)],
    # a board's year
    "goals_reportingoccasion": [("{r}.board_id", "{r}.year")],
    "goals_occasiontransition": [(OCCASION_BOARD, OCCASION_YEAR)],
    "goals_goalassessment": [(OCCASION_BOARD, OCCASION_YEAR)],
    "goals_assignmentstatus": [(OCCASION_BOARD, OCCASION_YEAR)],
    "goals_activitystatus": [(OCCASION_BOARD, OCCASION_YEAR)],
    "goals_structurecorrection": [("{r}.board_id", "{r}.year")],
    "goals_activity": [("{r}.board_id", "{r}.year")],
    "goals_activity_board_goals": [
        (
            _via("goals_activity", "board_id", "activity_id"),
            _via("goals_activity", "year", "activity_id"),
        )
    ],
    "goals_boardplan": [("{r}.board_id", "{r}.year")],
    "goals_narrativetext": [("{r}.board_id", "{r}.year")],
    "indicators_indicatorvalue": [(_indicator_board("indicator_id"), "{r}.year")],
    "indicators_target": [(_indicator_board("indicator_id"), "{r}.year")],
    "indicators_footnote": [
        (
            "coalesce("
            + ", ".join(
                [
                    _indicator_board("indicator_id"),
                    _board_via_indicator_of("indicators_indicatorvalue", "value_id"),
                    _board_via_indicator_of("indicators_target", "target_id"),
                    _via("goals_boardgoal", "board_id", "board_goal_id"),
                ]
            )
            + ")",
            "coalesce({r}.year, "
            + _via("indicators_indicatorvalue", "year", "value_id")
            + ", "
            + _via("indicators_target", "year", "target_id")
            + ")",
        )
    ],
    "indicators_footnote_shared_values": [
        (
            _board_via_indicator_of("indicators_indicatorvalue", "indicatorvalue_id"),
            _via("indicators_indicatorvalue", "year", "indicatorvalue_id"),
        )
    ],
    # An amount is of its year and (a plan's) of its document's year: readers of either see it.
    "budget_budgetamount": [
        (_via("budget_budgetline", "board_id", "line_id"), "{r}.year"),
        (_via("budget_budgetline", "board_id", "line_id"), "{r}.document_year"),
    ],
    "budget_planchangeamount": [
        (_via("budget_planchange", "board_id", "change_id"), "{r}.year"),
        (
            _via("budget_planchange", "board_id", "change_id"),
            _via("budget_planchange", "document_year", "change_id"),
        ),
    ],
    "budget_investmentamount": [
        (_via("budget_investmentproject", "board_id", "project_id"), "{r}.year"),
        (_via("budget_investmentproject", "board_id", "project_id"), "{r}.document_year"),
    ],
}
SHARED_SCOPE = [("CAST(NULL AS integer)", ALL)]


def watched_tables() -> list[str]:
    tables = []
    for label in WATCHED_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            meta = model._meta
            if meta.label_lower in NOT_WATCHED or (meta.model_name or "").startswith("historical"):
                continue
            tables.append(meta.db_table)
    tables.extend(apps.get_model(label)._meta.db_table for label in ALSO_WATCHED)
    return sorted(tables)


def scopes_of(table: str) -> list[tuple[str, str]]:
    """The table's (board, year) SQL; a table with none declared is shared (always safe, and
    tests/test_data_token.py fails for it so it is decided on purpose)."""
    return SCOPES.get(table, SHARED_SCOPE)


def _scope_rows(table: str, rows: Iterable[str], from_rows: bool) -> str:
    """SELECT board, year for every scope of every row (one row per scope, duplicates kept)."""
    parts = []
    for row in rows:
        for board, year in scopes_of(table):
            reached = 0 if board.startswith("{r}.") or board == SHARED_SCOPE[0][0] else 1
            select = f"SELECT {board.format(r=row)} AS b, {year.format(r=row)} AS y, {reached} AS reached"
            parts.append(f"{select} FROM {row} AS {row}" if from_rows else select)
    return (
        "SELECT coalesce(b, 0) AS board, CASE WHEN b IS NULL THEN 0 ELSE coalesce(y, 0) END "
        f"AS year FROM ({' UNION ALL '.join(parts)}) AS scopes WHERE b IS NOT NULL OR reached = 0"
    )


# --- PostgreSQL: statement triggers with transition tables --------------------------------------
EVENTS = {"insert": ["new_rows"], "update": ["old_rows", "new_rows"], "delete": ["old_rows"]}
POSTGRES_SLOT = f"(pg_current_xact_id()::text::bigint % {DataToken.SLOTS}) + 1"
POSTGRES_UPSERT = (
    "INSERT INTO reports_datatoken (board, year, slot, token) "
    f"SELECT board, year, {POSTGRES_SLOT}, md5(random()::text || clock_timestamp()::text) "
    "FROM ({scopes}) AS touched GROUP BY board, year ORDER BY board, year "
    "ON CONFLICT (board, year, slot) DO UPDATE SET token = EXCLUDED.token"
)


def _postgres_function(name: str, upsert: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$ BEGIN {upsert}; "
        "RETURN NULL; END; $$ LANGUAGE plpgsql"
    )


def _postgres_statements(table: str) -> list[str]:
    statements = [f'DROP TRIGGER IF EXISTS {TRIGGER} ON "{table}"']  # the one-token trigger
    for event, transition in EVENTS.items():
        function = f"{FUNCTION_PREFIX}{table}_{event}"[:63]
        scopes = _scope_rows(table, transition, from_rows=True)
        referencing = " ".join(
            f"{'OLD' if rows == 'old_rows' else 'NEW'} TABLE AS {rows}" for rows in transition
        )
        statements += [
            _postgres_function(function, POSTGRES_UPSERT.format(scopes=scopes)),
            f'DROP TRIGGER IF EXISTS {TRIGGER}_{event} ON "{table}"',
            f'CREATE TRIGGER {TRIGGER}_{event} AFTER {event.upper()} ON "{table}" '
            f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        ]
    statements += [
        f'DROP TRIGGER IF EXISTS {TRIGGER}_truncate ON "{table}"',
        f'CREATE TRIGGER {TRIGGER}_truncate AFTER TRUNCATE ON "{table}" '
        f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION_PREFIX}truncate()",
    ]
    return statements


POSTGRES_TRUNCATE_FUNCTION = _postgres_function(
    f"{FUNCTION_PREFIX}truncate",
    POSTGRES_UPSERT.format(scopes="SELECT 0 AS board, 0 AS year"),
)


# --- SQLite: row triggers -------------------------------------------------------------------------
SQLITE_ROWS = {"insert": ["NEW"], "update": ["OLD", "NEW"], "delete": ["OLD"]}


def _sqlite_statements(table: str) -> list[str]:
    statements = []
    for event, rows in SQLITE_ROWS.items():
        name = f"{TRIGGER}_{table}_{event}"
        scopes = _scope_rows(table, rows, from_rows=False)
        statements += [
            f'DROP TRIGGER IF EXISTS "{name}"',
            f'CREATE TRIGGER "{name}" AFTER {event.upper()} ON "{table}" BEGIN '
            "INSERT INTO reports_datatoken (board, year, slot, token) "
            f"SELECT board, year, 1, lower(hex(randomblob(16))) FROM ({scopes}) WHERE true "
            "ON CONFLICT (board, year, slot) DO UPDATE SET token = excluded.token; END",
        ]
    return statements


def install_triggers(using: str = "default") -> list[str]:
    """(Re)create the triggers on every watched table that exists; returns those tables."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    if DataToken._meta.db_table not in existing or not _has_scopes(connection):
        return []  # before migrate (or a restored older schema): migrate installs them
    tables = [table for table in watched_tables() if table in existing]
    if connection.vendor == "postgresql":
        statements = [POSTGRES_TRUNCATE_FUNCTION]
        for table in tables:
            statements += _postgres_statements(table)
    elif connection.vendor == "sqlite":
        statements = [s for table in tables for s in _sqlite_statements(table)]
    else:
        return []
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    return tables


def _has_scopes(connection: Any) -> bool:
    with connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(cursor, DataToken._meta.db_table)
    return any(column.name == "board" for column in columns)


def remove_triggers(using: str = "default") -> None:
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    tables = [table for table in watched_tables() if table in existing]
    if connection.vendor == "postgresql":
        statements = []
        for table in tables:
            for event in [*EVENTS, "truncate"]:
                statements.append(f'DROP TRIGGER IF EXISTS {TRIGGER}_{event} ON "{table}"')
        for table in watched_tables():
            for event in EVENTS:
                function = f"{FUNCTION_PREFIX}{table}_{event}"[:63]
                statements.append(f"DROP FUNCTION IF EXISTS {function}()")
        statements.append(f"DROP FUNCTION IF EXISTS {FUNCTION_PREFIX}truncate()")
    elif connection.vendor == "sqlite":
        statements = [s for table in tables for s in _sqlite_statements(table) if "DROP" in s]
    else:
        return
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install_triggers_after_migrate(
    sender: AppConfig, using: str = "default", **kwargs: Any
) -> None:
    """After migrate and flush (which empties the marks with every other table): the triggers
    again, and a new shared mark, since data may have changed while they were being made."""
    if sender.name == "reports" and install_triggers(using):
        renew_shared(using)


def install_triggers_after_restore(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """After `manage.py restore` (core.signals.database_restored): the dump's own triggers may
    be an older version's, and every output is of another state now."""
    if install_triggers(using):
        renew_shared(using)


def renew_shared(using: str = "default") -> None:
    """A new random shared mark: every token changes (it is part of every digest)."""
    DataToken.objects.using(using).bulk_create(
        [DataToken(board=DataToken.SHARED, year=DataToken.ALL_YEARS, slot=1, token=_random())],
        update_conflicts=True,
        unique_fields=["board", "year", "slot"],
        update_fields=["token"],
    )


def _random() -> str:
    return secrets.token_hex(16)


def up_to(year: int) -> range:
    """Every year up to and including `year`: the window of an output that shows outcomes
    accumulated over all earlier years (a range is read as one BETWEEN, not a list)."""
    return range(1, year + 1)


def _ids(boards: Iterable[Any]) -> list[int]:
    return sorted({getattr(board, "pk", board) for board in boards})


def _scope_filter(boards: Iterable[Any] | None, years: Iterable[int] | None) -> Q | None:
    if boards is None and years is None:
        return None
    shared = Q(board=DataToken.SHARED, year=DataToken.ALL_YEARS)
    of_boards = ~Q(board=DataToken.SHARED) if boards is None else Q(board__in=_ids(boards))
    if isinstance(years, range) and years.step == 1:
        of_boards &= Q(year=DataToken.ALL_YEARS) | Q(year__gte=years.start, year__lt=years.stop)
    elif years is not None:
        of_boards &= Q(year=DataToken.ALL_YEARS) | Q(year__in=sorted(set(years)))
    return shared | of_boards


def _rows(using: str, scope: Q | None) -> list[tuple[int, int, int, str]]:
    """The marks of the scope, ordered; an emptied table gets a new shared mark first."""
    query = DataToken.objects.using(using).order_by("board", "year", "slot")
    if scope is not None:
        query = query.filter(scope)
    rows = list(query.values_list("board", "year", "slot", "token"))
    if not any(
        board == DataToken.SHARED and year == DataToken.ALL_YEARS for board, year, *_ in rows
    ):
        DataToken.objects.using(using).bulk_create(
            [DataToken(board=DataToken.SHARED, year=DataToken.ALL_YEARS, slot=1, token=_random())],
            ignore_conflicts=True,
        )
        rows = list(query.values_list("board", "year", "slot", "token"))
    return rows


def _digest(rows: Iterable[tuple[int, int, int, str]]) -> str:
    text = ";".join(f"{board}:{year}:{slot}:{token}" for board, year, slot, token in rows)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def data_token(
    using: str = "default",
    *,
    boards: Iterable[Any] | None = None,
    years: Iterable[int] | None = None,
) -> str:
    """The digest of the scopes an output shows, in one query: the shared structure, every
    year of each of `boards` (boards or ids; None: every board) and the board-years of `years`
    (None: every year). No arguments: everything. An emptied table gets a new shared mark."""
    return _digest(_rows(using, _scope_filter(boards, years)))


def board_tokens(
    boards: Iterable[Any], years: Iterable[int] | None, using: str = "default"
) -> dict[int, str]:
    """{board id: data_token(boards=[board], years=years)} for many boards in one query, so an
    output over all boards can use (and fill) each board's own cached parts."""
    ids = _ids(boards)
    rows = _rows(using, _scope_filter(ids, years))
    shared = [row for row in rows if row[0] == DataToken.SHARED]
    return {board: _digest([*shared, *(row for row in rows if row[0] == board)]) for board in ids}


def combined_token(tokens: dict[int, str]) -> str:
    """One token for an output made of the boards' parts (board_tokens)."""
    return _digest((board, 0, 0, token) for board, token in sorted(tokens.items()))


# Part of every key, so a deploy whose builders changed never meets a copy built by older code
# (a per-process cache starts empty anyway; this guards a shared one).
LAYOUT = 4
CACHE_SECONDS = 60 * 60


def cached(
    key: str,
    build: Callable[[], T],
    *,
    token: str | None = None,
    seconds: int = CACHE_SECONDS,
    boards: Iterable[Any] | None = None,
    years: Iterable[int] | None = None,
) -> T:
    """build(), or the copy built from exactly the data the database holds now.

    The key names what is built and from which arguments (ids, not objects); the data token
    of the scopes it shows (`boards`, `years`: see data_token; both None: everything) is added
    here, or given, when one request builds several things from one reading. The value must be
    plain data or models that pickle: the cache keeps a copy, never the caller's object.
    """
    if token is None:
        token = data_token(boards=boards, years=years)
    # A cache outage builds instead; the build runs without cyclic GC passes (core.gc_pause).
    return core.cache.get_or_build(cache_key(key, token), lambda: _paused(build), seconds)


def cached_each(
    key: Callable[[int], str],
    tokens: dict[int, str],
    build: Callable[[list[int]], dict[int, T]],
    *,
    seconds: int = CACHE_SECONDS,
) -> dict[int, T]:
    """Each board's part, by board id, kept under the board's own token (board_tokens): the
    copies there are, read at once, and the missing ones built together by build(their ids).
    So an output over every board rebuilds after a save only the part of the board saved in,
    and a cold build is one build of all of them, not one per board."""
    keys = {board: cache_key(key(board), token) for board, token in tokens.items()}
    found = core.cache.read_many(list(keys.values()))
    parts = {board: found[keys[board]] for board in tokens if keys[board] in found}
    missing = [board for board in tokens if board not in parts]
    if missing:
        built = _paused(lambda: build(missing))
        for board in missing:
            core.cache.write(keys[board], built[board], seconds)
            parts[board] = built[board]
    return parts


def _paused(build: Callable[[], T]) -> T:
    with gc_paused():
        return build()


def cache_key(key: str, token: str) -> str:
    """The key `cached` keeps `key` under for this token: for callers that read several copies
    and build the missing ones together (reports.report.cache.get_reports)."""
    return f"{LAYOUT}:{key}:{token}"
