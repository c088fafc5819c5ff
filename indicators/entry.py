"""Read paths of the entry page: what is due at an occasion, with the figures to type beside.

`entry_sheet` builds the whole page for a board and an occasion in a fixed number of queries,
whatever the number of indicators, goals or breakdowns: every indicator due in the period,
grouped målområde → nämndmål, each breakdown field with its stored value, last year's value of
the same period, the previous period's value and the target; the goal assessments with a
suggested level and its reasoning; the strategic assignments and activities with their status.
`occasion_overview` gives, for the user's boards, each occasion's state, deadline and what is
still missing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import OuterRef, Q, QuerySet, Subquery

from goals.models import (
    Activity,
    ActivityStatus,
    AssessmentLevel,
    AssignmentStatus,
    Board,
    BoardGoal,
    GoalArea,
    GoalAssessment,
    ReportingOccasion,
    StrategicAssignment,
)
from goals.periods import OccasionKind, Period, PeriodType
from goals.selectors import activity_serves, year_activities
from indicators import yearrule
from indicators.computed import ComputedValue, computed_values
from indicators.evaluation import target_met
from indicators.formatting import format_exact, format_outcome, format_with_unit
from indicators.models import (
    Breakdown,
    Footnote,
    Indicator,
    IndicatorBreakdown,
    IndicatorValue,
    MissingReason,
    Target,
)

TOTAL_CODE = "total"


def periods_for(indicator: Indicator, occasion_kind: str, year: int) -> list[Period]:
    """The periods of an indicator that fall due at an occasion.

    A quarterly indicator is due at each kvartal (and K4 at helår), a tertial one at the
    delår (T3 at helår), a monthly one in the occasion's month, a yearly one at helår. At
    helår every indicator also has its year value, the figure the year-end report prints.
    """
    due = OccasionKind(occasion_kind).due_periods()
    periods = [
        Period(year, period_type, number)
        for period_type, number in due
        if period_type == indicator.frequency and period_type != PeriodType.YEAR
    ]
    if (PeriodType.YEAR, 1) in due:
        periods.append(Period(year, PeriodType.YEAR, 1))
    return periods


def _ptype(period_type: str) -> str:
    """Period types as plain strings: enum members and database strings hash differently."""
    return PeriodType(period_type).value


def _period_q(periods: Iterable[Period]) -> Q:
    conditions = [
        Q(year=period.year, period_type=period.type, period_number=period.number)
        for period in set(periods)
    ]
    return reduce(or_, conditions, Q(pk__in=[]))


MISSING_REASON_LABELS = dict(MissingReason.choices)


@dataclass(slots=True)
class StoredValue:
    """A stored value as the entry page and the Excel template read it.

    Read with `values_list` rather than as `IndicatorValue` instances: the page reads hundreds of
    values and their previous and last year's figures, and building model instances (and a
    footnote queryset for each) was most of its read time. Writes still go through the model.
    """

    pk: int
    value: Decimal | None
    decimals: int | None
    missing_reason: str
    comment: str
    version: int
    updated_by_id: int | None
    footnote: str  # the first footnote's text, as `services.value_footnote_text` reads it
    text: str = ""  # a qualitative indicator's outcome in words
    shared_footnote: str = ""  # a footnote of another value that also applies to this one

    def get_missing_reason_display(self) -> str:
        return MISSING_REASON_LABELS.get(self.missing_reason, self.missing_reason)


def _stored_values(values: QuerySet) -> dict[tuple, StoredValue]:
    """The values of a queryset by (indicator, breakdown, year, period type, period number)."""
    first_note = (
        Footnote.objects.filter(value=OuterRef("pk")).order_by("order", "pk").values("text")[:1]
    )
    shared_note = (
        Footnote.objects.filter(shared_values=OuterRef("pk"))
        .order_by("order", "pk")
        .values("text")[:1]
    )
    rows = (
        values.order_by()
        .annotate(first_footnote=Subquery(first_note), shared_footnote=Subquery(shared_note))
        .values_list(
            "indicator_id",
            "breakdown_id",
            "year",
            "period_type",
            "period_number",
            "pk",
            "value",
            "decimals",
            "missing_reason",
            "comment",
            "version",
            "updated_by_id",
            "first_footnote",
            "text",
            "shared_footnote",
        )
    )
    return {
        (indicator_id, breakdown_id, year, period_type, number): StoredValue(
            pk, value, decimals, reason, comment, version, user_id, note or "", text, shared or ""
        )
        for (
            indicator_id,
            breakdown_id,
            year,
            period_type,
            number,
            pk,
            value,
            decimals,
            reason,
            comment,
            version,
            user_id,
            note,
            text,
            shared,
        ) in rows
    }


@dataclass
class EntryField:
    """One breakdown field of one indicator and period: what the controller types into."""

    indicator: Indicator
    breakdown: Breakdown
    period: Period
    value: StoredValue | None
    last_year: StoredValue | None
    previous: StoredValue | None
    target: Target | None
    locked: bool
    computed: ComputedValue | None = None
    last_year_year: StoredValue | None = None  # last year's year value, beside the field
    # The year value by the indicator's year rule (indicators.yearrule), for a year field of a
    # periodic indicator whose periods are all given; shown beside the field, never stored.
    derived: Decimal | None = None
    derived_reason: str = ""

    @property
    def derived_text(self) -> str:
        """`118 (summa av kvartalen)`, or "" when nothing follows from the periods."""
        if self.derived is None:
            return ""
        number = format_with_unit(self.derived, self.indicator.decimals, self.indicator.unit)
        return f"{number} ({yearrule.rule_description(self.indicator)})"

    @property
    def key(self) -> str:
        return f"v{self.indicator.pk}-{self.breakdown.pk}-{self.period.type}-{self.period.number}"

    @property
    def version(self) -> int:
        return self.value.version if self.value is not None else 0

    @property
    def is_computed(self) -> bool:
        return self.indicator.is_computed

    @property
    def is_missing(self) -> bool:
        """No figure and no I.U.: still to be reported."""
        return self.value is None and not self.is_computed

    @property
    def footnote_text(self) -> str:
        return self.value.footnote if self.value is not None else ""

    @property
    def shared_footnote_text(self) -> str:
        """A footnote of another value that also applies to this one (shown, not edited here)."""
        return self.value.shared_footnote if self.value is not None else ""

    @property
    def input_text(self) -> str:
        """The stored value as the controller types it (no unit, Swedish separators)."""
        if self.value is None:
            return ""
        if self.value.text:
            return self.value.text
        if self.value.value is None:
            return "I.U."
        # Exactly the stored number: a rounded copy would be sent back and overwrite it.
        return format_exact(self.value.value, self.decimals_of(self.value))

    def decimals_of(self, value: StoredValue | ComputedValue | DerivedFigure | None) -> int:
        if value is None:
            return self.indicator.decimals
        stored = getattr(value, "decimals", None)
        return stored if stored is not None else self.indicator.decimals

    def shown(self, value: StoredValue | ComputedValue | DerivedFigure | None) -> str:
        """A reference figure: the number, the text, I.U. for a stored I.U., "–" for none."""
        if value is None:
            return format_outcome(None, stored=False)
        return format_outcome(
            value.value,
            self.decimals_of(value),
            stored=True,
            text=getattr(value, "text", ""),
            unit=self.indicator.unit,
        )

    @property
    def is_text(self) -> bool:
        """A qualitative indicator: the field is a textarea for the outcome in words."""
        return self.indicator.is_qualitative

    @property
    def last_year_text(self) -> str:
        return self.shown(self.last_year)

    @property
    def last_year_year_text(self) -> str:
        return self.shown(self.last_year_year)

    @property
    def previous_text(self) -> str:
        return self.shown(self.previous)

    @property
    def computed_text(self) -> str:
        return self.shown(self.computed) if self.computed is not None else "–"

    @property
    def target_text(self) -> str:
        return self.target.display if self.target is not None else "–"

    @property
    def label(self) -> str:
        return f"{self.indicator.name}, {self.breakdown.label}, {self.period.label}"


@dataclass
class EntryRow:
    indicator: Indicator
    period: Period
    fields: list[EntryField]
    is_child: bool = False
    cells: list = field(default_factory=list)  # the page's view of each field, set by the view

    @property
    def period_label(self) -> str:
        if self.period.type == PeriodType.YEAR:
            return f"Helår {self.period.year}"
        return self.period.label


@dataclass(frozen=True)
class DerivedFigure:
    """A year rule figure where the suggestion reads a stored value (value, decimals)."""

    value: Decimal
    decimals: int | None = None


@dataclass
class Suggestion:
    level: str
    lines: list[str]

    @property
    def label(self) -> str:
        return AssessmentLevel(self.level).label if self.level else "Inget förslag"


@dataclass
class GoalBlock:
    goal: BoardGoal
    rows: list[EntryRow] = field(default_factory=list)
    assessment: GoalAssessment | None = None
    suggestion: Suggestion | None = None
    assessment_url: str = ""

    @property
    def assessment_version(self) -> int:
        return self.assessment.version if self.assessment is not None else 0


@dataclass
class AreaBlock:
    area: GoalArea
    goals: list[GoalBlock] = field(default_factory=list)


@dataclass
class StatusItem:
    item: StrategicAssignment | Activity
    status: AssignmentStatus | ActivityStatus | None
    url: str = ""

    @property
    def version(self) -> int:
        return self.status.version if self.status is not None else 0

    @property
    def serves(self) -> list[str]:
        """An activity's nämndmål, assignment, styrdokument or målområde; [] for an assignment."""
        return activity_serves(self.item) if isinstance(self.item, Activity) else []


@dataclass
class EntrySheet:
    occasion: ReportingOccasion
    areas: list[AreaBlock]
    other_rows: list[EntryRow]
    assignments: list[StatusItem]
    activities: list[StatusItem]

    @property
    def locked(self) -> bool:
        return not self.occasion.is_open_for_entry

    def all_rows(self) -> list[EntryRow]:
        rows = [row for area in self.areas for goal in area.goals for row in goal.rows]
        return rows + self.other_rows

    def all_fields(self) -> list[EntryField]:
        return [entry for row in self.all_rows() for entry in row.fields]

    @property
    def missing(self) -> list[EntryField]:
        return [entry for entry in self.all_fields() if entry.is_missing]

    @property
    def field_count(self) -> int:
        return sum(1 for entry in self.all_fields() if not entry.is_computed)


def _year_periods(year: int, frequency: str) -> list[Period]:
    period_type = PeriodType(frequency)
    return [Period(year, period_type, n) for n in range(1, period_type.periods_per_year + 1)]


def _set_derived(entry: EntryField, values: dict, ids: tuple[int, int], year: int) -> None:
    """The year rule's figure for a year field, from the periods already read."""
    frequency = _ptype(entry.indicator.frequency)
    periods = {}
    for number in range(1, PeriodType(frequency).periods_per_year + 1):
        stored = values.get((*ids, year, frequency, number))
        if stored is not None:
            periods[number] = stored.value
    result = yearrule.derive_for(entry.indicator, periods)
    entry.derived = result.value
    entry.derived_reason = result.reason


def _indicators(board_id: int, year: int) -> list[Indicator]:
    return list(
        Indicator.objects.valid_in(year)
        .filter(board_id=board_id)
        .select_related("parent")
        .order_by("category", "board_goal__order", "parent__order", "parent_id", "order", "pk")
    )


def _breakdowns(indicator_ids: list[int], year: int) -> dict[int, list[Breakdown]]:
    by_indicator: dict[int, list[Breakdown]] = defaultdict(list)
    links = (
        IndicatorBreakdown.objects.valid_in(year)
        .filter(indicator_id__in=indicator_ids)
        .select_related("breakdown__org_unit")
        .order_by("indicator_id", "order", "breakdown__order", "breakdown__code")
    )
    for link in links:
        by_indicator[link.indicator_id].append(link.breakdown)
    return by_indicator


def _total_breakdown() -> Breakdown:
    return Breakdown.objects.get_or_create(code=TOTAL_CODE)[0]


def entry_sheet(occasion: ReportingOccasion) -> EntrySheet:
    """Everything the entry page shows for one board and occasion, in a fixed number of queries."""
    year = occasion.year
    due = [
        (indicator, periods)
        for indicator in _indicators(occasion.board_id, year)
        if (periods := periods_for(indicator, occasion.kind, year))
    ]
    due_ids = [indicator.pk for indicator, _ in due]
    breakdowns = _breakdowns(due_ids, year)
    needs_total = any(not breakdowns.get(pk) for pk in due_ids)
    total = _total_breakdown() if needs_total else None
    figures = _read_figures(due, year)
    locked = not occasion.is_open_for_entry
    rows_by_goal: dict[int | None, list[EntryRow]] = defaultdict(list)
    for indicator, periods in due:
        # total is read whenever an indicator has no breakdowns of its own.
        parts = breakdowns.get(indicator.pk) or ([total] if total is not None else [])
        goal_id = indicator.board_goal_id or (
            indicator.parent.board_goal_id if indicator.parent else None
        )
        for period in periods:
            row = _entry_row(indicator, period, parts, figures, year=year, locked=locked)
            rows_by_goal[goal_id].append(row)
    areas, other_rows = _goal_areas(occasion, rows_by_goal, figures.values)
    assignments, activities = _status_items(occasion)
    return EntrySheet(
        occasion=occasion,
        areas=areas,
        other_rows=other_rows,
        assignments=assignments,
        activities=activities,
    )


@dataclass
class _Figures:
    """The stored values, targets and computed values the sheet's fields show, read once."""

    values: dict[tuple, StoredValue]
    targets: dict[tuple[int, int], Target]
    computed: dict[tuple, ComputedValue]


def _read_figures(due: list[tuple[Indicator, list[Period]]], year: int) -> _Figures:
    """The due periods' values with their previous period and last year's, in three queries."""
    due_ids = [indicator.pk for indicator, _ in due]
    wanted: set[Period] = set()
    for _, periods in due:
        for period in periods:
            wanted.update({period, period.previous(), period.same_period_last_year()})
    # Last year's year value is a column of its own (and the base of a direction target).
    wanted.add(Period(year - 1, PeriodType.YEAR, 1))
    # The year fields of periodic indicators show the year rule's figure: the same query reads
    # all the year's periods of their frequency.
    for indicator, periods in due:
        if yearrule.is_derivable(indicator) and any(p.type == PeriodType.YEAR for p in periods):
            wanted.update(_year_periods(year, indicator.frequency))
    values: dict[tuple, StoredValue] = {}
    if due_ids:
        values = _stored_values(
            IndicatorValue.objects.filter(indicator_id__in=due_ids).filter(_period_q(wanted))
        )
    by_id = {indicator.pk: indicator for indicator, _ in due}
    targets: dict[tuple[int, int], Target] = {}
    for target in Target.objects.filter(indicator_id__in=due_ids, year=year).order_by():
        target.indicator = by_id[target.indicator_id]  # its unit and decimals, without a join
        targets[(target.indicator_id, target.breakdown_id)] = target
    computed = {
        (item.indicator_id, item.year, _ptype(item.period_type), item.period_number): item
        for item in computed_values([indicator for indicator, _ in due], [year, year - 1])
        if item.breakdown_id is None
    }
    return _Figures(values=values, targets=targets, computed=computed)


def _period_key(period: Period) -> tuple[int, str, int]:
    return (period.year, _ptype(period.type), period.number)


def _entry_row(
    indicator: Indicator,
    period: Period,
    parts: list[Breakdown],
    figures: _Figures,
    *,
    year: int,
    locked: bool,
) -> EntryRow:
    """One indicator and period: a field per breakdown with its reference figures."""
    values = figures.values
    # the period's keys once, not once per breakdown field
    now = _period_key(period)
    last_year = _period_key(period.same_period_last_year())
    previous = _period_key(period.previous())
    last_year_year = (year - 1, _ptype(PeriodType.YEAR), 1)
    computed_value = figures.computed.get((indicator.pk, *now))
    rule = period.type == PeriodType.YEAR and yearrule.is_derivable(indicator)
    fields = []
    for breakdown in parts:
        ids = (indicator.pk, breakdown.pk)
        entry = EntryField(
            indicator=indicator,
            breakdown=breakdown,
            period=period,
            value=values.get(ids + now),
            last_year=values.get(ids + last_year),
            previous=values.get(ids + previous),
            target=figures.targets.get(ids),
            locked=locked,
            computed=computed_value,
            last_year_year=values.get(ids + last_year_year),
        )
        if rule:
            _set_derived(entry, values, ids, year)
        fields.append(entry)
    return EntryRow(
        indicator=indicator, period=period, fields=fields, is_child=indicator.parent_id is not None
    )


def _goal_areas(
    occasion: ReportingOccasion, rows_by_goal: dict[int | None, list[EntryRow]], values: dict
) -> tuple[list[AreaBlock], list[EntryRow]]:
    """The rows under their nämndmål by målområde, with assessments; rows of no goal apart."""
    year = occasion.year
    goals = list(
        BoardGoal.objects.valid_in(year)
        .filter(board_id=occasion.board_id)
        .select_related("council_goal__goal_area")
        .order_by("council_goal__goal_area__order", "council_goal__order", "order", "pk")
    )
    assessments = {
        assessment.board_goal_id: assessment
        for assessment in GoalAssessment.objects.filter(occasion=occasion)
    }
    areas: dict[int, AreaBlock] = {}
    for goal in goals:
        area = goal.council_goal.goal_area
        block = areas.setdefault(area.pk, AreaBlock(area=area))
        goal_rows = rows_by_goal.get(goal.pk, [])
        goal_block = GoalBlock(goal=goal, rows=goal_rows, assessment=assessments.get(goal.pk))
        if occasion.assesses_goals:
            goal_block.suggestion = suggest_level(goal_rows, year=year, values=values)
        block.goals.append(goal_block)
    known_goals = {goal.pk for goal in goals}
    other_rows = [
        row for goal_id, rows in rows_by_goal.items() if goal_id not in known_goals for row in rows
    ]
    return list(areas.values()), other_rows


def _status_items(occasion: ReportingOccasion) -> tuple[list[StatusItem], list[StatusItem]]:
    """The strategic assignments and activities of the board's year with their statuses."""
    year = occasion.year
    assignments = list(
        StrategicAssignment.objects.valid_in(year)
        .filter(municipality_id=occasion.board.municipality_id)
        .filter(Q(board__isnull=True) | Q(board_id=occasion.board_id))
        .order_by("scope", "order", "pk")
    )
    assignment_status = {
        status.assignment_id: status
        for status in AssignmentStatus.objects.filter(occasion=occasion)
    }
    activities = year_activities(occasion.board_id, year)
    activity_status = {
        status.activity_id: status for status in ActivityStatus.objects.filter(occasion=occasion)
    }
    return (
        [StatusItem(item, assignment_status.get(item.pk)) for item in assignments],
        [StatusItem(item, activity_status.get(item.pk)) for item in activities],
    )


def suggest_level(rows: list[EntryRow], *, year: int, values: dict) -> Suggestion:
    """A suggested assessment from the nämndmål's indicators against their targets.

    Each indicator's total is judged once: the year value where there is one, else the latest
    period due at this occasion (a flow is only judged on the whole year). All met gives
    Uppnått, none met Ej uppnått, otherwise Delvis uppnått. I.U., missing values and targets
    that cannot be judged (text, I.U., direction without a base) are listed as not counted.
    """
    chosen: dict[int, EntryRow] = {}
    for row in rows:
        current = chosen.get(row.indicator.pk)
        if current is None or row.period.type == PeriodType.YEAR:
            chosen[row.indicator.pk] = row
    met = not_met = 0
    lines: list[str] = []
    for row in chosen.values():
        result, line = _judge_row(row, year=year, values=values)
        lines.append(line)
        met += result is True
        not_met += result is False
    counted = met + not_met
    if counted == 0:
        level = ""
        lines.append("Ingen indikator kan bedömas: inget förslag.")
    elif not_met == 0:
        level = AssessmentLevel.ACHIEVED
    elif met == 0:
        level = AssessmentLevel.NOT_ACHIEVED
    else:
        level = AssessmentLevel.PARTLY
    if counted:
        lines.append(f"{met} av {counted} bedömda indikatorer når sitt målvärde.")
    return Suggestion(level=level, lines=lines)


def _judge_row(row: EntryRow, *, year: int, values: dict) -> tuple[bool | None, str]:
    """One indicator's total against its target: met, not met or not counted (None), and why."""
    indicator = row.indicator
    total = next((entry for entry in row.fields if entry.breakdown.is_total), None)
    if total is None:
        return None, f"{indicator.name}: ingen totalsiffra – räknas inte."
    if total.target is None:
        return None, f"{indicator.name}: inget målvärde {year} – räknas inte."
    if row.period.type != PeriodType.YEAR and indicator.aggregation == Indicator.Aggregation.FLOW:
        return None, f"{indicator.name}: summeras över året, bedöms vid helår – räknas inte."
    source: ComputedValue | StoredValue | DerivedFigure | None = (
        total.computed if indicator.is_computed else total.value
    )
    by_rule = source is None and total.derived is not None
    if by_rule and total.derived is not None:
        # No year value entered: the year rule's figure from the periods is judged.
        source = DerivedFigure(total.derived)
    if source is None:
        return None, f"{indicator.name}: inget utfall {row.period_label} – räknas inte."
    if getattr(source, "text", ""):
        return None, f"{indicator.name}: textutfall – räknas inte."
    if source.value is None:
        return None, f"{indicator.name}: I.U. – räknas inte."
    previous_year = values.get(
        (indicator.pk, total.breakdown.pk, year - 1, _ptype(PeriodType.YEAR), 1)
    )
    result = target_met(
        total.target,
        Decimal(source.value),
        direction=indicator.direction,
        previous=previous_year.value if previous_year is not None else None,
    )
    shown = total.shown(source)
    if by_rule:
        shown += " (enligt årsregeln)"
    against = f"{indicator.name}: {shown} mot målvärdet {total.target_text}"
    if result is None:
        return None, f"{against} kan inte bedömas automatiskt – räknas inte."
    return result, f"{against} – uppnått." if result else f"{against} – inte uppnått."


@dataclass
class OccasionStatus:
    occasion: ReportingOccasion
    due: int
    missing: list[tuple[Indicator, Breakdown, Period]]

    @property
    def missing_count(self) -> int:
        return len(self.missing)

    @property
    def reported_count(self) -> int:
        return self.due - len(self.missing)

    @property
    def missing_indicators(self) -> list[Indicator]:
        seen: dict[int, Indicator] = {}
        for indicator, _, _ in self.missing:
            seen.setdefault(indicator.pk, indicator)
        return list(seen.values())


def _due_fields(
    occasion: ReportingOccasion,
    indicators: list[Indicator],
    links_by_indicator: dict[int, list[IndicatorBreakdown]],
    total: Breakdown,
) -> list[tuple[Indicator, Breakdown, Period]]:
    """The (indicator, breakdown, period) fields due at the occasion, from rows read once."""
    keys: list[tuple[Indicator, Breakdown, Period]] = []
    for indicator in indicators:
        if indicator.board_id != occasion.board_id or not indicator.is_valid_in(occasion.year):
            continue
        parts = [
            link.breakdown
            for link in links_by_indicator[indicator.pk]
            if link.is_valid_in(occasion.year)
        ] or [total]
        for period in periods_for(indicator, occasion.kind, occasion.year):
            keys.extend((indicator, part, period) for part in parts)
    return keys


def occasion_overview(occasions: list[ReportingOccasion]) -> list[OccasionStatus]:
    """Per occasion: how many fields are due and which are still missing (fixed query count)."""
    if not occasions:
        return []
    board_ids = {occasion.board_id for occasion in occasions}
    years = {occasion.year for occasion in occasions}
    indicators = list(
        Indicator.objects.valid_between(min(years), max(years))
        .filter(board_id__in=board_ids, computed="")
        .order_by("board_id", "category", "order", "pk")
    )
    links_by_indicator: dict[int, list[IndicatorBreakdown]] = defaultdict(list)
    for link in (
        IndicatorBreakdown.objects.valid_between(min(years), max(years))
        .filter(indicator__in=indicators)
        .select_related("breakdown")
        .order_by("order")
    ):
        links_by_indicator[link.indicator_id].append(link)
    total = _total_breakdown()
    due_keys = {
        occasion.pk: _due_fields(occasion, indicators, links_by_indicator, total)
        for occasion in occasions
    }
    wanted = [
        Q(indicator__board_id=occasion.board_id, year=occasion.year)
        & reduce(
            or_,
            (
                Q(period_type=period_type, period_number=number)
                for period_type, number in OccasionKind(occasion.kind).due_periods()
            ),
        )
        for occasion in occasions
    ]
    present = set(
        IndicatorValue.objects.filter(indicator__in=indicators)
        .filter(reduce(or_, wanted))
        .values_list("indicator_id", "breakdown_id", "year", "period_type", "period_number")
    )
    result = []
    for occasion in occasions:
        keys = due_keys[occasion.pk]
        missing = [
            (indicator, part, period)
            for indicator, part, period in keys
            if (indicator.pk, part.pk, period.year, _ptype(period.type), period.number)
            not in present
        ]
        result.append(OccasionStatus(occasion=occasion, due=len(keys), missing=missing))
    return result


def single_field(
    occasion: ReportingOccasion, indicator: Indicator, breakdown: Breakdown, period: Period
) -> EntryField:
    """One entry field, read fresh after a save (a fixed handful of queries)."""
    last_year_year = Period(period.year - 1, PeriodType.YEAR, 1)
    wanted = [period, period.previous(), period.same_period_last_year(), last_year_year]
    rule = period.type == PeriodType.YEAR and yearrule.is_derivable(indicator)
    if rule:
        wanted.extend(_year_periods(period.year, indicator.frequency))
    rows = _stored_values(
        IndicatorValue.objects.filter(indicator=indicator, breakdown=breakdown).filter(
            _period_q(wanted)
        )
    )

    def get(item: Period) -> StoredValue | None:
        return rows.get((indicator.pk, breakdown.pk, item.year, _ptype(item.type), item.number))

    target = (
        Target.objects.filter(indicator=indicator, breakdown=breakdown, year=occasion.year)
        .select_related("indicator")
        .first()
    )
    computed = None
    if indicator.is_computed:
        computed = next(
            (
                item
                for item in computed_values([indicator], [period.year])
                if item.breakdown_id is None
                and _ptype(item.period_type) == _ptype(period.type)
                and item.period_number == period.number
            ),
            None,
        )
    entry = EntryField(
        indicator=indicator,
        breakdown=breakdown,
        period=period,
        value=get(period),
        last_year=get(period.same_period_last_year()),
        previous=get(period.previous()),
        target=target,
        locked=not occasion.is_open_for_entry,
        computed=computed,
        last_year_year=get(last_year_year),
    )
    if rule:
        _set_derived(entry, rows, (indicator.pk, breakdown.pk), period.year)
    return entry


def occasion_gap_counts(occasions: list[ReportingOccasion]) -> dict[int, int]:
    """Per occasion, how much a submit would send in without, in a fixed number of queries.

    The same count as goals.selectors.submission_gaps of the occasion's entry sheet (fields
    without a value or I.U., nämndmål without an assessment, assignments and activities without
    a status), for many occasions at once: the start page's "Att göra" shows it per occasion.
    """
    if not occasions:
        return {}
    counts = {status.occasion.pk: status.missing_count for status in occasion_overview(occasions)}
    board_ids = {occasion.board_id for occasion in occasions}
    years = {occasion.year for occasion in occasions}
    first, last = min(years), max(years)
    goals = list(
        BoardGoal.objects.valid_between(first, last)
        .filter(board_id__in=board_ids)
        .only("board_id", "valid_from", "valid_to")
    )
    assessed = set(
        GoalAssessment.objects.filter(occasion__in=occasions).values_list(
            "occasion_id", "board_goal_id"
        )
    )
    municipality_of = dict(
        Board.objects.filter(pk__in=board_ids).values_list("pk", "municipality_id")
    )
    assignments = list(
        StrategicAssignment.objects.valid_between(first, last)
        .filter(municipality_id__in=set(municipality_of.values()))
        .filter(Q(board__isnull=True) | Q(board_id__in=board_ids))
        .only("board_id", "municipality_id", "valid_from", "valid_to")
    )
    assignment_done = set(
        AssignmentStatus.objects.filter(occasion__in=occasions).values_list(
            "occasion_id", "assignment_id"
        )
    )
    activities = list(
        Activity.objects.filter(board_id__in=board_ids, year__in=years).values_list(
            "pk", "board_id", "year"
        )
    )
    activity_done = set(
        ActivityStatus.objects.filter(occasion__in=occasions).values_list(
            "occasion_id", "activity_id"
        )
    )
    for occasion in occasions:
        pk, board_id, year = occasion.pk, occasion.board_id, occasion.year
        if occasion.assesses_goals:
            counts[pk] += sum(
                1
                for goal in goals
                if goal.board_id == board_id
                and goal.is_valid_in(year)
                and (pk, goal.pk) not in assessed
            )
        counts[pk] += sum(
            1
            for item in assignments
            if item.municipality_id == municipality_of[board_id]
            and item.board_id in (None, board_id)
            and item.is_valid_in(year)
            and (pk, item.pk) not in assignment_done
        )
        counts[pk] += sum(
            1
            for activity_id, activity_board, activity_year in activities
            if activity_board == board_id
            and activity_year == year
            and (pk, activity_id) not in activity_done
        )
    return counts
