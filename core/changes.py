"""After a commit that changed a board's data of a year: `board_data_changed` says so.

The write services (an outcome saved, an occasion submitted, a text, a plan, budget amounts,
targets) call `data_changed(board_id=…, year=…)` inside their transaction. The notice is
registered with `transaction.on_commit`, once per (board, year) and transaction, so a rolled
back write (or a rolled back savepoint) sends nothing, and a commit sends the signal once with
`board_id` and `year`. reports listens and rebuilds that board's pages in the background
(reports.warming); core and goals never import reports.

The notice is a hint, never what keeps a page true: the data token triggers
(reports.freshness) make every committed change a new cache key, notice or not. A write path
that forgets to call this only leaves the next visitor to wait for the build.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Sent after the commit, with board_id (int) and year (int).
board_data_changed = Signal()


@dataclass(frozen=True)
class _Notice:
    board_id: int
    year: int

    def __call__(self) -> None:
        for receiver, result in board_data_changed.send_robust(
            sender=_Notice, board_id=self.board_id, year=self.year
        ):
            if isinstance(result, Exception):
                logger.error(
                    "board_data_changed receiver %r failed",
                    receiver,
                    exc_info=(type(result), result, result.__traceback__),
                )


def data_changed(*, board_id: int, year: int, using: str | None = None) -> None:
    """After this transaction commits, say that board `board_id`'s data of `year` changed.

    Called again for the same board and year in the same transaction it registers nothing
    more. The callbacks a rolled back savepoint registered are gone from Django's list, so
    looking there (rather than in a set of our own) never forgets a notice the commit still
    owes.
    """
    notice = _Notice(board_id=int(board_id), year=int(year))
    connection = transaction.get_connection(using)
    if connection.in_atomic_block and any(
        func == notice for _, func, _ in connection.run_on_commit
    ):
        return
    transaction.on_commit(notice, using=using)
