"""The database refuses an indicator linked to another board's nämndmål or main indicator.

Indicator.clean() gives the Swedish message at the form; these triggers hold the same rule for
raw SQL, bulk_create, queryset update() and anything else, on both backends (the dialects come
from goals.integrity.link_trigger_sql). Moving a nämndmål or a main indicator to another board
while indicators of the old board still point at it is refused too.
"""

from django.db import migrations

from goals.integrity import drop_link_trigger_sql, link_trigger_sql

RULES = [
    (
        "styrkort_indicator_goal_same_board",
        "indicators_indicator",
        ("board_id", "board_goal_id"),
        "NEW.board_goal_id IS NOT NULL"
        " AND (SELECT board_id FROM goals_boardgoal WHERE id = NEW.board_goal_id) <> NEW.board_id",
        "Nämndmålet hör till en annan nämnd än indikatorn.",
        True,
    ),
    (
        "styrkort_indicator_parent_same_board",
        "indicators_indicator",
        ("board_id", "parent_id"),
        "(NEW.parent_id IS NOT NULL"
        " AND (SELECT board_id FROM indicators_indicator WHERE id = NEW.parent_id) <> NEW.board_id)"
        " OR EXISTS (SELECT 1 FROM indicators_indicator c"
        " WHERE c.parent_id = NEW.id AND c.board_id <> NEW.board_id)",
        "Huvudindikatorn och delindikatorn hör till olika nämnder.",
        True,
    ),
    (
        "styrkort_boardgoal_board_keeps_indicators",
        "goals_boardgoal",
        ("board_id",),
        "EXISTS (SELECT 1 FROM indicators_indicator i"
        " WHERE i.board_goal_id = NEW.id AND i.board_id <> NEW.board_id)",
        "Nämndmålet har indikatorer i sin nämnd och kan inte flyttas till en annan nämnd.",
        False,
    ),
]


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

    operations = [migrations.RunPython(install, remove)]
