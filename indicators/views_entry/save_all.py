""" "Spara alla": every field of the grid in one request, all or nothing.

A refusal keeps every typed text and puts each message at its field, as JSON for the page's
script or as the page again; a save answers each field's new version.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from core.types import AuthenticatedHttpRequest
from goals.models import OccasionLockedError, ReportingOccasion
from indicators.services import SaveAllRefused, SaveResult, ValueInput, save_values
from indicators.views_entry.common import occasion_for_entry, occasion_url, wants_json
from indicators.views_entry.fields import (
    KEY_PATTERN,
    field_answer,
    field_posted,
    posted_field,
    resolve_fields,
    value_input,
)
from indicators.views_entry.page import render_page


@dataclass
class GridPost:
    """The posted fields as service inputs, what was typed per key, and the form's refusals."""

    rows: list[ValueInput] = field(default_factory=list)
    typed: dict[str, dict[str, str]] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    conflicts: set[str] = field(default_factory=set)


@require_POST
def save_all_view(
    request: AuthenticatedHttpRequest, board_code: str, year: int, kind: str
) -> HttpResponse:
    """ "Spara alla": every field of the grid in one request, all or nothing."""
    occasion = occasion_for_entry(request.user, board_code, year, kind)
    grid = _read_grid(request, occasion)
    results: list[SaveResult] = []
    if not grid.errors:
        try:
            results = save_values(user=request.user, occasion=occasion, rows=grid.rows)
        except SaveAllRefused as refused:
            grid.errors, grid.conflicts = refused.field_errors, refused.conflicts
        except OccasionLockedError as error:
            grid.errors = {"": list(error.messages)}
    if grid.errors:
        return _refused_answer(request, occasion, grid)
    return _saved_answer(request, occasion, grid, results)


def _read_grid(request: AuthenticatedHttpRequest, occasion: ReportingOccasion) -> GridPost:
    """Every posted field of the occasion read by its form (404 for a field it does not have)."""
    keys = [
        key
        for key in request.POST.getlist("fields")
        if KEY_PATTERN.match(key) and all(len(part) < 10 for part in key.split("-"))
    ]
    parsed = [match.groups() for key in keys if (match := KEY_PATTERN.match(key))]
    indicators, breakdowns = resolve_fields(occasion, {int(p[0]) for p in parsed})
    grid = GridPost()
    for key, (indicator_id, breakdown_id, period_type, period_number) in zip(
        keys, parsed, strict=True
    ):
        indicator = indicators.get(int(indicator_id))
        breakdown = breakdowns.get(int(breakdown_id))
        if indicator is None or breakdown is None:
            raise Http404("Fältet finns inte.")
        typed = field_posted(request.POST, key + "-")
        grid.typed[key] = typed
        posted = posted_field(
            occasion,
            indicator=indicator,
            breakdown=breakdown,
            period_type=period_type,
            period_number=period_number,
            typed=typed,
        )
        row, messages_ = value_input(posted)
        if row is None:
            grid.errors[key] = messages_
        else:
            grid.rows.append(row)
    return grid


def _refused_answer(
    request: AuthenticatedHttpRequest, occasion: ReportingOccasion, grid: GridPost
) -> HttpResponse:
    if wants_json(request):
        answer = {}
        for key, texts in grid.errors.items():
            kind = "conflict" if key in grid.conflicts else "error"
            answer[key] = field_answer(
                state=kind,
                version=int(grid.typed.get(key, {}).get("version") or 0),
                messages_=[(kind, text) for text in texts],
            )
        return JsonResponse({"state": "refused", "fields": answer}, status=422)
    messages.error(
        request,
        f"Inget sparades: {len(grid.errors)} fält behöver rättas. Felen står vid fälten.",
    )
    return render_page(
        request,
        occasion,
        typed=grid.typed,
        errors=grid.errors,
        conflicts=grid.conflicts,
        status=422,
    )


def _saved_answer(
    request: AuthenticatedHttpRequest,
    occasion: ReportingOccasion,
    grid: GridPost,
    results: list[SaveResult],
) -> HttpResponse:
    written = sum(1 for result in results if result.changed)
    if not wants_json(request):
        messages.success(request, f"Sparat: {written} fält ändrades.")
        return redirect(occasion_url(occasion))
    answer = {}
    for row, result in zip(grid.rows, results, strict=True):
        notes = [("warning", f"Varning: {warning}") for warning in result.warnings]
        state = "deleted" if result.deleted else ("warning" if notes else "saved")
        notes.insert(0, ("deleted", "Borttaget") if result.deleted else ("saved", "Sparat"))
        answer[row.key] = field_answer(
            state=state,
            version=result.value.version if result.value is not None else 0,
            messages_=notes,
        )
    return JsonResponse({"state": "saved", "written": written, "fields": answer})
