"""Warm after write: a committed save in board A has A's pages built before the next visitor.

The background thread reads the database through its own connection, so these tests are
transactional (the thread sees only committed rows) and drain the queue before they look.
"""

from __future__ import annotations

import io
import logging
import threading
import time
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from core.changes import board_data_changed, data_changed
from goals.models import Board, ReportingOccasion
from goals.periods import PeriodType
from indicators.models import IndicatorValue
from reports import warming
from tests.test_report_fixtures import build_mini_an

pytestmark = pytest.mark.django_db(transaction=True)

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def warm_on(settings, monkeypatch):
    # Overview jobs as soon as they are asked for; the interval has a test of its own.
    monkeypatch.setattr(warming, "OVERVIEW_EVERY", 0.0)
    settings.STYRKORT_WARM_AFTER_WRITE = True
    settings.STYRKORT_WARM_QUEUE = 32
    warming.warmer.clear()
    assert warming.warmer.drain(30)
    cache.clear()
    yield
    warming.warmer.clear()
    assert warming.warmer.drain(30), "the warm thread must be idle before the database is flushed"


class Held:
    """The warm thread kept inside a job until `release`; what it was asked to build."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.released = threading.Event()
        self.calls: list[tuple[int, int]] = []

    def occupy(self, board_id: int) -> None:
        """Give the thread a job and wait until it is inside it: the queue is then empty."""
        warming.warmer.enqueue(board_id, 1999)
        assert self.entered.wait(10)
        assert warming.warmer.pending() == []


@pytest.fixture
def held(monkeypatch):
    state = Held()

    def build(board_id: int | None, year: int) -> None:
        state.calls.append((board_id, year))
        state.entered.set()
        state.released.wait(30)

    monkeypatch.setattr(warming, "warm_job", build)
    yield state
    state.released.set()


@pytest.fixture
def mini(board_an):
    mini = build_mini_an(board_an)
    # The year's occasion open for entry again (the fixture approves it).
    ReportingOccasion.objects.filter(pk=mini.occasion.pk).update(state=ReportingOccasion.State.OPEN)
    return mini


def _urls() -> dict[str, str]:
    return {
        "report": reverse("reports:report", args=["AN", 2022]),
        "dashboard": reverse("reports:board_dashboard", args=["AN", 2022]),
        "xlsx": reverse("reports:report_xlsx", args=["AN", 2022]),
    }


def _get(client, url: str) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), response.content


def _save_households(client, mini, number: str):
    """The entry page's per-field save of the households' yearly outcome (an htmx POST)."""
    indicator = mini.indicators["households"]
    stored = IndicatorValue.objects.get(
        indicator=indicator, year=2022, period_type=PeriodType.YEAR, breakdown__gender=""
    )
    data = {
        "indicator": indicator.pk,
        "breakdown": stored.breakdown_id,
        "period_type": PeriodType.YEAR,
        "period_number": 1,
        "version": stored.version,
        "value": number,
        "missing_reason": "",
        "comment": "",
        "footnote": "",
    }
    url = reverse("indicators:entry_save_value", args=["AN", 2022, "helar"])
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data, **HTMX)
    assert response.status_code == 200, response.content.decode()[:500]
    saved = IndicatorValue.objects.get(pk=stored.pk)
    assert saved.value == Decimal(number.replace(" ", "")), "the save must have been stored"
    return len(queries)


def _warm_counts(client) -> dict[str, int]:
    """What each page reads when its copy is in the cache (asked twice: the second is warm)."""
    counts = {}
    for page, url in _urls().items():
        _get(client, url)
        counts[page] = _get(client, url)[0]
    return counts


@pytest.fixture
def builds(monkeypatch):
    """Which builders ran, and in which thread ("styrkort-warm" or the request's)."""
    from reports.views import dashboard, report

    ran: list[tuple[str, str]] = []

    def counting(name, real):
        def counted(*args, **kwargs):
            ran.append((name, threading.current_thread().name))
            return real(*args, **kwargs)

        return counted

    for module, name in (
        (report, "report_context"),
        (report, "render_xlsx"),
        (dashboard, "build_board_dashboard"),
    ):
        monkeypatch.setattr(module, name, counting(name, getattr(module, name)))
    return ran


BUILDERS = {"report_context", "build_board_dashboard"}


def test_after_a_save_the_next_visitor_meets_pages_built_in_the_background(
    client, mini, controller_an, warm_on, builds
):
    client.force_login(controller_an)
    warm = _warm_counts(client)
    builds.clear()

    _save_households(client, mini, "2 345")
    assert builds == [], "the saving request builds nothing"
    assert warming.warmer.drain(60)
    assert {name for name, _ in builds} == BUILDERS
    assert {thread for _, thread in builds} == {"styrkort-warm"}
    builds.clear()

    pages = _urls()
    xlsx = pages.pop("xlsx")
    for page, url in pages.items():
        count, content = _get(client, url)
        assert count == warm[page], f"{page}: {count} frågor, ur cachen {warm[page]}"
        assert "2\xa0345" in content.decode(), page
    assert builds == [], "every page came from the copies built in the background"
    # The workbook is not warmed, but drawn from the report the warmer built: the data is not
    # read again.
    count, content = _get(client, xlsx)
    assert count == warm["xlsx"]
    assert [name for name, _ in builds] == ["render_xlsx"]
    workbook = load_workbook(io.BytesIO(content))
    cells = [cell.value for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert 2345 in cells


def test_without_warming_the_first_visitor_builds(client, mini, controller_an, builds):
    """The counterpart: the assertions above can fail, a page after a save reads more."""
    client.force_login(controller_an)
    warm = _warm_counts(client)
    for number, (page, url) in enumerate(_urls().items()):
        _save_households(client, mini, f"2 34{number}")
        builds.clear()
        assert _get(client, url)[0] > warm[page], page
        assert builds, page
    assert warming.warmer.pending() == []


def test_the_save_itself_builds_nothing(client, mini, controller_an, settings, warm_on):
    """The saving request runs the same queries with warming on as off; the work is queued."""
    client.force_login(controller_an)
    settings.STYRKORT_WARM_AFTER_WRITE = False
    off = _save_households(client, mini, "2 345")
    assert warming.warmer.pending() == []
    settings.STYRKORT_WARM_AFTER_WRITE = True
    on = _save_households(client, mini, "2 346")
    assert on == off
    assert warming.warmer.drain(60)


def test_a_rollback_enqueues_nothing(mini, warm_on, held):
    received = []

    def receiver(board_id, year, **kwargs):
        received.append((board_id, year))

    board_data_changed.connect(receiver)
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            IndicatorValue.objects.filter(indicator=mini.indicators["households"]).update(
                value=Decimal(1)
            )
            data_changed(board_id=mini.board.pk, year=2022)
            raise RuntimeError("avbruten")
        assert received == []
        assert warming.warmer.drain(5) and held.calls == []
        # A savepoint rolled back inside a committed transaction takes its notices with it,
        # and a notice given again after it is not lost to the de-duplication.
        with transaction.atomic():
            try:
                with transaction.atomic():
                    data_changed(board_id=mini.board.pk, year=2021)
                    data_changed(board_id=mini.board.pk, year=2022)
                    raise RuntimeError("avbruten")
            except RuntimeError:
                pass
            data_changed(board_id=mini.board.pk, year=2022)
        assert received == [(mini.board.pk, 2022)]
    finally:
        board_data_changed.disconnect(receiver)


def test_two_saves_in_the_same_board_year_give_one_job(client, mini, controller_an, warm_on, held):
    received = []

    def receiver(board_id, year, **kwargs):
        received.append((board_id, year))

    held.occupy(mini.board.pk)
    board_data_changed.connect(receiver)
    try:
        with transaction.atomic():  # one transaction, two writes: one notice
            data_changed(board_id=mini.board.pk, year=2022)
            data_changed(board_id=mini.board.pk, year=2022)
        assert received == [(mini.board.pk, 2022)]
    finally:
        board_data_changed.disconnect(receiver)
    client.force_login(controller_an)
    _save_households(client, mini, "2 345")
    _save_households(client, mini, "2 346")
    # The board's job and the year's overview, each once.
    assert warming.warmer.pending() == [(mini.board.pk, 2022), (None, 2022)]
    held.released.set()
    assert warming.warmer.drain(30)
    assert held.calls == [(mini.board.pk, 1999), (mini.board.pk, 2022), (None, 2022)]


def test_a_full_queue_drops_without_blocking(mini, settings, warm_on, held, caplog):
    settings.STYRKORT_WARM_QUEUE = 3
    caplog.set_level(logging.DEBUG, logger="reports.warming")
    held.occupy(mini.board.pk)
    started = time.monotonic()
    results = [warming.warmer.enqueue(mini.board.pk, year) for year in range(2010, 2020)]
    assert time.monotonic() - started < 0.5
    assert results == [True] * 3 + [False] * 7
    assert warming.warmer.pending() == [(mini.board.pk, year) for year in (2010, 2011, 2012)]
    assert "warm queue full: dropped board" in caplog.text
    held.released.set()
    assert warming.warmer.drain(30)
    assert [year for _, year in held.calls] == [1999, 2010, 2011, 2012]


def test_a_failing_build_leaves_the_save_alone_and_is_logged(
    client, mini, controller_an, warm_on, monkeypatch, caplog
):
    def broken(board_id: int | None, year: int) -> None:
        raise RuntimeError("trasigt bygge")

    monkeypatch.setattr(warming, "warm_job", broken)
    client.force_login(controller_an)
    _save_households(client, mini, "2 345")
    assert warming.warmer.drain(30)
    assert "warming board" in caplog.text and "trasigt bygge" in caplog.text
    # The thread lives on: the next job runs.
    monkeypatch.undo()
    _save_households(client, mini, "2 346")
    assert warming.warmer.drain(60)
    content = _get(client, _urls()["report"])[1]
    assert "2\xa0346" in content.decode()


def test_the_warmer_builds_what_the_views_show(client, mini, admin_user, warm_on):
    """The overview too, under the key a viewer of every board asks for."""
    client.force_login(admin_user)
    url = reverse("reports:municipality_overview") + "?ar=2022"
    _get(client, url)
    warm = _get(client, url)[0]
    IndicatorValue.objects.filter(indicator=mini.indicators["households"]).update(value=1)
    warming.warmer.enqueue(None, 2022)
    assert warming.warmer.drain(60)
    assert _get(client, url)[0] == warm
    # Without the job the first visitor builds it.
    IndicatorValue.objects.filter(indicator=mini.indicators["households"]).update(value=2)
    assert _get(client, url)[0] > warm


def test_saves_in_several_boards_share_one_overview_job(mini, board_other, warm_on, held):
    held.occupy(mini.board.pk)
    for board in (mini.board, board_other, mini.board):
        warming.on_board_data_changed(board_id=board.pk, year=2022)
    assert warming.warmer.pending() == [
        (mini.board.pk, 2022),
        (None, 2022),
        (board_other.pk, 2022),
    ]


def test_the_overview_is_warmed_at_most_once_per_interval(mini, board_other, warm_on, monkeypatch):
    monkeypatch.setattr(warming, "OVERVIEW_EVERY", 1.5)
    started: list[tuple[int | None, float]] = []
    monkeypatch.setattr(
        warming, "warm_job", lambda board_id, year: started.append((board_id, time.monotonic()))
    )
    warming.on_board_data_changed(board_id=mini.board.pk, year=2022)
    assert warming.warmer.drain(10)
    warming.on_board_data_changed(board_id=board_other.pk, year=2022)
    assert warming.warmer.drain(10)
    boards = [board_id for board_id, _ in started]
    assert boards == [mini.board.pk, None, board_other.pk, None]
    # The second board's job ran at once; the overview waited for the interval, not dropped.
    first_overview, second_overview = (at for board_id, at in started if board_id is None)
    assert started[2][1] - first_overview < 1.0
    assert second_overview - first_overview >= 1.5


def test_a_job_waits_while_the_process_serves_requests(mini, warm_on, monkeypatch):
    calls = []
    monkeypatch.setattr(warming, "warm_job", lambda board_id, year: calls.append(year))
    warming.warmer.request_started()  # a save in progress, and the next one
    try:
        warming.warmer.enqueue(mini.board.pk, 2022)
        time.sleep(warming.QUIET + 0.3)
        assert calls == []
        assert warming.warmer.pending() == [(mini.board.pk, 2022)]
    finally:
        warming.warmer.request_finished()
    assert warming.warmer.drain(warming.MAX_WAIT)
    assert calls == [2022]


def test_a_board_not_in_the_year_is_skipped(mini, warm_on):
    Board.objects.filter(pk=mini.board.pk).update(valid_from=2023)
    warming.warmer.enqueue(mini.board.pk, 2022)
    assert warming.warmer.drain(30)
