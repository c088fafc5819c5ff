"""Small, explicit test data for the dashboard tests (tests/test_dashboard_*.py)."""

from __future__ import annotations

from decimal import Decimal

from goals.models import (
    Board,
    BoardGoal,
    CouncilGoal,
    GoalArea,
    GoalAssessment,
    ReportingOccasion,
)
from indicators.models import Footnote, Indicator, IndicatorValue, MissingReason, Target
from tests.builders import breakdown


def area(name: str, order: int) -> GoalArea:
    return GoalArea.objects.get_or_create(name=name, defaults={"order": order})[0]


def council_goal(goal_area: GoalArea, title: str, order: int = 0) -> CouncilGoal:
    return CouncilGoal.objects.get_or_create(
        goal_area=goal_area, title=title, valid_from=2019, defaults={"order": order}
    )[0]


def board_goal(board: Board, council: CouncilGoal, title: str, order: int = 0) -> BoardGoal:
    return BoardGoal.objects.create(
        board=board,
        council_goal=council,
        title=title,
        description=f"{title} – beskrivande text",
        valid_from=2019,
        order=order,
    )


def indicator(board: Board, goal: BoardGoal | None, name: str, **fields) -> Indicator:
    fields.setdefault("valid_from", 2019)
    fields.setdefault("unit", Indicator.Unit.COUNT)
    return Indicator.objects.create(board=board, board_goal=goal, name=name, **fields)


def value(
    ind: Indicator,
    year: int,
    number: Decimal | int | str | None,
    *,
    gender: str = "",
    org_unit=None,
    period_type: str = "ar",
    period_number: int = 1,
    missing: str = MissingReason.TOO_SMALL,
    footnote: str = "",
) -> IndicatorValue:
    stored = IndicatorValue.objects.create(
        indicator=ind,
        year=year,
        period_type=period_type,
        period_number=period_number,
        breakdown=breakdown(gender, org_unit),
        value=None if number is None else Decimal(str(number)),
        missing_reason="" if number is not None else missing,
    )
    if footnote:
        Footnote.objects.create(value=stored, text=footnote)
    return stored


def target(ind: Indicator, year: int, number=None, *, kind: str = "varde", **fields) -> Target:
    return Target.objects.create(
        indicator=ind,
        year=year,
        breakdown=breakdown(),
        kind=kind,
        value=None if number is None else Decimal(str(number)),
        **fields,
    )


def occasion(board: Board, year: int, kind: str = "helar", state: str = "oppen"):
    return ReportingOccasion.objects.get_or_create(
        board=board, year=year, kind=kind, defaults={"state": state}
    )[0]


def set_state(occ: ReportingOccasion, state: str) -> ReportingOccasion:
    """Approve or reopen directly (the workflow's own rules are tested elsewhere).

    Build an occasion's values and assessments first: approval locks them.
    """
    ReportingOccasion.objects.filter(pk=occ.pk).update(state=state)
    occ.state = state
    return occ


def assess(occ: ReportingOccasion, goal: BoardGoal, level: str) -> GoalAssessment:
    return GoalAssessment.objects.create(occasion=occ, board_goal=goal, level=level)


def sized_board(
    board: Board, *, goals: int, indicators_per_goal: int, years=range(2018, 2023)
) -> list[Indicator]:
    """`goals` nämndmål spread over two målområden, each with indicators, K/M values, targets,
    an assessment for every other goal at a submitted helår, and a quarterly series.

    Can be called again on the same board to make it bigger (the helår stays unapproved).
    """
    areas = [area("Medborgare", 2), area("Ekonomi", 3)]
    councils = [council_goal(a, f"KF-mål {a.name}") for a in areas]
    years = list(years)
    last = years[-1]
    occ = occasion(board, last, state="inskickad")
    created = []
    start = BoardGoal.objects.filter(board=board).count()
    for g in range(goals):
        goal = board_goal(board, councils[g % 2], f"{board.code} mål {start + g}", order=g)
        if g % 2 == 0:
            assess(occ, goal, "delvis")
        for i in range(indicators_per_goal):
            ind = indicator(board, goal, f"{board.code} indikator {start + g}.{i}", order=i)
            for year in years:
                value(ind, year, 100 + i + year % 10)
                value(ind, year, 40, gender="K")
                value(ind, year, 60 + i, gender="M")
            value(ind, last, 25, period_type="kvartal", period_number=3)
            target(ind, last, 105)
            target(ind, last - 1, 105)
            created.append(ind)
    return created
