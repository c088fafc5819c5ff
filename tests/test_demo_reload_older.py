"""`load_demo` over a database an older demo loaded: a clear message, nothing changed.

This version adds data to years the demo approves (seed 000's 2021 periods). A database loaded
by an older version has those years approved and locked, so the load cannot write them: the
command says why and how to start afresh, and the transaction leaves the database as it was.
"""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from demo.management.commands.load_demo import LOCKED_BY_OLDER_LOAD
from indicators.models import IndicatorValue

pytestmark = pytest.mark.django_db


def test_a_locked_older_load_gets_a_swedish_message_and_nothing_changes():
    call_command("load_demo", "--no-users", verbosity=0)
    period_2021 = IndicatorValue.objects.filter(year=2021, period_type="ar").first()
    assert period_2021 is not None
    # What an older version's database looks like: the approved year without a value this
    # version loads (load_demo over a database of 68da921 fails the same way).
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {IndicatorValue._meta.db_table} WHERE id = %s", [period_2021.pk]
        )
    count = IndicatorValue.objects.count()
    with pytest.raises(CommandError) as raised:
        call_command("load_demo", "--no-users", verbosity=0)
    message = str(raised.value)
    assert LOCKED_BY_OLDER_LOAD.split("{reason}")[0] in message
    assert "make run" in message and "godkänt och låst" in message
    assert IndicatorValue.objects.count() == count
