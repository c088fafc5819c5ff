"""The database refuses an activity linked to another board's nämndmål, whatever path writes it.

Model clean() and goals.integrity (the m2m_changed receiver, check_activity_links) give the
Swedish message at the form; these triggers hold the same rule for raw SQL, bulk_create and
anything else. Both backends get triggers of their own dialect (goals.integrity.link_trigger_sql).

The rules are goals.integrity's (installed again after every migrate, see install_link_triggers).
"""

from django.db import migrations

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

    operations = [migrations.RunPython(install, remove)]
