"""A database that cannot be reached or written: a Swedish 503 that says nothing was saved.

In-process: the outage is made by refusing the connection's queries (Django's execute
wrappers raise what psycopg raises when the server is gone), and a read-only database is real
on both backends (PostgreSQL: read-only transactions for the session; SQLite: query_only).
The real server with a stopped PostgreSQL is tests/test_database_server.py.
"""

from __future__ import annotations

import io
import logging
import sqlite3
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, connection
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from core.database_outage import Outage, classify
from goals.models import ReportingOccasion
from goals.periods import PeriodType
from indicators.importing import COLUMN, SHEET
from indicators.models import IndicatorValue
from tests.conftest import PASSWORD
from tests.entry_data import field_post, goal_chain

Q = PeriodType.QUARTER
HTMX = {"HTTP_HX_REQUEST": "true"}
UNAVAILABLE_TEXT = (
    "Inte sparat: databasen går inte att nå just nu. Det du skrev finns kvar – "
    "försök igen om en stund."
)
READ_ONLY_TEXT = "Inte sparat: databasen går bara att läsa just nu, inget kan sparas."
LEAKS = ["Traceback", "OperationalError", "InterfaceError", "psycopg", "server closed", "SQL"]


@pytest.fixture
def occasion(board_an):
    return ReportingOccasion.objects.create(board=board_an, year=2023, kind="k3")


@pytest.fixture
def indicators(board_an):
    return goal_chain(board_an, goals=1, indicators_per_goal=1)


@pytest.fixture
def browser_client():
    """A client that answers as the server does instead of re-raising the view's error."""
    return Client(raise_request_exception=False)


def args(occasion):
    return [occasion.board.code, occasion.year, occasion.kind]


def filled_template(client, occasion, value=3327) -> bytes:
    data = client.get(reverse("indicators:entry_template", args=args(occasion))).content
    workbook = load_workbook(io.BytesIO(data))
    workbook[SHEET].cell(row=2, column=COLUMN["value"]).value = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def stored_values() -> list[Decimal]:
    return list(IndicatorValue.objects.filter(year=2023).values_list("value", flat=True))


class Refuse:
    """Every query fails as with a server that went away; `spare` tables still answer."""

    def __init__(self, error: type[DatabaseError] = OperationalError, spare: tuple[str, ...] = ()):
        self.error = error
        self.spare = spare
        self.refused = 0

    def __call__(self, execute, sql, params, many, context):
        if any(f'"{table}"' in sql for table in self.spare):
            return execute(sql, params, many, context)
        self.refused += 1
        raise self.error(
            "server closed the connection unexpectedly\n\tThis probably means the server "
            "terminated abnormally"
        )


# Before the view: the session (read by the middleware) is the first query, so the error
# reaches handler500. In the view: the session and the user answer, the view's queries do not.
BEFORE_VIEW = ()
IN_VIEW = ("django_session", "auth_user", "goals_boardrole", "axes_accessattempt")


def assert_outage_page(response, title="Databasen går inte att nå"):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    text = response.content.decode()
    assert '<html lang="sv">' in text
    assert f"<h1>{title}</h1>" in text
    assert "Inget har sparats." in text
    assert "Felkod 503" in text
    assert "Sparat" not in text.replace("Inget har sparats", "")
    for leak in LEAKS:
        assert leak not in text


# --- database unavailable ----------------------------------------------------------------------


@pytest.mark.parametrize("spare", [BEFORE_VIEW, IN_VIEW], ids=["before-view", "in-view"])
def test_page_view_says_the_database_is_unavailable(
    browser_client, controller_an, occasion, indicators, spare
):
    browser_client.force_login(controller_an)
    refuse = Refuse(spare=spare)
    with connection.execute_wrapper(refuse):
        response = browser_client.get(reverse("indicators:entry_page", args=args(occasion)))
    assert refuse.refused
    assert_outage_page(response)
    assert "Försök igen om en stund." in response.content.decode()


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
@pytest.mark.parametrize("spare", [BEFORE_VIEW, IN_VIEW], ids=["before-view", "in-view"])
def test_field_save_is_answered_not_saved(
    browser_client, controller_an, occasion, indicators, spare, error
):
    browser_client.force_login(controller_an)
    url = reverse("indicators:entry_save_value", args=args(occasion))
    data = field_post(indicators[0])
    with connection.execute_wrapper(Refuse(error, spare=spare)):
        response = browser_client.post(url, data, **HTMX)
    assert response.status_code == 503
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == UNAVAILABLE_TEXT
    assert stored_values() == []
    # The same save once the database is back is stored.
    response = browser_client.post(url, field_post(indicators[0]), **HTMX)
    assert response.status_code == 200
    assert stored_values() == [Decimal(3327)]


def test_field_save_without_htmx_gets_the_whole_page(
    browser_client, controller_an, occasion, indicators
):
    browser_client.force_login(controller_an)
    url = reverse("indicators:entry_save_value", args=args(occasion))
    data = field_post(indicators[0])
    with connection.execute_wrapper(Refuse(spare=IN_VIEW)):
        response = browser_client.post(url, data)
    assert_outage_page(response)
    assert "det du skrev kan finnas kvar" in response.content.decode()


def test_fetch_asking_for_json_gets_json(browser_client, controller_an, occasion, indicators):
    browser_client.force_login(controller_an)
    url = reverse("indicators:entry_save_value", args=args(occasion))
    data = field_post(indicators[0])
    with connection.execute_wrapper(Refuse(spare=IN_VIEW)):
        response = browser_client.post(url, data, HTTP_ACCEPT="application/json")
    assert response.status_code == 503
    assert response.json() == {"saved": False, "error": UNAVAILABLE_TEXT, "outage": "unavailable"}


def test_htmx_read_says_it_could_not_be_fetched(browser_client, controller_an, occasion):
    browser_client.force_login(controller_an)
    with connection.execute_wrapper(Refuse()):
        response = browser_client.get(reverse("indicators:entry_page", args=args(occasion)), **HTMX)
    assert response.status_code == 503
    text = response.content.decode()
    assert text.startswith("Kunde inte hämtas: databasen går inte att nå just nu.")
    assert "Inget har sparats." in text


@pytest.mark.parametrize("spare", [BEFORE_VIEW, ("django_session",)], ids=["session", "login"])
def test_login_says_the_database_is_unavailable(browser_client, controller_an, spare):
    with connection.execute_wrapper(Refuse(spare=spare)):
        response = browser_client.post(
            reverse("core:login"), {"username": controller_an.username, "password": PASSWORD}
        )
    assert_outage_page(response)


def test_import_says_the_database_is_unavailable(
    browser_client, controller_an, occasion, indicators
):
    browser_client.force_login(controller_an)
    data = filled_template(browser_client, occasion)
    url = reverse("indicators:entry_import", args=args(occasion))
    with connection.execute_wrapper(Refuse(spare=IN_VIEW)):
        response = browser_client.post(url, {"file": SimpleUploadedFile("utfall.xlsx", data)})
    assert_outage_page(response)
    assert stored_values() == []


def test_outage_is_logged_once_as_a_warning_without_a_traceback(
    browser_client, controller_an, occasion, caplog
):
    browser_client.force_login(controller_an)
    caplog.set_level(logging.INFO)
    with connection.execute_wrapper(Refuse()):
        browser_client.get(reverse("indicators:entry_page", args=args(occasion)))
    records = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(records) == 1, [r.getMessage() for r in records]
    (record,) = records
    assert record.name == "styrkort.database"
    assert record.levelno == logging.WARNING
    assert record.exc_info is None
    assert "går inte att nå" in record.getMessage()
    assert "/utfall/AN/2023/k3/" in record.getMessage()


def test_other_database_errors_stay_a_500(browser_client, controller_an, occasion):
    browser_client.force_login(controller_an)
    with connection.execute_wrapper(Refuse(IntegrityError, spare=IN_VIEW)):
        response = browser_client.get(reverse("indicators:entry_page", args=args(occasion)))
    assert response.status_code == 500
    assert "Något gick fel" in response.content.decode()


def test_classify_follows_the_chain_and_the_read_only_codes():
    class PsycopgReadOnly(Exception):
        sqlstate = "25006"

    read_only = DatabaseError("cannot execute UPDATE")
    read_only.__cause__ = PsycopgReadOnly()
    assert classify(read_only) is Outage.READ_ONLY
    sqlite_read_only = OperationalError("attempt to write a readonly database")
    sqlite_read_only.__cause__ = sqlite3.OperationalError("attempt to write a readonly database")
    assert classify(sqlite_read_only) is Outage.READ_ONLY
    try:
        try:
            raise OperationalError("connection refused")
        except OperationalError:
            raise RuntimeError("session interrupted") from None
    except RuntimeError as wrapped:
        # `from None` hides the context from tracebacks, not from __context__.
        assert classify(wrapped) is Outage.UNAVAILABLE

    class PsycopgDeadlock(Exception):
        sqlstate = "40P01"

    deadlock = OperationalError("deadlock detected")
    deadlock.__cause__ = PsycopgDeadlock()
    assert classify(deadlock) is None  # the database is there
    assert classify(IntegrityError("duplicate key")) is None
    assert classify(ValueError("x")) is None
    assert classify(None) is None


# --- read-only database -------------------------------------------------------------------------


@pytest.fixture
def read_only_database(transactional_db):
    """Make the test database refuse every write until the test ends (a real refusal)."""

    def switch(on: bool) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                mode = "READ ONLY" if on else "READ WRITE"
                cursor.execute(f"SET SESSION CHARACTERISTICS AS TRANSACTION {mode}")
            else:
                cursor.execute(f"PRAGMA query_only = {'ON' if on else 'OFF'}")

    yield lambda: switch(True)
    connection.ensure_connection()
    switch(False)


@pytest.fixture
def logged_in(browser_client, controller_an, occasion, indicators):
    browser_client.force_login(controller_an)
    return browser_client


def test_read_only_database_still_shows_pages(logged_in, occasion, read_only_database):
    read_only_database()
    response = logged_in.get(reverse("indicators:entry_page", args=args(occasion)))
    assert response.status_code == 200, response.content.decode()[:500]
    assert '-value" type="text"' in response.content.decode()


def test_read_only_database_refuses_a_field_save(
    logged_in, occasion, indicators, read_only_database
):
    url = reverse("indicators:entry_save_value", args=args(occasion))
    data = field_post(indicators[0])
    read_only_database()
    response = logged_in.post(url, data, **HTMX)
    assert response.status_code == 503
    assert response.content.decode().startswith(READ_ONLY_TEXT)
    assert "Det du skrev finns kvar" in response.content.decode()
    assert stored_values() == []


def test_read_only_database_refuses_an_import(logged_in, occasion, read_only_database):
    data = filled_template(logged_in, occasion)
    read_only_database()
    url = reverse("indicators:entry_import", args=args(occasion))
    response = logged_in.post(url, {"file": SimpleUploadedFile("utfall.xlsx", data)})
    assert_outage_page(response, "Databasen går bara att läsa")
    assert stored_values() == []


def test_read_only_database_refuses_a_login(browser_client, controller_an, read_only_database):
    assert browser_client.get(reverse("core:login")).status_code == 200
    read_only_database()
    response = browser_client.post(
        reverse("core:login"), {"username": controller_an.username, "password": PASSWORD}
    )
    assert_outage_page(response, "Databasen går bara att läsa")
    assert "sessionid" not in response.cookies  # not logged in


def test_outage_page_renders_without_the_database():
    """No `db` fixture: any query while rendering the 503 would fail the test."""
    from django.test import RequestFactory

    from core.database_outage import outage_response

    response = outage_response(
        RequestFactory().post("/utfall/"), Outage.UNAVAILABLE, OperationalError("refused")
    )
    assert_outage_page(response)
