"""Write side of the budget follow-up: a controller's forecasts and bokslut for a board's lines.

All amounts of one save are written in one transaction or not at all. Errors are Swedish and
keyed by line so a form can show each next to its field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from budget.formatting import format_tkr
from budget.models import AmountKind, BudgetAmount, BudgetLine, locking_occasion
from budget.selectors import report_lines
from core.changes import data_changed
from goals.models import LOCKED_MESSAGE, Board
from goals.users import user_label

if TYPE_CHECKING:
    from django.contrib.auth.models import User

NOT_A_LINE = "Raden hör inte till nämndens driftsammandrag för {year}."
WRONG_KIND = "Här kan bara prognoser och bokslut registreras."
BAD_MONTH = "En prognos avser slutet av en månad (1–12)."
CONFLICT = (
    "Någon annan ({user}) har ändrat beloppet sedan du öppnade sidan; det är nu {value} tkr. "
    "Ditt värde är inte sparat: kontrollera och spara igen."
)
TOO_LARGE = "Beloppet är orimligt stort."
MAX_KRONOR = 10**13  # ten thousand billion kronor


class AmountErrors(ValidationError):
    """Errors keyed by line id; nothing of the save was written."""

    def __init__(self, errors: dict[int | None, str]) -> None:
        self.by_line = errors
        super().__init__(list(errors.values()))


@dataclass(frozen=True)
class AmountInput:
    """What the form sends for one line: the amount in kronor (None = no value) and the
    version the user started from (None = there was no stored amount)."""

    line_id: int
    amount: int | None
    version: int | None


@dataclass
class SaveResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted


def save_line_amounts(
    *,
    board: Board,
    year: int,
    kind: str,
    month: int | None,
    inputs: list[AmountInput],
    user: User,
) -> SaveResult:
    """Store a forecast (kind prognos, month 1–12) or the bokslut of the board's lines.

    An empty amount removes a stored one. A line whose stored amount changed since the user's
    version is refused (no lost updates); an approved occasion refuses everything. Any error
    raises AmountErrors and writes nothing.
    """
    if kind not in (AmountKind.FORECAST, AmountKind.OUTCOME):
        raise AmountErrors({None: WRONG_KIND})
    if kind == AmountKind.FORECAST and not (month and 1 <= month <= 12):
        raise AmountErrors({None: BAD_MONTH})
    month = month if kind == AmountKind.FORECAST else None
    locked = locking_occasion([(board.pk, year, kind, month)])
    if locked is not None:
        raise AmountErrors({None: LOCKED_MESSAGE.format(occasion=locked)})

    lines = {line.pk: line for line in report_lines(board, year)}
    errors: dict[int | None, str] = {}
    for item in inputs:
        if item.line_id not in lines:
            errors[item.line_id] = NOT_A_LINE.format(year=year)
        elif item.amount is not None and abs(item.amount) >= MAX_KRONOR:
            errors[item.line_id] = TOO_LARGE
    if errors:
        raise AmountErrors(errors)

    result = SaveResult()
    with transaction.atomic():
        stored = {
            amount.line_id: amount
            for amount in BudgetAmount.objects.select_for_update(of=("self",))
            .filter(line_id__in=lines, year=year, kind=kind, month=month)
            .select_related("updated_by")
        }
        for item in inputs:
            error = _save_amount(
                item,
                stored.get(item.line_id),
                lines,
                year=year,
                kind=kind,
                month=month,
                user=user,
                result=result,
            )
            if error:
                errors[item.line_id] = error
        if errors:
            raise AmountErrors(errors)  # leaves the atomic block: everything rolls back
        if result.changed:
            data_changed(board_id=board.pk, year=year)
    return result


def _save_amount(
    item: AmountInput,
    current: BudgetAmount | None,
    lines: dict[int, BudgetLine],
    *,
    year: int,
    kind: str,
    month: int | None,
    user: User,
    result: SaveResult,
) -> str:
    """One line's amount written under its row lock, or the conflict message if it moved."""
    current_version = current.version if current is not None else None
    current_amount = current.amount if current is not None else None
    # Someone saved since the user's version: refuse unless they saved the same amount.
    if current_version != item.version and current_amount != item.amount:
        who = current.updated_by if current is not None else None
        return CONFLICT.format(
            user=user_label(who, missing="okänd"),
            value=format_tkr(current_amount, missing="tomt"),
        )
    if current is None:
        if item.amount is None:
            result.unchanged += 1
        else:
            amount = BudgetAmount(
                line=lines[item.line_id],
                year=year,
                kind=kind,
                month=month,
                amount=item.amount,
                updated_by=user,
            )
            amount.full_clean()
            amount.save()
            result.created += 1
    elif item.amount is None:
        current.delete()
        result.deleted += 1
    elif current.amount == item.amount:
        result.unchanged += 1
    else:
        current.amount = item.amount
        current.version += 1
        current.updated_by = user
        current.full_clean()
        current.save()
        result.updated += 1
    return ""
