"""One field's save: the page's script posts it when the controller leaves the field.

The script posts the plain names and gets JSON; htmx gets the field's fragment; without
JavaScript the field's Spara button posts the whole grid with `field=<key>` and gets the page
back (or, saved without warnings, a redirect to the field).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.types import AuthenticatedHttpRequest
from goals.models import ReportingOccasion
from indicators.entry import single_field
from indicators.services import SaveResult, ValueConflict, save_value
from indicators.views_entry.cells import CellState
from indicators.views_entry.common import occasion_for_entry, occasion_url, wants_json
from indicators.views_entry.fields import (
    KEY_PATTERN,
    PostedField,
    field_answer,
    field_posted,
    posted_field,
    resolve_field,
    value_input,
)


@dataclass
class FieldOutcome:
    """What came of one posted field: saved (result), refused (errors) or a conflict."""

    posted: PostedField
    version: int
    result: SaveResult | None = None
    errors: list[str] = field(default_factory=list)
    conflict: str = ""

    @property
    def warnings(self) -> list[str]:
        return self.result.warnings if self.result is not None else []


@require_POST
def save_value_view(
    request: AuthenticatedHttpRequest, board_code: str, year: int, kind: str
) -> HttpResponse:
    """One field, answered as JSON, as the htmx fragment or as the page."""
    occasion = occasion_for_entry(request.user, board_code, year, kind)
    outcome = _save_field(request, occasion, _read_post(request, occasion))
    if wants_json(request):
        return _json_answer(outcome)
    return _page_answer(request, occasion, outcome)


def _read_post(request: AuthenticatedHttpRequest, occasion: ReportingOccasion) -> PostedField:
    """The posted field, by its key (the grid without JavaScript) or by plain names; else 404."""
    post = request.POST
    key = post.get("field", "")
    if key:
        match = KEY_PATTERN.match(key)
        if match is None:
            raise Http404("Fältet finns inte.")
        indicator_id, breakdown_id, period_type, period_number = match.groups()
        typed = field_posted(post, key + "-")
    else:
        indicator_id, breakdown_id = post.get("indicator", ""), post.get("breakdown", "")
        period_type, period_number = post.get("period_type", ""), post.get("period_number", "")
        typed = field_posted(post, "")
    try:
        link_ids = (int(indicator_id), int(breakdown_id))
    except ValueError:
        raise Http404("Fältet finns inte.") from None
    if not all(0 < number < 2**31 for number in link_ids):
        raise Http404("Fältet finns inte.")
    indicator, breakdown = resolve_field(occasion, *link_ids)
    return posted_field(
        occasion,
        indicator=indicator,
        breakdown=breakdown,
        period_type=period_type,
        period_number=period_number,
        typed=typed,
    )


def _save_field(
    request: AuthenticatedHttpRequest, occasion: ReportingOccasion, posted: PostedField
) -> FieldOutcome:
    """Save the field through the service; its refusal or conflict becomes the outcome."""
    typed_version = posted.typed["version"]
    outcome = FieldOutcome(posted, version=int(typed_version) if typed_version.isdigit() else 0)
    row, outcome.errors = value_input(posted)
    if row is None:
        return outcome
    try:
        outcome.result = save_value(
            user=request.user,
            indicator=row.indicator,
            period=row.period,
            breakdown=row.breakdown,
            value=row.value,
            text=row.text,
            missing_reason=row.missing_reason,
            is_missing=row.is_missing,
            comment=row.comment,
            footnote=row.footnote,
            expected_version=row.expected_version,
        )
        value = outcome.result.value
        outcome.version = value.version if value is not None else 0
    except ValueConflict as error:
        outcome.conflict = error.messages[0]
        outcome.version = error.current.version if error.current is not None else 0
    except ValidationError as error:
        outcome.errors = list(error.messages)
    return outcome


def _json_answer(outcome: FieldOutcome) -> JsonResponse:
    result, warnings = outcome.result, outcome.warnings
    if result is not None:
        state = "deleted" if result.deleted else ("warning" if warnings else "saved")
        notes = [
            ("deleted", "Borttaget") if result.deleted else ("saved", "Sparat"),
            *[("warning", f"Varning: {warning}") for warning in warnings],
        ]
        return JsonResponse(field_answer(state=state, version=outcome.version, messages_=notes))
    if outcome.conflict:
        state, notes = "conflict", [("conflict", outcome.conflict)]
    else:
        state, notes = "error", [("error", text) for text in outcome.errors]
    return JsonResponse(
        field_answer(state=state, version=outcome.version, messages_=notes), status=422
    )


def _page_answer(
    request: AuthenticatedHttpRequest, occasion: ReportingOccasion, outcome: FieldOutcome
) -> HttpResponse:
    posted, result = outcome.posted, outcome.result
    saved = result is not None
    entry = single_field(occasion, posted.indicator, posted.breakdown, posted.period)
    cell = CellState(
        entry=entry,
        can_edit=occasion.is_open_for_entry,
        typed=None if saved else posted.typed,
        errors=outcome.errors,
        warnings=outcome.warnings,
        saved=saved,
        conflict=outcome.conflict,
        deleted=bool(result and result.deleted),
    )
    context = {
        "cell": cell.view(lambda value_id: reverse("indicators:value_history", args=[value_id])),
        "save_url": occasion_url(occasion, "entry_save_value"),
        "grid_form": "entry-grid",
    }
    if request.htmx:
        return render(request, "indicators/entry/_value_form.html", context)
    if result is not None and not outcome.warnings:  # saved
        word = "Borttaget" if result.deleted else "Sparat"
        messages.success(request, f"{word}: {entry.label}.")
        return redirect(occasion_url(occasion) + f"#f-{entry.key}")
    return render(request, "indicators/entry/value_page.html", {**context, "occasion": occasion})
