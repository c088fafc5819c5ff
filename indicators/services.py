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
from django.db import IntegrityError, transaction
from django.utils import timezone

from goals.access import Action, can
from goals.audit import ChangeSource, change_source
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

WARN_SHARE_RANGE = "Andelen ligger utanför 0–100 %. Kontrollera värdet."
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
    a text sets it; "" removes it.
    """
    if not can(user, Action.ENTER, indicator.board_id):
        raise ValidationError(NO_RIGHT, code="no_right")
    if is_missing and not missing_reason:
        raise ValidationError(MISSING_REASON_REQUIRED, code="reason_required")
    if not is_missing:
        missing_reason = ""
    check_value_input(
        indicator=indicator,
        year=year,
        period_type=period_type,
        breakdown=breakdown,
        value=value,
        missing_reason=missing_reason,
        allowed_breakdown_ids=allowed_breakdown_ids,
    )
    with change_source(source):
        # Lock the occasions that cover this period: an approval waits for this save to end
        # and this save sees an approval that committed first.
        occasions = list(
            ReportingOccasion.objects.select_for_update(of=("self",))
            .covering(
                board_id=indicator.board_id,
                year=year,
                period_type=period_type,
                period_number=period_number,
            )
            .select_related("board")
        )
        for occasion in occasions:
            occasion.ensure_open_for_entry()  # inskickad or godkänd: refused, saying which
        key = {
            "indicator": indicator,
            "year": year,
            "period_type": period_type,
            "period_number": period_number,
            "breakdown": breakdown,
        }
        current = (
            IndicatorValue.objects.select_for_update(of=("self",))
            .select_related("updated_by")
            .filter(**key)
            .first()
        )
        current_version = current.version if current is not None else 0
        if current_version != expected_version:
            if current is None:
                last = (
                    IndicatorValue.history.filter(
                        indicator_id=indicator.pk,
                        year=year,
                        period_type=period_type,
                        period_number=period_number,
                        breakdown_id=breakdown.pk,
                    )
                    .select_related("history_user")
                    .order_by("-history_date")
                    .first()
                )
                raise _conflict(
                    None,
                    indicator=indicator,
                    value=value,
                    missing_reason=missing_reason,
                    deleted_by=last.history_user if last else None,
                    deleted_at=last.history_date if last else None,
                )
            # Read it again for the message: the locked row's joins may predate the wait.
            current = IndicatorValue.objects.select_related("updated_by").get(pk=current.pk)
            raise _conflict(
                current, indicator=indicator, value=value, missing_reason=missing_reason
            )

        if value is None and not missing_reason:
            if current is not None:
                current._history_user = user
                current.delete()
            return SaveResult(value=None, changed=current is not None)

        if current is not None and (
            current.value == value
            and current.missing_reason == missing_reason
            and current.comment == comment
            and (footnote is None or footnote.strip() == value_footnote_text(current))
        ):
            return SaveResult(value=current, changed=False, warnings=soft_checks(current))

        target = current if current is not None else IndicatorValue(**key)
        target.value = value
        target.missing_reason = missing_reason
        target.comment = comment
        target.version = current_version + 1
        target.updated_by = user
        target._history_user = user
        # The indicator and breakdown were fetched above and the database enforces the unique
        # key; the remaining fields and check constraints are validated here.
        target.full_clean(exclude=["indicator", "breakdown", "updated_by"], validate_unique=False)
        try:
            with transaction.atomic():
                target.save()
        except IntegrityError:
            # Someone created the same value at the same moment; theirs stands.
            other = IndicatorValue.objects.select_related("updated_by").filter(**key).first()
            raise _conflict(
                other, indicator=indicator, value=value, missing_reason=missing_reason
            ) from None
        if footnote is not None:
            _set_value_footnote(target, footnote.strip(), user=user)
        return SaveResult(value=target, warnings=soft_checks(target))


def value_footnote_text(value: IndicatorValue) -> str:
    note = Footnote.objects.filter(value=value).order_by("order", "pk").first()
    return note.text if note is not None else ""


def _set_value_footnote(value: IndicatorValue, text: str, *, user) -> None:
    existing = Footnote.objects.filter(value=value).order_by("order", "pk").first()
    if existing is None and text:
        note = Footnote(value=value, text=text)
        note._history_user = user
        note.full_clean()
        note.save()
    elif existing is not None and not text:
        existing._history_user = user
        existing.delete()
    elif existing is not None and existing.text != text:
        existing.text = text
        existing._history_user = user
        existing.full_clean()
        existing.save()


def soft_checks(value: IndicatorValue) -> list[str]:
    """Warnings that allow saving: a share outside 0–100 %, far from history, K + M ≠ total."""
    if value.value is None:
        return []
    indicator = value.indicator
    warnings: list[str] = []
    if indicator.is_share and not (0 <= value.value <= 100):
        warnings.append(WARN_SHARE_RANGE)
    history = list(
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
    warning = gender_sum_warning(value)
    if warning:
        warnings.append(warning)
    return warnings


def gender_sum_warning(value: IndicatorValue) -> str:
    """K + M ≠ total, for indicators whose parts add up (counts and amounts, not shares)."""
    if value.indicator.unit not in (Indicator.Unit.COUNT, Indicator.Unit.KRONOR):
        return ""
    if value.indicator.aggregation == Indicator.Aggregation.AVERAGE:
        return ""
    breakdown = value.breakdown
    siblings = {
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
