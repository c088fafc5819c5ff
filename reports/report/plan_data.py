"""Everything a plan document (the internbudget) needs, read in a fixed number of queries.

As reports.report.data does for the verksamhetsberättelse: the builders never query, they get
a PlanData. Indicator values are read as their history stood `as_of` (the plan's decision day;
None: as stored now); the budget tables and the structure are read as they are.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from budget import tables as budget_tables
from goals.models import Activity, Board, OrganisationUnit, StrategicAssignment
from goals.selectors import year_activities
from reports.freshness import up_to
from reports.report.data import IndicatorData, load_indicator_data, year_assignments

# The years a plan's indicator tables reach, relative to the plan year N.
FIRST_OUTCOME = -2  # Utfall N-2 (and N-1 for the nämndindikatorer)
LAST_PLAN = 5  # Plan N+5 (volymer); personal to N+3, the nämndindikatorer to N+1
GOAL_TARGET_YEARS = 2  # Önskvärd riktning/värde N and N+1
STAFF_PLAN_YEARS = 3


def plan_years(year: int) -> range:
    """The years a plan (verksamhetsplan, internbudget) of `year` reads, for its data token
    (reports.freshness): outcomes from N-2 (investments' from every earlier year) to plan N+5."""
    return up_to(year + LAST_PLAN)


@dataclass
class PlanData(IndicatorData):
    plan: budget_tables.PlanTable
    assignments: list[StrategicAssignment]
    activities: dict[int, list[Activity]]  # per assignment id, in the plan's order
    as_of: datetime.datetime | None = None
    extra: dict = field(default_factory=dict)


def load_plan_data(board: Board, year: int, as_of: datetime.datetime | None = None) -> PlanData:
    base = load_indicator_data(
        board,
        year,
        range(year + FIRST_OUTCOME, year + LAST_PLAN + 1),
        range(year + FIRST_OUTCOME, year + GOAL_TARGET_YEARS),
        as_of=as_of,
        indicators_as_of=as_of,  # the plan's indicators as they were when it was decided
    )
    _join_target_units(base)
    activities: dict[int, list[Activity]] = defaultdict(list)
    for activity in year_activities(board, year):
        if activity.assignment_id is not None:
            activities[activity.assignment_id].append(activity)
    return PlanData(
        **vars(base),
        plan=budget_tables.plan(board, year),
        assignments=year_assignments(board, year),
        activities=dict(activities),
        as_of=as_of,
    )


def _join_target_units(data: IndicatorData) -> None:
    """The organisational unit of every target stored per unit, in one query (the series
    join the targets' breakdowns, not their units; the plans print "SOF: 105 UAF: 61")."""
    breakdowns = [
        target.breakdown
        for series in data.series.values()
        for by_code in series.targets.values()
        for target in by_code.values()
        if target.breakdown.org_unit_id is not None
    ]
    if not breakdowns:
        return
    units = OrganisationUnit.objects.in_bulk({b.org_unit_id for b in breakdowns})
    for breakdown in breakdowns:
        breakdown.org_unit = units[breakdown.org_unit_id]
