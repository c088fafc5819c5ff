"""The entry page: a controller types a quarter's outcomes, field by field.

Each breakdown field is its own small form. With JavaScript, htmx posts it when the
controller leaves the field and swaps in the answer (Sparat, the error, a warning or a
conflict) right at the field; without JavaScript, its Spara button posts it and the page comes
back. Either way an invalid value is never stored and the typed text is shown again.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_POST

from goals.access import Action, can, get_board_for_user
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
    periods_for,
    single_field,
)
from indicators.forms import AssessmentForm, StatusForm, ValueForm
from indicators.models import Breakdown, Indicator, IndicatorBreakdown, MissingReason
from indicators.services import (
    SaveAllRefused,
    ValueConflict,
    ValueInput,
    save_value,
    save_values,
)

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
    deleted: bool = False

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
            "last_year_year_text": entry.last_year_year_text,
            "target_text": entry.target_text,
            "derived_text": entry.derived_text,
            "open": bool(missing_reason or comment or footnote or self.errors),
            "reason_options": _reason_options(missing_reason),
            "footnote": footnote,
            "comment": comment,
            "history_url": history_url(entry.value.pk) if entry.value is not None else "",
            "conflict": self.conflict,
            "errors": self.errors,
            "saved": self.saved and not self.errors and not self.deleted,
            "deleted": self.deleted,
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
    head, found, tail = reverse("indicators:value_history", args=[0]).rpartition("/0/")
    if not found:
        raise ValueError("value_history must end in /<value_id>/…")
    return lambda value_id: f"{head}/{value_id}/{tail}"


@require_GET
def entry_page(request: HttpRequest, board_code: str, year: int, kind: str) -> HttpResponse:
    occasion = get_occasion_for_user(request.user, board_code, year, kind, Action.VIEW)
    return _render_page(request, occasion)


def _render_page(
    request: HttpRequest,
    occasion: ReportingOccasion,
    *,
    typed: dict[str, dict[str, str]] | None = None,
    errors: dict[str, list[str]] | None = None,
    conflicts: set[str] = frozenset(),
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


CLEAR_NEEDS_CONFIRM = (
    "Fältet är tomt men har ett sparat värde. Kryssa i \u201dTa bort det sparade värdet\u201d "
    "och spara igen om värdet ska tas bort."
)
FIELD_NAMES = ("value", "missing_reason", "comment", "footnote", "version", "clear")
KEY_PATTERN = re.compile(r"^v(\d+)-(\d+)-([a-z]+)-(\d+)$")


def _occasion_for_entry(user, board_code: str, year: int, kind: str) -> ReportingOccasion:
    """The occasion and its board in one query (a save's budget is tight); else as the page."""
    occasion = (
        ReportingOccasion.objects.filter(board__code=board_code, year=year, kind=kind)
        .select_related("board__municipality")
        .first()
    )
    if occasion is None or not can(user, Action.ENTER, occasion.board):
        return get_occasion_for_user(user, board_code, year, kind, Action.ENTER)
    return occasion


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _field_posted(post, prefix: str) -> dict[str, str]:
    return {name: post.get(prefix + name, "") for name in FIELD_NAMES}


def _resolve_fields(occasion: ReportingOccasion, ids: set[int]):
    """Indicators of the occasion's board by id with their allowed breakdowns (two queries)."""
    indicators = {
        indicator.pk: indicator
        for indicator in Indicator.objects.filter(pk__in=ids, board_id=occasion.board_id)
    }
    allowed: dict[int, set[int]] = defaultdict(set)
    breakdowns: dict[int, Breakdown] = {}
    for link in (
        IndicatorBreakdown.objects.valid_in(occasion.year)
        .filter(indicator_id__in=list(indicators))
        .select_related("breakdown__org_unit")
    ):
        allowed[link.indicator_id].add(link.breakdown_id)
        breakdowns[link.breakdown_id] = link.breakdown
    if any(not allowed.get(pk) for pk in indicators):
        total = Breakdown.objects.filter(code="total").first()
        if total is not None:
            breakdowns[total.pk] = total
    return indicators, allowed, breakdowns


@dataclass
class PostedField:
    key: str
    indicator: Indicator
    breakdown: Breakdown
    period: Period
    typed: dict[str, str]
    form: ValueForm


def _posted_field(occasion, *, indicator, breakdown, period_type, period_number, typed):
    """One posted field checked against the occasion: 404 if it is not one of its fields."""
    try:
        if len(str(period_number)) > 2:
            raise ValueError(period_number)
        period = Period(occasion.year, PeriodType(period_type), int(period_number))
    except ValueError:
        raise Http404("Fältet finns inte.") from None
    if period not in periods_for(indicator, occasion.kind, occasion.year):
        raise Http404(PERIOD_NOT_DUE)
    form = ValueForm(
        {
            **typed,
            "indicator": indicator.pk,
            "breakdown": breakdown.pk,
            "period_type": period.type.value,
            "period_number": period.number,
        },
        unit=indicator.unit,
    )
    key = f"v{indicator.pk}-{breakdown.pk}-{period.type.value}-{period.number}"
    return PostedField(key, indicator, breakdown, period, typed, form)


def _value_input(posted: PostedField) -> tuple[ValueInput | None, list[str]]:
    """The service's input for a posted field, or the form's messages."""
    form = posted.form
    if not form.is_valid():
        return None, [message for messages_ in form.errors.values() for message in messages_]
    data = form.cleaned_data
    clearing = data["number"] is None and not data["is_missing"]
    if clearing and data["version"] > 0 and not posted.typed.get("clear"):
        return None, [CLEAR_NEEDS_CONFIRM]
    return (
        ValueInput(
            indicator=posted.indicator,
            breakdown=posted.breakdown,
            period_type=posted.period.type.value,
            period_number=posted.period.number,
            value=data["number"],
            missing_reason=data["missing_reason"],
            is_missing=data["is_missing"],
            comment=data["comment"],
            footnote=data["footnote"],
            expected_version=data["version"],
            key=posted.key,
        ),
        [],
    )


def _field_answer(*, state: str, version: int, messages_: list[tuple[str, str]], **extra):
    return {
        "state": state,
        "version": version,
        "messages": [{"kind": kind, "text": text} for kind, text in messages_],
        **extra,
    }


@require_POST
def save_value_view(request: HttpRequest, board_code: str, year: int, kind: str) -> HttpResponse:
    """One field. The page's script posts the plain names and gets JSON; without JavaScript
    the field's Spara button posts the whole grid with `field=<key>` and gets the page back."""
    occasion = _occasion_for_entry(request.user, board_code, year, kind)
    post = request.POST
    key = post.get("field", "")
    if key:
        match = KEY_PATTERN.match(key)
        if match is None:
            raise Http404("Fältet finns inte.")
        indicator_id, breakdown_id, period_type, period_number = match.groups()
        typed = _field_posted(post, key + "-")
    else:
        indicator_id, breakdown_id = post.get("indicator", ""), post.get("breakdown", "")
        period_type, period_number = post.get("period_type", ""), post.get("period_number", "")
        typed = _field_posted(post, "")
    try:
        link_ids = (int(indicator_id), int(breakdown_id))
    except ValueError:
        raise Http404("Fältet finns inte.") from None
    if not all(0 < number < 2**31 for number in link_ids):
        raise Http404("Fältet finns inte.")
    links = list(
        IndicatorBreakdown.objects.valid_in(occasion.year)
        .filter(indicator_id=link_ids[0], indicator__board_id=occasion.board_id)
        .select_related("indicator", "breakdown__org_unit")
    )
    allowed = {link.breakdown_id for link in links}
    if links:
        indicator = links[0].indicator
        breakdown = next(
            (link.breakdown for link in links if link.breakdown_id == link_ids[1]), None
        )
    else:
        indicator = Indicator.objects.filter(pk=link_ids[0], board_id=occasion.board_id).first()
        breakdown = Breakdown.objects.filter(pk=link_ids[1]).first()
        if breakdown is not None and not breakdown.is_total:
            breakdown = None
    if indicator is None or breakdown is None:
        raise Http404("Fältet finns inte.")
    posted = _posted_field(
        occasion,
        indicator=indicator,
        breakdown=breakdown,
        period_type=period_type,
        period_number=period_number,
        typed=typed,
    )
    row, errors = _value_input(posted)
    warnings: list[str] = []
    conflict = ""
    result = None
    version = int(typed["version"]) if typed["version"].isdigit() else 0
    if row is not None:
        try:
            result = save_value(
                user=request.user,
                indicator=indicator,
                year=occasion.year,
                period_type=row.period_type,
                period_number=row.period_number,
                breakdown=breakdown,
                value=row.value,
                missing_reason=row.missing_reason,
                is_missing=row.is_missing,
                comment=row.comment,
                footnote=row.footnote,
                expected_version=row.expected_version,
                allowed_breakdown_ids=allowed,
            )
            warnings = result.warnings
            version = result.value.version if result.value is not None else 0
        except ValueConflict as error:
            conflict = error.messages[0]
            version = error.current.version if error.current is not None else 0
        except ValidationError as error:
            errors = list(error.messages)

    if _wants_json(request):
        if result is not None:
            state = "deleted" if result.deleted else ("warning" if warnings else "saved")
            notes = [
                (
                    "deleted" if result.deleted else "saved",
                    "Borttaget" if result.deleted else "Sparat",
                )
            ]
            notes += [("warning", f"Varning: {warning}") for warning in warnings]
            return JsonResponse(_field_answer(state=state, version=version, messages_=notes))
        state = "conflict" if conflict else "error"
        notes = [("conflict", conflict)] if conflict else [("error", text) for text in errors]
        return JsonResponse(
            _field_answer(state=state, version=version, messages_=notes), status=422
        )

    saved = result is not None
    entry = single_field(occasion, indicator, breakdown, posted.period)
    cell = CellState(
        entry=entry,
        can_edit=occasion.is_open_for_entry,
        typed=None if saved else typed,
        errors=errors,
        warnings=warnings,
        saved=saved,
        conflict=conflict,
        deleted=bool(result and result.deleted),
    )
    context = {
        "cell": cell.view(lambda value_id: reverse("indicators:value_history", args=[value_id])),
        "save_url": occasion_url(occasion, "entry_save_value"),
        "grid_form": "entry-grid",
    }
    if request.htmx:
        return render(request, "indicators/entry/_value_form.html", context)
    if saved and not warnings:
        word = "Borttaget" if result.deleted else "Sparat"
        messages.success(request, f"{word}: {entry.label}.")
        return redirect(occasion_url(occasion) + f"#f-{entry.key}")
    return render(request, "indicators/entry/value_page.html", {**context, "occasion": occasion})


@require_POST
def save_all_view(request: HttpRequest, board_code: str, year: int, kind: str) -> HttpResponse:
    """ "Spara alla": every field of the grid in one request, all or nothing."""
    occasion = _occasion_for_entry(request.user, board_code, year, kind)
    keys = [
        key
        for key in request.POST.getlist("fields")
        if KEY_PATTERN.match(key) and all(len(part) < 10 for part in key.split("-"))
    ]
    parsed = [KEY_PATTERN.match(key).groups() for key in keys]
    indicators, allowed, breakdowns = _resolve_fields(occasion, {int(p[0]) for p in parsed})
    rows: list[ValueInput] = []
    errors: dict[str, list[str]] = {}
    typed_by_key: dict[str, dict[str, str]] = {}
    for key, (indicator_id, breakdown_id, period_type, period_number) in zip(
        keys, parsed, strict=True
    ):
        indicator = indicators.get(int(indicator_id))
        breakdown = breakdowns.get(int(breakdown_id))
        if indicator is None or breakdown is None:
            raise Http404("Fältet finns inte.")
        typed = _field_posted(request.POST, key + "-")
        typed_by_key[key] = typed
        posted = _posted_field(
            occasion,
            indicator=indicator,
            breakdown=breakdown,
            period_type=period_type,
            period_number=period_number,
            typed=typed,
        )
        row, messages_ = _value_input(posted)
        if row is None:
            errors[key] = messages_
        else:
            rows.append(row)
    conflicts: set[str] = set()
    results = []
    if not errors:
        try:
            results = save_values(
                user=request.user, occasion=occasion, rows=rows, allowed_breakdown_ids=allowed
            )
        except SaveAllRefused as refused:
            errors, conflicts = refused.field_errors, refused.conflicts
        except OccasionLockedError as error:
            errors = {"": list(error.messages)}
    if errors:
        if _wants_json(request):
            answer = {
                key: _field_answer(
                    state="conflict" if key in conflicts else "error",
                    version=int(typed_by_key.get(key, {}).get("version") or 0),
                    messages_=[
                        ("conflict" if key in conflicts else "error", text) for text in texts
                    ],
                )
                for key, texts in errors.items()
            }
            return JsonResponse({"state": "refused", "fields": answer}, status=422)
        messages.error(
            request,
            f"Inget sparades: {len(errors)} fält behöver rättas. Felen står vid fälten.",
        )
        return _render_page(
            request,
            occasion,
            typed=typed_by_key,
            errors=errors,
            conflicts=conflicts,
            status=422,
        )
    written = sum(1 for result in results if result.changed)
    if _wants_json(request):
        answer = {}
        for row, result in zip(rows, results, strict=True):
            notes = [("warning", f"Varning: {warning}") for warning in result.warnings]
            state = "deleted" if result.deleted else ("warning" if notes else "saved")
            notes.insert(0, ("deleted", "Borttaget") if result.deleted else ("saved", "Sparat"))
            answer[row.key] = _field_answer(
                state=state,
                version=result.value.version if result.value is not None else 0,
                messages_=notes,
            )
        return JsonResponse({"state": "saved", "written": written, "fields": answer})
    messages.success(request, f"Sparat: {written} fält ändrades.")
    return redirect(occasion_url(occasion))


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
