"""Warm after write: after a commit that changed a board's data, rebuild its pages in the background.

core.changes sends `board_data_changed(board_id, year)` after the commit of a write service.
Here the (board, year) joins a bounded, de-duplicated queue served by one daemon thread per
process (started on the first notice). The thread builds, through the very functions the views
read their cached parts from (so the keys are one), the board's report page (and with it the
report the .xlsx is drawn from) and its dashboard for that year; and, as a job of its own that
waiting saves of other boards share, the municipality overview of the year as a viewer of every
board sees it. The next visitor then meets a copy instead of waiting for the build.

- Only what is opened often: the workbooks are downloaded far less often than the pages are
  read, so the warmer leaves them to their visitor (who still meets a built report). Under the
  bench's load the warmer rebuilt more per save than the users read between two saves, and the
  two cores spent on it were the requests' wait.
- The overview shows every board, so during an entry period some board changes every few
  seconds: its job starts at most once per OVERVIEW_EVERY seconds a year (a notice meanwhile
  waits for the interval's end, it is not dropped).

- Only a hint: what keeps a page true is the data token (reports.freshness); a dropped or failed
  job leaves the next visitor to build, nothing else.
- The save is not slowed: the notice only puts a pair in the queue (no query, no wait), and the
  thread starts a job only when this process has served no request for QUIET seconds (or after
  MAX_WAIT), so it does not take the interpreter from the request that saved or the saves that
  follow it.
- Bounded: STYRKORT_WARM_QUEUE pairs at most; a pair already waiting is not added again; when
  the queue is full the new pair is dropped (logged at debug). A failing build is logged and
  the thread goes on.
- Its own database connection, closed after each job; a daemon thread, so it never keeps a
  process (a management command, a worker being stopped) from exiting.

STYRKORT_WARM_AFTER_WRITE (on by default; off in the tests unless a test turns it on) switches
it. With several workers each process warms its own queue; with a shared cache one build
serves every worker.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connections

logger = logging.getLogger(__name__)

# A job starts when this process has served no request for QUIET seconds (a controller saving
# field after field keeps it waiting, and the waiting saves of a board-year are one job), or
# after MAX_WAIT seconds anyway (a busy or multi-threaded worker may never be quiet).
QUIET = 0.5
MAX_WAIT = 10.0
OVERVIEW_EVERY = 30.0

Job = tuple[int | None, int]  # (board id, year); no board: the overview of the year


def warm_job(board_id: int | None, year: int) -> None:
    """Build into the cache what the views would build on a visit: the board's pages of `year`,
    or without a board the year's overview as a viewer of every board sees it."""
    from goals.models import Board
    from reports.dashboard.comparison import board_panel
    from reports.views.dashboard import board_dashboard_context, overview_context
    from reports.views.report import report_page_context

    if board_id is None:
        # goals.access.boards_for gives such a viewer every board, in this order.
        boards = Board.objects.order_by("order", "name")
        overview_context([b for b in boards if b.is_valid_in(year)], year)
        return
    board = Board.objects.select_related("municipality").filter(pk=board_id).first()
    if board is None or not board.is_valid_in(year):
        return
    report_page_context(board, year)
    board_dashboard_context(board, year)
    board_panel(board, year)  # the dashboard's Kolada panel, kept under the board's token too


class Warmer:
    """A bounded queue of (board, year) with one daemon thread that builds them in turn."""

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._condition = threading.Condition()
        # Each waiting job with the monotonic time it may start at.
        self._pending: OrderedDict[Job, float] = OrderedDict()
        self._started: dict[Job, float] = {}  # when each overview job last started
        self._running: Job | None = None
        self._thread: threading.Thread | None = None
        self._requests = 0  # requests this process is serving now
        self._last_request = 0.0  # time.monotonic() of the last request's start or end
        self.dropped = 0

    def _check_fork(self) -> None:
        # A forked worker gets a copy of the parent's state but not its thread.
        if self._pid != os.getpid():
            self._reset()

    def enqueue(self, board_id: int | None, year: int) -> bool:
        """Queue the pair unless it is waiting already; False when the queue is full."""
        self._check_fork()
        job = (None if board_id is None else int(board_id), int(year))
        with self._condition:
            if job in self._pending:
                return True
            if len(self._pending) >= max(1, int(settings.STYRKORT_WARM_QUEUE)):
                self.dropped += 1
                logger.debug("warm queue full: dropped board %s, year %s", *job)
                return False
            not_before = 0.0
            if job[0] is None and job in self._started:
                not_before = self._started[job] + OVERVIEW_EVERY
            self._pending[job] = not_before
            self._start()
            self._condition.notify_all()
        return True

    def pending(self) -> list[Job]:
        with self._condition:
            return list(self._pending)

    def clear(self) -> None:
        """Forget the waiting jobs and when the overviews last started (the job running
        finishes)."""
        with self._condition:
            self._pending.clear()
            self._started.clear()
            self._condition.notify_all()

    def drain(self, timeout: float = 30.0) -> bool:
        """Wait until the queue is empty and no job runs; False if `timeout` passed first."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while self._pending or self._running is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._condition.wait(remaining)
        return True

    def request_started(self, **kwargs: Any) -> None:
        with self._condition:
            self._requests += 1
            self._last_request = time.monotonic()

    def request_finished(self, **kwargs: Any) -> None:
        with self._condition:
            self._requests = max(0, self._requests - 1)
            self._last_request = time.monotonic()
            self._condition.notify_all()

    def _wait_for_quiet(self) -> None:
        """Called holding the condition: until no request for QUIET seconds, or MAX_WAIT."""
        deadline = time.monotonic() + MAX_WAIT
        while (now := time.monotonic()) < deadline:
            quiet_for = now - self._last_request
            if not self._requests and quiet_for >= QUIET:
                return
            self._condition.wait(min(deadline - now, max(QUIET - quiet_for, 0.05)))

    def _start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._thread = threading.Thread(target=self._serve, name="styrkort-warm", daemon=True)
        self._thread.start()

    def _due(self) -> Job | None:
        """Called holding the condition: the first waiting job that may start now; None
        (after waiting until the earliest may, or until a notice) when none may."""
        now = time.monotonic()
        for job, not_before in self._pending.items():
            if not_before <= now:
                return job
        self._condition.wait(min(self._pending.values()) - now)
        return None

    def _next(self) -> Job:
        with self._condition:
            while True:
                while not self._pending:
                    self._condition.wait()
                if self._due() is None:
                    continue
                # Let the request that saved, and the saves that follow it, go first.
                self._wait_for_quiet()
                job = self._due() if self._pending else None  # unless cleared meanwhile
                if job is not None:
                    del self._pending[job]
                    self._running = job
                    if job[0] is None:
                        self._started[job] = time.monotonic()
                    return job

    def _serve(self) -> None:
        while True:
            job = self._next()
            try:
                close_old_connections()
                warm_job(*job)
            except Exception:
                logger.exception("warming board %s, year %s failed", *job)
            finally:
                connections.close_all()  # this thread's connections only
                with self._condition:
                    self._running = None
                    self._condition.notify_all()


warmer = Warmer()


def on_board_data_changed(board_id: int, year: int, **kwargs: Any) -> None:
    """core.changes' receiver: queue the board-year, when warming is on."""
    if getattr(settings, "STYRKORT_WARM_AFTER_WRITE", False):
        warmer.enqueue(board_id, year)
        # The overview shows every board: one job per year however many boards changed (saves
        # in the fifteen boards while it waits are one build, after theirs).
        warmer.enqueue(None, year)


def connect() -> None:
    """From ReportsConfig.ready: listen to the notices and count the requests in progress."""
    from django.core.signals import request_finished, request_started

    from core.changes import board_data_changed

    board_data_changed.connect(on_board_data_changed, dispatch_uid="reports.warming")
    request_started.connect(warmer.request_started, dispatch_uid="reports.warming.started")
    request_finished.connect(warmer.request_finished, dispatch_uid="reports.warming.finished")
