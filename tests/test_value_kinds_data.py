"""A small AN plan with every value kind real plans use, for the tests/test_value_kinds_*.py.

- a qualitative indicator (unit text) with a text outcome for 2022 and nothing yet for 2021;
- a count with a "Ska inte öka" target for 2022 (judged against the 2021 outcome), a stored
  I.U. for 2020 and one footnote shared by its 2021 and 2022 values;
- a count with no value at all for 2022 ("not yet given": "–", never I.U.);
- an indicator that starts in 2022 with baseline year values for 2020 and 2021;
- activities with deadlines as the plan writes them, serving a nämndmål, an assignment, a
  styrdokument and a målområde.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from goals.models import (
    Activity,
    BoardGoal,
    CouncilGoal,
    GoalArea,
    PolicyDocument,
    ReportingOccasion,
    StrategicAssignment,
)
from indicators.models import (
    Breakdown,
    Footnote,
    Indicator,
    IndicatorBreakdown,
    IndicatorValue,
    MissingReason,
    Target,
)
from tests.builders import breakdown
from tests.dashboard_builders import occasion

TEXT_OUTCOME = "Vissa smärre skillnader kan utläsas."
SHARED_NOTE = "Mätningen gjordes om 2021 med ny metod; gäller även 2022."
OTHER_NOTE = "En egen fotnot med samma lydelse som en annan."
QUALITATIVE = "Brukarnas upplevelse av bemötandet"
NOT_INCREASE = "Antal anmälningar om missförhållanden"
NOT_GIVEN = "Antal genomförda tillsyner"
BASELINE = "Andel digitala ärenden"


@dataclass
class Plan:
    goal: BoardGoal
    qualitative: Indicator
    not_increase: Indicator
    not_given: Indicator
    baseline: Indicator
    text_value: IndicatorValue
    shared_note: Footnote
    activities: list[Activity]


def total() -> Breakdown:
    return breakdown()


def _indicator(board, goal, name, unit, *, order, valid_from=2019, decimals=0) -> Indicator:
    indicator = Indicator.objects.create(
        board=board,
        board_goal=goal,
        name=name,
        unit=unit,
        decimals=decimals,
        frequency="ar",
        valid_from=valid_from,
        order=order,
    )
    IndicatorBreakdown.objects.create(
        indicator=indicator, breakdown=total(), valid_from=valid_from, order=0
    )
    return indicator


def _value(indicator, year, number=None, **extra) -> IndicatorValue:
    return IndicatorValue.objects.create(
        indicator=indicator,
        year=year,
        breakdown=total(),
        value=None if number is None else Decimal(str(number)),
        **extra,
    )


def build_plan(board, *, not_increase_2022: int = 95) -> Plan:
    area, _ = GoalArea.objects.get_or_create(name="Trygghet", defaults={"order": 3})
    council, _ = CouncilGoal.objects.get_or_create(
        goal_area=area, title="Trygg omsorg", valid_from=2019
    )
    goal = BoardGoal.objects.create(
        board=board, council_goal=council, title="Ett gott bemötande", valid_from=2019, order=0
    )
    qualitative = _indicator(board, goal, QUALITATIVE, Indicator.Unit.TEXT, order=0)
    not_increase = _indicator(board, goal, NOT_INCREASE, Indicator.Unit.COUNT, order=1)
    not_given = _indicator(board, goal, NOT_GIVEN, Indicator.Unit.COUNT, order=2)
    baseline = _indicator(
        board, goal, BASELINE, Indicator.Unit.PERCENT, order=3, valid_from=2022, decimals=1
    )

    text_value = _value(qualitative, 2022, text=TEXT_OUTCOME)
    _value(not_increase, 2020, missing_reason=MissingReason.OTHER)
    earlier = _value(not_increase, 2021, 100)
    latest = _value(not_increase, 2022, not_increase_2022)
    shared = Footnote.objects.create(value=latest, text=SHARED_NOTE)
    shared.shared_values.add(earlier)
    Target.objects.create(
        indicator=not_increase,
        year=2022,
        breakdown=total(),
        kind=Target.Kind.DIRECTION,
        trend=Target.TrendDirection.NOT_INCREASE,
    )
    Target.objects.create(
        indicator=qualitative,
        year=2022,
        breakdown=total(),
        kind=Target.Kind.TEXT,
        text="Inga skillnader mellan grupperna",
    )
    _value(not_given, 2021, 12)
    _value(baseline, 2020, "41.5")
    _value(baseline, 2021, "47.25", decimals=2)
    _value(baseline, 2022, 52)

    assignment = StrategicAssignment.objects.create(
        municipality=board.municipality,
        board=board,
        scope=StrategicAssignment.Scope.BOARD_OWN,
        text="Utred en samlad ingång för anmälningar",
        valid_from=2022,
    )
    policy = PolicyDocument.objects.create(
        municipality=board.municipality, title="Program för trygghet", valid_from=2019
    )
    activities = [
        Activity.objects.create(
            board=board, year=2022, title="Löpande dialog", deadline="Kontinuerligt", order=0
        ),
        Activity.objects.create(
            board=board,
            year=2022,
            title="Ny rutin för anmälningar",
            deadline="Succesivt avslut Q4",
            due_quarter=4,
            assignment=assignment,
            order=1,
        ),
        Activity.objects.create(
            board=board,
            year=2022,
            title="Utbildning i bemötande",
            deadline="Sept Q3",
            due_quarter=3,
            policy_document=policy,
            order=2,
        ),
        Activity.objects.create(
            board=board,
            year=2022,
            title="Trygghetsvandringar",
            deadline="Redovisat till KS hösten -18",
            due_quarter=1,
            goal_area=area,
            order=3,
        ),
    ]
    activities[0].board_goals.add(goal)
    return Plan(
        goal=goal,
        qualitative=qualitative,
        not_increase=not_increase,
        not_given=not_given,
        baseline=baseline,
        text_value=text_value,
        shared_note=shared,
        activities=activities,
    )


def full_year(board, year: int = 2022) -> ReportingOccasion:
    return occasion(board, year, "helar")
