"""build_internbudget(board, year): every table of the internbudget, as plain data.

The tables of seed 000 (AN's internbudget 2022 with plan 2023–2027) in its order: Ekonomi,
Volymutveckling, Personal, the administration's proposed driftsammandrag and investments, one
"Mål och inriktning" table per kommunövergripande mål, and the strategic assignments with the
activities planned for them. Read once by reports.report.plan_data.load_plan_data; footnotes
numbered across the document in order of appearance. Indicator outcomes stand as the history
stood `as_of` (the plan's decision day); a year-to-date outcome gets one note per table.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from budget import tables as budget_tables
from goals.models import Board, StrategicAssignment
from goals.periods import swedish_date
from indicators.formatting import NOT_GIVEN
from indicators.models import Indicator
from reports.report.economy_tables import ROW_KINDS, tkr_cell
from reports.report.goal_tables import assignment_parts
from reports.report.indicator_tables import NO_VALUE_SHORT, IndicatorRows, goal_rows
from reports.report.model import (
    Cell,
    Column,
    FootnoteNumbering,
    Report,
    ReportKind,
    ReportTable,
    Row,
    RowKind,
)
from reports.report.plan_data import (
    FIRST_OUTCOME,
    GOAL_TARGET_YEARS,
    LAST_PLAN,
    STAFF_PLAN_YEARS,
    PlanData,
    load_plan_data,
)

NET_COST_HEADING = "Nettokostnad, belopp tkr"
INVESTMENT_HEADING = "Investeringar, belopp netto tkr"
SPECIFICATION_HEADING = "Specifikation av förändringar"
NO_ACTIVITIES = "Inga aktiviteter planerade"
DIRECTION_LABEL = "Önskvärd riktning/värde {year}"
TO_DATE_NOTE = "Utfall {year} avser läget {to_date} {year}"
TO_DATE_DECIDED = ", som det var känt när planen beslutades {day}"
ASSIGNMENT_TABLES = (
    (StrategicAssignment.Scope.COMMON, "uppdrag-kommungemensamma", "Kommungemensamma"),
    (StrategicAssignment.Scope.BOARD, "uppdrag-namndspecifika", "Nämndspecifika"),
    (StrategicAssignment.Scope.BOARD_OWN, "uppdrag-namnduppdrag", "Nämnduppdrag"),
)
PLAN_ROW_KINDS = {
    **ROW_KINDS,
    budget_tables.RowKind.SPECIFICATION: RowKind.BREAKDOWN,
    budget_tables.RowKind.FRAME: RowKind.DATA,
    budget_tables.RowKind.FRAME_ADJUSTMENT: RowKind.DATA,
    budget_tables.RowKind.FRAME_TOTAL: RowKind.SUM,
}


def build_internbudget(
    board: Board,
    year: int,
    *,
    as_of: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> Report:
    data = load_plan_data(board, year, as_of)
    numbering = FootnoteNumbering()
    report = Report(
        board_code=board.code,
        board_name=board.name,
        year=year,
        generated_at=timezone.localtime(now or timezone.now()),
        kind=ReportKind.INTERNBUDGET,
        as_of=as_of,
    )
    report.tables.append(build_plan_economy_table(data))
    report.tables.append(build_plan_volume_table(data, numbering))
    report.tables.append(build_plan_staff_table(data, numbering))
    report.tables.append(build_plan_operating_table(data))
    report.tables.append(build_plan_investment_table(data))
    report.tables.extend(build_goal_tables(data, numbering))
    report.tables.extend(build_plan_assignment_tables(data))
    return report


# -- budget -----------------------------------------------------------------------------------
def _amount_columns(first_label: str, columns: list[budget_tables.PlanColumn]) -> list[Column]:
    return [
        Column("name", first_label, width=44, wrap=True),
        *(
            Column(f"{column.kind}{column.year}", column.label, numeric=True, width=12)
            for column in columns
        ),
    ]


def _amount_row(row: budget_tables.PlanRow, label: Cell | None = None) -> Row:
    kind = PLAN_ROW_KINDS.get(row.kind, RowKind.DATA)
    italic = kind == RowKind.BREAKDOWN and row.kind == budget_tables.RowKind.SPECIFICATION
    cells = [label or Cell(row.label, italic=italic)]
    for value in row.values:
        cell = tkr_cell(value, missing="")  # the plan leaves an unknown figure blank
        cell.italic = italic
        cells.append(cell)
    return Row(kind, cells)


def build_plan_economy_table(data: PlanData) -> ReportTable:
    table = ReportTable(
        key="ekonomi",
        title="Ekonomi",
        columns=_amount_columns(NET_COST_HEADING, data.plan.economy_columns),
    )
    table.rows = [_amount_row(row) for row in data.plan.economy]
    return table


def build_plan_operating_table(data: PlanData) -> ReportTable:
    """Each verksamhet with its specification of changes, the sums, the municipal units and
    the frame; a change's note ("Del av det extra statsbidrag …") is a table note, marked *."""
    plan = data.plan
    table = ReportTable(
        key="driftsammandrag",
        title="Förvaltningschefens förslag till driftsammandrag",
        columns=_amount_columns(NET_COST_HEADING, plan.columns),
    )
    stars: dict[str, str] = {}
    previous: budget_tables.PlanRow | None = None
    for row in plan.rows:
        is_change = row.kind == budget_tables.RowKind.SPECIFICATION
        if is_change and (previous is None or previous.kind != budget_tables.RowKind.SPECIFICATION):
            empty = [Cell() for _ in plan.columns]
            heading = Cell(SPECIFICATION_HEADING, italic=True)
            table.rows.append(Row(RowKind.BREAKDOWN, [heading, *empty]))
        label = None
        if row.note:
            star = stars.setdefault(row.note, "*" * (len(stars) + 1))
            label = Cell(f"{row.label}{star}", italic=is_change)
        table.rows.append(_amount_row(row, label))
        previous = row
    table.notes.extend(f"{star} {note}" for note, star in stars.items())
    return table


def build_plan_investment_table(data: PlanData) -> ReportTable:
    plan = data.plan
    columns = _amount_columns(INVESTMENT_HEADING, plan.investment_columns)
    # As seed 000 heads them: Budget N-1, Budget förslag N, Plan förslag N+1 …
    for column, plan_column in zip(columns[2:], plan.investment_columns[1:], strict=True):
        first, _, rest = plan_column.label.partition(" ")
        column.label = f"{first} förslag {rest}"
    table = ReportTable(
        key="investeringar",
        title="Förvaltningschefens förslag till investeringar",
        columns=columns,
    )
    table.rows = [_amount_row(row) for row in plan.investment_rows]
    return table


# -- indicators -------------------------------------------------------------------------------
def _decided_day(as_of: datetime.datetime) -> str:
    return swedish_date(timezone.localtime(as_of).date())


def _to_date_notes(data: PlanData, indicators: list[Indicator], years: list[int]) -> list[str]:
    """One note per table for the outcomes that are year-to-date (the as-of reader's
    `Cell.to_date`, e.g. "t.o.m. augusti"), however many cells are."""
    seen: dict[tuple[int, str], None] = {}
    pending = list(indicators)
    while pending:
        indicator = pending.pop(0)
        pending.extend(data.children.get(indicator.pk, []))
        series = data.series[indicator.pk]
        for year in years:
            for cell in series.cells(year).values():
                if cell.to_date:
                    seen.setdefault((year, cell.to_date), None)
    notes = []
    for year, to_date in sorted(seen):
        note = TO_DATE_NOTE.format(year=year, to_date=to_date)
        if data.as_of is not None:
            note += TO_DATE_DECIDED.format(day=_decided_day(data.as_of))
        notes.append(note + ".")
    return notes


def _plan_series_table(
    data: PlanData,
    numbering: FootnoteNumbering,
    name_column: Column,
    category: str,
    last_plan: int,
    *,
    key: str,
    title: str,
) -> ReportTable:
    """Utfall N-2, then the targets as budget N-1, N and plan N+1 … N+last_plan."""
    outcome_year = data.year + FIRST_OUTCOME
    target_years = list(range(data.year - 1, data.year + last_plan + 1))
    columns = [
        name_column,
        Column(f"utfall{outcome_year}", f"Utfall {outcome_year}", numeric=True, width=12),
        *(
            Column(
                f"{'budget' if year <= data.year else 'plan'}{year}",
                f"{'Budget' if year <= data.year else 'Plan'} {year}",
                numeric=True,
                width=12,
            )
            for year in target_years
        ),
    ]
    table = ReportTable(key=key, title=title, columns=columns)
    builder = IndicatorRows(
        data,
        numbering,
        table,
        [outcome_year],
        target_years=target_years,
        no_value=NO_VALUE_SHORT,
        split_targets=True,
        no_target=NO_VALUE_SHORT,
    )
    indicators = data.top_level(category)
    for indicator in indicators:
        table.rows.extend(builder.rows(indicator))
    table.notes.extend(_to_date_notes(data, indicators, [outcome_year]))
    return table


def build_plan_volume_table(data: PlanData, numbering: FootnoteNumbering) -> ReportTable:
    return _plan_series_table(
        data,
        numbering,
        Column("name", "Basuppdrag", width=60, wrap=True),
        Indicator.Category.VOLUME,
        LAST_PLAN,
        key="volymutveckling",
        title="Volymutveckling",
    )


def build_plan_staff_table(data: PlanData, numbering: FootnoteNumbering) -> ReportTable:
    return _plan_series_table(
        data,
        numbering,
        Column("name", "Personal", width=40, wrap=True),
        Indicator.Category.STAFF,
        STAFF_PLAN_YEARS,
        key="personal",
        title="Personal",
    )


def _goal_columns(years: list[int], target_years: list[int]) -> list[Column]:
    return [
        Column("goal", "Nämndmål", width=38, wrap=True),
        Column("indicator", "Nämndindikator", width=50, wrap=True),
        *(Column(f"y{year}", str(year), numeric=True, width=12) for year in years),
        *(
            Column(
                f"target{year}",
                DIRECTION_LABEL.format(year=year),
                numeric=True,
                width=16,
                wrap=True,
            )
            for year in target_years
        ),
    ]


def build_goal_tables(data: PlanData, numbering: FootnoteNumbering) -> list[ReportTable]:
    """Mål och inriktning: per kommunövergripande mål, the board's nämndmål (with or without
    indicators), their indicators' outcomes N-2 and N-1 and the targets of N and N+1."""
    years = [data.year + FIRST_OUTCOME, data.year + FIRST_OUTCOME + 1]
    target_years = [data.year + offset for offset in range(GOAL_TARGET_YEARS)]
    by_goal: dict[int | None, list[Indicator]] = {}
    for indicator in data.top_level(Indicator.Category.GOAL):
        by_goal.setdefault(indicator.board_goal_id, []).append(indicator)

    tables: list[ReportTable] = []
    shown: set[int] = set()

    def new_table(title: str, headings: list[str]) -> tuple[ReportTable, IndicatorRows]:
        table = ReportTable(
            key=f"mal-{len(tables) + 1}",
            title=title,
            columns=_goal_columns(years, target_years),
            headings=headings,
            sheet="mal",
            sheet_title="Mål och inriktning",
        )
        builder = IndicatorRows(
            data,
            numbering,
            table,
            years,
            target_years=target_years,
            no_value=NOT_GIVEN,
            split_targets=True,
        )
        return table, builder

    for area in data.structure:
        for node in area.council_goals:
            table, builder = new_table(
                f"Mål och inriktning: {node.goal.title}",
                [f"Målområde: {area.area.name}", f"Kommunövergripande mål: {node.goal.title}"],
            )
            indicators: list[Indicator] = []
            for goal in node.board_goals:
                shown.add(goal.pk)
                goal_indicators = by_goal.get(goal.pk, [])
                indicators.extend(goal_indicators)
                table.rows.extend(goal_rows(data, numbering, table, builder, goal, goal_indicators))
            table.notes.extend(_to_date_notes(data, indicators, years))
            tables.append(table)

    leftovers = [i for goal_id, items in by_goal.items() if goal_id not in shown for i in items]
    if leftovers:
        table, builder = new_table("Nämndindikatorer utan nämndmål i årets målstruktur", [])
        table.rows.extend(goal_rows(data, numbering, table, builder, None, leftovers))
        table.notes.extend(_to_date_notes(data, leftovers, years))
        tables.append(table)
    return tables


# -- strategic assignments --------------------------------------------------------------------
def build_plan_assignment_tables(data: PlanData) -> list[ReportTable]:
    """Kommungemensamma, nämndspecifika (and the board's nämnduppdrag when it has any): each
    assignment with the plan year's activities for it and their deadlines as written."""
    has_own = any(a.scope == StrategicAssignment.Scope.BOARD_OWN for a in data.assignments)
    tables = []
    for scope, key, heading in ASSIGNMENT_TABLES:
        if scope == StrategicAssignment.Scope.BOARD_OWN and not has_own:
            continue
        table = ReportTable(
            key=key,
            title=heading,
            columns=[
                Column("assignment", heading, width=70, wrap=True),
                Column("activity", "Planerade aktiviteter", width=50, wrap=True),
                Column("deadline", "Klart senast", width=16, wrap=True),
            ],
            sheet="uppdrag",
            sheet_title="Strategiska utvecklingsuppdrag",
        )
        for assignment in data.assignments:
            if assignment.scope != scope:
                continue
            lead = Cell(parts=assignment_parts(assignment))
            activities = data.activities.get(assignment.pk, [])
            if not activities:
                table.rows.append(Row(RowKind.DATA, [lead, Cell(NO_ACTIVITIES), Cell()]))
                continue
            lead.rowspan = len(activities)
            for index, activity in enumerate(activities):
                first = lead if index == 0 else Cell.covered_cell()
                table.rows.append(
                    Row(
                        RowKind.DATA,
                        [first, Cell(activity.title), Cell(activity.deadline or None)],
                    )
                )
        tables.append(table)
    return tables
