"""Queries of the budget follow-up: the rows the tables are built from, each in one query.

Nothing here builds a table or a sum; `budget.tables` turns these rows into the plain data of
the internbudget, the year-end report and the entry form. Every function says how many
queries it runs, and none depends on the number of lines, projects or years.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from budget.models import (
    AmountKind,
    BudgetAmount,
    BudgetLine,
    InvestmentAmount,
    InvestmentProject,
    PlanChange,
    Scheme,
)
from goals.models import Board

# --- lines ----------------------------------------------------------------------------------


def report_lines(board: Board | int, year: int) -> list[BudgetLine]:
    """The lines that make up the board's figures of a year, in order (one query).

    The driftsammandrag per verksamhet (Scheme.DRIFT) when the board has such lines with amounts
    that year; otherwise the internbudget's lines when they have amounts (a year the
    internbudget planned that no verksamhetsberättelse has reported yet: AN 2023 after the
    rollover made Plan 2023 its budget); otherwise whichever lines there are, drift first.
    """
    board_id = board if isinstance(board, int) else board.pk
    return report_lines_of_boards([board_id], year)[board_id]


def report_lines_of_boards(board_ids: Sequence[int], year: int) -> dict[int, list[BudgetLine]]:
    """`report_lines` of each board, by board id, in one query for any number of boards."""
    amounts = BudgetAmount.objects.filter(line=OuterRef("pk"), year=year)
    by_board: dict[int, list[BudgetLine]] = {board_id: [] for board_id in board_ids}
    with_amounts: set[int] = set()
    for line in (
        BudgetLine.objects.filter(board__in=board_ids)
        .valid_in(year)
        .annotate(has_amounts=Exists(amounts))
        .order_by("order", "pk")
    ):
        by_board[line.board_id].append(line)
        if line.has_amounts:
            with_amounts.add(line.pk)
    return {
        board_id: preferred_scheme(lines, with_amounts=with_amounts)
        for board_id, lines in by_board.items()
    }


def preferred_scheme(
    lines: list[BudgetLine], *, with_amounts: Container[int] | None = None
) -> list[BudgetLine]:
    """The drift lines, unless only the internbudget's have amounts (see `report_lines`).

    `with_amounts` holds the ids of the lines with any amount in the year the lines are for;
    None counts every line as having amounts, so drift wins when there is any.
    """
    drift = [line for line in lines if line.scheme == Scheme.DRIFT]
    internbudget = [line for line in lines if line.scheme == Scheme.INTERNBUDGET]

    def used(group: list[BudgetLine]) -> bool:
        return with_amounts is None or any(line.pk in with_amounts for line in group)

    if drift and (used(drift) or not used(internbudget)):
        return drift
    return internbudget or drift


def plan_lines(board: Board, first: int, last: int) -> list[BudgetLine]:
    """The lines an internbudget shows from `first` to `last`: its own scheme first (one query)."""
    lines = list(
        BudgetLine.objects.filter(board=board).valid_between(first, last).order_by("order", "pk")
    )
    return [line for line in lines if line.scheme == Scheme.INTERNBUDGET] or [
        line for line in lines if line.scheme == Scheme.DRIFT
    ]


def lines_of_boards(board_ids: Sequence[int], first: int, last: int) -> list[BudgetLine]:
    """Every line of the boards valid some time from `first` to `last` (one query)."""
    return list(BudgetLine.objects.filter(board_id__in=board_ids).valid_between(first, last))


# --- amounts --------------------------------------------------------------------------------


@dataclass
class AmountCell:
    amount: int
    revenues: int | None
    comment: str = ""


# (line id, kind, year, month or document year) → the stored amount
AmountIndex = dict[tuple[int, str, int, int | None], AmountCell]


def amount_index(
    line_ids: Sequence[int], years: Sequence[int], kinds: Sequence[str]
) -> AmountIndex:
    """{(line id, kind, year, month or document year): cell} in one query."""
    rows = (
        BudgetAmount.objects.filter(line_id__in=line_ids, year__in=years, kind__in=kinds)
        # Unordered: the keys are unique (the model's constraints), and the default order joins
        # the boards and compares their names and the lines' sections (ICU collation), which
        # took 32 of the all-boards workbook's 37 ms for this query at size L.
        .order_by()
        .values_list(
            "line_id", "kind", "year", "month", "document_year", "amount", "revenues", "comment"
        )
    )
    index: AmountIndex = {}
    for line_id, kind, year, month, document_year, amount, revenues, comment in rows:
        index[(line_id, kind, year, month or document_year)] = AmountCell(amount, revenues, comment)
    return index


def entry_amounts(
    lines: Iterable[BudgetLine], year: int, kind: str, month: int | None
) -> dict[tuple[int, str, int], BudgetAmount]:
    """{(line id, kind, year): amount}: the figure being entered, the budget and last year's
    bokslut of the lines (one query)."""
    amounts = BudgetAmount.objects.filter(
        line__in=[line.pk for line in lines], year__in=[year, year - 1]
    ).filter(
        Q(year=year, kind=AmountKind.BUDGET)
        | Q(year=year - 1, kind=AmountKind.OUTCOME)
        | Q(year=year, kind=kind, month=month)
    )
    return {(amount.line_id, amount.kind, amount.year): amount for amount in amounts}


# --- investments and the plan's changes ----------------------------------------------------


def investment_projects(
    board: Board, first: int, last: int | None = None
) -> list[InvestmentProject]:
    """The board's projects valid in `first` (or some time up to `last`), in order (one query)."""
    projects = InvestmentProject.objects.filter(board=board)
    projects = projects.valid_in(first) if last is None else projects.valid_between(first, last)
    return list(projects.order_by("order", "name"))


def investment_projects_of_boards(
    board_ids: Sequence[int], year: int
) -> dict[int, list[InvestmentProject]]:
    """Each board's projects valid in `year`, in order, by board id (one query)."""
    by_board: dict[int, list[InvestmentProject]] = {board_id: [] for board_id in board_ids}
    for project in (
        InvestmentProject.objects.filter(board__in=board_ids)
        .valid_in(year)
        .order_by("order", "name")
    ):
        by_board[project.board_id].append(project)
    return by_board


def investment_amounts_to(
    projects: Sequence[InvestmentProject], year: int
) -> list[tuple[int, str, int, int]]:
    """(project id, kind, year, amount) of every budget and outcome up to `year` (one query)."""
    return list(
        InvestmentAmount.objects.filter(
            project__in=[project.pk for project in projects],
            kind__in=[AmountKind.BUDGET, AmountKind.OUTCOME],
            year__lte=year,
        ).values_list("project_id", "kind", "year", "amount")
    )


def investment_plan_index(
    projects: Sequence[InvestmentProject], years: Sequence[int]
) -> dict[tuple[int, str, int, int | None], int]:
    """{(project id, kind, year, document year): amount} of budgets and plans (one query)."""
    return {
        (project_id, kind, amount_year, document_year): amount
        for project_id, kind, amount_year, document_year, amount in InvestmentAmount.objects.filter(
            project__in=[project.pk for project in projects],
            year__in=years,
            kind__in=[AmountKind.BUDGET, AmountKind.PLAN],
        ).values_list("project_id", "kind", "year", "document_year", "amount")
    }


def plan_changes(board: Board, document_year: int) -> list[PlanChange]:
    """The internbudget's itemised changes and frames with their amounts (2 queries)."""
    return list(
        PlanChange.objects.filter(board=board, document_year=document_year)
        .prefetch_related("amounts")
        .order_by("order", "pk")
    )
