"""Write paths for outcome values: one service that every path (form, import, command) uses.

`save_value` checks the user's right, the lock of approved occasions, the version the user
started from (no lost updates), validates with full_clean() and writes the value, its comment
and its footnote in one transaction, recording the source on the history row.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Case, OuterRef, Q, Subquery, Value, When
from django.utils import timezone
from simple_history.manager import HistoryManager

from core.audit import ChangeSource, change_source
from core.changes import data_changed
from goals.access import Action, can
from goals.locks import lock_periods_for_entry
from goals.models import ReportingOccasion
from goals.periods import Period, PeriodType
from goals.users import user_label
from indicators.formatting import format_number
from indicators.models import (
    Breakdown,
    Footnote,
    Indicator,
    IndicatorValue,
    MissingReason,
)
from indicators.parsing import WARN_SHARE_RANGE, plausibility_warnings  # noqa: F401
from indicators.yearrule import is_derivable, year_rule_warning

if TYPE_CHECKING:
    from django.contrib.auth.models import User

NO_RIGHT = "Du saknar behörighet att registrera utfall för nämnden."
COMPUTED_READ_ONLY = "Indikatorn beräknas från andra uppgifter och kan inte registreras."
MISSING_REASON_REQUIRED = "Ange skäl till I.U."
VALUE_AND_MISSING = "Ange antingen ett värde eller I.U., inte båda."
UNKNOWN_MISSING_REASON = "Välj ett av de angivna skälen till I.U."
BREAKDOWN_NOT_REPORTED = "Indikatorn redovisas inte med uppdelningen {breakdown} år {year}."
INDICATOR_NOT_VALID = "Indikatorn gäller inte år {year}."
WRONG_PERIOD_TYPE = "Indikatorn rapporteras per {frequency}, inte per {period_type}."
CONFLICT_CHANGED = (
    "{user} sparade {value} här {when} medan du skrev. Ditt värde {yours} sparades inte: "
    "kontrollera och spara igen om ditt värde ska gälla."
)
CONFLICT_DELETED = (
    "{user} tog bort värdet {when} medan du skrev. Ditt värde {yours} sparades inte: "
    "kontrollera och spara igen."
)
CONFLICT_CREATED = CONFLICT_CHANGED
TEXT_ON_NUMERIC = "Indikatorn redovisas med tal: skriv ett tal eller I.U., inte en text."
NUMBER_ON_TEXT = "Indikatorn är kvalitativ: skriv resultatet i ord, inte som ett tal."
TEXT_AND_OTHER = "Ange antingen en text, ett värde eller I.U. – inte flera av dem."
TEXT_TOO_LONG = "Textutfallet får vara högst {limit} tecken."
TEXT_MAX_LENGTH = 4000
PERIOD_NUMBER_INVALID = "Periodnumret finns inte för periodtypen."
PERIOD_NOT_IN_OCCASION = "Perioden ingår inte i tillfället."

WARN_FAR_FROM_HISTORY = (
    "Värdet {value} avviker mycket från indikatorns historik (medel {mean}, "
    "mer än tre standardavvikelser). Kontrollera värdet."
)
WARN_GENDER_SUM = "Kvinnor ({women}) + män ({men}) = {sum}, men totalen är {total}."

HISTORY_MINIMUM = 4
HISTORY_YEARS = 5


class ValueConflict(ValidationError):
    """Another user saved the same value after this user started: nothing was written."""

    def __init__(self, message: str, *, current: IndicatorValue | None) -> None:
        self.current = current
        super().__init__(message, code="conflict")


@dataclass
class SaveResult:
    value: IndicatorValue | None
    warnings: list[str] = field(default_factory=list)
    changed: bool = True
    deleted: bool = False  # a stored value was removed (the page says "Borttaget")


def _when(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _shown(value: IndicatorValue | None, decimals: int) -> str:
    if value is None:
        return "inget värde"
    if value.text:
        return f"\u201d{value.text}\u201d"
    if value.value is None:
        return f"I.U. ({value.get_missing_reason_display()})"
    return format_number(value.value, value.decimals if value.decimals is not None else decimals)


def _typed(value: Decimal | None, missing_reason: str, decimals: int, text: str = "") -> str:
    if text:
        return f"\u201d{text}\u201d"
    if value is not None:
        exponent = value.as_tuple().exponent  # an int: parsed values are finite
        typed = -exponent if isinstance(exponent, int) else 0
        return format_number(value, max(decimals, typed))
    if missing_reason:
        return "I.U."
    return "(tomt)"


def _conflict(
    current: IndicatorValue | None,
    *,
    indicator: Indicator,
    value: Decimal | None,
    missing_reason: str,
    text: str = "",
    deleted_by: User | None = None,
    deleted_at: datetime | None = None,
) -> ValueConflict:
    yours = _typed(value, missing_reason, indicator.decimals, text)
    if current is None:
        return ValueConflict(
            CONFLICT_DELETED.format(
                user=user_label(deleted_by), when=_when(deleted_at), yours=yours
            ),
            current=None,
        )
    return ValueConflict(
        CONFLICT_CHANGED.format(
            user=user_label(current.updated_by),
            value=_shown(current, indicator.decimals),
            when=_when(current.updated_at),
            yours=yours,
        ),
        current=current,
    )


def check_value_input(
    *,
    indicator: Indicator,
    period: Period,
    breakdown: Breakdown,
    value: Decimal | None,
    missing_reason: str,
    text: str = "",
) -> None:
    """The checks that need no lock; raises ValidationError with a Swedish message.

    A qualitative indicator (unit text) takes a text or I.U., never a number; every other
    indicator takes a number or I.U., never a text. Exactly one of number, text and I.U.
    """
    year = period.year
    if indicator.is_computed:
        raise ValidationError(COMPUTED_READ_ONLY, code="computed")
    # A year value before the start is a baseline (Indicator.accepts_year); periods are not.
    if not indicator.accepts_year(year) or (
        not indicator.is_valid_in(year) and period.type != PeriodType.YEAR
    ):
        raise ValidationError(INDICATOR_NOT_VALID.format(year=year), code="not_valid")
    if period.type != PeriodType.YEAR and period.type != indicator.frequency:
        raise ValidationError(
            WRONG_PERIOD_TYPE.format(
                frequency=indicator.get_frequency_display().lower(),
                period_type=PeriodType(period.type).label.lower(),
            ),
            code="period_type",
        )
    if not indicator.reports_breakdown(breakdown, year):
        raise ValidationError(
            BREAKDOWN_NOT_REPORTED.format(breakdown=breakdown.label, year=year), code="breakdown"
        )
    if value is not None and missing_reason:
        raise ValidationError(VALUE_AND_MISSING, code="both")
    if text and (value is not None or missing_reason):
        raise ValidationError(TEXT_AND_OTHER, code="text_and_other")
    if text and not indicator.is_qualitative:
        raise ValidationError(TEXT_ON_NUMERIC, code="text_on_numeric")
    if value is not None and indicator.is_qualitative:
        raise ValidationError(NUMBER_ON_TEXT, code="number_on_text")
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError(TEXT_TOO_LONG.format(limit=TEXT_MAX_LENGTH), code="text_length")
    if missing_reason and missing_reason not in MissingReason.values:
        raise ValidationError(UNKNOWN_MISSING_REASON, code="reason")


@dataclass
class ValueInput:
    """One field as a form or "Spara alla" sends it; `key` names the field in error answers."""

    indicator: Indicator
    breakdown: Breakdown
    period: Period
    value: Decimal | None
    missing_reason: str = ""
    comment: str = ""
    footnote: str | None = None
    expected_version: int = 0
    is_missing: bool = False
    key: str = ""
    text: str = ""  # a qualitative indicator's outcome in words


class SaveAllRefused(ValidationError):
    """Some fields of a "Spara alla" were refused: nothing was written. errors: key → messages."""

    def __init__(self, errors: dict[str, list[str]], conflicts: set[str]) -> None:
        self.field_errors = errors
        self.conflicts = conflicts
        super().__init__(
            [message for messages in errors.values() for message in messages], code="refused"
        )


def _check_row(row: ValueInput, *, user: User) -> None:
    """The per-value rules, the same for one field and for "Spara alla"."""
    if not can(user, Action.ENTER, row.indicator.board_id):
        raise ValidationError(NO_RIGHT, code="no_right")
    if row.is_missing and not row.missing_reason:
        raise ValidationError(MISSING_REASON_REQUIRED, code="reason_required")
    if not row.is_missing:
        row.missing_reason = ""
    # As typed, with one kind of line break: a browser posts a textarea's lines with CRLF.
    row.text = row.text.replace("\r\n", "\n").replace("\r", "\n").strip()
    check_value_input(
        indicator=row.indicator,
        period=row.period,
        breakdown=row.breakdown,
        value=row.value,
        missing_reason=row.missing_reason,
        text=row.text,
    )


@transaction.atomic
def save_value(
    *,
    user: User,
    indicator: Indicator,
    period: Period,
    breakdown: Breakdown,
    value: Decimal | None,
    missing_reason: str = "",
    comment: str = "",
    footnote: str | None = None,
    expected_version: int,
    source: ChangeSource = ChangeSource.FORM,
    is_missing: bool = False,
    text: str = "",
) -> SaveResult:
    """Write one outcome (or I.U., or clear it) if nobody changed it since `expected_version`.

    expected_version is the version the user's form or file started from; 0 means "there was
    no value". `is_missing` marks I.U.; then `missing_reason` is required. `text` is the
    outcome of a qualitative indicator (unit text), in place of a number. An empty value that
    is neither I.U. nor a text removes the stored value. `footnote` None leaves the value's footnote as it is;
    a text sets it; "" removes it. A retry of a save that committed but whose answer was lost
    (the version moved, but the row holds exactly this content, last saved by this user) is
    answered as saved and writes nothing. The breakdowns the indicator is reported by in the
    period's year are the indicator's (`Indicator.reports_breakdown`).
    """
    row = ValueInput(
        indicator=indicator,
        breakdown=breakdown,
        period=period,
        value=value,
        missing_reason=missing_reason,
        comment=comment,
        footnote=footnote,
        expected_version=expected_version,
        is_missing=is_missing,
        text=text,
    )
    _check_row(row, user=user)
    with change_source(source):
        lock_periods_for_entry(board_id=indicator.board_id, periods=[period])
        plan = _plan(user=user, year=period.year, rows=[row])
        if plan.errors:
            raise plan.errors[0][1]
        result = _write(user=user, year=period.year, plan=plan, source=source)[0]
    if result.changed:
        data_changed(board_id=indicator.board_id, year=period.year)
    return result


@transaction.atomic
def save_values(
    *,
    user: User,
    occasion: ReportingOccasion,
    rows: list[ValueInput],
    source: ChangeSource = ChangeSource.FORM,
) -> list[SaveResult]:
    """ "Spara alla": every field of an occasion in one transaction, all or nothing.

    Each row meets the same rules as `save_value` (`_check_row`, the version check, the
    retry rule, the lock); any refusal raises SaveAllRefused with the messages per field key
    and nothing is written. Rows whose content is what is stored are not written. The reads
    and writes are a fixed number of queries whatever the number of rows, once the caller has
    handed over the indicators' breakdowns (`Indicator.remember_reported_breakdowns`).
    """
    errors: dict[str, list[str]] = {}
    checked: list[ValueInput] = []
    for row in rows:
        try:
            if row.period.year != occasion.year:
                raise ValidationError(PERIOD_NOT_IN_OCCASION, code="period")
            _check_row(row, user=user)
            checked.append(row)
        except ValidationError as error:
            errors.setdefault(row.key, []).extend(error.messages)
    with change_source(source):
        lock_periods_for_entry(board_id=occasion.board_id, periods=[row.period for row in checked])
        plan = _plan(user=user, year=occasion.year, rows=checked)
        conflicts = set()
        for row, refusal in plan.errors:
            errors.setdefault(row.key, []).extend(refusal.messages)
            if isinstance(refusal, ValueConflict):
                conflicts.add(row.key)
        if errors:
            raise SaveAllRefused(errors, conflicts)
        results = _write(user=user, year=occasion.year, plan=plan, source=source)
    if any(result.changed for result in results):
        data_changed(board_id=occasion.board_id, year=occasion.year)
    return results


def _row_key(
    indicator_id: int, breakdown_id: int, year: int, period_type: str, period_number: int
) -> tuple[int, int, int, str, int]:
    return (indicator_id, breakdown_id, year, PeriodType(period_type).value, period_number)


@dataclass
class _Plan:
    """What a save will do, decided under the row locks before anything is written."""

    results: list[tuple[ValueInput, IndicatorValue | None, str]] = field(default_factory=list)
    errors: list[tuple[ValueInput, ValidationError]] = field(default_factory=list)
    footnotes: dict[int, Footnote] = field(default_factory=dict)  # value pk → first footnote
    soft: SoftCheckData | None = None


UNCHANGED, CREATE, UPDATE, DELETE, NOTHING = "unchanged", "create", "update", "delete", "nothing"


def _same_content(current: IndicatorValue, row: ValueInput, note_text: str) -> bool:
    return (
        current.value == row.value
        and current.missing_reason == row.missing_reason
        and current.text == row.text
        and current.comment == row.comment
        and (row.footnote is None or row.footnote.strip() == note_text)
    )


def _plan(*, user: User, year: int, rows: list[ValueInput]) -> _Plan:
    """Read the stored rows, their first footnotes and what the soft checks need, in one query.

    The read takes no row lock: `_write` updates each row only where its version is still the
    one read here (compare and swap), so a save that committed in between makes this one a
    conflict rather than a lost update.
    """
    plan = _Plan()
    if not rows:
        return plan
    stored = _read_stored(plan, year=year, rows=rows)
    for row in rows:
        current = stored.get(
            _row_key(row.indicator.pk, row.breakdown.pk, year, row.period.type, row.period.number)
        )
        if current is not None:
            current.indicator, current.breakdown = row.indicator, row.breakdown
            current.expected = current.version
        _plan_row(plan, row, current, user=user, year=year)
    return plan


def _read_stored(plan: _Plan, *, year: int, rows: list[ValueInput]) -> dict[tuple, IndicatorValue]:
    """The year's stored values of the rows' indicators by row key, in one query.

    The same read fills the plan's first footnotes and the soft checks' rows: the history
    years and, for the year rule, the year's other periods.
    """
    pairs = {(row.indicator.pk, PeriodType(row.period.type).value) for row in rows}
    condition = Q(pk__in=[])
    for indicator_id, period_type in pairs:
        condition |= Q(
            indicator_id=indicator_id, period_type=period_type, year__gte=year - HISTORY_YEARS
        )
    # The year rule compares the year value with the year's periods: read those too.
    for indicator in {row.indicator.pk: row.indicator for row in rows}.values():
        if is_derivable(indicator):
            condition |= Q(
                indicator_id=indicator.pk,
                year=year,
                period_type__in=[PeriodType.YEAR.value, PeriodType(indicator.frequency).value],
            )
    first_note = Footnote.objects.filter(value=OuterRef("pk")).order_by("order", "pk")
    stored: dict[tuple, IndicatorValue] = {}
    soft_rows = []
    for value in (
        IndicatorValue.objects.filter(condition)
        .order_by()
        .select_related("breakdown")
        .annotate(
            note_id=Subquery(first_note.values("pk")[:1]),
            note_text=Subquery(first_note.values("text")[:1]),
            note_order=Subquery(first_note.values("order")[:1]),
        )
    ):
        soft_rows.append(_soft_row(value, value.breakdown))
        if value.year != year:
            continue
        stored[
            _row_key(
                value.indicator_id, value.breakdown_id, year, value.period_type, value.period_number
            )
        ] = value
        if value.note_id is not None:
            plan.footnotes[value.pk] = Footnote(
                pk=value.note_id, value_id=value.pk, text=value.note_text, order=value.note_order
            )
    plan.soft = SoftCheckData(rows=soft_rows)
    return stored


def _plan_row(
    plan: _Plan, row: ValueInput, current: IndicatorValue | None, *, user: User, year: int
) -> None:
    """Decide one row: a conflict, an answered retry, nothing, a delete, unchanged or a write."""
    note = plan.footnotes.get(current.pk) if current is not None else None
    note_text = note.text if note is not None else ""
    clearing = row.value is None and not row.missing_reason and not row.text
    current_version = current.version if current is not None else 0
    if current_version != row.expected_version:
        if _is_retry(current, row, user=user, year=year, note_text=note_text, clearing=clearing):
            # The save committed but its answer was lost: the retry is already saved.
            plan.results.append((row, current, UNCHANGED if current else NOTHING))
        else:
            plan.errors.append((row, _conflict_for(current, row, year=year)))
        return
    if clearing:
        plan.results.append((row, current, DELETE if current is not None else NOTHING))
        return
    if current is not None and _same_content(current, row, note_text):
        plan.results.append((row, current, UNCHANGED))
        return
    target = current or IndicatorValue(
        indicator=row.indicator,
        breakdown=row.breakdown,
        year=year,
        period_type=row.period.type,
        period_number=row.period.number,
    )
    target.value = row.value
    target.missing_reason = row.missing_reason
    target.text = row.text
    target.comment = row.comment
    target.version = current_version + 1
    target.updated_by = user
    target._history_user = user
    try:
        # The keys were checked above and the database enforces them; the fields (digits,
        # lengths, choices) are validated here, without a query.
        target.clean_fields(exclude=["indicator", "breakdown", "updated_by"])
    except ValidationError as error:
        plan.errors.append((row, error))
        return
    plan.results.append((row, target, UPDATE if current is not None else CREATE))


def _soft_row(value: IndicatorValue, breakdown: Breakdown) -> tuple:
    return (
        value.pk,
        value.indicator_id,
        value.breakdown_id,
        value.year,
        PeriodType(value.period_type).value,
        value.period_number,
        value.value,
        breakdown.gender,
        breakdown.org_unit_id,
        breakdown.category,
        value.decimals,
    )


def _is_retry(
    current: IndicatorValue | None,
    row: ValueInput,
    *,
    user: User,
    year: int,
    note_text: str,
    clearing: bool,
) -> bool:
    """Whether the stored row is exactly this save by this user (a retry after a lost answer)."""
    user_id = getattr(user, "pk", None)
    if current is None:
        if not clearing:
            return False
        last = (
            IndicatorValue.history.filter(
                indicator_id=row.indicator.pk,
                breakdown_id=row.breakdown.pk,
                year=year,
                period_type=row.period.type,
                period_number=row.period.number,
            )
            .order_by("-history_date", "-history_id")
            .values_list("history_type", "history_user_id")
            .first()
        )
        return last is not None and last == ("-", user_id)
    return (
        not clearing and current.updated_by_id == user_id and _same_content(current, row, note_text)
    )


def _update_if_unchanged(values: list[IndicatorValue]) -> None:
    """One UPDATE for all changed rows, each only where its version is the one read.

    If any row moved since it was read (another save committed in between), nothing of this
    save stands: the transaction is rolled back by the conflict.
    """
    fields = [
        "value",
        "missing_reason",
        "text",
        "comment",
        "version",
        "updated_by_id",
        "updated_at",
    ]
    condition = Q(pk__in=[])
    for value in values:
        condition |= Q(pk=value.pk, version=value.expected)
    if len(values) == 1:
        value = values[0]
        changes = {name: getattr(value, name) for name in fields}
    else:
        changes = {}
        for name in fields:
            # Every name but updated_by_id is a concrete column of the model.
            output = (
                models.IntegerField()
                if name == "updated_by_id"
                else cast("models.Field[Any, Any]", IndicatorValue._meta.get_field(name))
            )
            changes[name] = Case(
                *[
                    When(pk=value.pk, then=Value(getattr(value, name), output_field=output))
                    for value in values
                ],
                output_field=output,
            )
    count = IndicatorValue._base_manager.filter(condition).update(**changes)
    if count != len(values):
        moved = IndicatorValue.objects.filter(pk__in=[value.pk for value in values]).values_list(
            "pk", "version"
        )
        versions = dict(moved)
        value = next(value for value in values if versions.get(value.pk) != value.expected)
        row = ValueInput(
            indicator=value.indicator,
            breakdown=value.breakdown,
            period=value.period,
            value=value.value,
            missing_reason=value.missing_reason,
            text=value.text,
        )
        current = IndicatorValue.objects.filter(pk=value.pk).first()
        raise _conflict_for(current, row, year=value.year)


def _conflict_for(current: IndicatorValue | None, row: ValueInput, *, year: int) -> ValueConflict:
    indicator = row.indicator
    if current is None:
        last = (
            IndicatorValue.history.filter(
                indicator_id=indicator.pk,
                year=year,
                period_type=row.period.type,
                period_number=row.period.number,
                breakdown_id=row.breakdown.pk,
            )
            .select_related("history_user")
            .order_by("-history_date")
            .first()
        )
        return _conflict(
            None,
            indicator=indicator,
            value=row.value,
            missing_reason=row.missing_reason,
            text=row.text,
            deleted_by=last.history_user if last else None,
            deleted_at=last.history_date if last else None,
        )
    # Read it again for the message: the locked row's joins may predate the wait.
    current = IndicatorValue.objects.select_related("updated_by").get(pk=current.pk)
    return _conflict(
        current,
        indicator=indicator,
        value=row.value,
        missing_reason=row.missing_reason,
        text=row.text,
    )


def _write(*, user: User, year: int, plan: _Plan, source: ChangeSource) -> list[SaveResult]:
    """Write the plan in a fixed number of queries.

    The covering occasions are locked and checked (`goals.locks.lock_periods_for_entry`) and
    the rows are read (`_plan`) before this runs, in the same transaction, so the bulk writes
    go through the base manager rather than repeat the model guard's lock queries row by row;
    the history rows simple-history would write are written here in bulk, with the source.
    """
    history = _HistoryWrite(user=user, now=timezone.now(), source=source)
    _write_values(plan, year=year, history=history)
    results, new_notes, changed_notes = _write_rows(plan, year=year, user=user)
    _write_footnotes(new_notes, changed_notes, history=history)
    written = [
        value
        for _, value, action in plan.results
        if action in (CREATE, UPDATE) and value is not None
    ]
    known = plan.soft.written(written) if plan.soft else None
    for result in results:
        if result.value is not None:
            result.warnings = soft_checks(result.value, known=known)
    return results


@dataclass
class _HistoryWrite:
    """Who, when and from where: the history rows written in bulk beside the rows."""

    user: User
    now: datetime
    source: str

    def record(self, manager: HistoryManager, rows: list, *, update: bool = False) -> None:
        manager.bulk_history_create(
            rows,
            update=update,
            default_user=self.user,
            default_date=self.now,
            custom_historical_attrs={"history_source": ChangeSource(self.source).value},
        )


def _write_values(plan: _Plan, *, year: int, history: _HistoryWrite) -> None:
    """The changed values in one UPDATE, the new ones in one INSERT, each with its history."""
    created = [value for _, value, action in plan.results if action == CREATE and value is not None]
    updated = [value for _, value, action in plan.results if action == UPDATE and value is not None]
    for value in created + updated:
        value.updated_at = history.now
    if updated:
        _update_if_unchanged(updated)
        history.record(IndicatorValue.history, updated, update=True)
    if not created:
        return
    try:
        with transaction.atomic():
            IndicatorValue._base_manager.bulk_create(created)
    except IntegrityError:
        # Someone created one of these values at the same moment; theirs stands.
        row = next(row for row, _, action in plan.results if action == CREATE)
        other = (
            IndicatorValue.objects.select_related("updated_by")
            .filter(
                indicator=row.indicator,
                year=year,
                period_type=row.period.type,
                period_number=row.period.number,
                breakdown=row.breakdown,
            )
            .first()
        )
        raise _conflict(
            other,
            indicator=row.indicator,
            value=row.value,
            missing_reason=row.missing_reason,
            text=row.text,
        ) from None
    history.record(IndicatorValue.history, created)


def _write_rows(
    plan: _Plan, *, year: int, user: User
) -> tuple[list[SaveResult], list[Footnote], list[Footnote]]:
    """Each row's result; the deletes are done here, the footnotes to write are collected."""
    new_notes: list[Footnote] = []
    changed_notes: list[Footnote] = []
    results: list[SaveResult] = []
    for row, value, action in plan.results:
        if action == NOTHING or value is None:
            results.append(SaveResult(value=None, changed=False))
            continue
        if action == DELETE:
            if IndicatorValue.objects.filter(pk=value.pk, version=value.expected).count() != 1:
                raise _conflict_for(None, row, year=year)
            value._history_user = user
            value.delete()
            results.append(SaveResult(value=None, changed=True, deleted=True))
            continue
        if action in (CREATE, UPDATE) and row.footnote is not None:
            text = row.footnote.strip()
            note = plan.footnotes.get(value.pk)
            if note is None and text:
                note = Footnote(value=value, text=text)
                note.clean_fields(exclude=["value", "indicator", "target", "board_goal"])
                new_notes.append(note)
            elif note is not None and not text:
                note._history_user = user
                note.delete()
            elif note is not None and note.text != text:
                note.text = text
                note.clean_fields(exclude=["value", "indicator", "target", "board_goal"])
                changed_notes.append(note)
        results.append(SaveResult(value=value, changed=action in (CREATE, UPDATE)))
    return results, new_notes, changed_notes


def _write_footnotes(
    new: list[Footnote], changed: list[Footnote], *, history: _HistoryWrite
) -> None:
    if new:
        Footnote._base_manager.bulk_create(new)
        history.record(Footnote.history, new)
    if changed:
        Footnote._base_manager.bulk_update(changed, ["text"])
        history.record(Footnote.history, changed, update=True)


def value_footnote_text(value: IndicatorValue) -> str:
    note = Footnote.objects.filter(value=value).order_by("order", "pk").first()
    return note.text if note is not None else ""


@dataclass
class SoftCheckData:
    """The rows soft_checks reads, read once for many values (one query)."""

    rows: list[tuple] = field(default_factory=list)
    # (pk, indicator_id, breakdown_id, year, period_type, period_number, value, gender,
    #  org_unit_id, category, decimals)

    def written(self, values: list[IndicatorValue]) -> SoftCheckData:
        """The rows as they are after these values were written (read before the write)."""
        replaced = {value.pk: value for value in values if value.pk is not None}
        rows = [
            _soft_row(replaced[row[0]], replaced[row[0]].breakdown) if row[0] in replaced else row
            for row in self.rows
        ]
        present = {row[0] for row in self.rows}
        rows += [_soft_row(value, value.breakdown) for value in values if value.pk not in present]
        return SoftCheckData(rows=rows)

    def history(self, value: IndicatorValue) -> list[Decimal]:
        period_type = PeriodType(value.period_type).value
        return [
            row[6]
            for row in self.rows
            if row[1] == value.indicator_id
            and row[2] == value.breakdown_id
            and row[4] == period_type
            and row[3] >= value.year - HISTORY_YEARS
            and row[6] is not None
            and row[0] != value.pk
        ]

    def year_rows(self, value: IndicatorValue) -> list[tuple]:
        """The value's year and period rows of its year, as `yearrule.year_rule_warning` reads them."""
        return [
            (row[4], row[5], row[6], row[10])
            for row in self.rows
            if row[1] == value.indicator_id
            and row[2] == value.breakdown_id
            and row[3] == value.year
        ]

    def siblings(self, value: IndicatorValue) -> dict[str, Decimal | None]:
        period_type = PeriodType(value.period_type).value
        breakdown = value.breakdown
        return {
            row[7]: row[6]
            for row in self.rows
            if row[1] == value.indicator_id
            and row[3] == value.year
            and row[4] == period_type
            and row[5] == value.period_number
            and row[8] == breakdown.org_unit_id
            and row[9] == breakdown.category
        }


def soft_checks(value: IndicatorValue, *, known: SoftCheckData | None = None) -> list[str]:
    """Warnings that allow saving: a share outside 0–100 %, far from history, K + M ≠ total.

    `known` is the rows read once for many values (`soft_check_data`); without it they are read
    here.
    """
    if value.value is None:
        return []
    indicator = value.indicator
    warnings: list[str] = []
    warnings += plausibility_warnings(value.value, unit=indicator.unit)
    history = (
        known.history(value)
        if known is not None
        else list(
            IndicatorValue.objects.filter(
                indicator_id=value.indicator_id,
                breakdown_id=value.breakdown_id,
                period_type=value.period_type,
                year__gte=value.year - HISTORY_YEARS,
                value__isnull=False,
            )
            .exclude(pk=value.pk)
            .values_list("value", flat=True)
        )
    )
    if len(history) >= HISTORY_MINIMUM:
        mean = statistics.fmean(float(number) for number in history)
        deviation = statistics.pstdev(float(number) for number in history)
        if deviation > 0 and abs(float(value.value) - mean) > 3 * deviation:
            warnings.append(
                WARN_FAR_FROM_HISTORY.format(
                    value=format_number(value.value, indicator.decimals),
                    mean=format_number(Decimal(str(round(mean, 4))), indicator.decimals),
                )
            )
    warning = gender_sum_warning(value, known=known)
    if warning:
        warnings.append(warning)
    year_rows = known.year_rows(value) if known is not None else None
    warnings.extend(filter(None, [year_rule_warning(value, rows=year_rows)]))
    return warnings


def gender_sum_warning(value: IndicatorValue, *, known: SoftCheckData | None = None) -> str:
    """K + M ≠ total, for indicators whose parts add up (counts and amounts, not shares)."""
    if value.indicator.unit not in (Indicator.Unit.COUNT, Indicator.Unit.KRONOR):
        return ""
    if value.indicator.aggregation == Indicator.Aggregation.AVERAGE:
        return ""
    breakdown = value.breakdown
    siblings = (
        known.siblings(value)
        if known is not None
        else {
            row.breakdown.gender: row.value
            for row in IndicatorValue.objects.filter(
                indicator_id=value.indicator_id,
                year=value.year,
                period_type=value.period_type,
                period_number=value.period_number,
                breakdown__org_unit_id=breakdown.org_unit_id,
                breakdown__category=breakdown.category,
            ).select_related("breakdown")
        }
    )
    women, men, total = siblings.get("K"), siblings.get("M"), siblings.get("")
    if women is None or men is None or total is None or women + men == total:
        return ""
    decimals = value.indicator.decimals
    return WARN_GENDER_SUM.format(
        women=format_number(women, decimals),
        men=format_number(men, decimals),
        sum=format_number(women + men, decimals),
        total=format_number(total, decimals),
    )


def period_of(year: int, period_type: str, period_number: int) -> Period:
    return Period(year, PeriodType(period_type), period_number)
