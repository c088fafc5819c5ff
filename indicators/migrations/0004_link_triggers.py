"""The database refuses an indicator linked to another board's nämndmål or main indicator.

Indicator.clean() gives the Swedish message at the form; these triggers hold the same rule for
raw SQL, bulk_create, queryset update() and anything else, on both backends (the dialects come
from goals.integrity.link_trigger_sql). Moving a nämndmål or a main indicator to another board
while indicators of the old board still point at it is refused too.

The rules are goals.integrity's (installed again after every migrate, see install_link_triggers).
"""

from django.db import migrations, models

from goals.integrity import INDICATOR_LINK_RULES, drop_link_trigger_sql, link_trigger_sql

RULES = INDICATOR_LINK_RULES


def install(apps, schema_editor):
    for statement in link_trigger_sql(schema_editor.connection.vendor, RULES):
        schema_editor.execute(statement)


def remove(apps, schema_editor):
    for statement in drop_link_trigger_sql(schema_editor.connection.vendor, RULES):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0003_structure_and_value_kinds"),
        ("goals", "0006_link_triggers"),
    ]

    # The constraints first: on SQLite adding one rebuilds the table, which drops its triggers.
    operations = [
        migrations.AddConstraint(
            model_name="indicator",
            constraint=models.CheckConstraint(
                condition=models.Q(("parent__isnull", True))
                | ~models.Q(("parent", models.F("pk"))),
                name="indicators_indicator_not_own_parent",
                violation_error_message="En indikator kan inte vara delindikator till sig själv.",
            ),
        ),
        migrations.AddConstraint(
            model_name="indicator",
            constraint=models.CheckConstraint(
                condition=models.Q(("predecessor__isnull", True))
                | ~models.Q(("predecessor", models.F("pk"))),
                name="indicators_indicator_not_own_predecessor",
                violation_error_message="En indikator kan inte ersätta sig själv.",
            ),
        ),
        migrations.RunPython(install, remove),
    ]
