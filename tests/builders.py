"""Small builders for test data: a goal chain with indicators and values of a chosen size.

Plain functions, not factory_boy: each builder is a get_or_create on a natural key or a loop
over years and breakdowns, and the tests name every field they depend on. As factories they
grow longer (LazyAttribute for the derived code, post_generation for the loops) and a default
made up by a factory would hide the year or state a test is about.
"""

from __future__ import annotations

from decimal import Decimal

from goals.models import BoardGoal, CouncilGoal, GoalArea
from indicators.models import Breakdown, Indicator, IndicatorValue, Target


def breakdown(gender: str = "", org_unit=None, category: str = "") -> Breakdown:
    code = Breakdown.make_code(gender, org_unit.code if org_unit else "", category)
    return Breakdown.objects.get_or_create(
        code=code, defaults={"gender": gender, "org_unit": org_unit, "category": category}
    )[0]


def goal_chain(
    board, *, goals: int, indicators_per_goal: int, years=(2020, 2021, 2022), with_gender=True
):
    """`goals` nämndmål under one KF goal, each with indicators that have values and targets."""
    area, _ = GoalArea.objects.get_or_create(name="Medborgare", defaults={"order": 2})
    council, _ = CouncilGoal.objects.get_or_create(
        goal_area=area, title="Välfärdstjänster med hög kvalitet", valid_from=2019
    )
    total, women, men = breakdown(), breakdown("K"), breakdown("M")
    created = []
    start = BoardGoal.objects.filter(board=board).count()
    for g in range(start, start + goals):
        board_goal = BoardGoal.objects.create(
            board=board,
            council_goal=council,
            title=f"Mål {g}",
            description="Text",
            valid_from=2019,
            order=g,
        )
        for i in range(indicators_per_goal):
            indicator = Indicator.objects.create(
                board=board,
                board_goal=board_goal,
                name=f"Indikator {g}.{i}",
                unit=Indicator.Unit.COUNT,
                valid_from=2019,
                order=i,
            )
            for year in years:
                IndicatorValue.objects.create(
                    indicator=indicator, year=year, breakdown=total, value=Decimal(3000 + i)
                )
                if with_gender:
                    IndicatorValue.objects.create(
                        indicator=indicator, year=year, breakdown=women, value=Decimal(1000)
                    )
                    IndicatorValue.objects.create(
                        indicator=indicator, year=year, breakdown=men, value=Decimal(2000 + i)
                    )
            Target.objects.create(
                indicator=indicator,
                year=years[-1],
                breakdown=total,
                kind="varde",
                value=Decimal(3300),
            )
            created.append(indicator)
    return created
