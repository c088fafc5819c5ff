"""AN 2023, made as an administrator makes a new year: the year rollover from 2022.

The sources end with 2022 (the mandate period's last year). The demo publishes AN's 2023 through
goals.rollover (every nämndmål, indicator and assignment of 2022 continues; activities and the
occasions are copied; Budget 2023 is the internbudget's Plan 2023), so the 2023 goal tree shows
the 2022 goals with seed 000's 2023 targets, and the entry pages and budget of 2023 are real.
Then the invented quarterly goal indicators of demo_2023.toml are added to that structure.

Idempotent: a second load finds 2023 already published (nothing to write), and
demo.loaders.base.sync keeps the ends the rollover moved. Once someone has entered something for
AN 2023 the rollover refuses; the load then leaves 2023 as it is.
"""

from __future__ import annotations

from collections import Counter

from django.core.exceptions import ValidationError
from django.db.models import Model

from budget.models import AmountKind, BudgetAmount, InvestmentAmount
from core.audit import ChangeSource
from demo.loaders import followup, indicators
from demo.loaders.base import Stats, kind_of, read
from goals.models import Activity, Board, ReportingOccasion
from goals.rollover import draft_rollover, publish_rollover

BOARD = "AN"
FROM_YEAR, TO_YEAR = 2022, 2023


def load(stats: Stats) -> None:
    board = Board.objects.filter(code=BOARD).first()
    if board is not None:
        _roll_over(board, stats)
    indicators.load(stats, files=indicators.FILES_2023)


def _roll_over(board: Board, stats: Stats) -> None:
    """Publish AN 2023 and count the rows it made (the ends it moved are rows of this load)."""
    try:
        draft = draft_rollover(board=board, from_year=FROM_YEAR, to_year=TO_YEAR)
    except ValidationError as refused:
        if refused.code == "entered":
            return  # 2023 is in use: its structure is what was published (and edited) then
        raise
    if draft.write_count:
        # Everything continues, also across a mandate period (the demo's 2023 is 2022's goals).
        keys = [change.key for change in draft.changes if change.choosable]
        draft = publish_rollover(
            board=board,
            from_year=FROM_YEAR,
            to_year=TO_YEAR,
            user=None,
            continue_ids=keys,
            source=ChangeSource.COMMAND,
        ).draft
    made = Counter(change.model for change in draft.created)
    for model in MADE:
        kind = kind_of(model)
        created = made.get(MODEL_NAMES[model], 0)
        stats.count(kind, created=created, unchanged=_made_before(model, board) - created)


# The rows the rollover makes (everything else it continues is a row of the data files).
MADE = (Activity, ReportingOccasion, BudgetAmount, InvestmentAmount)
MODEL_NAMES = {
    Activity: "aktivitet",
    ReportingOccasion: "uppföljningstillfälle",
    BudgetAmount: "budget",
    InvestmentAmount: "investeringsbudget",
}


def _made_before(model: type[Model], board: Board) -> int:
    """How many rows of the model for AN 2023 the rollover has made (now or on an earlier load)."""
    if model is Activity:
        return Activity.objects.filter(board=board, year=TO_YEAR, predecessor__isnull=False).count()
    if model is ReportingOccasion:
        in_file = {
            spec["kind"]
            for spec in read(followup.FILE)["occasions"]
            if spec["board"] == BOARD and spec["year"] == TO_YEAR
        }
        return (
            ReportingOccasion.objects.filter(board=board, year=TO_YEAR)
            .exclude(kind__in=in_file)
            .count()
        )
    if model is BudgetAmount:
        return BudgetAmount.objects.filter(
            line__board=board, year=TO_YEAR, kind=AmountKind.BUDGET
        ).count()
    return InvestmentAmount.objects.filter(
        project__board=board, year=TO_YEAR, kind=AmountKind.BUDGET
    ).count()
