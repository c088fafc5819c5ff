"""A board-year's structure as the workbook's rows: what the export writes and what an import
compares a file with.

Every kind is read with a fixed number of queries, and each row gets its readable id from its
position in the board-year's order (`NM-1`, `IND-3`, …). The export and the import number the
same rows the same way, so an unchanged file matches the stored rows id by id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q

from goals.models import (
    Activity,
    Board,
    BoardGoal,
    PolicyDocument,
    StrategicAssignment,
)
from goals.periods import PeriodType
from indicators.models import (
    BASELINE_YEARS,
    Footnote,
    Indicator,
    IndicatorBreakdown,
    IndicatorValue,
    Target,
)
from indicators.structure_workbook import sheets

# A breakdown as the workbook names it: (kön, enhet code, kategori); ("", "", "") is the total.
Triple = tuple[str, str, str]
Record = dict[str, Any]


def natural_key(text: str) -> tuple:
    """IND-2 before IND-10."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


def number_of(value: Decimal | None) -> Decimal | None:
    """PostgreSQL gives 88.9000, the file 88.9: the same figure, one spelling."""
    if value is None:
        return None
    normal = Decimal(value).normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral() else normal


def triple_of(breakdown: Any) -> Triple:
    org = breakdown.org_unit
    return (breakdown.gender or "", org.code if org is not None else "", breakdown.category or "")


@dataclass
class Entry:
    obj: Any
    record: Record


@dataclass
class State:
    board: Board
    year: int
    goals: dict[str, Entry] = field(default_factory=dict)
    indicators: dict[str, Entry] = field(default_factory=dict)
    breakdowns: dict[tuple, Entry] = field(default_factory=dict)
    targets: dict[tuple, Entry] = field(default_factory=dict)
    values: dict[tuple, Entry] = field(default_factory=dict)
    footnotes: dict[str, Entry] = field(default_factory=dict)
    assignments: dict[str, Entry] = field(default_factory=dict)
    policies: dict[str, Entry] = field(default_factory=dict)
    activities: dict[str, Entry] = field(default_factory=dict)

    def kind(self, key: str) -> dict:
        return getattr(self, key)


def _ids(prefix: str, objects: list) -> dict[int, str]:
    return {obj.pk: f"{prefix}-{number}" for number, obj in enumerate(objects, start=1)}


def carries_value_year(indicator: Indicator, value_year: int, year: int) -> bool:
    """The year values the workbook carries: the year's, and baselines before a start."""
    return value_year == year or (
        indicator.valid_from - BASELINE_YEARS <= value_year < indicator.valid_from
        and indicator.valid_from <= year
    )


def load_state(board: Board, year: int) -> State:
    state = State(board=board, year=year)
    goals = list(
        BoardGoal.objects.valid_in(year)
        .filter(board=board)
        .select_related("council_goal__goal_area")
        .order_by("council_goal__goal_area__order", "council_goal__order", "order", "pk")
    )
    goal_ids = _ids(sheets.GOAL_PREFIX, goals)
    for goal in goals:
        state.goals[goal_ids[goal.pk]] = Entry(
            goal,
            {
                "id": goal_ids[goal.pk],
                "council_goal": goal.council_goal.title,
                "title": goal.title,
                "description": goal.description,
                "order": goal.order,
            },
        )

    indicators = list(
        Indicator.objects.valid_in(year)
        .filter(board=board)
        .order_by("category", "board_goal__order", "order", "pk")
    )
    # Parents first, so ids and writes follow the tree.
    top = [ind for ind in indicators if ind.parent_id is None]
    children = [ind for ind in indicators if ind.parent_id is not None]
    indicators = top + children
    indicator_ids = _ids(sheets.INDICATOR_PREFIX, indicators)
    by_pk = {ind.pk: ind for ind in indicators}
    for ind in indicators:
        state.indicators[indicator_ids[ind.pk]] = Entry(
            ind,
            {
                "id": indicator_ids[ind.pk],
                "goal": goal_ids.get(ind.board_goal_id, "") if ind.board_goal_id else "",
                "parent": indicator_ids.get(ind.parent_id, "") if ind.parent_id else "",
                "name": ind.name,
                "category": ind.category,
                "unit": ind.unit,
                "decimals": ind.decimals,
                "direction": ind.direction,
                "source": ind.source,
                "frequency": ind.frequency,
                "aggregation": ind.aggregation,
                "mandatory": ind.mandatory,
                "order": ind.order,
            },
        )

    links = (
        IndicatorBreakdown.objects.valid_in(year)
        .filter(indicator__in=indicators)
        .select_related("breakdown__org_unit")
        .order_by("indicator_id", "order", "pk")
    )
    for link in links:
        triple = triple_of(link.breakdown)
        ind_id = indicator_ids[link.indicator_id]
        state.breakdowns[(ind_id, triple)] = Entry(
            link,
            {
                "indicator": ind_id,
                "gender": triple[0],
                "org_unit": triple[1],
                "category": triple[2],
                "order": link.order,
            },
        )

    targets = (
        Target.objects.filter(indicator__in=indicators, year=year)
        .select_related("breakdown__org_unit")
        .order_by("indicator_id", "breakdown__order", "pk")
    )
    for target in targets:
        ind_id = indicator_ids[target.indicator_id]
        triple = triple_of(target.breakdown)
        state.targets[(ind_id, year, triple)] = Entry(
            target,
            {
                "indicator": ind_id,
                "year": year,
                "breakdown": triple,
                "kind": target.kind,
                "operator": target.operator,
                "value": number_of(target.value),
                "trend": target.trend,
                "base_value": number_of(target.base_value),
                "base_year": target.base_year,
                "text": target.text,
            },
        )

    first = min((ind.valid_from for ind in indicators), default=year) - BASELINE_YEARS
    values = (
        IndicatorValue.objects.filter(
            indicator__in=indicators,
            period_type=PeriodType.YEAR,
            year__gte=min(first, year),
            year__lte=year,
        )
        .select_related("breakdown__org_unit")
        .order_by("indicator_id", "year", "breakdown__order", "pk")
    )
    for value in values:
        if not carries_value_year(by_pk[value.indicator_id], value.year, year):
            continue
        ind_id = indicator_ids[value.indicator_id]
        triple = triple_of(value.breakdown)
        state.values[(ind_id, value.year, triple)] = Entry(
            value,
            {
                "indicator": ind_id,
                "year": value.year,
                "breakdown": triple,
                "value": number_of(value.value),
                "text": value.text,
                "missing_reason": value.missing_reason,
                "comment": value.comment,
            },
        )

    target_keys = {entry.obj.pk: key for key, entry in state.targets.items()}
    value_keys = {entry.obj.pk: key for key, entry in state.values.items()}
    notes_query = (
        Footnote.objects.filter(
            Q(indicator__in=indicators, year__isnull=True)
            | Q(indicator__in=indicators, year=year)
            | Q(board_goal__in=goals, year__isnull=True)
            | Q(board_goal__in=goals, year=year)
            | Q(target_id__in=list(target_keys))
            | Q(value_id__in=list(value_keys))
        )
        .prefetch_related("shared_values")
        .order_by("order", "pk")
    )
    notes = list(notes_query)
    note_ids = _ids(sheets.FOOTNOTE_PREFIX, notes)
    for note in notes:
        refs: list[tuple] = []
        if note.board_goal_id:
            refs.append(("goal", goal_ids[note.board_goal_id]))
        elif note.indicator_id:
            refs.append(("indicator", indicator_ids[note.indicator_id]))
        elif note.target_id:
            refs.append(("target", *target_keys[note.target_id]))
        else:
            refs.append(("value", *value_keys[note.value_id]))
            shared = sorted(
                (value_keys[v.pk] for v in note.shared_values.all() if v.pk in value_keys),
                key=lambda key: (natural_key(key[0]), key[1], key[2]),
            )
            refs.extend(("value", *key) for key in shared)
        state.footnotes[note_ids[note.pk]] = Entry(
            note,
            {
                "id": note_ids[note.pk],
                "text": note.text,
                "refs": tuple(refs),
                "year": note.year,
                "order": note.order,
            },
        )

    activities = list(
        Activity.objects.filter(board=board, year=year)
        .select_related("goal_area")
        .prefetch_related("board_goals")
        .order_by("order", "pk")
    )
    used_assignments = {act.assignment_id for act in activities} - {None}
    used_policies = {act.policy_document_id for act in activities} - {None}
    assignments = list(
        StrategicAssignment.objects.filter(
            (
                Q(board=board)
                | Q(scope=StrategicAssignment.Scope.COMMON, municipality_id=board.municipality_id)
            )
            & Q(pk__in=StrategicAssignment.objects.valid_in(year).values("pk"))
            | Q(pk__in=used_assignments)
        ).order_by("scope", "order", "pk")
    )
    assignment_ids = _ids(sheets.ASSIGNMENT_PREFIX, assignments)
    for assignment in assignments:
        state.assignments[assignment_ids[assignment.pk]] = Entry(
            assignment,
            {
                "id": assignment_ids[assignment.pk],
                "scope": assignment.scope,
                "text": assignment.text,
                "note": assignment.note,
                "order": assignment.order,
            },
        )
    policies = list(
        PolicyDocument.objects.filter(
            Q(
                municipality_id=board.municipality_id,
                pk__in=PolicyDocument.objects.valid_in(year).values("pk"),
            )
            | Q(pk__in=used_policies)
        ).order_by("order", "title", "pk")
    )
    policy_ids = _ids(sheets.POLICY_PREFIX, policies)
    for policy in policies:
        state.policies[policy_ids[policy.pk]] = Entry(
            policy,
            {
                "id": policy_ids[policy.pk],
                "title": policy.title,
                "description": policy.description,
                "order": policy.order,
            },
        )
    activity_ids = _ids(sheets.ACTIVITY_PREFIX, activities)
    for act in activities:
        state.activities[activity_ids[act.pk]] = Entry(
            act,
            {
                "id": activity_ids[act.pk],
                "title": act.title,
                "goals": tuple(
                    sorted(
                        (goal_ids[g.pk] for g in act.board_goals.all() if g.pk in goal_ids),
                        key=natural_key,
                    )
                ),
                "assignment": assignment_ids.get(act.assignment_id, "")
                if act.assignment_id
                else "",
                "policy": policy_ids.get(act.policy_document_id, "")
                if act.policy_document_id
                else "",
                "goal_area": act.goal_area.name if act.goal_area else "",
                "deadline": act.deadline,
                "due_quarter": act.due_quarter,
                "order": act.order,
            },
        )
    return state
