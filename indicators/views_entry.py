"""The entry page: a controller types a quarter's outcomes, field by field.

Each breakdown field is its own small form. With JavaScript, htmx posts it when the
controller leaves the field and swaps in the answer (Sparat, the error, a warning or a
conflict) right at the field; without JavaScript, its Spara button posts it and the page comes
back. Either way an invalid value is never stored and the typed text is shown again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_POST

from goals.access import Action, boards_for, can, get_board_for_user
from goals.models import (
    Activity,
    AssessmentLevel,
    BoardGoal,
    OccasionLockedError,
    ReportingOccasion,
    StrategicAssignment,
    WorkStatus,
)
from goals.periods import OccasionKind, Period, PeriodType
from goals.selectors import send_back_notes, submission_gaps
from goals.services import (
    RecordConflict,
    save_activity_status,
    save_assessment,
    save_assignment_status,
)
from indicators.entry import (
    EntryField,
    StatusItem,
    entry_sheet,
    occasion_overview,
    periods_for,
    single_field,
)
from indicators.forms import AssessmentForm, StatusForm, ValueForm
from indicators.models import Breakdown, Indicator, IndicatorBreakdown, MissingReason
from indicators.services import ValueConflict, save_value

PERIOD_NOT_DUE = "Perioden ingår inte i tillfället."


def get_occasion_for_user(
    user, board_code: str, year: int, kind: str, action: Action = Action.VIEW
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


def occasion_url(occasion: ReportingOccasion, name: str = "entry_page", **extra) -> str:
    return reverse(
        name,
        kwargs={
            "board_code": occasion.board.code,
            "year": occasion.year,
            "kind": occasion.kind,
            **extra,
        },
    )


@dataclass
class CellState:
    """A field as the page shows it: the stored figures, or what was typed and the answer."""

    entry: EntryField
    can_edit: bool
    typed: dict | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    saved: bool = False
    conflict: str = ""

    def _typed(self, name: str, stored: str) -> str:
        if self.typed is not None and name in self.typed:
            return self.typed[name]
        return stored

    @property
    def value_text(self) -> str:
        return self._typed("value", self.entry.input_text)

    @property
    def missing_reason(self) -> str:
        stored = self.entry.value.missing_reason if self.entry.value is not None else ""
        return self._typed("missing_reason", stored)

    @property
    def comment(self) -> str:
        return self._typed("comment", self.entry.value.comment if self.entry.value else "")

    @property
    def footnote(self) -> str:
        return self._typed("footnote", self.entry.footnote_text)

    @property
    def version(self) -> int:
        return self.entry.version

    @property
    def state(self) -> str:
        if self.conflict:
            return "conflict"
        if self.errors:
            return "error"
        if self.warnings:
            return "warning"
        if self.saved:
            return "saved"
        if self.entry.is_missing:
            return "missing"
        return ""

    def view(self, history_url: Callable[[int], str]) -> dict[str, object]:
        """What `_value_form.html` shows, as ready strings.

        The page renders a few hundred fields, so the template gets plain values to print:
        ids and the version as strings (no `{% localize off %}` needed to keep 12345 from
        becoming "12 345"), the labels and reference figures formatted once, and the
        `<option>`s of the I.U. reasons built once per selected reason. The key is escaped
        here, once, rather than by the template at each of its dozen uses; every other text
        (names, labels, typed text, comments) is left to the template's escaping.
        """
        entry = self.entry
        state = self.state
        classes = "entry-field"
        if state:
            classes += f" is-{state}"
        if entry.breakdown.is_total:
            classes += " is-total"
        computed = entry.is_computed
        missing_reason, comment, footnote = self.missing_reason, self.comment, self.footnote
        return {
            "key": escape(entry.key),
            "classes": classes,
            "computed": computed,
            "can_edit": self.can_edit,
            "editable": self.can_edit and not computed,
            "breakdown_label": entry.breakdown.label,
            "indicator_name": entry.indicator.name,
            "period_label": entry.period.label,
            "computed_text": entry.computed_text if computed else "",
            "indicator_id": str(entry.indicator.pk),
            "breakdown_id": str(entry.breakdown.pk),
            "period_type": PeriodType(entry.period.type).value,
            "period_number": str(entry.period.number),
            "version": str(self.version),
            "value_text": self.value_text,
            "invalid": bool(self.errors or self.conflict),
            "previous_text": entry.previous_text,
            "last_year_text": entry.last_year_text,
            "target_text": entry.target_text,
            "open": bool(missing_reason or comment or footnote or self.errors),
            "reason_options": _reason_options(missing_reason),
            "footnote": footnote,
            "comment": comment,
            "history_url": history_url(entry.value.pk) if entry.value is not None else "",
            "conflict": self.conflict,
            "errors": self.errors,
            "saved": self.saved and not self.errors,
            "warnings": self.warnings,
        }


MISSING_REASON_VALUES = frozenset(MissingReason.values)


def _reason_options(selected: str) -> SafeString:
    """The `<option>`s of the I.U. reasons with `selected` marked (any other text marks none)."""
    return _reason_options_for(selected if selected in MISSING_REASON_VALUES else "")


@cache
def _reason_options_for(selected: str) -> SafeString:
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, " selected" if value == selected else "", label)
            for value, label in MissingReason.choices
        ),
    )


def history_urls() -> Callable[[int], str]:
    """The history URL of a value by its id, reversed once (a reverse() per field costs ~50 µs)."""
    head, found, tail = reverse("value_history", args=[0]).rpartition("/0/")
    if not found:
        raise ValueError("value_history must end in /<value_id>/…")
    return lambda value_id: f"{head}/{value_id}/{tail}"


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """Occasions of the user's boards: state, deadline and what is still missing."""
    boards = boards_for(request.user, Action.VIEW)
    occasions = ReportingOccasion.objects.filter(board__in=boards).select_related("board")
    years = sorted(set(occasions.values_list("year", flat=True)), reverse=True)
    try:
        year = int(request.GET.get("ar") or (years[0] if years else 0))
    except ValueError:
        year = years[0] if years else 0
    chosen = list(occasions.filter(year=year).order_by("board__order", "board__name", "kind"))
    kind_order = {kind: index for index, kind in enumerate(OccasionKind.values)}
    chosen.sort(key=lambda occasion: (kind_order[occasion.kind], occasion.board.order))
    statuses = occasion_overview(chosen)
    sent_back = send_back_notes(chosen)
    rows = [
        {
            "status": status,
            "send_back": sent_back.get(status.occasion.pk),
            "can_enter": can(request.user, Action.ENTER, status.occasion.board_id),
            "can_approve": can(request.user, Action.APPROVE, status.occasion.board_id),
            "can_reopen": can(request.user, Action.ADMINISTER, status.occasion.board_id),
        }
        for status in statuses
    ]
    return render(
        request,
        "indicators/entry/overview.html",
        {"rows": rows, "years": years, "year": year},
    )


@require_GET
def entry_page(request: HttpRequest, board_code: str, year: int, kind: str) -> HttpResponse:
    occasion = get_occasion_for_user(request.user, board_code, year, kind, Action.VIEW)
    sheet = entry_sheet(occasion)
    can_edit = can(request.user, Action.ENTER, occasion.board_id) and occasion.is_open_for_entry
    history_url = history_urls()
    for row in sheet.all_rows():
        row.cells = [
            CellState(entry=entry, can_edit=can_edit).view(history_url) for entry in row.fields
        ]
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
        },
    )


@require_POST
def save_value_view(request: HttpRequest, board_code: str, year: int, kind: str) -> HttpResponse:
    occasion = get_occasion_for_user(request.user, board_code, year, kind, Action.ENTER)
    form = ValueForm(request.POST)
    try:
        indicator = Indicator.objects.select_related("board").get(
            pk=int(request.POST.get("indicator", "")), board=occasion.board
        )
        breakdown = Breakdown.objects.select_related("org_unit").get(
            pk=int(request.POST.get("breakdown", ""))
        )
        period = Period(
            occasion.year,
            PeriodType(request.POST.get("period_type", "")),
            int(request.POST.get("period_number", "")),
        )
    except (ValueError, Indicator.DoesNotExist, Breakdown.DoesNotExist):
        raise Http404("Fältet finns inte.") from None
    if period not in periods_for(indicator, occasion.kind, occasion.year):
        raise Http404(PERIOD_NOT_DUE)
    allowed = set(
        IndicatorBreakdown.objects.valid_in(occasion.year)
        .filter(indicator=indicator)
        .values_list("breakdown_id", flat=True)
    )
    if (allowed and breakdown.pk not in allowed) or (not allowed and not breakdown.is_total):
        raise Http404("Fältet finns inte.")

    typed = {
        name: request.POST.get(name, "")
        for name in ("value", "missing_reason", "comment", "footnote")
    }
    errors: list[str] = []
    warnings: list[str] = []
    conflict = ""
    saved = False
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = save_value(
                user=request.user,
                indicator=indicator,
                year=occasion.year,
                period_type=period.type,
                period_number=period.number,
                breakdown=breakdown,
                value=data["number"],
                missing_reason=data["missing_reason"],
                is_missing=data["is_missing"],
                comment=data["comment"],
                footnote=data["footnote"],
                expected_version=data["version"],
                allowed_breakdown_ids=allowed,
            )
            saved = True
            warnings = result.warnings
            typed = None  # show what is stored now
        except ValueConflict as error:
            conflict = error.messages[0]
        except OccasionLockedError as error:
            errors = list(error.messages)
        except ValidationError as error:
            errors = list(error.messages)
    else:
        errors = [message for messages_ in form.errors.values() for message in messages_]

    entry = single_field(occasion, indicator, breakdown, period)
    cell = CellState(
        entry=entry,
        can_edit=occasion.is_open_for_entry,
        typed=typed,
        errors=errors,
        warnings=warnings,
        saved=saved,
        conflict=conflict,
    )
    context = {
        "cell": cell.view(lambda value_id: reverse("value_history", args=[value_id])),
        "save_url": occasion_url(occasion, "entry_save_value"),
    }
    if request.htmx:
        return render(request, "indicators/entry/_value_form.html", context)
    if saved and not warnings:
        messages.success(request, f"Sparat: {entry.label}.")
        return redirect(occasion_url(occasion) + f"#f-{entry.key}")
    return render(request, "indicators/entry/value_page.html", {**context, "occasion": occasion})


def _goal_block(occasion: ReportingOccasion, goal_id: int):
    sheet = entry_sheet(occasion)
    for area in sheet.areas:
        for block in area.goals:
            if block.goal.pk == goal_id:
                return block
    raise Http404("Nämndmålet finns inte.")


@require_POST
def save_assessment_view(
    request: HttpRequest, board_code: str, year: int, kind: str, goal_id: int
) -> HttpResponse:
    occasion = get_occasion_for_user(request.user, board_code, year, kind, Action.ENTER)
    if not occasion.assesses_goals:
        raise Http404("Nämndmålen bedöms inte vid det här tillfället.")
    get_object_or_404(BoardGoal, pk=goal_id, board=occasion.board)
    block = _goal_block(occasion, goal_id)
    form = AssessmentForm(request.POST)
    error = ""
    saved = False
    if form.is_valid():
        data = form.cleaned_data
        try:
            outcome = save_assessment(
                user=request.user,
                occasion=occasion,
                board_goal=block.goal,
                level=data["level"],
                suggested_level=block.suggestion.level if block.suggestion else "",
                analysis=data["analysis"],
                results=data["results"],
                other_activities=data["other_activities"],
                deviations=data["deviations"],
                expected_version=data["version"],
            )
            block.assessment = outcome.record
            saved = True
            form = None
        except RecordConflict as conflict:
            error = conflict.messages[0]
            block.assessment = conflict.current
        except ValidationError as refused:
            error = " ".join(refused.messages)
    context = {
        "block": block,
        "occasion": occasion,
        "form": form,
        "error": error,
        "saved": saved,
        "can_edit": occasion.is_open_for_entry,
        "url": occasion_url(occasion, "entry_save_assessment", goal_id=goal_id),
        "levels": AssessmentLevel.choices,
    }
    if request.htmx:
        return render(request, "indicators/entry/_assessment.html", context)
    if saved:
        messages.success(request, f"Bedömningen av {block.goal.title} är sparad.")
        return redirect(occasion_url(occasion) + f"#goal-{goal_id}")
    return render(request, "indicators/entry/assessment_page.html", context)


def _save_status_view(request, occasion, *, item, kind: str, url: str):
    form = StatusForm(request.POST)
    error = ""
    saved = False
    status = None
    if form.is_valid():
        data = form.cleaned_data
        save = save_assignment_status if kind == "uppdrag" else save_activity_status
        target = {"assignment": item} if kind == "uppdrag" else {"activity": item}
        try:
            outcome = save(
                user=request.user,
                occasion=occasion,
                status=data["status"],
                comment=data["comment"],
                expected_version=data["version"],
                **target,
            )
            status = outcome.record
            saved = True
            form = None
        except RecordConflict as conflict:
            error = conflict.messages[0]
            status = conflict.current
        except ValidationError as refused:
            error = " ".join(refused.messages)
    if status is None:
        status = item.statuses.filter(occasion=occasion).first()
    context = {
        "entry": StatusItem(item, status),
        "kind": kind,
        "form": form,
        "error": error,
        "saved": saved,
        "can_edit": occasion.is_open_for_entry,
        "url": url,
        "occasion": occasion,
        "statuses": WorkStatus.choices,
    }
    if request.htmx:
        return render(request, "indicators/entry/_status.html", context)
    if saved:
        messages.success(request, "Statusen är sparad.")
        return redirect(occasion_url(occasion) + f"#{kind}-{item.pk}")
    return render(request, "indicators/entry/status_page.html", context)


@require_POST
def save_assignment_view(
    request: HttpRequest, board_code: str, year: int, kind: str, assignment_id: int
) -> HttpResponse:
    occasion = get_occasion_for_user(request.user, board_code, year, kind, Action.ENTER)
    assignment = get_object_or_404(
        StrategicAssignment.objects.valid_in(occasion.year).filter(
            municipality_id=occasion.board.municipality_id
        ),
        pk=assignment_id,
    )
    if assignment.board_id is not None and assignment.board_id != occasion.board_id:
        raise Http404("Uppdraget finns inte.")
    url = occasion_url(occasion, "entry_save_assignment", assignment_id=assignment_id)
    return _save_status_view(request, occasion, item=assignment, kind="uppdrag", url=url)


@require_POST
def save_activity_view(
    request: HttpRequest, board_code: str, year: int, kind: str, activity_id: int
) -> HttpResponse:
    occasion = get_occasion_for_user(request.user, board_code, year, kind, Action.ENTER)
    activity = get_object_or_404(Activity, pk=activity_id, board=occasion.board, year=occasion.year)
    url = occasion_url(occasion, "entry_save_activity", activity_id=activity_id)
    return _save_status_view(request, occasion, item=activity, kind="aktivitet", url=url)
