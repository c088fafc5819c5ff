"""The data token (reports.freshness): every way of changing data changes it, reads do not.

A cached report is only as true as this token: a write path that slipped past it would show a
stale official report, so each kind of write is tried here, on both database backends.
"""

from __future__ import annotations

import itertools
import threading

import pytest
from django.db import connection, connections, transaction

from goals.models import Board, BoardRole, GoalArea, Role
from reports.freshness import data_token, install_triggers, watched_tables
from reports.models import DataToken

pytestmark = pytest.mark.django_db
NUMBERS = itertools.count(10)


def test_every_table_of_goals_indicators_and_budget_is_watched():
    tables = set(watched_tables())
    assert {"goals_board", "indicators_indicatorvalue", "budget_budgetamount"} <= tables
    assert "goals_organisationunit_boards" in tables  # many-to-many tables too
    assert not any("historical" in table for table in tables)
    assert BoardRole._meta.db_table not in tables  # who may do what is not report data
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = 'reports_data_token'"
            )
            with_trigger = {row[0] for row in cursor.fetchall()}
            assert with_trigger == tables
        else:
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
            rows = cursor.fetchall()
            for event in ("insert", "update", "delete"):
                assert {table for table, name in rows if name.endswith(f"_{event}")} >= tables


def test_installing_twice_changes_nothing():
    before = data_token()
    assert set(install_triggers()) == set(watched_tables())
    assert data_token() == before


def test_reading_keeps_the_token(board_an):
    token = data_token()
    list(Board.objects.all())
    Board.objects.filter(pk=board_an.pk).exists()
    assert data_token() == token


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(
            lambda board: GoalArea.objects.create(name=f"Ny {next(NUMBERS)}", order=next(NUMBERS)),
            id="create",
        ),
        pytest.param(lambda board: board.save(), id="save"),
        pytest.param(
            lambda board: Board.objects.filter(pk=board.pk).update(name="Ändrad"), id="update"
        ),
        pytest.param(
            lambda board: GoalArea.objects.bulk_create(
                [GoalArea(name=f"B {next(NUMBERS)}", order=next(NUMBERS))]
            ),
            id="bulk_create",
        ),
        pytest.param(lambda board: GoalArea.objects.all().delete(), id="delete"),
        pytest.param(
            lambda board: connection.cursor().execute(
                "UPDATE goals_board SET name = 'Rå SQL' WHERE id = %s", [board.pk]
            ),
            id="raw-sql",
        ),
    ],
)
def test_every_kind_of_write_changes_the_token(board_an, write):
    GoalArea.objects.get_or_create(name="Finns", order=1)
    token = data_token()
    write(board_an)
    assert data_token() != token


def test_each_write_of_one_transaction_changes_the_token(board_an):
    """A request that writes, reads a report and writes again must not meet its first copy."""
    with transaction.atomic():
        Board.objects.filter(pk=board_an.pk).update(name="Första")
        first = data_token()
        Board.objects.filter(pk=board_an.pk).update(name="Andra")
        assert data_token() != first


def test_access_changes_keep_the_token(board_an, django_user_model):
    user = django_user_model.objects.create_user("ny", password="x-y-z-123-abc")
    token = data_token()
    BoardRole.objects.create(user=user, role=Role.SECRETARY, board=board_an)
    assert data_token() == token


def test_a_rolled_back_write_takes_its_token_back(board_an):
    token = data_token()
    with transaction.atomic():
        Board.objects.filter(pk=board_an.pk).update(name="Ångras")
        assert data_token() != token
        transaction.set_rollback(True)
    assert data_token() == token


def test_a_flushed_token_table_gets_new_random_slots():
    token = data_token()
    DataToken.objects.all().delete()
    fresh = data_token()
    assert fresh != token
    assert DataToken.objects.count() == DataToken.SLOTS
    assert data_token() == fresh


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_do_not_wait_for_each_other(municipality):
    """Two open transactions write at once: the second commits while the first still holds
    its slot, and each commit shows a new token to everyone else."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time; slots matter on PostgreSQL only")
    first = Board.objects.create(municipality=municipality, code="A1", name="A", valid_from=2019)
    second = Board.objects.create(municipality=municipality, code="B1", name="B", valid_from=2019)
    token = data_token()
    holding = threading.Event()
    release = threading.Event()
    failures: list[BaseException] = []

    def hold_a_slot():
        try:
            with transaction.atomic():
                Board.objects.filter(pk=first.pk).update(name="A ändrad")
                holding.set()
                release.wait(10)
        except BaseException as error:  # reported to the main thread
            failures.append(error)
            holding.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=hold_a_slot)
    thread.start()
    try:
        assert holding.wait(10)
        assert data_token() == token  # the open transaction's change is not visible yet
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            Board.objects.filter(pk=second.pk).update(name="B ändrad")
        after_second = data_token()
        assert after_second != token
    finally:
        release.set()
        thread.join(10)
    assert not failures, failures
    assert data_token() not in {token, after_second}


@pytest.mark.django_db(transaction=True)
def test_a_flushed_database_has_its_slots_back_at_once():
    """flush (the test runner's, or an administrator's) empties every table, the slots too;
    post_migrate puts new random ones back, so the first page after it reads no more than
    any other."""
    from django.core.management import call_command

    token = data_token()
    call_command("flush", interactive=False, verbosity=0)
    assert DataToken.objects.count() == DataToken.SLOTS
    assert data_token() != token
