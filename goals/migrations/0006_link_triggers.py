"""The database refuses an activity linked to another board's nämndmål, whatever path writes it.

Model clean() and goals.integrity (the m2m_changed receiver, check_activity_links) give the
Swedish message at the form; these triggers hold the same rule for raw SQL, bulk_create and
anything else. Both backends get triggers of their own dialect (goals.integrity.link_trigger_sql).
"""

from django.db import migrations

from goals.integrity import drop_link_trigger_sql, link_trigger_sql

RULES = [
    (
        "styrkort_activity_goal_same_board",
        "goals_activity_board_goals",
        ("activity_id", "boardgoal_id"),
        "(SELECT board_id FROM goals_activity WHERE id = NEW.activity_id)"
        " <> (SELECT board_id FROM goals_boardgoal WHERE id = NEW.boardgoal_id)",
        "Nämndmålet hör till en annan nämnd än aktiviteten.",
        True,
    ),
    (
        "styrkort_activity_board_keeps_goals",
        "goals_activity",
        ("board_id",),
        "EXISTS (SELECT 1 FROM goals_activity_board_goals l"
        " JOIN goals_boardgoal g ON g.id = l.boardgoal_id"
        " WHERE l.activity_id = NEW.id AND g.board_id <> NEW.board_id)",
        "Aktiviteten har nämndmål i sin nämnd och kan inte flyttas till en annan nämnd.",
        False,
    ),
    (
        "styrkort_boardgoal_board_keeps_activities",
        "goals_boardgoal",
        ("board_id",),
        "EXISTS (SELECT 1 FROM goals_activity_board_goals l"
        " JOIN goals_activity a ON a.id = l.activity_id"
        " WHERE l.boardgoal_id = NEW.id AND a.board_id <> NEW.board_id)",
        "Nämndmålet har aktiviteter i sin nämnd och kan inte flyttas till en annan nämnd.",
        False,
    ),
    (
        "styrkort_boardgoal_predecessor_same_board",
        "goals_boardgoal",
        ("board_id", "predecessor_id"),
        "NEW.predecessor_id IS NOT NULL"
        " AND (SELECT board_id FROM goals_boardgoal WHERE id = NEW.predecessor_id) <> NEW.board_id",
        "Ett nämndmål kan bara ersätta ett nämndmål i samma nämnd.",
        True,
    ),
]


def install(apps, schema_editor):
    for statement in link_trigger_sql(schema_editor.connection.vendor, RULES):
        schema_editor.execute(statement)


def remove(apps, schema_editor):
    for statement in drop_link_trigger_sql(schema_editor.connection.vendor, RULES):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("goals", "0005_structure_and_value_kinds")]

    operations = [migrations.RunPython(install, remove)]
