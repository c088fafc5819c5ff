"""Small data for the entry, workflow, import, audit and backup tests: a goal chain of a chosen
size (the only goal_chain; tests/builders.py has the dashboard's breakdown helper)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from goals.models import BoardGoal, CouncilGoal, GoalArea
from goals.periods import PeriodType
from indicators.models import Breakdown, Indicator, IndicatorBreakdown, IndicatorValue, Target

# The years a report or page test usually shows values for (goal_chain's value_years).
VALUE_YEARS = (2020, 2021, 2022)


def breakdown(gender: str = "", org_unit=None, category: str = "") -> Breakdown:
    code = Breakdown.make_code(gender, org_unit.code if org_unit else "", category)
    order = {"": 0, "K": 1, "M": 2}.get(gender, 3)
    return Breakdown.objects.get_or_create(
        code=code,
        defaults={"gender": gender, "org_unit": org_unit, "category": category, "order": order},
    )[0]


def goal_chain(
    board,
    *,
    goals: int = 1,
    indicators_per_goal: int = 2,
    frequency: str = PeriodType.QUARTER,
    with_gender: bool = True,
    target_year: int | None = None,
    area_name: str = "Medborgare",
    value_years: Sequence[int] = (),
) -> list[Indicator]:
    """`goals` nämndmål under one KF goal, each with indicators (total, K, M) and a target.

    With `value_years`, each indicator also gets a year value per declared breakdown and year
    (total 3000 + i, K 1000, M 2000 + i for the i-th indicator of a goal). The target is for
    `target_year`: by default the last value year, else 2023.
    """
    if target_year is None:
        target_year = value_years[-1] if value_years else 2023
    area, _ = GoalArea.objects.get_or_create(name=area_name, defaults={"order": 2})
    council, _ = CouncilGoal.objects.get_or_create(
        goal_area=area, title=f"KF-mål inom {area_name}", valid_from=2019
    )
    total, women, men = breakdown(), breakdown("K"), breakdown("M")
    created = []
    start = BoardGoal.objects.filter(board=board).count()
    for g in range(start, start + goals):
        board_goal = BoardGoal.objects.create(
            board=board,
            council_goal=council,
            title=f"Nämndmål {g + 1}",
            description="Beskrivande text",
            valid_from=2019,
            order=g,
        )
        for i in range(indicators_per_goal):
            indicator = Indicator.objects.create(
                board=board,
                board_goal=board_goal,
                name=f"Indikator {g + 1}.{i + 1}",
                unit=Indicator.Unit.COUNT,
                frequency=frequency,
                aggregation=Indicator.Aggregation.STOCK,
                valid_from=2019,
                order=i,
            )
            parts = [total, women, men] if with_gender else [total]
            for order, part in enumerate(parts):
                IndicatorBreakdown.objects.create(
                    indicator=indicator, breakdown=part, valid_from=2019, order=order
                )
            figures = {total: 3000 + i, women: 1000, men: 2000 + i}
            for year in value_years:
                for part in parts:
                    IndicatorValue.objects.create(
                        indicator=indicator, year=year, breakdown=part, value=Decimal(figures[part])
                    )
            Target.objects.create(
                indicator=indicator,
                year=target_year,
                breakdown=total,
                kind=Target.Kind.VALUE,
                value=Decimal(3300),
            )
            created.append(indicator)
    return created


def set_value(indicator, *, year, period_type, number, value, gender: str = ""):
    return IndicatorValue.objects.create(
        indicator=indicator,
        year=year,
        period_type=period_type,
        period_number=number,
        breakdown=breakdown(gender),
        value=Decimal(value),
    )


def field_post(indicator, value="3327", /, **extra) -> dict:
    """The POST of one entry field: the indicator's total for quarter 3, version 0 (never saved)."""
    return {
        "indicator": indicator.pk,
        "breakdown": breakdown().pk,
        "period_type": PeriodType.QUARTER,
        "period_number": 3,
        "version": 0,
        "value": value,
        "missing_reason": "",
        "comment": "",
        "footnote": "",
        **extra,
    }
