"""Write paths for outcome values: one service that every path (form, import, command) uses.

`save_value` checks the user's right, the lock of approved occasions, the version the user
started from (no lost updates), validates with full_clean() and writes the value, its comment
and its footnote in one transaction, recording the source on the history row.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Case, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from core.audit import ChangeSource, change_source
from goals.access import Action, can
from goals.models import ReportingOccasion
from goals.periods import Period, PeriodType
from indicators.formatting import format_number
from indicators.models import (
    Breakdown,
    Footnote,
    Indicator,
    IndicatorBreakdown,
    IndicatorValue,
    MissingReason,
)
from indicators.parsing import WARN_SHARE_RANGE, plausibility_warnings  # noqa: F401
from indicators.yearrule import is_derivable, year_rule_warning

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
PERIOD_NUMBER_INVALID = "Periodnumret finns inte för periodtypen."

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


def _user_label(user) -> str:
    if user is None:
        return "En annan användare"
    return user.get_full_name() or user.get_username()


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _shown(value: IndicatorValue | None, decimals: int) -> str:
    if value is None:
        return "inget värde"
    if value.value is None:
        return f"I.U. ({value.get_missing_reason_display()})"
    return format_number(value.value, value.decimals if value.decimals is not None else decimals)


def _typed(value: Decimal | None, missing_reason: str, decimals: int) -> str:
    if value is not None:
        return format_number(value, max(decimals, -value.as_tuple().exponent))
    if missing_reason:
        return "I.U."
    return "(tomt)"


def _conflict(
    current: IndicatorValue | None,
    *,
    indicator: Indicator,
    value: Decimal | None,
    missing_reason: str,
    deleted_by=None,
    deleted_at=None,
) -> ValueConflict:
    yours = _typed(value, missing_reason, indicator.decimals)
    if current is None:
        return ValueConflict(
            CONFLICT_DELETED.format(
                user=_user_label(deleted_by), when=_when(deleted_at), yours=yours
            ),
            current=None,
        )
    return ValueConflict(
        CONFLICT_CHANGED.format(
            user=_user_label(current.updated_by),
            value=_shown(current, indicator.decimals),
            when=_when(current.updated_at),
            yours=yours,
        ),
        current=current,
    )


def check_value_input(
    *,
    indicator: Indicator,
    year: int,
    period_type: str,
    breakdown: Breakdown,
    value: Decimal | None,
    missing_reason: str,
    allowed_breakdown_ids: set[int] | None = None,
) -> None:
    """The checks that need no lock; raises ValidationError with a Swedish message."""
    if indicator.is_computed:
        raise ValidationError(COMPUTED_READ_ONLY, code="computed")
    if not indicator.is_valid_in(year):
        raise ValidationError(INDICATOR_NOT_VALID.format(year=year), code="not_valid")
    if period_type != PeriodType.YEAR and period_type != indicator.frequency:
        raise ValidationError(
            WRONG_PERIOD_TYPE.format(
                frequency=indicator.get_frequency_display().lower(),
                period_type=PeriodType(period_type).label.lower(),
            ),
            code="period_type",
        )
    if allowed_breakdown_ids is None:
        allowed_breakdown_ids = set(
            IndicatorBreakdown.objects.valid_in(year)
            .filter(indicator=indicator)
            .values_list("breakdown_id", flat=True)
        )
    # An indicator without configured breakdowns is reported as a total only.
    if (allowed_breakdown_ids and breakdown.pk not in allowed_breakdown_ids) or (
        not allowed_breakdown_ids and not breakdown.is_total
    ):
        raise ValidationError(
            BREAKDOWN_NOT_REPORTED.format(breakdown=breakdown.label, year=year), code="breakdown"
        )
    if value is not None and missing_reason:
        raise ValidationError(VALUE_AND_MISSING, code="both")
    if missing_reason and missing_reason not in MissingReason.values:
        raise ValidationError(UNKNOWN_MISSING_REASON, code="reason")


@dataclass
class ValueInput:
    """One field as a form or "Spara alla" sends it; `key` names the field in error answers."""

    indicator: Indicator
    breakdown: Breakdown
    period_type: str
    period_number: int
    value: Decimal | None
    missing_reason: str = ""
    comment: str = ""
    footnote: str | None = None
    expected_version: int = 0
    is_missing: bool = False
    key: str = ""


class SaveAllRefused(ValidationError):
    """Some fields of a "Spara alla" were refused: nothing was written. errors: key → messages."""

    def __init__(self, errors: dict[str, list[str]], conflicts: set[str]) -> None:
        self.field_errors = errors
        self.conflicts = conflicts
        super().__init__(
            [message for messages in errors.values() for message in messages], code="refused"
        )


def _lock_occasions(*, board_id: int, year: int, period_type: str, period_number: int) -> None:
    # Lock the occasions that cover this period: an approval waits for this save to end
    # and this save sees an approval that committed first.
    occasions = list(
        ReportingOccasion.objects.select_for_update(of=("self",))
        .covering(
            board_id=board_id,
            year=year,
            period_type=period_type,
            period_number=period_number,
        )
        .select_related("board")
    )
    for occasion in occasions:
        occasion.ensure_open_for_entry()  # inskickad or godkänd: refused, saying which


def _check_row(row: ValueInput, *, user, year: int, allowed_breakdown_ids) -> None:
    """The per-value rules, the same for one field and for "Spara alla"."""
    if not can(user, Action.ENTER, row.indicator.board_id):
        raise ValidationError(NO_RIGHT, code="no_right")
    if row.is_missing and not row.missing_reason:
        raise ValidationError(MISSING_REASON_REQUIRED, code="reason_required")
    if not row.is_missing:
        row.missing_reason = ""
    if not 1 <= row.period_number <= PeriodType(row.period_type).periods_per_year:
        raise ValidationError(PERIOD_NUMBER_INVALID, code="period_number")
    check_value_input(
        indicator=row.indicator,
        year=year,
        period_type=row.period_type,
        breakdown=row.breakdown,
        value=row.value,
        missing_reason=row.missing_reason,
        allowed_breakdown_ids=allowed_breakdown_ids,
    )


@transaction.atomic
def save_value(
    *,
    user,
    indicator: Indicator,
    year: int,
    period_type: str,
    period_number: int,
    breakdown: Breakdown,
    value: Decimal | None,
    missing_reason: str = "",
    comment: str = "",
    footnote: str | None = None,
    expected_version: int,
    source: ChangeSource = ChangeSource.FORM,
    is_missing: bool = False,
    allowed_breakdown_ids: set[int] | None = None,
) -> SaveResult:
    """Write one outcome (or I.U., or clear it) if nobody changed it since `expected_version`.

    expected_version is the version the user's form or file started from; 0 means "there was
    no value". `is_missing` marks I.U.; then `missing_reason` is required. An empty value that
    is not I.U. removes the stored value. `footnote` None leaves the value's footnote as it is;
    a text sets it; "" removes it. A retry of a save that committed but whose answer was lost
    (the version moved, but the row holds exactly this content, last saved by this user) is
    answered as saved and writes nothing.
    """
    row = ValueInput(
        indicator=indicator,
        breakdown=breakdown,
        period_type=period_type,
        period_number=period_number,
        value=value,
        missing_reason=missing_reason,
        comment=comment,
        footnote=footnote,
        expected_version=expected_version,
        is_missing=is_missing,
    )
    _check_row(row, user=user, year=year, allowed_breakdown_ids=allowed_breakdown_ids)
    with change_source(source):
        _lock_occasions(
            board_id=indicator.board_id,
            year=year,
            period_type=period_type,
            period_number=period_number,
        )
        plan = _plan(user=user, year=year, rows=[row])
        if plan.errors:
            raise plan.errors[0][1]
        return _write(user=user, year=year, plan=plan, source=source)[0]


@transaction.atomic
def save_values(
    *,
    user,
    occasion: ReportingOccasion,
    rows: list[ValueInput],
    source: ChangeSource = ChangeSource.FORM,
    allowed_breakdown_ids: dict[int, set[int]] | None = None,
) -> list[SaveResult]:
    """ "Spara alla": every field of an occasion in one transaction, all or nothing.

    Each row meets the same rules as `save_value` (`_check_row`, the version check, the
    retry rule, the lock); any refusal raises SaveAllRefused with the messages per field key
    and nothing is written. Rows whose content is what is stored are not written. The reads
    and writes are a fixed number of queries whatever the number of rows.
    """
    errors: dict[str, list[str]] = {}
    checked: list[ValueInput] = []
    for row in rows:
        try:
            allowed = (
                allowed_breakdown_ids.get(row.indicator.pk, set())
                if allowed_breakdown_ids is not None
                else None
            )
            _check_row(row, user=user, year=occasion.year, allowed_breakdown_ids=allowed)
            checked.append(row)
        except ValidationError as error:
            errors.setdefault(row.key, []).extend(error.messages)
    with change_source(source):
        for period_type, period_number in sorted(
            {(row.period_type, row.period_number) for row in checked}
        ):
            _lock_occasions(
                board_id=occasion.board_id,
                year=occasion.year,
                period_type=period_type,
                period_number=period_number,
            )
        plan = _plan(user=user, year=occasion.year, rows=checked)
        conflicts = set()
        for row, error in plan.errors:
            errors.setdefault(row.key, []).extend(error.messages)
            if isinstance(error, ValueConflict):
                conflicts.add(row.key)
        if errors:
            raise SaveAllRefused(errors, conflicts)
        return _write(user=user, year=occasion.year, plan=plan, source=source)


def _row_key(indicator_id, breakdown_id, year, period_type, period_number) -> tuple:
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
        and current.comment == row.comment
        and (row.footnote is None or row.footnote.strip() == note_text)
    )


def _plan(*, user, year: int, rows: list[ValueInput]) -> _Plan:
    """Read the stored rows, their first footnotes and what the soft checks need, in one query.

    The read takes no row lock: `_write` updates each row only where its version is still the
    one read here (compare and swap), so a save that committed in between makes this one a
    conflict rather than a lost update.
    """
    plan = _Plan()
    if not rows:
        return plan
    pairs = {(row.indicator.pk, PeriodType(row.period_type).value) for row in rows}
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
    for row in rows:
        current = stored.get(
            _row_key(row.indicator.pk, row.breakdown.pk, year, row.period_type, row.period_number)
        )
        if current is not None:
            current.indicator, current.breakdown = row.indicator, row.breakdown
            current.expected = current.version
        note = plan.footnotes.get(current.pk) if current is not None else None
        note_text = note.text if note is not None else ""
        clearing = row.value is None and not row.missing_reason
        current_version = current.version if current is not None else 0
        if current_version != row.expected_version:
            if _is_retry(
                current, row, user=user, year=year, note_text=note_text, clearing=clearing
            ):
                # The save committed but its answer was lost: the retry is already saved.
                plan.results.append((row, current, UNCHANGED if current else NOTHING))
            else:
                plan.errors.append((row, _conflict_for(current, row, year=year)))
            continue
        if clearing:
            plan.results.append((row, current, DELETE if current is not None else NOTHING))
        elif current is not None and _same_content(current, row, note_text):
            plan.results.append((row, current, UNCHANGED))
        else:
            target = (
                current
                if current is not None
                else IndicatorValue(
                    indicator=row.indicator,
                    breakdown=row.breakdown,
                    year=year,
                    period_type=row.period_type,
                    period_number=row.period_number,
                )
            )
            target.value = row.value
            target.missing_reason = row.missing_reason
            target.comment = row.comment
            target.version = current_version + 1
            target.updated_by = user
            target._history_user = user
            try:
                # The keys were checked above and the database enforces them; the fields
                # (digits, lengths, choices) are validated here, without a query.
                target.clean_fields(exclude=["indicator", "breakdown", "updated_by"])
            except ValidationError as error:
                plan.errors.append((row, error))
                continue
            plan.results.append((row, target, UPDATE if current is not None else CREATE))
    return plan


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


def _is_retry(current, row: ValueInput, *, user, year: int, note_text: str, clearing: bool) -> bool:
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
                period_type=row.period_type,
                period_number=row.period_number,
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
    fields = ["value", "missing_reason", "comment", "version", "updated_by_id", "updated_at"]
    condition = Q(pk__in=[])
    for value in values:
        condition |= Q(pk=value.pk, version=value.expected)
    if len(values) == 1:
        value = values[0]
        changes = {name: getattr(value, name) for name in fields}
    else:
        changes = {}
        for name in fields:
            output = (
                models.IntegerField()
                if name == "updated_by_id"
                else IndicatorValue._meta.get_field(name)
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
            period_type=value.period_type,
            period_number=value.period_number,
            value=value.value,
            missing_reason=value.missing_reason,
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
                period_type=row.period_type,
                period_number=row.period_number,
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
            deleted_by=last.history_user if last else None,
            deleted_at=last.history_date if last else None,
        )
    # Read it again for the message: the locked row's joins may predate the wait.
    current = IndicatorValue.objects.select_related("updated_by").get(pk=current.pk)
    return _conflict(
        current, indicator=indicator, value=row.value, missing_reason=row.missing_reason
    )


def _write(*, user, year: int, plan: _Plan, source) -> list[SaveResult]:
    """Write the plan in a fixed number of queries.

    The covering occasions are locked and checked (`_lock_occasions`) and the rows are locked
    (`_plan`) before this runs, in the same transaction, so the bulk writes go through the
    base manager rather than repeat the model guard's lock queries row by row; the history
    rows simple-history would write are written here in bulk, with the source.
    """
    now = timezone.now()
    attrs = {"history_source": ChangeSource(source).value}
    created = [value for _, value, action in plan.results if action == CREATE]
    updated = [value for _, value, action in plan.results if action == UPDATE]
    for value in created + updated:
        value.updated_at = now
    if updated:
        _update_if_unchanged(updated)
        IndicatorValue.history.bulk_history_create(
            updated,
            update=True,
            default_user=user,
            default_date=now,
            custom_historical_attrs=attrs,
        )
    if created:
        try:
            with transaction.atomic():
                IndicatorValue._base_manager.bulk_create(created)
        except IntegrityError:
            # Someone created one of these values at the same moment; theirs stands.
            row, value = next(
                (row, value) for row, value, action in plan.results if action == CREATE
            )
            key = {
                "indicator": row.indicator,
                "year": year,
                "period_type": row.period_type,
                "period_number": row.period_number,
                "breakdown": row.breakdown,
            }
            other = IndicatorValue.objects.select_related("updated_by").filter(**key).first()
            raise _conflict(
                other, indicator=row.indicator, value=row.value, missing_reason=row.missing_reason
            ) from None
        IndicatorValue.history.bulk_history_create(
            created, default_user=user, default_date=now, custom_historical_attrs=attrs
        )
    new_notes: list[Footnote] = []
    changed_notes: list[Footnote] = []
    results: list[SaveResult] = []
    for row, value, action in plan.results:
        if action == DELETE:
            if IndicatorValue.objects.filter(pk=value.pk, version=value.expected).count() != 1:
                raise _conflict_for(None, row, year=year)
            value._history_user = user
            value.delete()
            results.append(SaveResult(value=None, changed=True, deleted=True))
            continue
        if action == NOTHING:
            results.append(SaveResult(value=None, changed=False))
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
    if new_notes:
        Footnote._base_manager.bulk_create(new_notes)
        Footnote.history.bulk_history_create(
            new_notes, default_user=user, default_date=now, custom_historical_attrs=attrs
        )
    if changed_notes:
        Footnote._base_manager.bulk_update(changed_notes, ["text"])
        Footnote.history.bulk_history_create(
            changed_notes,
            update=True,
            default_user=user,
            default_date=now,
            custom_historical_attrs=attrs,
        )
    known = (
        plan.soft.written(
            [value for _, value, action in plan.results if action in (CREATE, UPDATE)]
        )
        if plan.soft
        else None
    )
    for result in results:
        if result.value is not None:
            result.warnings = soft_checks(result.value, known=known)
    return results


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
    if None in (women, men, total) or women + men == total:
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
