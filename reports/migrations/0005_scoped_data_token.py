"""The data token per scope (shared structure, board, board-year) instead of one for all.

The old statement triggers write the old table; they are dropped first (found by name, so
this migration does not depend on today's code), the table is made anew, and post_migrate
installs the new triggers (reports.freshness.install_triggers_after_migrate).
"""

from django.db import migrations, models

OLD_TRIGGER = "reports_data_token"


def drop_old_triggers(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = %s",
                [OLD_TRIGGER],
            )
            for (table,) in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER IF EXISTS {OLD_TRIGGER} ON "{table}"')
            cursor.execute("DROP FUNCTION IF EXISTS reports_change_data_token()")
        elif connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [f"{OLD_TRIGGER}_%"],
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')


def drop_new_triggers(apps, schema_editor):
    """Going back: the scoped triggers lose their table (0003's reverse drops the rest)."""
    from reports.freshness import remove_triggers

    remove_triggers(schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_documents_outline"),
    ]

    operations = [
        migrations.RunPython(drop_old_triggers, drop_new_triggers),
        migrations.DeleteModel(name="DataToken"),
        migrations.CreateModel(
            name="DataToken",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("board", models.PositiveIntegerField(verbose_name="nämnd (0 = gemensam struktur)")),
                ("year", models.PositiveSmallIntegerField(verbose_name="år (0 = alla år)")),
                ("slot", models.PositiveSmallIntegerField(verbose_name="plats")),
                ("token", models.CharField(max_length=64, verbose_name="ändringsmärke")),
            ],
            options={
                "verbose_name": "ändringsmärke för data",
                "verbose_name_plural": "ändringsmärken för data",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("board", "year", "slot"),
                        name="reports_datatoken_one_per_scope_slot",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("slot__gte", 1), ("slot__lte", 8)),
                        name="reports_datatoken_slot_range",
                    ),
                ],
            },
        ),
    ]
