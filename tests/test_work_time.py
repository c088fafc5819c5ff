"""tests/work_time.py: waiting does not count, the database backend's work does."""

from __future__ import annotations

import time

import pytest
from django.db import connection

from tests.work_time import measured

pytestmark = pytest.mark.django_db


def test_waiting_is_wall_time_only():
    with measured() as work:
        time.sleep(0.3)
    assert work.wall >= 0.3
    assert work.cpu is not None and work.cpu < 0.1
    assert work.cost == work.cpu


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a database server's backend")
def test_the_database_backends_cpu_time_counts():
    with measured() as work:
        started = time.process_time()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM generate_series(1, 5000000)")
            assert cursor.fetchone()[0] == 5_000_000
        here = time.process_time() - started
    assert work.cpu is not None
    # The count ran in the server: far more CPU there than this process spent waiting for it.
    assert work.cpu - here > 0.1 > here
