"""The data token (reports.freshness): every way of changing data changes exactly the scopes it
touches (shared structure, a board, a board's year), reads change nothing.

A cached report is only as true as this token: a write path that slipped past it would show a
stale official report, and one that marks too much throws away other boards' outputs. Each kind
of write is tried here, on both database backends.
"""

from __future__ import annotations

import io
import itertools
import random
import threading
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction

from budget.models import BudgetAmount, BudgetLine
from goals.models import (
    Board,
    BoardRole,
    GoalArea,
    GoalAssessment,
    ReportingOccasion,
    Role,
    StrategicAssignment,
)
from goals.periods import PeriodType
from indicators.models import Footnote, Indicator, IndicatorBreakdown, IndicatorValue
from reports.freshness import (
    SCOPES,
    SHARED_TABLES,
    data_token,
    install_triggers,
    watched_tables,
)
from reports.models import DataToken
from tests.entry_data import breakdown, goal_chain, set_value

pytestmark = pytest.mark.django_db
NUMBERS = itertools.count(10)
SHARED = (0, 0)
on_postgres = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="PostgreSQL's statement triggers"
)


def marks() -> dict[tuple[int, int], tuple[str, ...]]:
    found: dict[tuple[int, int], list[str]] = {}
    for board, year, _slot, token in DataToken.objects.order_by(
        "board", "year", "slot"
    ).values_list("board", "year", "slot", "token"):
        found.setdefault((board, year), []).append(token)
    return {scope: tuple(tokens) for scope, tokens in found.items()}


def changed(before: dict, after: dict) -> set[tuple[int, int]]:
    return {
        scope for scope in before.keys() | after.keys() if before.get(scope) != after.get(scope)
    }


@pytest.fixture
def two_boards(board_an, board_other):
    """AN and BIN, each with a nämndmål, two indicators and year values for 2021 and 2022."""
    data_token()  # the shared mark exists from here on
    return {
        board.code: goal_chain(board, goals=1, indicators_per_goal=2, value_years=(2021, 2022))
        for board in (board_an, board_other)
    }


def test_every_watched_table_has_its_scopes_decided():
    """A new table must be mapped on purpose (the trigger would treat it as shared)."""
    tables = set(watched_tables())
    assert {"goals_board", "indicators_indicatorvalue", "budget_budgetamount"} <= tables
    assert "goals_organisationunit_boards" in tables  # many-to-many tables too
    assert not any("historical" in table for table in tables)
    assert BoardRole._meta.db_table not in tables  # who may do what is not report data
    undecided = tables - SCOPES.keys() - SHARED_TABLES
    assert not undecided, f"Tabeller utan bestämt omfång i reports.freshness: {sorted(undecided)}"
    assert not SCOPES.keys() & SHARED_TABLES
    assert SCOPES.keys() | SHARED_TABLES <= tables  # nothing stale is declared


def test_every_watched_table_has_its_triggers():
    tables = set(watched_tables())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname, t.tgname FROM pg_trigger t "
                "JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname LIKE 'reports_data_token%%'"
            )
            rows = cursor.fetchall()
            events = ("insert", "update", "delete", "truncate")
            assert {name for _, name in rows} == {f"reports_data_token_{e}" for e in events}
        else:
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
            rows = cursor.fetchall()
            events = ("insert", "update", "delete")
    for event in events:
        assert {table for table, name in rows if name.endswith(f"_{event}")} >= tables, event


def test_installing_twice_changes_nothing(two_boards):
    before = marks()
    assert set(install_triggers()) == set(watched_tables())
    assert marks() == before


def test_reading_changes_nothing(two_boards, board_an):
    before = marks()
    token = data_token(boards=[board_an], years=[2022])
    list(Board.objects.all())
    list(IndicatorValue.objects.filter(indicator__board=board_an))
    assert marks() == before
    assert data_token(boards=[board_an], years=[2022]) == token


def _value(board_code: str, year: int) -> IndicatorValue:
    return IndicatorValue.objects.filter(indicator__board__code=board_code, year=year).first()


def _budget_line(board: Board) -> BudgetLine:
    return BudgetLine.objects.create(
        board=board, scheme="drift", code=f"rad-{next(NUMBERS)}", name="Rad", valid_from=2019
    )


WRITES = {
    "orm-save-value": (lambda b: _value("AN", 2021).save(), {("AN", 2021)}),
    "orm-create-shared": (
        lambda b: GoalArea.objects.create(name=f"Ny {next(NUMBERS)}", order=next(NUMBERS)),
        {SHARED},
    ),
    "orm-save-board": (lambda b: b["AN"].save(), {("AN", 0)}),
    "queryset-update": (
        lambda b: IndicatorValue.objects.filter(indicator__board=b["AN"], year=2022).update(
            comment="Ändrad"
        ),
        {("AN", 2022)},
    ),
    "queryset-update-two-boards": (
        lambda b: IndicatorValue.objects.filter(year=2021).update(comment="Alla"),
        {("AN", 2021), ("BIN", 2021)},
    ),
    "bulk-create": (
        lambda b: IndicatorValue.objects.bulk_create(
            [
                IndicatorValue(
                    indicator=Indicator.objects.filter(board=b["BIN"]).first(),
                    breakdown=breakdown(),
                    year=year,
                    period_type=PeriodType.YEAR,
                    period_number=1,
                    value=Decimal(7),
                )
                for year in (2019, 2020)
            ]
        ),
        {("BIN", 2019), ("BIN", 2020)},
    ),
    "queryset-delete": (
        lambda b: IndicatorValue.objects.filter(indicator__board=b["BIN"], year=2022).delete(),
        {("BIN", 2022)},
    ),
    "raw-sql": (
        lambda b: connection.cursor().execute(
            "UPDATE goals_board SET name = 'Rå SQL' WHERE id = %s", [b["AN"].pk]
        ),
        {("AN", 0)},
    ),
    "move-value-between-years": (
        lambda b: IndicatorValue.objects.filter(pk=_value("AN", 2021).pk).update(year=2020),
        {("AN", 2021), ("AN", 2020)},
    ),
    "move-indicator-between-boards": (
        lambda b: Indicator.objects.filter(board=b["AN"], name__startswith="Fri ").update(
            board=b["BIN"]
        ),
        {("AN", 0), ("BIN", 0)},
    ),
    "assessment-via-occasion": (
        lambda b: GoalAssessment.objects.create(
            occasion=ReportingOccasion.objects.create(board=b["BIN"], year=2022, kind="helar"),
            board_goal=b["BIN"].goals.first(),
            level="uppnatt",
        ),
        {("BIN", 2022)},
    ),
    "kf-assignment-is-shared": (
        lambda b: StrategicAssignment.objects.create(
            municipality=b["AN"].municipality,
            scope=StrategicAssignment.Scope.COMMON,
            text="KF:s uppdrag",
            valid_from=2022,
        ),
        {SHARED},
    ),
    "plan-amount-of-its-year-and-document-year": (
        lambda b: BudgetAmount.objects.create(
            line=_budget_line(b["AN"]), kind="plan", year=2024, document_year=2022, amount=100
        ),
        {("AN", 0), ("AN", 2024), ("AN", 2022)},
    ),
}


def _free_indicator(board: Board) -> Indicator:
    """An indicator of the board with no nämndmål (so it may move to another board)."""
    return Indicator.objects.create(
        board=board, category="personal", name=f"Fri {next(NUMBERS)}", valid_from=2019
    )


def _named(scopes: set, boards: dict) -> set[tuple[int, int]]:
    return {scope if scope == SHARED else (boards[scope[0]].pk, scope[1]) for scope in scopes}


@pytest.mark.parametrize("write", list(WRITES), ids=list(WRITES))
def test_a_write_changes_exactly_the_scopes_it_touches(two_boards, board_an, board_other, write):
    boards = {"AN": board_an, "BIN": board_other}
    run, expected = WRITES[write]
    if write == "move-indicator-between-boards":
        _free_indicator(board_an)  # made before the reading: the move is the only write
    before = marks()
    run(boards)
    assert changed(before, marks()) == _named(expected, boards)


def test_a_read_of_one_board_year_changes_only_with_what_it_shows(
    two_boards, board_an, board_other
):
    def token() -> str:
        return data_token(boards=[board_an], years=[2022])

    first = token()
    IndicatorValue.objects.filter(indicator__board=board_other).update(comment="B")
    IndicatorValue.objects.filter(indicator__board=board_an, year=2021).update(comment="A 2021")
    assert token() == first  # another board, another year: still in use
    IndicatorValue.objects.filter(indicator__board=board_an, year=2022).update(comment="A 2022")
    second = token()
    assert second != first
    Board.objects.filter(pk=board_an.pk).update(name="Ny")  # the board itself: every year
    third = token()
    assert third != second
    GoalArea.objects.create(name="Gemensamt", order=99)  # shared structure: everyone
    assert token() != third
    assert data_token(boards=[board_other], years=[2021]) != data_token()


def test_everything_token_and_all_boards_token(two_boards, board_other):
    everything, all_boards = data_token(), data_token(boards=None, years=range(2022, 2023))
    IndicatorValue.objects.filter(indicator__board=board_other, year=2021).update(comment="x")
    assert data_token() != everything
    assert data_token(boards=None, years=range(2022, 2023)) == all_boards
    IndicatorValue.objects.filter(indicator__board=board_other, year=2022).update(comment="y")
    assert data_token(boards=None, years=range(2022, 2023)) != all_boards


def test_the_token_is_one_query(two_boards, board_an, django_assert_num_queries):
    with django_assert_num_queries(1):
        data_token(boards=[board_an], years=range(2018, 2023))
    with django_assert_num_queries(1):
        data_token()


def test_each_write_of_one_transaction_changes_the_token(board_an):
    """A request that writes, reads a report and writes again must not meet its first copy."""
    with transaction.atomic():
        Board.objects.filter(pk=board_an.pk).update(name="Första")
        first = data_token(boards=[board_an], years=[2022])
        Board.objects.filter(pk=board_an.pk).update(name="Andra")
        assert data_token(boards=[board_an], years=[2022]) != first


def test_access_changes_keep_the_token(board_an, django_user_model):
    user = django_user_model.objects.create_user("ny", password="x-y-z-123-abc")
    data_token()
    before = marks()
    BoardRole.objects.create(user=user, role=Role.SECRETARY, board=board_an)
    assert marks() == before


def test_a_rolled_back_write_takes_its_token_back(two_boards, board_an):
    before = marks()
    with transaction.atomic():
        IndicatorValue.objects.filter(indicator__board=board_an).update(comment="Ångras")
        Board.objects.filter(pk=board_an.pk).update(name="Ångras")
        assert changed(before, marks()) == {
            (board_an.pk, 0),
            (board_an.pk, 2021),
            (board_an.pk, 2022),
        }
        transaction.set_rollback(True)
    assert marks() == before


def test_a_cascade_delete_changes_the_scopes_of_every_row_it_takes(two_boards, board_other):
    """Boards, indicators and values are PROTECTed; what cascades is what hangs off them: a
    value's footnotes, an indicator's breakdowns. Django deletes the value before its footnote
    (the foreign keys are deferred): the footnote's board is gone by then, and the value's own
    delete has marked the scope, so nothing falls back to the shared one."""
    value = _value("BIN", 2022)
    Footnote.objects.create(value=value, text="Om värdet")
    free = _free_indicator(board_other)
    IndicatorBreakdown.objects.create(indicator=free, breakdown=breakdown(), valid_from=2019)
    before = marks()
    IndicatorValue.objects.filter(pk=value.pk).delete()
    assert changed(before, marks()) == {(board_other.pk, 2022)}
    assert not Footnote.objects.filter(text="Om värdet").exists()
    before = marks()
    free.delete()
    assert changed(before, marks()) == {(board_other.pk, 0)}


def test_the_excel_import_changes_its_board_year(client, two_boards, board_an, controller_an):
    from tests.test_import_excel import download, fill, upload

    occasion = ReportingOccasion.objects.create(board=board_an, year=2023, kind="k3")
    client.force_login(controller_an)
    name = two_boards["AN"][0].name
    data = fill(download(client, occasion), {(name, "Totalt"): {"value": 3327}})
    before = marks()
    response = upload(client, occasion, data)
    assert response.status_code == 302, response.content.decode()[:500]
    assert changed(before, marks()) == {(board_an.pk, 2023)}


def test_a_flushed_token_table_gets_a_new_random_shared_mark(two_boards):
    token = data_token()
    DataToken.objects.all().delete()
    fresh = data_token()
    assert fresh != token
    assert list(DataToken.objects.values_list("board", "year")) == [SHARED]
    assert data_token() == fresh


@on_postgres
def test_truncate_changes_every_token(two_boards, board_an, board_other):
    tokens = [data_token(), data_token(boards=[board_an], years=[2021])]
    before = marks()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE indicators_koladarevision")
    assert changed(before, marks()) == {SHARED}
    assert [data_token(), data_token(boards=[board_an], years=[2021])] != tokens
    assert all(
        a != b
        for a, b in zip(
            tokens, [data_token(), data_token(boards=[board_an], years=[2021])], strict=True
        )
    )


@pytest.mark.django_db(transaction=True)
def test_a_flushed_database_has_its_shared_mark_back_at_once():
    """flush (the test runner's, or an administrator's) empties every table, the marks too;
    post_migrate puts a new random one back, so the first page after it reads no more than
    any other."""
    token = data_token()
    call_command("flush", interactive=False, verbosity=0)
    assert DataToken.objects.filter(board=0, year=0).exists()
    assert data_token() != token


@on_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_restore_changes_every_token(board_an, tmp_path):
    """The backup's marks come back with its data, and a new shared mark on top: no copy built
    before or after the backup is met again."""
    set_value(
        goal_chain(board_an, goals=1, indicators_per_goal=1)[0],
        year=2022,
        period_type=PeriodType.YEAR,
        number=1,
        value=1,
    )
    at_backup = data_token(boards=[board_an], years=[2022])
    call_command("backup", directory=tmp_path, verbosity=0)
    [dump] = list(tmp_path.glob("styrkort-*.dump"))
    IndicatorValue.objects.update(comment="efter säkerhetskopian")
    after_change = data_token(boards=[board_an], years=[2022])
    call_command("restore", file=dump, interactive=False, stdout=io.StringIO())
    restored = data_token(boards=[board_an], years=[2022])
    assert restored not in {at_backup, after_change}
    assert not IndicatorValue.objects.filter(comment="efter säkerhetskopian").exists()
    # The restored database has the triggers of this version.
    before = marks()
    IndicatorValue.objects.update(comment="igen")
    assert changed(before, marks()) == {(board_an.pk, 2022)}


def _in_thread(work, holding: threading.Event, release: threading.Event, failures: list):
    def run():
        try:
            with transaction.atomic():
                work()
                holding.set()
                release.wait(10)
        except BaseException as error:  # reported to the main thread
            failures.append(error)
            holding.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@on_postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_board", [False, True], ids=["different-boards", "same-board"])
def test_concurrent_writers(municipality, same_board):
    """Two open transactions save at once. In different boards the second never waits for the
    first; in the same board it may (if both took the same slot) until the first commits, and
    never deadlocks. Each commit shows a new token to everyone else."""
    first = Board.objects.create(municipality=municipality, code="A1", name="A", valid_from=2019)
    second = (
        first
        if same_board
        else Board.objects.create(municipality=municipality, code="B1", name="B", valid_from=2019)
    )

    def token(board):
        return data_token(boards=[board], years=[2022])

    tokens = (token(first), token(second))
    holding, release, failures = threading.Event(), threading.Event(), []
    thread = _in_thread(
        lambda: Board.objects.filter(pk=first.pk).update(name="A ändrad"),
        holding,
        release,
        failures,
    )
    try:
        assert holding.wait(10)
        assert token(first) == tokens[0]  # the open transaction's change is not visible yet
        if not same_board:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '2s'")
                Board.objects.filter(pk=second.pk).update(name="B ändrad")
        else:
            threading.Timer(0.5, release.set).start()  # the first commits a moment later
            with transaction.atomic():
                Board.objects.filter(pk=second.pk).update(name="B ändrad")
        assert token(second) != tokens[1]
    finally:
        release.set()
        thread.join(10)
    assert not failures, failures
    assert token(first) != tokens[0]


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_writers_touching_many_scopes_in_any_order_do_not_deadlock(municipality):
    """Statements that mark several board-years, chosen in shuffled orders, in concurrent
    transactions: each statement takes its marks in one sorted order, so none is chosen as a
    deadlock victim."""
    boards = [
        Board.objects.create(municipality=municipality, code=f"D{n}", name=f"D{n}", valid_from=2019)
        for n in range(3)
    ]
    indicators = [
        Indicator.objects.create(board=board, category="personal", name="I", valid_from=2019)
        for board in boards
    ]
    IndicatorValue.objects.bulk_create(
        IndicatorValue(
            indicator=indicator,
            breakdown=breakdown(),
            year=year,
            period_type=PeriodType.YEAR,
            period_number=1,
            value=Decimal(1),
        )
        for indicator in indicators
        for year in (2020, 2021, 2022)
    )
    failures: list[BaseException] = []

    def writer(seed: int) -> None:
        chooser = random.Random(seed)
        try:
            for _ in range(20):
                years = chooser.sample([2020, 2021, 2022], 2)
                ids = [indicator.pk for indicator in chooser.sample(indicators, 2)]
                IndicatorValue.objects.filter(indicator__in=ids, year__in=years).update(
                    comment=str(seed)
                )
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures, failures


def test_after_a_restore_the_triggers_are_back_and_every_token_changes(two_boards, board_an):
    """manage.py restore sends core.signals.database_restored (core imports no app above it);
    reports answers with its triggers and a new shared mark, on either backend."""
    from core.signals import database_restored
    from reports.freshness import remove_triggers

    remove_triggers()
    token = data_token(boards=[board_an], years=[2022])
    database_restored.send(sender=None, using="default")
    assert data_token(boards=[board_an], years=[2022]) != token
    before = marks()
    IndicatorValue.objects.filter(indicator__board=board_an, year=2022).update(comment="Efter")
    assert changed(before, marks()) == {(board_an.pk, 2022)}


def test_board_tokens_are_each_boards_own_token_in_one_query(
    two_boards, board_an, board_other, django_assert_num_queries
):
    from reports.freshness import board_tokens

    years = range(1, 2023)
    with django_assert_num_queries(1):
        tokens = board_tokens([board_an, board_other], years)
    assert tokens == {
        board.pk: data_token(boards=[board], years=years) for board in (board_an, board_other)
    }
