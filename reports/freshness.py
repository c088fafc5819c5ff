"""Is a cached output still true? The data token answers with one small read.

Every table of goals, indicators and budget (except history and access tables) carries a
trigger that gives one slot of reports_datatoken a new random value whenever a statement
inserts, updates, deletes or truncates rows. An output built from the data is cached under the
token it was read with (all slots together); after a change the key is new and the old copy is
never read again.

Why triggers and not Django signals: bulk_create, QuerySet.update(), the Excel import, a
restore and raw SQL skip signals, and one missed path would show a stale official report.

The slot is part of the writing transaction: others see the new value in the same instant as
the change (at commit), the transaction itself at once, and a rollback takes both back. On
PostgreSQL a transaction takes the first slot no other writer holds (FOR UPDATE SKIP LOCKED)
and keeps it, so concurrent writers do not queue behind one hot row or deadlock on it; SQLite
has one writer at a time and row triggers only.

Values are random rather than counters, so a database that is flushed, restored or rolled back
to an earlier state can never meet a copy cached under a token from another state.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from django.apps import AppConfig, apps
from django.db import connections

import core.cache
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
SLOT_SETTING = "styrkort.data_token_slot"

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION reports_change_data_token() RETURNS trigger AS $$
DECLARE
    slot integer := nullif(current_setting('{SLOT_SETTING}', true), '')::integer;
BEGIN
    IF slot IS NULL THEN
        SELECT id INTO slot FROM reports_datatoken ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED;
        IF slot IS NULL THEN
            -- More writers than slots (or a flushed table): wait for the first slot.
            SELECT id INTO slot FROM reports_datatoken ORDER BY id LIMIT 1 FOR UPDATE;
        END IF;
        IF slot IS NULL THEN
            RETURN NULL;  -- no slots: the next reader creates new random ones
        END IF;
        PERFORM set_config('{SLOT_SETTING}', slot::text, true);
    END IF;
    UPDATE reports_datatoken SET token = md5(random()::text || clock_timestamp()::text)
        WHERE id = slot;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""


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


def _postgres_statements(table: str) -> list[str]:
    return [
        f'DROP TRIGGER IF EXISTS {TRIGGER} ON "{table}"',
        f'CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
        "FOR EACH STATEMENT EXECUTE FUNCTION reports_change_data_token()",
    ]


def _sqlite_statements(table: str) -> list[str]:
    statements = []
    for event in ("insert", "update", "delete"):
        name = f"{TRIGGER}_{table}_{event}"
        statements += [
            f'DROP TRIGGER IF EXISTS "{name}"',
            f'CREATE TRIGGER "{name}" AFTER {event.upper()} ON "{table}" BEGIN '
            "UPDATE reports_datatoken SET token = lower(hex(randomblob(16))) WHERE id = 1; END",
        ]
    return statements


def install_triggers(using: str = "default") -> list[str]:
    """(Re)create the trigger on every watched table that exists; returns those tables."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    if DataToken._meta.db_table not in existing:
        return []
    tables = [table for table in watched_tables() if table in existing]
    if connection.vendor == "postgresql":
        statements = [POSTGRES_FUNCTION]
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


def remove_triggers(using: str = "default") -> None:
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    tables = [table for table in watched_tables() if table in existing]
    if connection.vendor == "postgresql":
        statements = [f'DROP TRIGGER IF EXISTS {TRIGGER} ON "{table}"' for table in tables]
        statements.append("DROP FUNCTION IF EXISTS reports_change_data_token()")
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
    """After migrate, and after flush (which empties the slots with every other table)."""
    if sender.name == "reports" and install_triggers(using):
        create_slots(using)


def create_slots(using: str = "default") -> None:
    """Every slot with a new random value; slots already there keep theirs."""
    DataToken.objects.using(using).bulk_create(
        [DataToken(id=slot, token=secrets.token_hex(16)) for slot in range(1, DataToken.SLOTS + 1)],
        ignore_conflicts=True,
    )


def data_token(using: str = "default") -> str:
    """The current token: a digest of every slot. A flushed database gets new random slots."""
    values = list(DataToken.objects.using(using).order_by("id").values_list("token", flat=True))
    if not values:
        create_slots(using)
        values = list(DataToken.objects.using(using).order_by("id").values_list("token", flat=True))
    return hashlib.blake2b("".join(values).encode(), digest_size=16).hexdigest()


# Part of every key, so a deploy whose builders changed never meets a copy built by older code
# (a per-process cache starts empty anyway; this guards a shared one).
LAYOUT = 2
CACHE_SECONDS = 60 * 60


def cached(
    key: str, build: Callable[[], T], *, token: str | None = None, seconds: int = CACHE_SECONDS
) -> T:
    """build(), or the copy built from exactly the data the database holds now.

    The key names what is built and from which arguments (ids, not objects); the data token
    is added here (or given, when one request builds several things from one reading). The
    value must be plain data or models that pickle: the cache keeps a copy, never the caller's
    object.
    """
    full_key = f"{LAYOUT}:{key}:{token or data_token()}"
    return core.cache.get_or_build(full_key, build, seconds)  # a cache outage builds instead
