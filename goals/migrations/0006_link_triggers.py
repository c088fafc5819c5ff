"""The database refuses an activity linked to another board's nämndmål, whatever path writes it.

Model clean() and goals.integrity (the m2m_changed receiver, check_activity_links) give the
Swedish message at the form; these triggers hold the same rule for raw SQL, bulk_create and
anything else. Both backends get triggers of their own dialect (goals.integrity.link_trigger_sql).

The rules are goals.integrity's (installed again after every migrate, see install_link_triggers).
"""

from django.db import migrations, models

from goals.integrity import ACTIVITY_LINK_RULES, drop_link_trigger_sql, link_trigger_sql

RULES = ACTIVITY_LINK_RULES


def install(apps, schema_editor):
    for statement in link_trigger_sql(schema_editor.connection.vendor, RULES):
        schema_editor.execute(statement)


def remove(apps, schema_editor):
    for statement in drop_link_trigger_sql(schema_editor.connection.vendor, RULES):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("goals", "0005_structure_and_value_kinds")]

    # The constraints first: on SQLite adding one rebuilds the table, which drops its triggers.
    operations = [
        migrations.AddConstraint(
            model_name="boardgoal",
            constraint=models.CheckConstraint(
                condition=models.Q(("predecessor__isnull", True))
                | ~models.Q(("predecessor", models.F("pk"))),
                name="goals_boardgoal_not_own_predecessor",
                violation_error_message="En rad kan inte ersätta sig själv.",
            ),
        ),
        migrations.AddConstraint(
            model_name="strategicassignment",
            constraint=models.CheckConstraint(
                condition=models.Q(("predecessor__isnull", True))
                | ~models.Q(("predecessor", models.F("pk"))),
                name="goals_assignment_not_own_predecessor",
                violation_error_message="En rad kan inte ersätta sig själv.",
            ),
        ),
        migrations.AddConstraint(
            model_name="activity",
            constraint=models.CheckConstraint(
                condition=models.Q(("predecessor__isnull", True))
                | ~models.Q(("predecessor", models.F("pk"))),
                name="goals_activity_not_own_predecessor",
                violation_error_message="En rad kan inte ersätta sig själv.",
            ),
        ),
        migrations.RunPython(install, remove),
    ]
