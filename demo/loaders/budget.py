"""Budget demo data: AN's driftsammandrag, plan, forecasts and investments (budget.toml).

Amounts in the file are whole kronor; see the file's header for which figures come from the
seeds and which are reconstructed. Writes through `demo.loaders.base.sync`, so a second run
writes nothing.
"""

from __future__ import annotations

from typing import Any

from budget.models import (
    AmountKind,
    BudgetAmount,
    BudgetLine,
    InvestmentAmount,
    InvestmentProject,
    PlanChange,
    PlanChangeAmount,
    Scheme,
)
from demo.loaders.base import DemoDataError, Stats, read, sync
from goals.models import Board

FILE = "budget.toml"


def _expand(amount: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per year: `years = [2023, …]` is shorthand for the same amount each year."""
    years = amount.get("years") or [amount["year"]]
    return [{**amount, "year": year} for year in years]


def _amount_row(amount: dict[str, Any]) -> dict[str, Any]:
    kind = AmountKind(amount["kind"])
    return {
        "year": amount["year"],
        "kind": kind.value,
        "document_year": amount.get("document_year") if kind == AmountKind.PLAN else None,
        "amount": amount["amount"],
    }


def load(stats: Stats | None = None) -> None:
    """The demo board's budget lines, amounts, plan changes and investments."""
    stats = stats if stats is not None else Stats()
    data = read(FILE)
    board = Board.objects.filter(code=data["board"]).first()
    if board is None:
        raise DemoDataError(f"Demodata: nämnden {data['board']!r} finns inte (se {FILE}).")

    lines = sync(
        BudgetLine,
        [
            {
                "board_id": board.pk,
                "scheme": line["scheme"],
                "section": line["section"],
                "code": line["code"],
                "name": line["name"],
                "valid_from": line["valid_from"],
                "valid_to": line.get("valid_to"),
                "order": line.get("order", 0),
            }
            for line in data["lines"]
        ],
        ["board_id", "scheme", "code", "valid_from"],
        stats,
        existing=BudgetLine.objects.filter(board=board),
    )
    by_code = {(scheme, code): line for (_, scheme, code, _), line in lines.items()}
    _load_amounts(data, by_code, board, stats)
    _load_plan_changes(data, by_code, board, stats)
    _load_investments(data, board, stats)


def _load_amounts(
    data: dict[str, Any],
    by_code: dict[tuple[str, str], BudgetLine],
    board: Board,
    stats: Stats,
) -> None:
    """Budget, plan, forecasts and bokslut of each line."""
    amount_rows = []
    for spec in data["lines"]:
        line = by_code[(spec["scheme"], spec["code"])]
        for amount in spec.get("amounts", []):
            for single in _expand(amount):
                row = _amount_row(single)
                row.update(
                    line_id=line.pk,
                    month=single.get("month") if row["kind"] == AmountKind.FORECAST else None,
                    revenues=single.get("revenues"),
                    comment=single.get("comment", ""),
                )
                amount_rows.append(row)
    sync(
        BudgetAmount,
        amount_rows,
        ["line_id", "year", "kind", "month", "document_year"],
        stats,
        existing=BudgetAmount.objects.filter(line__board=board),
    )


def _load_plan_changes(
    data: dict[str, Any],
    by_code: dict[tuple[str, str], BudgetLine],
    board: Board,
    stats: Stats,
) -> None:
    """The plan document's changes (specifications and the like) and their amounts."""
    document_year = data["plan_document_year"]
    change_rows, change_amounts = [], []
    for order, spec in enumerate(data.get("plan_changes", []), start=1):
        kind = spec.get("kind", PlanChange.Kind.SPECIFICATION)
        line_id = None
        if spec.get("line"):
            line = by_code.get((Scheme.INTERNBUDGET, spec["line"]))
            if line is None:
                raise DemoDataError(f"Demodata: budgetraden {spec['line']!r} finns inte.")
            line_id = line.pk
        key = (board.pk, document_year, kind, line_id, spec["text"])
        change_rows.append(
            {
                "board_id": board.pk,
                "document_year": document_year,
                "kind": kind,
                "line_id": line_id,
                "text": spec["text"],
                "note": spec.get("note", ""),
                "order": order,
            }
        )
        for amount in spec["amounts"]:
            for single in _expand(amount):
                change_amounts.append((key, single["year"], single["amount"]))
    changes = sync(
        PlanChange,
        change_rows,
        ["board_id", "document_year", "kind", "line_id", "text"],
        stats,
        existing=PlanChange.objects.filter(board=board),
    )
    sync(
        PlanChangeAmount,
        [
            {"change_id": changes[key].pk, "year": year, "amount": amount}
            for key, year, amount in change_amounts
        ],
        ["change_id", "year"],
        stats,
        existing=PlanChangeAmount.objects.filter(change__board=board),
    )


def _load_investments(data: dict[str, Any], board: Board, stats: Stats) -> None:
    """The investment projects and their amounts."""
    projects = sync(
        InvestmentProject,
        [
            {
                "board_id": board.pk,
                "code": project["code"],
                "name": project["name"],
                "valid_from": project["valid_from"],
                "valid_to": project.get("valid_to"),
                "decided_budget": project.get("decided_budget"),
                "completed_year": project.get("completed_year"),
                "order": project.get("order", 0),
            }
            for project in data.get("investments", [])
        ],
        ["board_id", "code"],
        stats,
        existing=InvestmentProject.objects.filter(board=board),
    )
    investment_rows = []
    for spec in data.get("investments", []):
        project = projects[(board.pk, spec["code"])]
        for amount in spec.get("amounts", []):
            for single in _expand(amount):
                investment_rows.append({**_amount_row(single), "project_id": project.pk})
    sync(
        InvestmentAmount,
        investment_rows,
        ["project_id", "year", "kind", "document_year"],
        stats,
        existing=InvestmentAmount.objects.filter(project__board=board),
    )
