"""The budget's step of the year rollover (goals.rollover): lines, investments, Budget N+1.

Budget lines and investment projects valid in N continue (they are the administration's
organisation, not the council's goals, so a new mandate period does not end them); a project
completed in N or earlier ends. The Plan N+1 column of N's internbudget (amounts of kind plan,
document year N, year N+1) becomes the Budget N+1 amount of each line and project that has no
budget for N+1 yet; nothing else is invented. Registered in BudgetConfig.ready().
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from budget.formatting import format_tkr
from budget.models import AmountKind, BudgetAmount, BudgetLine, InvestmentAmount, InvestmentProject
from goals.models import Board
from goals.rollover import (
    CONTINUED,
    CREATED,
    ENDED,
    PlannedChange,
    RolloverDraft,
    register_step,
    save_row,
    year_range_change,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def build_budget(draft: RolloverDraft) -> None:
    n = draft.from_year
    lines = list(
        BudgetLine.objects.valid_in(n)
        .filter(board=draft.board)
        .order_by("scheme", "section", "order", "pk")
    )
    for line in lines:
        year_range_change(
            draft, line, model="budgetrad", label=line.name, continues=True, choosable=False
        )
    projects = list(
        InvestmentProject.objects.valid_in(n).filter(board=draft.board).order_by("order", "pk")
    )
    for project in projects:
        if project.completed_year is not None and project.completed_year <= n:
            # A completed project's years stay as they are: it is shown for the year it ended.
            draft.add(
                PlannedChange(
                    kind=ENDED,
                    model="investeringsprojekt",
                    label=project.name,
                    detail=f"färdigt {project.completed_year}",
                )
            )
            continue
        year_range_change(
            draft,
            project,
            model="investeringsprojekt",
            label=project.name,
            continues=True,
            choosable=False,
        )
    _plan_to_budget(draft, BudgetAmount, "line", {line.pk: line for line in lines})
    _plan_to_budget(
        draft,
        InvestmentAmount,
        "project",
        {p.pk: p for p in projects if draft.continues(InvestmentProject, p.pk)},
    )


def _plan_to_budget(
    draft: RolloverDraft,
    model: type[BudgetAmount] | type[InvestmentAmount],
    owner: str,
    owners: dict,
) -> None:
    n, next_year = draft.from_year, draft.to_year
    owner_id = f"{owner}_id"
    plans = model.objects.filter(
        **{f"{owner}_id__in": owners}, kind=AmountKind.PLAN, document_year=n, year=next_year
    ).order_by(owner_id)
    budgets = set(
        model.objects.filter(
            **{f"{owner}_id__in": owners}, kind=AmountKind.BUDGET, year=next_year
        ).values_list(owner_id, flat=True)
    )
    what = "budget" if model is BudgetAmount else "investeringsbudget"
    for plan in plans:
        row = owners[getattr(plan, owner_id)]
        label = f"{row.name}: Budget {next_year}"
        if getattr(plan, owner_id) in budgets:
            draft.add(PlannedChange(kind=CONTINUED, model=what, label=label, detail="finns redan"))
            continue

        def apply(user: User | None, plan: BudgetAmount | InvestmentAmount = plan) -> None:
            fields = {owner_id: getattr(plan, owner_id), "year": next_year}
            amount = model(**fields, kind=AmountKind.BUDGET, amount=plan.amount)
            if isinstance(amount, BudgetAmount) and isinstance(plan, BudgetAmount):
                amount.revenues = plan.revenues
                amount.updated_by = user
            save_row(amount, user)

        draft.add(
            PlannedChange(
                kind=CREATED,
                model=what,
                label=label,
                detail=f"{format_tkr(plan.amount)} tkr från Plan {next_year} i internbudget {n}",
                writes=True,
                apply=apply,
            )
        )


def budget_entered(board: Board, year: int) -> str:
    kinds = [AmountKind.FORECAST, AmountKind.OUTCOME]
    if BudgetAmount.objects.filter(line__board=board, year=year, kind__in=kinds).exists():
        return "prognos eller bokslut"
    return ""


def register() -> None:
    register_step("budget", build_budget, entered=budget_entered)
