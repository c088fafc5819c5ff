"""Backup and restore: every value, target, assessment and history row comes back identical.

The PostgreSQL test backs up the (committed) test database with pg_dump, restores it into a
NEW empty database with the restore command, and compares every row of every table. The
SQLite tests use a file database of their own.
"""

from __future__ import annotations

import sqlite3
import stat
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from core.backup import (
    ERROR_NO_FILE,
    ERROR_NOT_A_DUMP,
    ERROR_NOT_SQLITE,
    BackupError,
    backup_database,
    restore_database,
)
from goals.models import (
    AssessmentLevel,
    GoalAssessment,
    OccasionTransition,
    ReportingOccasion,
)
from goals.periods import PeriodType
from indicators.models import IndicatorValue, MissingReason, Target
from tests.builders import breakdown
from tests.entry_data import VALUE_YEARS, goal_chain

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="pg_dump/pg_restore need PostgreSQL; set DATABASE_URL (CI does)",
)


# --- PostgreSQL ---------------------------------------------------------------------------------


def populate(board, user):
    """Values (numbers, I.U., many decimals), targets, an assessment and history with edits."""
    goal_chain(
        board,
        goals=2,
        indicators_per_goal=3,
        frequency=PeriodType.YEAR,
        value_years=VALUE_YEARS,
    )
    first = IndicatorValue.objects.order_by("pk").first()
    first.value = Decimal("88.9125")
    first.comment = "Ändrad efter granskning – åäö ÅÄÖ"
    first.updated_by = user
    first.save()
    IndicatorValue.objects.create(
        indicator=first.indicator,
        year=2019,
        breakdown=breakdown(),
        value=None,
        missing_reason=MissingReason.TOO_SMALL,
    )
    target = Target.objects.order_by("pk").first()
    target.text = "Ska öka jämfört med 2021"
    target.save()
    occasion = ReportingOccasion.objects.create(board=board, year=2022, kind="helar")
    GoalAssessment.objects.create(
        occasion=occasion,
        board_goal=first.indicator.board_goal,
        level=AssessmentLevel.PARTLY,
        analysis="Målet är delvis uppnått.\nAndra stycket.",
    )
    occasion.state = ReportingOccasion.State.SUBMITTED
    occasion.save()
    OccasionTransition.objects.create(
        occasion=occasion, from_state="oppen", to_state="inskickad", user=user, reason="Klart"
    )


def table_rows(dsn: str) -> dict[str, list[tuple]]:
    """Every row of every table in the public schema, in a stable order.

    Sorted in Python on the whole row: a history table's first column is the object's id,
    shared by its history rows, so ORDER BY 1 leaves their order to the planner.
    """
    import psycopg

    rows: dict[str, list[tuple]] = {}
    with psycopg.connect(dsn) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        for table in tables:
            rows[table] = sorted(conn.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)
        sequences = conn.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
            " ORDER BY 1"
        ).fetchall()
        rows["<sequences>"] = sequences
    return rows


def dsn_for(settings_dict: dict, name: str) -> str:
    from psycopg.conninfo import make_conninfo

    return make_conninfo(
        dbname=name,
        host=settings_dict.get("HOST") or None,
        port=settings_dict.get("PORT") or None,
        user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
    )


@pytest.fixture
def empty_database():
    """A new, empty database next to the test database, dropped afterwards."""
    import psycopg
    from psycopg import sql

    settings_dict = connection.settings_dict
    name = f"{settings_dict['NAME']}_restore"
    admin = dsn_for(settings_dict, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _url(settings_dict: dict, name: str) -> str:
    from urllib.parse import quote

    user = quote(settings_dict.get("USER") or "")
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{quote(password)}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "localhost"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{name}"


@on_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_backup_restored_into_an_empty_database_is_identical(
    board_an, controller_an, empty_database, tmp_path
):
    import psycopg

    populate(board_an, controller_an)
    settings_dict = connection.settings_dict
    source_dsn = dsn_for(settings_dict, settings_dict["NAME"])
    target_dsn = dsn_for(settings_dict, empty_database)
    target_url = _url(settings_dict, empty_database)

    call_command("backup", directory=tmp_path, verbosity=0)
    [dump] = list(tmp_path.glob("styrkort-*.dump"))
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600
    assert not list(tmp_path.glob("*.partial"))

    call_command("restore", file=dump, database_url=target_url, interactive=False)

    before, after = table_rows(source_dsn), table_rows(target_dsn)
    for table in [
        "indicators_indicatorvalue",
        "indicators_historicalindicatorvalue",
        "indicators_target",
        "indicators_historicaltarget",
        "goals_goalassessment",
        "goals_historicalgoalassessment",
        "goals_occasiontransition",
        "goals_historicalreportingoccasion",
        "auth_user",
    ]:
        assert before[table], f"{table} was not populated"
    # History has the edits: more history rows than values.
    assert len(before["indicators_historicalindicatorvalue"]) > len(
        before["indicators_indicatorvalue"]
    )
    assert after.keys() == before.keys()
    for table in before:
        assert after[table] == before[table], f"{table} differs after restore"

    # Restoring again over a database that has changed since gives back exactly the backup:
    # rows added later and tables the backup does not know are gone.
    with psycopg.connect(target_dsn, autocommit=True) as conn:
        conn.execute("UPDATE indicators_indicatorvalue SET comment = 'ändrad efteråt'")
        conn.execute("DELETE FROM goals_occasiontransition")
        conn.execute("CREATE TABLE senare_tabell (id int)")
    call_command("restore", file=dump, database_url=target_url, interactive=False)
    assert table_rows(target_dsn) == before


@on_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_file_that_is_not_a_dump_changes_nothing(board_an, empty_database, tmp_path):
    import psycopg

    settings_dict = connection.settings_dict
    target_dsn = dsn_for(settings_dict, empty_database)
    with psycopg.connect(target_dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE behalls (namn text)")
        conn.execute("INSERT INTO behalls VALUES ('finns kvar')")
    bogus = tmp_path / "styrkort-trasig.dump"
    bogus.write_bytes(b"PGDMP" + b"\x00" * 100)

    with pytest.raises(CommandError) as refused:
        call_command(
            "restore",
            file=bogus,
            database_url=_url(settings_dict, empty_database),
            interactive=False,
        )
    assert ERROR_NOT_A_DUMP.split(":")[0].format(file=bogus) in str(refused.value)
    assert "Ingenting ändrades" in str(refused.value)
    with psycopg.connect(target_dsn) as conn:
        assert conn.execute("SELECT namn FROM behalls").fetchall() == [("finns kvar",)]


@on_postgres
@pytest.mark.postgres
def test_missing_client_programs_give_a_clear_message(db, monkeypatch, tmp_path):
    monkeypatch.setenv("PGBIN", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BackupError, match="Hittar inte pg_dump"):
        backup_database(connection.settings_dict, tmp_path)


# --- SQLite -------------------------------------------------------------------------------------


def make_sqlite(path: Path, rows: list[tuple]) -> dict:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS utfall (id INTEGER PRIMARY KEY, varde TEXT)")
        conn.execute("DELETE FROM utfall")
        conn.executemany("INSERT INTO utfall VALUES (?, ?)", rows)
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}


def read_sqlite(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT id, varde FROM utfall ORDER BY id").fetchall()
    finally:
        conn.close()


ROWS = [(1, "3 327"), (2, "88,9"), (3, "Åsa Öberg")]


def test_sqlite_backup_and_restore(tmp_path):
    database = tmp_path / "styrkort.sqlite3"
    settings_dict = make_sqlite(database, ROWS)

    backup = backup_database(settings_dict, tmp_path / "backups")
    assert backup.name.startswith("styrkort-") and backup.suffix == ".sqlite3"
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert read_sqlite(backup) == ROWS

    make_sqlite(database, [(9, "ändrat efter kopian")])
    restore_database(settings_dict, backup)
    assert read_sqlite(database) == ROWS


def test_sqlite_backup_while_a_write_is_open_is_consistent(tmp_path):
    """The copy sees committed data only, never a half-done transaction."""
    database = tmp_path / "styrkort.sqlite3"
    settings_dict = make_sqlite(database, ROWS)
    writer = sqlite3.connect(database, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("BEGIN")
    writer.execute("INSERT INTO utfall VALUES (4, 'inte klar')")
    try:
        backup = backup_database(settings_dict, tmp_path / "backups")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert read_sqlite(backup) == ROWS


def test_two_backups_in_the_same_second_do_not_overwrite(tmp_path):
    settings_dict = make_sqlite(tmp_path / "styrkort.sqlite3", ROWS)
    first = backup_database(settings_dict, tmp_path / "backups")
    second = backup_database(settings_dict, tmp_path / "backups")
    assert first != second
    assert first.exists() and second.exists()


def test_sqlite_restore_refuses_a_file_that_is_not_a_database(tmp_path):
    database = tmp_path / "styrkort.sqlite3"
    settings_dict = make_sqlite(database, ROWS)
    bogus = tmp_path / "inte-en-databas.sqlite3"
    bogus.write_text("hej")
    with pytest.raises(BackupError) as refused:
        restore_database(settings_dict, bogus)
    assert str(refused.value) == ERROR_NOT_SQLITE.format(file=bogus)
    assert read_sqlite(database) == ROWS


def test_restore_of_a_missing_file(tmp_path):
    settings_dict = make_sqlite(tmp_path / "styrkort.sqlite3", ROWS)
    missing = tmp_path / "finns-inte.sqlite3"
    with pytest.raises(BackupError) as refused:
        restore_database(settings_dict, missing)
    assert str(refused.value) == ERROR_NO_FILE.format(file=missing)


def test_a_postgres_dump_is_not_restored_into_sqlite(tmp_path):
    database = tmp_path / "styrkort.sqlite3"
    settings_dict = make_sqlite(database, ROWS)
    dump = tmp_path / "styrkort-1.dump"
    dump.write_bytes(b"PGDMP")
    with pytest.raises(BackupError, match="passar inte databasen"):
        restore_database(settings_dict, dump)
    assert read_sqlite(database) == ROWS


def test_restore_command_asks_first_and_stops_without_yes(tmp_path, monkeypatch):
    database = tmp_path / "styrkort.sqlite3"
    make_sqlite(database, ROWS)
    backup = backup_database(
        {"ENGINE": "django.db.backends.sqlite3", "NAME": str(database)}, tmp_path
    )
    make_sqlite(database, [(9, "nyare")])
    monkeypatch.setattr("builtins.input", lambda prompt: "nej")
    with pytest.raises(CommandError, match="avbröts"):
        call_command("restore", file=backup, database_url=f"sqlite:///{database}")
    assert read_sqlite(database) == [(9, "nyare")]

    monkeypatch.setattr("builtins.input", lambda prompt: "ja")
    call_command("restore", file=backup, database_url=f"sqlite:///{database}")
    assert read_sqlite(database) == ROWS
