"""Tables of the budget follow-up: the internbudget, the year-end report and the entry form.

Built from the rows `budget.selectors` reads; nothing here writes a query of its own. Every
table is a plain frozen dataclass with amounts in whole kronor (int) and the derived figures
(sums, varav, avvikelse) already computed; nothing is formatted here. Renderers turn kronor
into tkr with `budget.formatting.to_tkr` / `format_tkr`, one figure at a time.

Avvikelse is always budget − outcome (or − forecast): positive is a surplus.

Query counts do not depend on the number of lines, projects or years:
`operating_summary` 2, `forecasts` 2, `investments` 2, `economy_summary` 4 (none when given
its two parts), `plan` 6, `yearly_totals` 2 (for any number of boards and years),
`entry_rows` 2.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from budget.models import (
    STANDARD_FORECAST_MONTHS,
    AmountKind,
    BudgetLine,
    InvestmentProject,
    PlanChange,
    Scheme,
    Section,
    forecast_label,
)
from budget.selectors import (
    AmountCell,
    AmountIndex,
    amount_index,
    entry_amounts,
    investment_amounts_to,
    investment_plan_index,
    investment_projects,
    investment_projects_of_boards,
    lines_of_boards,
    plan_changes,
    plan_lines,
    preferred_scheme,
    report_lines,
    report_lines_of_boards,
)
from goals.models import Board

SUM_LABEL = "Summa nettokostnader, tkr"
COSTS_LABEL = "varav kostnader"
REVENUES_LABEL = "varav intäkter"
TOTAL_LABEL = "Summa nettokostnader, tkr, inkl. kommunala enheter"
NET_COST_LABEL = "Verksamhetens nettokostnader"
INVESTMENTS_LABEL = "Investeringar, netto"
FRAME_TOTAL_LABEL = "Budgetram inkl justering"


class RowKind(StrEnum):
    """What a row is, so renderers can indent, italicise or bold it."""

    LINE = "rad"  # one line of the driftsammandrag
    SPECIFICATION = "specifikation"  # an itemised change under a line (plan only)
    SUM = "summa"  # Summa nettokostnader
    COSTS = "varav_kostnader"
    REVENUES = "varav_intakter"
    UNIT = "enhet"  # one of Nämndens enheter (kommunala enheter)
    TOTAL = "totalt"  # Summa inkl. kommunala enheter
    FRAME = "ram"  # Budgetram enligt beslut i KF (plan only)
    FRAME_ADJUSTMENT = "ramjustering"
    FRAME_TOTAL = "ram_totalt"  # Budgetram inkl justering
    ECONOMY = "ekonomi"  # a row of the Ekonomi summary

    @property
    def is_sum(self) -> bool:
        return self in {RowKind.SUM, RowKind.TOTAL, RowKind.FRAME_TOTAL}


def _add(values: Iterable[int | None]) -> int | None:
    """Sum of the known values; None when none is known."""
    known = [value for value in values if value is not None]
    return sum(known) if known else None


def _minus(left: int | None, right: int | None) -> int | None:
    if left is None or right is None:
        return None
    return left - right


# --- sums -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnTotals:
    """Sums of one column over a set of lines: net, and revenues/costs when all are split."""

    net: int | None
    revenues: int | None
    costs: int | None


def _column(cells: list[AmountCell | None]) -> ColumnTotals:
    present = [cell for cell in cells if cell is not None]
    if not present:
        return ColumnTotals(None, None, None)
    net = sum(cell.amount for cell in present)
    known = [cell.revenues for cell in present if cell.revenues is not None]
    if len(known) < len(present):
        return ColumnTotals(net, None, None)
    revenues = sum(known)
    return ColumnTotals(net, revenues, net - revenues)


# --- the year-end report: driftsammandrag and Ekonomi ---------------------------------------


@dataclass(frozen=True)
class OutcomeRow:
    """A row with Bokslut N, Budget N, Avvikelse (budget − bokslut) and Bokslut N-1, in kronor."""

    label: str
    kind: RowKind
    bokslut: int | None
    budget: int | None
    avvikelse: int | None
    previous_bokslut: int | None
    line_id: int | None = None

    @classmethod
    def make(
        cls,
        label: str,
        kind: RowKind,
        bokslut: int | None,
        budget: int | None,
        previous_bokslut: int | None,
        line_id: int | None = None,
    ) -> OutcomeRow:
        return cls(label, kind, bokslut, budget, _minus(budget, bokslut), previous_bokslut, line_id)


@dataclass(frozen=True)
class OperatingSummary:
    """Driftsammandrag of a board and year (verksamhetsberättelse), rows in print order.

    Rows: each line (kind LINE), Summa nettokostnader (SUM), varav kostnader (COSTS), varav
    intäkter (REVENUES), each of Nämndens enheter (UNIT), and the total including the
    municipal units (TOTAL, only when the board has unit lines). `previous_restated` is True
    when the Bokslut N-1 column is the previous year restated to year N's lines;
    `restated_comments` are the comments entered on those restated amounts, in line order (seed
    001: the board's own result that year, and what was not in its remit then).
    """

    board_id: int
    year: int
    scheme: str
    rows: list[OutcomeRow]
    previous_restated: bool
    restated_comments: list[str] = field(default_factory=list)

    def row(self, kind: RowKind) -> OutcomeRow | None:
        return next((row for row in self.rows if row.kind == kind), None)

    @property
    def lines(self) -> list[OutcomeRow]:
        return [row for row in self.rows if row.kind in (RowKind.LINE, RowKind.UNIT)]

    @property
    def total(self) -> OutcomeRow | None:
        """Net cost including municipal units (the SUM row when there are no unit lines)."""
        return self.row(RowKind.TOTAL) or self.row(RowKind.SUM)


def operating_summary(board: Board, year: int) -> OperatingSummary:
    """The driftsammandrag of the year-end report (2 queries)."""
    return operating_summaries([board.pk], year)[board.pk]


def operating_summaries(board_ids: Sequence[int], year: int) -> dict[int, OperatingSummary]:
    """`operating_summary` of each board, by board id, in 2 queries for any number of boards."""
    lines = report_lines_of_boards(board_ids, year)
    index = amount_index(
        [line.pk for board_lines in lines.values() for line in board_lines],
        [year, year - 1],
        [AmountKind.BUDGET, AmountKind.OUTCOME],
    )
    return {
        board_id: _operating_summary(board_id, year, lines[board_id], index)
        for board_id in board_ids
    }


def _operating_summary(
    board_id: int, year: int, lines: list[BudgetLine], index: AmountIndex
) -> OperatingSummary:

    def cell(line: BudgetLine, kind: str, of_year: int) -> AmountCell | None:
        return index.get((line.pk, kind, of_year, None))

    rows: list[OutcomeRow] = []
    operations = [line for line in lines if line.section == Section.OPERATIONS]
    units = [line for line in lines if line.section == Section.MUNICIPAL_UNITS]
    for line in operations:
        rows.append(_line_row(line, RowKind.LINE, cell, year))
    columns = [
        _column([cell(line, AmountKind.OUTCOME, year) for line in operations]),
        _column([cell(line, AmountKind.BUDGET, year) for line in operations]),
        _column([cell(line, AmountKind.OUTCOME, year - 1) for line in operations]),
    ]
    if operations:
        bokslut, budget, previous = columns
        rows.append(OutcomeRow.make(SUM_LABEL, RowKind.SUM, bokslut.net, budget.net, previous.net))
        rows.append(
            OutcomeRow.make(COSTS_LABEL, RowKind.COSTS, bokslut.costs, budget.costs, previous.costs)
        )
        rows.append(
            OutcomeRow.make(
                REVENUES_LABEL,
                RowKind.REVENUES,
                bokslut.revenues,
                budget.revenues,
                previous.revenues,
            )
        )
    for line in units:
        rows.append(_line_row(line, RowKind.UNIT, cell, year))
    if units:
        unit_columns = [
            _column([cell(line, AmountKind.OUTCOME, year) for line in units]),
            _column([cell(line, AmountKind.BUDGET, year) for line in units]),
            _column([cell(line, AmountKind.OUTCOME, year - 1) for line in units]),
        ]
        totals = [
            _add([ops.net, unit.net]) for ops, unit in zip(columns, unit_columns, strict=True)
        ]
        rows.append(OutcomeRow.make(TOTAL_LABEL, RowKind.TOTAL, *totals))
    restated_cells = [
        found
        for line in lines
        if not line.is_valid_in(year - 1)
        and (found := cell(line, AmountKind.OUTCOME, year - 1)) is not None
    ]
    comments = list(dict.fromkeys(c.comment.strip() for c in restated_cells if c.comment.strip()))
    scheme = lines[0].scheme if lines else Scheme.DRIFT
    return OperatingSummary(board_id, year, scheme, rows, bool(restated_cells), comments)


def _line_row(
    line: BudgetLine,
    kind: RowKind,
    cell: Callable[[BudgetLine, str, int], AmountCell | None],
    year: int,
) -> OutcomeRow:
    def net(found: AmountCell | None) -> int | None:
        return found.amount if found is not None else None

    return OutcomeRow.make(
        line.name,
        kind,
        net(cell(line, AmountKind.OUTCOME, year)),
        net(cell(line, AmountKind.BUDGET, year)),
        net(cell(line, AmountKind.OUTCOME, year - 1)),
        line_id=line.pk,
    )


@dataclass(frozen=True)
class EconomySummary:
    """The report's "Ekonomi, belopp i tkr" table: net cost and net investments."""

    board_id: int
    year: int
    net_cost: OutcomeRow
    investments: OutcomeRow

    @property
    def rows(self) -> list[OutcomeRow]:
        return [self.net_cost, self.investments]


def economy_summary(
    board: Board,
    year: int,
    *,
    operations: OperatingSummary | None = None,
    investment_table: InvestmentTable | None = None,
) -> EconomySummary:
    """Verksamhetens nettokostnader (incl. municipal units) and Investeringar, netto (4 queries).

    A page that already has the year's operating summary and investment table passes them in
    and the summary costs no query.
    """
    total = (operations or operating_summary(board, year)).total
    table = investment_table or investments(board, year)
    net_cost = OutcomeRow.make(
        NET_COST_LABEL,
        RowKind.ECONOMY,
        total.bokslut if total else None,
        total.budget if total else None,
        total.previous_bokslut if total else None,
    )
    invest = OutcomeRow.make(
        INVESTMENTS_LABEL,
        RowKind.ECONOMY,
        table.total.outcome,
        table.total.budget,
        table.previous_outcome,
    )
    return EconomySummary(board.pk, year, net_cost, invest)


# --- forecasts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ForecastRow:
    """Budget, each forecast (month → kronor) and the bokslut of one line or sum."""

    label: str
    kind: RowKind
    budget: int | None
    forecasts: dict[int, int | None]
    bokslut: int | None
    previous_bokslut: int | None
    line_id: int | None = None

    def forecast_deviation(self, month: int) -> int | None:
        """Budget − forecast at that month end (positive = forecast surplus)."""
        return _minus(self.budget, self.forecasts.get(month))

    @property
    def avvikelse(self) -> int | None:
        return _minus(self.budget, self.bokslut)


@dataclass(frozen=True)
class ForecastTable:
    board_id: int
    year: int
    months: list[int]  # the forecast dates shown: 30 april, 31 augusti, 31 oktober and others
    rows: list[ForecastRow]

    def label(self, month: int) -> str:
        return forecast_label(self.year, month)

    def row(self, kind: RowKind) -> ForecastRow | None:
        return next((row for row in self.rows if row.kind == kind), None)


def forecasts(board: Board, year: int) -> ForecastTable:
    """Per line: budget, each forecast date's prognos, bokslut and last year's bokslut (2 queries).

    The total of a forecast column is only given when every line with a budget has a forecast
    for that date; a half-entered forecast has no total.
    """
    lines = report_lines(board, year)
    index = amount_index(
        [line.pk for line in lines],
        [year, year - 1],
        [AmountKind.BUDGET, AmountKind.OUTCOME, AmountKind.FORECAST],
    )
    months = sorted(
        set(STANDARD_FORECAST_MONTHS)
        | {
            month
            for _, kind, of_year, month in index
            # a forecast always has its month
            if kind == AmountKind.FORECAST and of_year == year and month is not None
        }
    )

    def net(line: BudgetLine, kind: str, of_year: int, extra: int | None = None) -> int | None:
        found = index.get((line.pk, kind, of_year, extra))
        return found.amount if found is not None else None

    def line_row(line: BudgetLine, kind: RowKind) -> ForecastRow:
        return ForecastRow(
            line.name,
            kind,
            net(line, AmountKind.BUDGET, year),
            {month: net(line, AmountKind.FORECAST, year, month) for month in months},
            net(line, AmountKind.OUTCOME, year),
            net(line, AmountKind.OUTCOME, year - 1),
            line_id=line.pk,
        )

    operations = [
        line_row(line, RowKind.LINE) for line in lines if line.section == Section.OPERATIONS
    ]
    units = [
        line_row(line, RowKind.UNIT) for line in lines if line.section == Section.MUNICIPAL_UNITS
    ]
    rows = [*operations]
    if operations:
        rows.append(_forecast_sum(SUM_LABEL, RowKind.SUM, operations, months))
    rows.extend(units)
    if units:
        rows.append(_forecast_sum(TOTAL_LABEL, RowKind.TOTAL, operations + units, months))
    return ForecastTable(board.pk, year, months, rows)


def _forecast_sum(
    label: str, kind: RowKind, members: list[ForecastRow], months: list[int]
) -> ForecastRow:
    """A sum row; a forecast date's total only when every line with a budget has its forecast."""
    forecast_totals: dict[int, int | None] = {}
    for month in months:
        complete = all(
            row.forecasts[month] is not None for row in members if row.budget is not None
        )
        forecast_totals[month] = _add(row.forecasts[month] for row in members) if complete else None
    return ForecastRow(
        label,
        kind,
        _add(row.budget for row in members),
        forecast_totals,
        _add(row.bokslut for row in members),
        _add(row.previous_bokslut for row in members),
    )


# --- investments ----------------------------------------------------------------------------


@dataclass(frozen=True)
class InvestmentRow:
    """One project (or a sum): since the start, and this year's part; deviations = budget − outcome."""

    label: str
    decided_budget: int | None
    accumulated_outcome: int | None
    accumulated_deviation: int | None
    budget: int | None
    outcome: int | None
    deviation: int | None
    project_id: int | None = None

    @classmethod
    def make(
        cls,
        label: str,
        decided: int | None,
        accumulated: int | None,
        budget: int | None,
        outcome: int | None,
        project_id: int | None = None,
    ) -> InvestmentRow:
        return cls(
            label,
            decided,
            accumulated,
            _minus(decided, accumulated),
            budget,
            outcome,
            _minus(budget, outcome),
            project_id,
        )

    @classmethod
    def sum_of(cls, label: str, rows: list[InvestmentRow]) -> InvestmentRow:
        return cls.make(
            label,
            _add(row.decided_budget for row in rows),
            _add(row.accumulated_outcome for row in rows),
            _add(row.budget for row in rows),
            _add(row.outcome for row in rows),
        )


@dataclass(frozen=True)
class InvestmentTable:
    """Färdigställda and pågående projects of a year with their sums and the grand total."""

    board_id: int
    year: int
    completed: list[InvestmentRow]
    completed_sum: InvestmentRow
    ongoing: list[InvestmentRow]
    ongoing_sum: InvestmentRow
    total: InvestmentRow
    previous_outcome: int | None  # net investments of year N-1 (the Ekonomi table's last column)


def investments(board: Board, year: int) -> InvestmentTable:
    """The report's investment tables (2 queries)."""
    return investments_of_boards([board.pk], year)[board.pk]


def investments_of_boards(board_ids: Sequence[int], year: int) -> dict[int, InvestmentTable]:
    """`investments` of each board, by board id, in 2 queries for any number of boards."""
    projects = investment_projects_of_boards(board_ids, year)
    amounts: dict[int, list[tuple[int, str, int, int]]] = defaultdict(list)
    board_of = {project.pk: board_id for board_id, group in projects.items() for project in group}
    for row in investment_amounts_to([p for group in projects.values() for p in group], year):
        amounts[board_of[row[0]]].append(row)
    return {
        board_id: _investments(board_id, year, projects[board_id], amounts[board_id])
        for board_id in board_ids
    }


def _investments(
    board_id: int,
    year: int,
    projects: list[InvestmentProject],
    amounts: list[tuple[int, str, int, int]],
) -> InvestmentTable:
    budget: dict[int, int] = {}
    outcome: dict[int, int] = {}
    accumulated: dict[int, int] = defaultdict(int)
    has_outcome: set[int] = set()
    previous: list[int] = []
    for project_id, kind, amount_year, amount in amounts:
        if kind == AmountKind.OUTCOME:
            accumulated[project_id] += amount
            has_outcome.add(project_id)
            if amount_year == year:
                outcome[project_id] = amount
            elif amount_year == year - 1:
                previous.append(amount)
        elif amount_year == year:
            budget[project_id] = amount
    completed: list[InvestmentRow] = []
    ongoing: list[InvestmentRow] = []
    for project in projects:
        row = InvestmentRow.make(
            project.name,
            project.decided_budget,
            accumulated[project.pk] if project.pk in has_outcome else None,
            budget.get(project.pk),
            outcome.get(project.pk),
            project_id=project.pk,
        )
        (completed if project.is_completed_in(year) else ongoing).append(row)
    completed_sum = InvestmentRow.sum_of("Summa färdigställda projekt", completed)
    ongoing_sum = InvestmentRow.sum_of("Summa pågående projekt", ongoing)
    total = InvestmentRow.sum_of("Summa investeringar", completed + ongoing)
    return InvestmentTable(
        board_id,
        year,
        completed,
        completed_sum,
        ongoing,
        ongoing_sum,
        total,
        sum(previous) if previous else None,
    )


# --- the internbudget: Budget N and Plan N+1 … N+5 ----------------------------------------


@dataclass(frozen=True)
class PlanColumn:
    label: str  # "Bokslut 2020", "Budget 2021", "Budget 2022", "Plan 2023"
    year: int
    kind: str  # AmountKind of the figures in the column


@dataclass(frozen=True)
class PlanRow:
    label: str
    kind: RowKind
    values: tuple[int | None, ...]  # one per column, kronor
    line_id: int | None = None
    note: str = ""


@dataclass(frozen=True)
class PlanTable:
    """Internbudget N: the driftsammandrag 2 years back to 5 years ahead, frame and investments.

    `columns` are Bokslut N-2, Budget N-1, Budget N (the internbudget's own figure), Plan
    N+1 … N+5. `rows` hold each line followed by its itemised changes (SPECIFICATION), then
    Summa nettokostnader, varav intäkter, varav kostnader (the internbudget's order), the
    municipal units, the total including them (only where a unit has a figure), and the frame
    (KF's budgetram, each ramjustering, Budgetram inkl justering). `economy` is the plan's
    "Ekonomi" table over Budget N … Plan N+5: Verksamhetens nettokostnader (the frame incl.
    adjustments where there is one, else the sum of the lines), varav intäkter, varav kostnader,
    Investeringar netto. `investment_columns`/`investment_rows` are the investment plan
    (Budget N-1, Budget N, Plan N+1 … N+5), with the sum and KF's investeringsram.
    """

    board_id: int
    year: int
    columns: list[PlanColumn]
    rows: list[PlanRow]
    economy_columns: list[PlanColumn]
    economy: list[PlanRow]
    investment_columns: list[PlanColumn]
    investment_rows: list[PlanRow]

    def row(self, label: str) -> PlanRow | None:
        return next((row for row in self.rows if row.label == label), None)


def _plan_columns(year: int) -> list[PlanColumn]:
    columns = [
        PlanColumn(f"Bokslut {year - 2}", year - 2, AmountKind.OUTCOME),
        PlanColumn(f"Budget {year - 1}", year - 1, AmountKind.BUDGET),
        PlanColumn(f"Budget {year}", year, AmountKind.PLAN),
    ]
    columns += [PlanColumn(f"Plan {year + k}", year + k, AmountKind.PLAN) for k in range(1, 6)]
    return columns


def plan(board: Board, year: int) -> PlanTable:
    """Internbudget `year` with plan year+1 … year+5 and its specification of changes (6 queries)."""
    columns = _plan_columns(year)
    last = year + 5
    lines = plan_lines(board, year - 2, last)
    index = amount_index(
        [line.pk for line in lines],
        [column.year for column in columns],
        [AmountKind.OUTCOME, AmountKind.BUDGET, AmountKind.PLAN],
    )

    def cell(line: BudgetLine, column: PlanColumn) -> AmountCell | None:
        extra = year if column.kind == AmountKind.PLAN else None
        return index.get((line.pk, column.kind, column.year, extra))

    by_line: dict[int | None, list[PlanChange]] = defaultdict(list)
    for change in plan_changes(board, year):  # 2 queries
        by_line[change.line_id].append(change)
    rows, sums = _plan_line_rows(lines, by_line, columns, cell)
    frame_rows, frame_total = _plan_frame_rows(by_line.get(None, []), columns)
    rows.extend(frame_rows)

    investment_columns = columns[1:]
    investment_rows, investment_sum = _plan_investment_rows(
        board, year, investment_columns, by_line.get(None, [])
    )

    # The plan's Ekonomi table: Budget N … Plan N+5.
    economy_columns = columns[2:]
    return PlanTable(
        board.pk,
        year,
        columns,
        rows,
        economy_columns,
        _plan_economy(sums[2:], frame_total[2:], investment_sum[1 : 1 + len(economy_columns)]),
        investment_columns,
        investment_rows,
    )


def _plan_investment_rows(
    board: Board, year: int, columns: list[PlanColumn], frame_changes: list[PlanChange]
) -> tuple[list[PlanRow], tuple[int | None, ...]]:
    """Investments: Budget N-1, Budget N, Plan N+1 … N+5 per project, their sum and the
    investment frame's changes (2 queries)."""
    projects = investment_projects(board, year - 1, year + 5)
    invest_index = investment_plan_index(projects, [column.year for column in columns])

    def investment_value(project: InvestmentProject, column: PlanColumn) -> int | None:
        document = year if column.kind == AmountKind.PLAN else None
        return invest_index.get((project.pk, column.kind, column.year, document))

    rows = [
        PlanRow(
            project.name,
            RowKind.LINE,
            tuple(investment_value(project, column) for column in columns),
        )
        for project in projects
    ]
    total = tuple(_add(row.values[i] for row in rows) for i in range(len(columns)))
    rows.append(PlanRow("Summa investeringar", RowKind.SUM, total))
    for change in frame_changes:
        if change.kind == PlanChange.Kind.INVESTMENT_FRAME:
            rows.append(PlanRow(change.text, RowKind.FRAME, _change_values(change, columns)))
    return rows, total


def _change_values(change: PlanChange, of_columns: list[PlanColumn]) -> tuple:
    amounts = {amount.year: amount.amount for amount in change.amounts.all()}
    return tuple(
        amounts.get(column.year) if column.kind != AmountKind.OUTCOME else None
        for column in of_columns
    )


def _plan_line_rows(
    lines: list[BudgetLine],
    by_line: dict[int | None, list[PlanChange]],
    columns: list[PlanColumn],
    cell: Callable[[BudgetLine, PlanColumn], AmountCell | None],
) -> tuple[list[PlanRow], list[ColumnTotals]]:
    """Each line with its itemised changes, the sums, the municipal units and their total;
    and the column sums of the operations lines (for the Ekonomi table)."""

    def line_values(line: BudgetLine) -> tuple:
        return tuple(found.amount if (found := cell(line, column)) else None for column in columns)

    rows: list[PlanRow] = []
    operations = [line for line in lines if line.section == Section.OPERATIONS]
    units = [line for line in lines if line.section == Section.MUNICIPAL_UNITS]
    for line in operations:
        rows.append(PlanRow(line.name, RowKind.LINE, line_values(line), line_id=line.pk))
        for change in by_line.get(line.pk, []):
            rows.append(
                PlanRow(
                    change.text,
                    RowKind.SPECIFICATION,
                    _change_values(change, columns),
                    line_id=line.pk,
                    note=change.note,
                )
            )
    sums = [_column([cell(line, column) for line in operations]) for column in columns]
    rows.append(PlanRow("Summa nettokostnader", RowKind.SUM, tuple(s.net for s in sums)))
    rows.append(PlanRow(REVENUES_LABEL, RowKind.REVENUES, tuple(s.revenues for s in sums)))
    rows.append(PlanRow(COSTS_LABEL, RowKind.COSTS, tuple(s.costs for s in sums)))
    unit_sums = [_column([cell(line, column) for line in units]) for column in columns]
    for line in units:
        rows.append(PlanRow(line.name, RowKind.UNIT, line_values(line), line_id=line.pk))
    if units:
        rows.append(
            PlanRow(
                "Summa nettokostnader inkl kommunala enheter",
                RowKind.TOTAL,
                tuple(
                    _add([ops.net, unit.net]) if unit.net is not None else None
                    for ops, unit in zip(sums, unit_sums, strict=True)
                ),
            )
        )
    return rows, sums


def _plan_frame_rows(
    board_changes: list[PlanChange], columns: list[PlanColumn]
) -> tuple[list[PlanRow], tuple]:
    """KF's budgetram, each ramjustering and Budgetram inkl justering; and that total per
    column (all None when there is no frame)."""
    frames = [c for c in board_changes if c.kind == PlanChange.Kind.FRAME]
    if not frames:
        return [], tuple(None for _ in columns)
    adjustments = [c for c in board_changes if c.kind == PlanChange.Kind.FRAME_ADJUSTMENT]
    frame_rows = [
        PlanRow(change.text, RowKind.FRAME, _change_values(change, columns), note=change.note)
        for change in frames
    ] + [
        PlanRow(
            change.text,
            RowKind.FRAME_ADJUSTMENT,
            _change_values(change, columns),
            note=change.note,
        )
        for change in adjustments
    ]
    frame_total = tuple(
        _add(row.values[i] for row in frame_rows) if frame_rows[0].values[i] is not None else None
        for i in range(len(columns))
    )
    frame_rows.append(PlanRow(FRAME_TOTAL_LABEL, RowKind.FRAME_TOTAL, frame_total))
    return frame_rows, frame_total


def _plan_economy(
    sums: list[ColumnTotals], frame_total: tuple, investments: tuple
) -> list[PlanRow]:
    """The plan's Ekonomi rows over its columns: net cost (the frame incl. adjustments where
    there is one, else the sum of the lines), varav intäkter, varav kostnader, investments."""
    net_values, revenue_values, cost_values = [], [], []
    for total, frame in zip(sums, frame_total, strict=True):
        net = frame if frame is not None else total.net
        net_values.append(net)
        revenue_values.append(total.revenues)
        cost_values.append(_minus(net, total.revenues))
    return [
        PlanRow(NET_COST_LABEL, RowKind.ECONOMY, tuple(net_values)),
        PlanRow(REVENUES_LABEL, RowKind.REVENUES, tuple(revenue_values)),
        PlanRow(COSTS_LABEL, RowKind.COSTS, tuple(cost_values)),
        PlanRow(INVESTMENTS_LABEL, RowKind.ECONOMY, tuple(investments)),
    ]


# --- totals for the computed indicators ---------------------------------------------------


@dataclass
class YearTotals:
    """A board's net cost incl. municipal units for one year: budget, bokslut, forecasts."""

    budget: int | None = None
    bokslut: int | None = None
    forecasts: dict[int, int | None] = field(default_factory=dict)


def yearly_totals(
    board_ids: Iterable[int], years: Iterable[int]
) -> dict[tuple[int, int], YearTotals]:
    """{(board id, year): totals} from each year's own lines (2 queries in all).

    A forecast total is None unless every line with a budget that year has that forecast.
    Boards and years without any line are left out.
    """
    board_ids, years = list(board_ids), sorted(set(years))
    if not board_ids or not years:
        return {}
    lines = lines_of_boards(board_ids, years[0], years[-1])
    # Plan amounts are read too, only to know which lines have amounts in a year: the scheme is
    # chosen as report_lines chooses it (an internbudget-planned year shows its lines).
    index = amount_index(
        [line.pk for line in lines],
        years,
        [AmountKind.BUDGET, AmountKind.OUTCOME, AmountKind.FORECAST, AmountKind.PLAN],
    )
    forecast_months: dict[int, set[int]] = defaultdict(set)
    with_amounts: dict[int, set[int]] = defaultdict(set)
    for line_id, kind, amount_year, month in index:
        with_amounts[amount_year].add(line_id)
        if kind == AmountKind.FORECAST and month is not None:  # a forecast has its month
            forecast_months[amount_year].add(month)
    by_board: dict[int, list[BudgetLine]] = defaultdict(list)
    for line in lines:
        by_board[line.board_id].append(line)
    result: dict[tuple[int, int], YearTotals] = {}
    for board_id, board_lines in by_board.items():
        for year in years:
            own = preferred_scheme(
                [line for line in board_lines if line.is_valid_in(year)],
                with_amounts=with_amounts[year],
            )
            if not own:
                continue

            def amount(line: BudgetLine, kind: str, month: int | None = None) -> int | None:
                found = index.get((line.pk, kind, year, month))  # noqa: B023
                return found.amount if found is not None else None

            budgets = [amount(line, AmountKind.BUDGET) for line in own]
            totals = YearTotals(
                budget=_add(budgets),
                bokslut=_add(amount(line, AmountKind.OUTCOME) for line in own),
            )
            for month in sorted(forecast_months[year]):
                values = [amount(line, AmountKind.FORECAST, month) for line in own]
                complete = all(
                    value is not None
                    for value, budget in zip(values, budgets, strict=True)
                    if budget is not None
                )
                totals.forecasts[month] = _add(values) if complete else None
            result[(board_id, year)] = totals
    return result


# --- the entry form -------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryRow:
    """One line of the entry form: what is stored now and what to show beside the field."""

    line_id: int
    label: str
    kind: RowKind
    current: int | None  # the stored forecast or bokslut being edited, kronor
    version: int | None  # its version, None when nothing is stored
    budget: int | None
    previous_bokslut: int | None


def entry_rows(board: Board, year: int, kind: str, month: int | None) -> list[EntryRow]:
    """The lines of the board's year with the amount being entered, budget and last year's
    bokslut (2 queries)."""
    lines = report_lines(board, year)
    found = entry_amounts(lines, year, kind, month)
    rows = []
    for line in lines:
        current = found.get((line.pk, kind, year))
        budget = found.get((line.pk, AmountKind.BUDGET, year))
        previous = found.get((line.pk, AmountKind.OUTCOME, year - 1))
        rows.append(
            EntryRow(
                line.pk,
                line.name,
                RowKind.UNIT if line.section == Section.MUNICIPAL_UNITS else RowKind.LINE,
                current.amount if current else None,
                current.version if current else None,
                budget.amount if budget else None,
                previous.amount if previous else None,
            )
        )
    return rows
