"""save_board_plan: a board's plan for a year (internbudget, verksamhetsplan) and its decision.

The decision date is the plan's cut-off (goals.selectors.plan_cutoff): the plan's outcome
columns show what was known at the end of that day. An administrator of the board sets it on
the structure page `/struktur/<nämnd>/<år>/planer/` (goals.views_plans). A date that has not yet
been, or one far from the plan's year (before year N-1 or after N+1), is refused with a Swedish
message on the field and nothing is written.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.changes import data_changed
from goals.access import Action, can
from goals.models import Board, BoardPlan, PlanKind
from goals.structure_services import save_row

NO_RIGHT = "Du saknar behörighet att ändra nämndens planer."
NO_SUCH_YEAR = "Nämnden {board} finns inte år {year}."
UNKNOWN_KIND = "Okänt slag av plan: {kind}."
DECIDED_IN_FUTURE = "Beslutsdatumet {date} har inte varit än: ange dagen planen beslutades."
DECIDED_TOO_EARLY = (
    "Beslutsdatumet {date} ligger mer än ett år före planens år {year}: "
    "ange ett datum från {first} eller senare."
)
DECIDED_TOO_LATE = (
    "Beslutsdatumet {date} ligger efter år {next_year}: ange ett datum till och med {last}."
)


def decision_date_errors(
    decided_on: datetime.date | None, year: int, *, today: datetime.date | None = None
) -> list[str]:
    """Why `decided_on` cannot be the decision date of year `year`'s plan (empty: it can).

    A plan is decided in the autumn before its year, sometimes during it; a year before N or
    after N+1's end is a typo (2012 for 2021), not a decision.
    """
    if decided_on is None:
        return []
    today = today or timezone.localdate()
    first, last = datetime.date(year - 1, 1, 1), datetime.date(year + 1, 12, 31)
    shown = decided_on.isoformat()
    if decided_on > today:
        return [DECIDED_IN_FUTURE.format(date=shown)]
    if decided_on < first:
        return [DECIDED_TOO_EARLY.format(date=shown, year=year, first=first.isoformat())]
    if decided_on > last:
        return [DECIDED_TOO_LATE.format(date=shown, next_year=year + 1, last=last.isoformat())]
    return []


def save_board_plan(
    *,
    board: Board,
    year: int,
    kind: str,
    decided_on: datetime.date | None,
    decision: str,
    user: User | None,
) -> BoardPlan:
    """Create or change the board's plan of `kind` for `year` (history records `user`; None is
    the command line). Raises ValidationError (messages above, by field) and writes nothing."""
    if user is not None and not can(user, Action.ADMINISTER, board):
        raise ValidationError(NO_RIGHT, code="no_right")
    if kind not in PlanKind.values:
        raise ValidationError({"kind": UNKNOWN_KIND.format(kind=kind)}, code="invalid")
    if not board.is_valid_in(year):
        raise ValidationError(NO_SUCH_YEAR.format(board=board.code, year=year), code="invalid")
    errors = decision_date_errors(decided_on, year)
    if errors:
        raise ValidationError({"decided_on": errors}, code="invalid")
    with transaction.atomic():
        plan = (
            BoardPlan.objects.select_for_update().filter(board=board, year=year, kind=kind).first()
        )
        if plan is None:
            plan = BoardPlan(board=board, year=year, kind=kind)
        elif plan.decided_on == decided_on and plan.decision == decision.strip():
            return plan  # unchanged: no history row, no new data token
        plan.decided_on = decided_on
        plan.decision = decision.strip()
        save_row(plan, user)
        data_changed(board_id=board.pk, year=year)
    return plan
