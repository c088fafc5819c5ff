"""The database refuses to change an archived report (UPDATE), whatever path tries it.

Deleting is refused by the model, the queryset and the admin, and by the PROTECT foreign keys
of the rows that point at it; a DELETE trigger is left out because the test runner empties
tables with DELETE on SQLite. Both backends get a trigger of their own dialect.
"""

from django.db import migrations

MESSAGE = "En arkiverad rapport kan inte ändras."

POSTGRES_UP = f"""
CREATE OR REPLACE FUNCTION reports_archivedreport_refuse_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER reports_archivedreport_no_update
    BEFORE UPDATE ON reports_archivedreport
    FOR EACH ROW EXECUTE FUNCTION reports_archivedreport_refuse_update();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS reports_archivedreport_no_update ON reports_archivedreport;
DROP FUNCTION IF EXISTS reports_archivedreport_refuse_update();
"""
SQLITE_UP = f"""
CREATE TRIGGER reports_archivedreport_no_update
    BEFORE UPDATE ON reports_archivedreport
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS reports_archivedreport_no_update;"


def _run(sql_by_vendor):
    def run(apps, schema_editor):
        sql = sql_by_vendor.get(schema_editor.connection.vendor)
        if sql:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP}),
            _run({"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN}),
        ),
    ]
