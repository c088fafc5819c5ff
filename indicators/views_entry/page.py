"""The entry page itself (the occasions overview is `indicators.views_occasions`)."""

from __future__ import annotations

from collections.abc import Collection

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.types import AuthenticatedHttpRequest
from goals.access import Action, can
from goals.models import AssessmentLevel, ReportingOccasion, WorkStatus
from goals.selectors import send_back_notes, submission_gaps
from indicators.entry import entry_sheet
from indicators.views_entry.cells import CellState
from indicators.views_entry.common import get_occasion_for_user, history_urls, occasion_url


@require_GET
def entry_page(
    request: AuthenticatedHttpRequest, board_code: str, year: int, kind: str
) -> HttpResponse:
    occasion = get_occasion_for_user(request.user, board_code, year, kind, Action.VIEW)
    return render_page(request, occasion)


def render_page(
    request: AuthenticatedHttpRequest,
    occasion: ReportingOccasion,
    *,
    typed: dict[str, dict[str, str]] | None = None,
    errors: dict[str, list[str]] | None = None,
    conflicts: Collection[str] = frozenset(),
    status: int = 200,
) -> HttpResponse:
    """The page; after a refused "Spara alla" with the typed text and the errors at the fields."""
    typed, errors = typed or {}, errors or {}
    sheet = entry_sheet(occasion)
    can_edit = can(request.user, Action.ENTER, occasion.board_id) and occasion.is_open_for_entry
    history_url = history_urls()
    for row in sheet.all_rows():
        cells = []
        for entry in row.fields:
            key = entry.key
            messages_ = errors.get(key, [])
            cell = CellState(
                entry=entry,
                can_edit=can_edit,
                typed=typed.get(key),  # after a refused "Spara alla": all typed text stays
                errors=[] if key in conflicts else messages_,
                conflict=" ".join(messages_) if key in conflicts else "",
            )
            cells.append(cell.view(history_url))
        row.cells = cells
    for area in sheet.areas:
        for block in area.goals:
            block.assessment_url = occasion_url(
                occasion, "entry_save_assessment", goal_id=block.goal.pk
            )
    for item in sheet.assignments:
        item.url = occasion_url(occasion, "entry_save_assignment", assignment_id=item.item.pk)
    for item in sheet.activities:
        item.url = occasion_url(occasion, "entry_save_activity", activity_id=item.item.pk)
    return render(
        request,
        "indicators/entry/page.html",
        {
            "occasion": occasion,
            "sheet": sheet,
            "missing": [(entry.key, entry.label) for entry in sheet.missing],
            "gaps": submission_gaps(sheet),
            "send_back": send_back_notes([occasion]).get(occasion.pk),
            "field_count": sheet.field_count,
            "can_edit": can_edit,
            "levels": AssessmentLevel.choices,
            "statuses": WorkStatus.choices,
            "can_enter": can(request.user, Action.ENTER, occasion.board_id),
            "can_approve": can(request.user, Action.APPROVE, occasion.board_id),
            "can_reopen": can(request.user, Action.ADMINISTER, occasion.board_id),
            "save_url": occasion_url(occasion, "entry_save_value"),
            "save_all_url": occasion_url(occasion, "entry_save_all"),
            "general_errors": errors.get("", []),
            "grid_form": "entry-grid",
        },
        status=status,
    )
