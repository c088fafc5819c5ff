"""A database that cannot be reached or written gives a Swedish 503 that says nothing was saved.

Two kinds of outage are told apart, because the user can do different things in them:
- unavailable: the connection is refused, lost or times out (OperationalError, InterfaceError);
- read-only: the database answers but refuses writes (PostgreSQL SQLSTATE 25006, for example a
  standby or `default_transaction_read_only`; SQLite "attempt to write a readonly database").

A view's error is caught by DatabaseOutageMiddleware.process_exception. An error raised outside
the view (the session or the user read by a middleware, the session saved after the view) is
turned into a response by Django's handler400/handler500, which config.urls points here. Both
paths log one WARNING line per request, without a stack trace, and mark the response as logged
so Django does not log the same error again as an ERROR with its traceback.

An htmx or fetch request gets a short text (the entry page shows it beside the field), a page
view the whole Swedish page (templates/503.html). Neither ever claims that anything was saved.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from enum import StrEnum

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults

logger = logging.getLogger("styrkort.database")

READ_ONLY_SQLSTATE = "25006"  # read_only_sql_transaction
READ_ONLY_PHRASES = ("readonly database", "read-only transaction", "read only transaction")
RETRY_AFTER_SECONDS = 30
LOGGED_ATTRIBUTE = "_styrkort_outage_logged"


class Outage(StrEnum):
    UNAVAILABLE = "unavailable"
    READ_ONLY = "read_only"


REASON = {
    Outage.UNAVAILABLE: "databasen går inte att nå just nu",
    Outage.READ_ONLY: "databasen går bara att läsa just nu, inget kan sparas",
}


def short_message(outage: Outage, *, write: bool) -> str:
    """One sentence for a field or a fragment: what failed, that nothing was saved, what to do."""
    if write:
        return f"Inte sparat: {REASON[outage]}. Det du skrev finns kvar – försök igen om en stund."
    return f"Kunde inte hämtas: {REASON[outage]}. Inget har sparats. Försök igen om en stund."


def _is_read_only(error: BaseException) -> bool:
    for candidate in (error, error.__cause__):
        if candidate is None:
            continue
        if getattr(candidate, "sqlstate", None) == READ_ONLY_SQLSTATE:  # psycopg 3
            return True
        if getattr(candidate, "pgcode", None) == READ_ONLY_SQLSTATE:  # psycopg2
            return True
        text = str(candidate).lower()
        if any(phrase in text for phrase in READ_ONLY_PHRASES):
            return True
    return False


def _is_conflict(error: BaseException) -> bool:
    """A serialization failure or deadlock (SQLSTATE class 40) is an OperationalError in
    psycopg, but the database is there: it is no outage and must not be told as one."""
    code = getattr(error.__cause__, "sqlstate", None) or getattr(error.__cause__, "pgcode", None)
    return isinstance(code, str) and code.startswith("40")


def classify(error: BaseException | None) -> Outage | None:
    """The outage behind `error`, following the chain of errors it was raised from or during.

    The chain matters: a session that cannot be saved surfaces as Django's SessionInterrupted
    (a 400), raised while handling UpdateError, raised while handling the database's error.
    """
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        # InterfaceError (a closed connection) is no DatabaseError in the DB-API hierarchy.
        if isinstance(error, DatabaseError | InterfaceError):
            if _is_read_only(error):
                return Outage.READ_ONLY
            if isinstance(error, OperationalError | InterfaceError) and not _is_conflict(error):
                return Outage.UNAVAILABLE
        error = error.__cause__ or error.__context__
    return None


def wants_short_answer(request: HttpRequest) -> bool:
    """htmx and fetch requests want a fragment, not a page around it."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        or headers.get("X-Requested-With") == "XMLHttpRequest"
        or "application/json" in headers.get("Accept", "")
    )


def outage_response(request: HttpRequest, outage: Outage, error: BaseException) -> HttpResponse:
    """The 503 for `outage`, logged once per request here (and marked so Django does not log it
    again). A middleware that meets the same outage after the view (the session) asks again."""
    write = request.method not in {"GET", "HEAD", "OPTIONS"}
    first_line = (str(error).strip().splitlines() or [""])[0]
    if not getattr(request, LOGGED_ATTRIBUTE, False):
        setattr(request, LOGGED_ATTRIBUTE, True)
        logger.warning(
            "Databasen %s: %s %s gav 503 (%s: %s)",
            "går bara att läsa" if outage is Outage.READ_ONLY else "går inte att nå",
            request.method,
            request.path,
            type(error).__name__,
            first_line[:200],
        )
    if "application/json" in request.headers.get("Accept", ""):
        response: HttpResponse = JsonResponse(
            {"saved": False, "error": short_message(outage, write=write), "outage": outage},
            status=503,
        )
    elif wants_short_answer(request):
        response = HttpResponse(
            short_message(outage, write=write),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    else:
        # No request context: its processors would read the user, from the database.
        response = HttpResponse(
            render_to_string("503.html", {"read_only": outage is Outage.READ_ONLY, "write": write}),
            status=503,
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    # django.utils.log.log_response skips it; a private flag django-stubs does not declare.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


class DatabaseOutageMiddleware:
    """Answer a view's database outage with the 503 instead of the generic 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        outage = classify(exception)
        if outage is None:
            return None
        return outage_response(request, outage, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: a session that could not be saved because of an outage is not a bad request."""
    outage = classify(exception)
    if outage is not None:
        return outage_response(request, outage, exception)
    return defaults.bad_request(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: called while the error is being handled, so sys.exc_info() names it."""
    error = sys.exc_info()[1]
    outage = classify(error)
    if outage is not None and error is not None:
        return outage_response(request, outage, error)
    return defaults.server_error(request)
