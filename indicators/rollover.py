"""The indicators' step of the year rollover (goals.rollover): indicators and their breakdowns.

An indicator continues into N+1 when the administrator lets it (goals.rollover's default: all
within a mandate period, none across) and what it follows continues: a nämndindikator's
nämndmål, a delindikator's indicator. Its breakdowns valid in N go with it. Targets are not
written: those for N+1 were decided in N's internbudget and are already stored; the draft says
how many there are. Registered in IndicatorsConfig.ready().
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from goals.models import Board, BoardGoal, YearRange
from goals.rollover import (
    CONTINUED,
    ENDED,
    REPLACED_BY,
    PlannedChange,
    RolloverDraft,
    register_step,
    replaced_in,
    save_row,
)
from indicators.models import Indicator, IndicatorBreakdown, IndicatorValue, Target

if TYPE_CHECKING:
    from django.contrib.auth.models import User

GOAL_ENDS = "nämndmålet fortsätter inte"
PARENT_ENDS = "indikatorn den är en del av fortsätter inte"


def build_indicators(draft: RolloverDraft) -> None:
    n, next_year = draft.from_year, draft.to_year
    indicators = list(
        Indicator.objects.valid_in(n)
        .filter(board=draft.board)
        .order_by("category", "board_goal__order", "order", "pk")
    )
    # Parents before their delindikatorer, so a child knows whether its parent continues.
    indicators.sort(key=lambda indicator: indicator.parent_id is not None)
    breakdowns: dict[int, list[IndicatorBreakdown]] = {}
    for link in IndicatorBreakdown.objects.valid_in(n).filter(indicator__in=indicators):
        breakdowns.setdefault(link.indicator_id, []).append(link)
    targets = Counter(
        Target.objects.filter(indicator__in=indicators, year=next_year).values_list(
            "indicator_id", flat=True
        )
    )
    replaced = replaced_in(Indicator, indicators, next_year)
    for indicator in indicators:
        key = f"indicators.indicator:{indicator.pk}"
        blocked = ""
        if indicator.pk in replaced:
            blocked = REPLACED_BY.format(name=replaced[indicator.pk])
        elif indicator.board_goal_id is not None and not draft.continues(
            BoardGoal, indicator.board_goal_id
        ):
            blocked = GOAL_ENDS
        elif indicator.parent_id is not None and not draft.continues(
            Indicator, indicator.parent_id
        ):
            blocked = PARENT_ENDS
        continues = not blocked and draft.chosen(key)
        links = breakdowns.get(indicator.pk, [])
        last = next_year if continues else n
        if continues:
            draft.continuing.setdefault("indicators.indicator", set()).add(indicator.pk)
            # An open-ended row continues as it is; only a row closed at N is moved.
            to_write = [row for row in [indicator, *links] if row.valid_to == n]
        else:
            to_write = [
                row for row in [indicator, *links] if row.valid_to is None or row.valid_to > n
            ]

        def apply(user: User | None, rows: list[YearRange] = to_write, last: int = last) -> None:
            for row in rows:
                row.valid_to = last
                save_row(row, user)

        parts = []
        if links:
            parts.append(f"{len(links)} uppdelningar")
        if continues:
            parts.append(f"{targets.get(indicator.pk, 0)} målvärden {next_year}")
        else:
            parts.append(blocked or f"gäller till och med {n}")
        draft.add(
            PlannedChange(
                kind=CONTINUED if continues else ENDED,
                model=str(Indicator.Category(indicator.category).label).lower(),
                label=indicator.name,
                detail=", ".join(parts),
                key=key,
                choosable=indicator.pk not in replaced,
                writes=bool(to_write),
                apply=apply,
            )
        )


def indicators_entered(board: Board, year: int) -> str:
    if IndicatorValue.objects.filter(indicator__board=board, year=year).exists():
        return "utfall för indikatorer"
    return ""


def register() -> None:
    register_step("indicators", build_indicators, entered=indicators_entered)
