"""Who may do what where, decided on the server for every view and every write.

Scope helpers fetch a board through the user's roles and raise Http404 outside them, so a
changed id in a URL reveals nothing (the healthchecks `_get_check_for_user` pattern).
"""

from __future__ import annotations

from enum import Enum

from django.db.models import QuerySet
from django.http import Http404

from core.security import SecurityEvent, log_security_event
from core.types import AnyUser
from goals.models import Board, BoardRole, Role


class Action(Enum):
    VIEW = "view"  # goal tree, dashboards, indicator pages, reports on screen
    EXPORT = "export"  # Excel export of report tables
    ENTER = "enter"  # enter outcomes, forecasts, assessments; submit an occasion
    WRITE_TEXTS = "write_texts"  # the narrative texts of the board's documents
    APPROVE = "approve"  # approve an occasion
    ADMINISTER = "administer"  # reopen, structure, users


ROLES_FOR_ACTION: dict[Action, set[str]] = {
    Action.VIEW: {Role.ADMINISTRATOR, Role.CONTROLLER, Role.SECRETARY, Role.MANAGER},
    Action.EXPORT: {Role.ADMINISTRATOR, Role.CONTROLLER, Role.SECRETARY, Role.MANAGER},
    Action.ENTER: {Role.ADMINISTRATOR, Role.CONTROLLER},
    # The secretary writes the document the board decides on, beside the controller.
    Action.WRITE_TEXTS: {Role.ADMINISTRATOR, Role.CONTROLLER, Role.SECRETARY},
    Action.APPROVE: {Role.ADMINISTRATOR, Role.SECRETARY},
    Action.ADMINISTER: {Role.ADMINISTRATOR},
}


def _roles(user: AnyUser) -> list[tuple[str, int | None]]:
    """The user's (role, board id) pairs, read once per request."""
    cached = getattr(user, "_styrkort_roles", None)
    if cached is None:
        if not user.is_authenticated or not user.is_active:
            cached = []
        else:
            cached = list(BoardRole.objects.filter(user=user).values_list("role", "board_id"))
            if user.is_superuser:
                cached.append((Role.ADMINISTRATOR, None))
        # A cache for this request on the user object itself, which User does not declare.
        user._styrkort_roles = cached  # type: ignore[union-attr]
    return cached


def is_administrator(user: AnyUser) -> bool:
    return any(role == Role.ADMINISTRATOR for role, _ in _roles(user))


def boards_for(user: AnyUser, action: Action = Action.VIEW) -> QuerySet[Board]:
    """The boards on which the user may perform the action."""
    allowed = ROLES_FOR_ACTION[action]
    pairs = [(role, board) for role, board in _roles(user) if role in allowed]
    if any(board is None for _, board in pairs):
        return Board.objects.all()
    return Board.objects.filter(pk__in={board for _, board in pairs})


def on_every_board(user: AnyUser, action: Action) -> bool:
    """Whether one of the user's roles allows the action on every board (no board named)."""
    allowed = ROLES_FOR_ACTION[action]
    return any(role in allowed and board is None for role, board in _roles(user))


def can(user: AnyUser, action: Action, board: Board | int) -> bool:
    board_id = board if isinstance(board, int) else board.pk
    allowed = ROLES_FOR_ACTION[action]
    return any(
        role in allowed and (scope is None or scope == board_id) for role, scope in _roles(user)
    )


def get_board_for_user(user: AnyUser, code: str, action: Action = Action.VIEW) -> Board:
    """The board with this code if the user may perform the action on it, else 404."""
    board = Board.objects.filter(code=code).select_related("municipality").first()
    if board is None or not can(user, action, board):
        log_security_event(SecurityEvent.ACCESS_DENIED, user=user, board=code, action=action.value)
        raise Http404("Nämnden finns inte eller så saknar du behörighet.")
    return board


def require(user: AnyUser, action: Action, board: Board | int) -> None:
    if not can(user, action, board):
        log_security_event(
            SecurityEvent.ACCESS_DENIED,
            user=user,
            board=board.code if isinstance(board, Board) else f"id {board}",
            action=action.value,
        )
        raise Http404("Sidan finns inte eller så saknar du behörighet.")
