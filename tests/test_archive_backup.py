"""An archived report survives backup and restore byte for byte, still unchangeable (PostgreSQL)."""

from __future__ import annotations

import hashlib

import pytest
from django.core.management import call_command
from django.db import connection

from goals import services
from goals.models import ReportingOccasion
from goals.periods import PeriodType
from reports.models import ArchivedReport
from tests.entry_data import goal_chain
from tests.test_backup import _url, dsn_for, empty_database  # noqa: F401 (fixture)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump/psql: PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def test_archive_is_restored_identical_and_still_refuses_updates(
    board_an,
    controller_an,
    secretary_an,
    empty_database,  # noqa: F811 (the fixture imported above)
    tmp_path,
):
    import psycopg

    goal_chain(board_an, goals=1, indicators_per_goal=1, frequency=PeriodType.YEAR)
    occasion = ReportingOccasion.objects.create(board=board_an, year=2023, kind="helar")
    services.submit_occasion(user=controller_an, occasion=occasion, confirm_missing=True)
    services.approve_occasion(user=secretary_an, occasion=occasion)
    archive = ArchivedReport.objects.get()
    xlsx = bytes(archive.xlsx)

    call_command("backup", directory=tmp_path, verbosity=0)
    [dump] = list(tmp_path.glob("styrkort-*.dump"))
    settings_dict = connection.settings_dict
    call_command(
        "restore", file=dump, database_url=_url(settings_dict, empty_database), interactive=False
    )

    with psycopg.connect(dsn_for(settings_dict, empty_database), autocommit=True) as conn:
        restored, sha, json_text = conn.execute(
            "SELECT xlsx, xlsx_sha256, json_text FROM reports_archivedreport"
        ).fetchone()
        assert bytes(restored) == xlsx
        assert sha == hashlib.sha256(bytes(restored)).hexdigest() == archive.xlsx_sha256
        assert json_text == archive.json_text
        with pytest.raises(psycopg.errors.IntegrityConstraintViolation):
            conn.execute("UPDATE reports_archivedreport SET year = 1999")
