"""What every entry view needs: the occasion through the user's rights and its URLs."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest
from django.urls import reverse

from core.types import AnyUser
from goals.access import Action, can, get_board_for_user
from goals.models import ReportingOccasion
from goals.periods import OccasionKind


def get_occasion_for_user(
    user: AnyUser, board_code: str, year: int, kind: str, action: Action = Action.VIEW
) -> ReportingOccasion:
    """The board's occasion if the user may perform the action on the board, else 404."""
    board = get_board_for_user(user, board_code, action)
    if kind not in OccasionKind.values:
        raise Http404("Tillfället finns inte.")
    occasion = (
        ReportingOccasion.objects.filter(board=board, year=year, kind=kind)
        .select_related("board")
        .first()
    )
    if occasion is None:
        raise Http404("Tillfället finns inte.")
    return occasion


def occasion_url(occasion: ReportingOccasion, name: str = "entry_page", **extra: object) -> str:
    """The URL of one of this app's occasion pages; `name` is a URL name in `indicators`."""
    return reverse(
        f"indicators:{name}",
        kwargs={
            "board_code": occasion.board.code,
            "year": occasion.year,
            "kind": occasion.kind,
            **extra,
        },
    )


def occasion_for_entry(user: AnyUser, board_code: str, year: int, kind: str) -> ReportingOccasion:
    """The occasion and its board in one query (a save's budget is tight); else as the page."""
    occasion = (
        ReportingOccasion.objects.filter(board__code=board_code, year=year, kind=kind)
        .select_related("board__municipality")
        .first()
    )
    if occasion is None or not can(user, Action.ENTER, occasion.board):
        return get_occasion_for_user(user, board_code, year, kind, Action.ENTER)
    return occasion


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def history_urls() -> Callable[[int], str]:
    """The history URL of a value by its id, reversed once (a reverse() per field costs ~50 µs)."""
    head, found, tail = reverse("indicators:value_history", args=[0]).rpartition("/0/")
    if not found:
        raise ValueError("value_history must end in /<value_id>/…")
    return lambda value_id: f"{head}/{value_id}/{tail}"
