"""Helpers for the list pages' tests (django-tables2 tables under django-filter forms)."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext


def records(response) -> list:
    """The records of the table's current page, in the order shown."""
    return [row.record for row in response.context["table"].paginated_rows]


def queries_for(client, url: str) -> int:
    client.get(url)  # warm: the session and the roles are read the same way every time
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def assert_flat_queries(client, url: str, *, rows: Callable[[], int], grow: Callable[[], None]):
    """The page runs as many queries with 20 rows as with 2: `grow` adds the other 18."""
    assert rows() == 2
    small = queries_for(client, url)
    grow()
    assert rows() == 20
    response = client.get(url)
    assert len(response.context["table"].paginated_rows) == 20
    assert queries_for(client, url) == small
