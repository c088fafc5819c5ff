"""The demo data, loaded once per test session and copied into each test that asks for it.

`load_demo` takes about 1.5 s: it validates every row and goes through the services. The copy
that a test gets is the rows that load wrote, read once per session and inserted again with a
few multi-row INSERTs, so every demo test still starts from exactly what `make run` loads and
may change it freely: its own transaction (or, for live_server tests, the flush) removes it.

Why copy rows rather than leave the demo in the database for the whole session: most tests
assume an empty database (no boards but their own), and live_server tests flush every table.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Model

from reports.models import DataToken

# The data token is kept by triggers: inserting the copy gives it new values as any write does.
NOT_COPIED = {DataToken}
# SQLite allows 32 766 parameters per statement; stay well below on both backends.
PARAMETERS_PER_STATEMENT = 5000


@dataclass(frozen=True)
class TableRows:
    model: type[Model]
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]


def _models() -> list[type[Model]]:
    """Every table the ORM writes to, with the auto-created many-to-many tables."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and model not in NOT_COPIED
    ]


def _columns(model: type[Model]) -> tuple[str, ...]:
    return tuple(field.column for field in model._meta.local_concrete_fields)


def read(model: type[Model]) -> dict:
    """The table's rows as the database returns them, by primary key (no field conversion)."""
    columns = _columns(model)
    quote = connection.ops.quote_name
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(model._meta.db_table)} "
            f"ORDER BY {quote(pk)}"
        )
        index = columns.index(pk)
        return {row[index]: tuple(row) for row in cursor.fetchall()}


def capture() -> tuple[TableRows, ...]:
    """Run load_demo on the current (empty) database, return the rows it added, roll back.

    Refuses when the load changed or removed a row that was there before (rows the migrations
    create): a copy of the added rows alone would then not be what the load leaves.
    """
    tables = []
    with transaction.atomic():
        before = {model: read(model) for model in _models()}
        call_command("load_demo", verbosity=0)
        for model, old in before.items():
            new = read(model)
            changed = [pk for pk, row in old.items() if new.get(pk) != row]
            if changed:
                raise RuntimeError(
                    f"load_demo changed rows of {model._meta.db_table} that the migrations "
                    f"created ({changed[:5]}); the session copy of the demo cannot hold that."
                )
            added = tuple(row for pk, row in new.items() if pk not in old)
            if added:
                tables.append(TableRows(model, _columns(model), added))
        transaction.set_rollback(True)
    return tuple(tables)


def differences(tables: tuple[TableRows, ...]) -> list[str]:
    """The tables whose rows now differ from the captured ones (empty: the copy is whole)."""
    return [
        table.model._meta.db_table
        for table in tables
        if tuple(read(table.model).values()) != table.rows
    ]


def is_untouched(tables: tuple[TableRows, ...]) -> bool:
    """No row yet in any table the demo fills (a copy would collide with the test's own rows)."""
    return not any(table.model._base_manager.exists() for table in tables)


def insert(tables: tuple[TableRows, ...]) -> None:
    """Insert the captured rows as they were read, then move the id sequences past them.

    Foreign keys are created DEFERRABLE INITIALLY DEFERRED on both backends, so the order of
    the tables does not matter inside the transaction.
    """
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for table in tables:
            row_sql = f"({', '.join(['%s'] * len(table.columns))})"
            per_statement = max(1, PARAMETERS_PER_STATEMENT // len(table.columns))
            head = (
                f"INSERT INTO {quote(table.model._meta.db_table)} "
                f"({', '.join(quote(c) for c in table.columns)}) VALUES "
            )
            for start in range(0, len(table.rows), per_statement):
                chunk = table.rows[start : start + per_statement]
                cursor.execute(
                    head + ", ".join([row_sql] * len(chunk)),
                    [value for row in chunk for value in row],
                )
        # PostgreSQL's sequences do not see explicit ids (SQLite's AUTOINCREMENT does).
        for sql in connection.ops.sequence_reset_sql(no_style(), [t.model for t in tables]):
            cursor.execute(sql)
