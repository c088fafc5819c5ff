"""The year rule: how a periodic indicator's year value follows from its periods.

This module owns the rule; the reports, the dashboards, the entry page and the entry warning
all ask it. An indicator's `aggregation` says how its year value is formed:

- stock (Läget vid periodens slut): the value of the year's last period,
- flow (Summa över perioderna): the sum of the year's periods,
- average (Medelvärde över perioderna): the arithmetic mean of the year's periods,
- once (Mäts en gång per år): measured once; nothing follows from periods.

A year value is derived only when every period of the indicator's frequency is given as a
number: one I.U. or one period not reported gives no derived value, and the reason says which.
A yearly indicator has nothing to derive. An entered year value always stands (it is the figure
decided): readers use a derived value only where no year value is entered, and the entry page
warns when an entered one differs from the derived one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from goals.periods import MONTH_NAMES, PeriodType
from indicators.formatting import format_number, round_half_up
from indicators.models import Indicator, IndicatorValue

STOCK = Indicator.Aggregation.STOCK.value
FLOW = Indicator.Aggregation.FLOW.value
AVERAGE = Indicator.Aggregation.AVERAGE.value
ONCE = Indicator.Aggregation.ONCE.value
DERIVABLE = frozenset({STOCK, FLOW, AVERAGE})

# A mean is kept exact up to the parser's (and the database's) four decimals: the mean of four
# quarters given with four decimals can need six, so it is rounded half up to four. Sums and
# last values of stored numbers are exact as they are.
MEAN_DECIMALS = 4

RULE_LABELS = {STOCK: "läget vid årets slut", FLOW: "summa", AVERAGE: "medelvärde"}
PERIODS_PLURAL = {
    PeriodType.TERTIAL.value: "tertialen",
    PeriodType.QUARTER.value: "kvartalen",
    PeriodType.MONTH.value: "månaderna",
}

DERIVED_NOTE = "Härlett från {periods} enligt indikatorns årsregel ({rule})."
REASON_YEARLY = "Indikatorn rapporteras per år: årsvärdet härleds inte från perioder."
REASON_ONCE = "Indikatorn mäts en gång per år: årsvärdet följer inte av perioderna."
REASON_COMPUTED = "Indikatorn beräknas från andra uppgifter."
REASON_INCOMPLETE = "Årsvärdet kan inte härledas: {parts}"
WARN_DIFFERS = (
    "Årsvärdet {entered} skiljer sig från det som följer av {periods} enligt årsregeln "
    "({rule}): {derived}."
)

Key = TypeVar("Key")


@dataclass(frozen=True)
class YearValue:
    """The derived year value, or None with the reason why there is none.

    A year-to-date value (`derive_year_to_date`) also says up to which period it runs
    (`to_date`, "t.o.m. augusti"), and `missing` when it is I.U. (a stock whose latest
    reported period is I.U.).
    """

    value: Decimal | None
    reason: str = ""
    to_date: str = ""
    missing: bool = False

    @property
    def derived(self) -> bool:
        return self.value is not None


def _ptype(frequency: str) -> str:
    return PeriodType(frequency).value


def is_derivable(indicator: Indicator) -> bool:
    """Whether the indicator's year value can follow from its periods at all."""
    return (
        _ptype(indicator.frequency) != PeriodType.YEAR.value
        and indicator.aggregation in DERIVABLE
        and not indicator.computed
    )


def rule_label(aggregation: str) -> str:
    return RULE_LABELS.get(aggregation, "")


def periods_label(frequency: str) -> str:
    return PERIODS_PLURAL.get(_ptype(frequency), "perioderna")


def rule_description(indicator: Indicator) -> str:
    """`summa av kvartalen`, `medelvärde av månaderna`, `läget vid årets slut (kvartal 4)`."""
    frequency = _ptype(indicator.frequency)
    if indicator.aggregation == STOCK:
        last = PeriodType(frequency).periods_per_year
        return f"{rule_label(STOCK)} ({_period_names(frequency, [last])})"
    return f"{rule_label(indicator.aggregation)} av {periods_label(frequency)}"


def derived_note(indicator: Indicator) -> str:
    """The note a report or page puts on a derived year value."""
    return DERIVED_NOTE.format(
        periods=periods_label(indicator.frequency), rule=rule_label(indicator.aggregation)
    )


def _period_names(frequency: str, numbers: list[int]) -> str:
    name = PeriodType(frequency).label.lower()
    return " och ".join(f"{name} {number}" for number in numbers)


def derive_year_value(
    *, aggregation: str, frequency: str, periods: Mapping[int, Decimal | None]
) -> YearValue:
    """The year value from `periods`: period number → number, or None for I.U.

    A period number that is not a key has not been reported.
    """
    frequency = _ptype(frequency)
    if frequency == PeriodType.YEAR.value:
        return YearValue(None, REASON_YEARLY)
    if aggregation not in DERIVABLE:
        return YearValue(None, REASON_ONCE)
    count = PeriodType(frequency).periods_per_year
    numbers = range(1, count + 1)
    absent = [number for number in numbers if number not in periods]
    missing = [number for number in numbers if number in periods and periods[number] is None]
    if absent or missing:
        return YearValue(None, _incomplete(frequency, absent, missing))
    # None is absent or missing here.
    given = [Decimal(value) for number in numbers if (value := periods[number]) is not None]
    if aggregation == STOCK:
        return YearValue(given[-1])
    return YearValue(_sum_or_mean(aggregation, given))


def _incomplete(frequency: str, absent: list[int], missing: list[int]) -> str:
    parts = []
    if absent:
        parts.append(f"{_period_names(frequency, absent)} saknas")
    if missing:
        parts.append(f"{_period_names(frequency, missing)} är I.U.")
    text = ", ".join(parts)
    return REASON_INCOMPLETE.format(parts=text if text.endswith(".") else text + ".")


def _sum_or_mean(aggregation: str, given: list[Decimal]) -> Decimal:
    """Flow: the sum; average: the mean, kept exact up to MEAN_DECIMALS."""
    total = sum(given, Decimal(0))
    if aggregation == FLOW:
        return total
    mean = total / len(given)
    exponent = mean.as_tuple().exponent  # an int: the mean of finite numbers
    if isinstance(exponent, int) and exponent < -MEAN_DECIMALS:
        mean = mean.quantize(Decimal(1).scaleb(-MEAN_DECIMALS), rounding=ROUND_HALF_UP)
    return mean


REASON_NOTHING_YET = "Inga perioder är rapporterade ännu under året."


def to_date_label(frequency: str, number: int) -> str:
    """`t.o.m. augusti`, `t.o.m. kvartal 2`, `t.o.m. tertial 1`: up to which period."""
    frequency = _ptype(frequency)
    if frequency == PeriodType.MONTH.value:
        return f"t.o.m. {MONTH_NAMES[number]}"
    return f"t.o.m. {_period_names(frequency, [number])}"


def derive_year_to_date(
    *, aggregation: str, frequency: str, periods: Mapping[int, Decimal | None]
) -> YearValue:
    """The year so far from the periods reported by a moment (number → number, None for I.U.).

    The periods used run from the first to the latest reported one (`to_date` names it):
    stock → the latest period's value (I.U. if that is I.U.: `missing`); flow → their sum;
    average → their mean. A flow or average with an I.U. or an unreported period among them
    gives no value, with the reason. This is the one owner of the rule; the as-of reader
    (`indicators.selectors.load_series(as_of=…)`) applies it to the moment's year only.
    """
    frequency = _ptype(frequency)
    if frequency == PeriodType.YEAR.value:
        return YearValue(None, REASON_YEARLY)
    if aggregation not in DERIVABLE:
        return YearValue(None, REASON_ONCE)
    count = PeriodType(frequency).periods_per_year
    reported = [number for number in periods if 1 <= number <= count]
    if not reported:
        return YearValue(None, REASON_NOTHING_YET)
    last = max(reported)
    label = to_date_label(frequency, last)
    if aggregation == STOCK:
        latest = periods[last]
        if latest is None:
            return YearValue(None, to_date=label, missing=True)
        return YearValue(Decimal(latest), to_date=label)
    numbers = range(1, last + 1)
    absent = [number for number in numbers if number not in periods]
    missing = [number for number in numbers if number in periods and periods[number] is None]
    if absent or missing:
        return YearValue(None, _incomplete(frequency, absent, missing), to_date=label)
    given = [Decimal(value) for number in numbers if (value := periods[number]) is not None]
    return YearValue(_sum_or_mean(aggregation, given), to_date=label)


def derive_for(indicator: Indicator, periods: Mapping[int, Decimal | None]) -> YearValue:
    """`derive_year_value` for an indicator (a computed indicator is never derived)."""
    if indicator.computed:
        return YearValue(None, REASON_COMPUTED)
    return derive_year_value(
        aggregation=indicator.aggregation, frequency=indicator.frequency, periods=periods
    )


def derive_by_breakdown(
    indicator: Indicator, periods: Mapping[Key, Mapping[int, Decimal | None]]
) -> dict[Key, YearValue]:
    """Per breakdown (any key): the derived year value from that breakdown's periods."""
    return {key: derive_for(indicator, values) for key, values in periods.items()}


def comparison_decimals(entered: Decimal, shown_decimals: int) -> int:
    """The precision an entered year value is compared at: as shown, or as typed if finer.

    A mean rounded to the decimals the indicator shows (15,3 for 15,325) is the derived figure,
    not a different one; a sum of whole numbers entered as 118 against 120 is.
    """
    # Stored values come back with the column's four decimals (120.0000): only the decimals
    # that are not trailing zeros were typed.
    exponent = entered.normalize().as_tuple().exponent
    typed = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return min(max(shown_decimals, typed), MEAN_DECIMALS)


def differs(entered: Decimal, derived: Decimal, decimals: int) -> bool:
    return round_half_up(entered, decimals) != round_half_up(derived, decimals)


def difference_warning(
    indicator: Indicator, entered: Decimal, derived: Decimal, *, shown_decimals: int | None = None
) -> str:
    """The entry warning when an entered year value differs from the derived one, else ""."""
    shown = indicator.decimals if shown_decimals is None else shown_decimals
    decimals = comparison_decimals(Decimal(entered), shown)
    if not differs(Decimal(entered), derived, decimals):
        return ""
    return WARN_DIFFERS.format(
        entered=format_number(entered, decimals),
        periods=periods_label(indicator.frequency),
        rule=rule_label(indicator.aggregation),
        derived=format_number(derived, decimals),
    )


def year_rule_warning(value: IndicatorValue, *, rows: list[tuple] | None = None) -> str:
    """Whether a saved value leaves an entered year value differing from the year rule.

    Called for the year value itself and for each period (the last quarter typed after the year
    value completes the periods). One query, and none for indicators without a rule to apply or
    when `rows` (period type, number, value, decimals of the value's year, read with others) is
    given.
    """
    indicator = value.indicator
    if not is_derivable(indicator):
        return ""
    if _ptype(value.period_type) not in (PeriodType.YEAR.value, _ptype(indicator.frequency)):
        return ""
    wanted = (PeriodType.YEAR.value, _ptype(indicator.frequency))
    if rows is None:
        rows = list(
            IndicatorValue.objects.filter(
                indicator_id=value.indicator_id,
                breakdown_id=value.breakdown_id,
                year=value.year,
                period_type__in=wanted,
            ).values_list("period_type", "period_number", "value", "decimals")
        )
    rows = [row for row in rows if row[0] in wanted]
    year = None
    periods: dict[int, Decimal | None] = {}
    for period_type, number, number_value, decimals in rows:
        if period_type == PeriodType.YEAR.value:
            year = (number_value, decimals)
        else:
            periods[number] = number_value
    if year is None or year[0] is None:
        return ""
    result = derive_for(indicator, periods)
    if result.value is None:  # not derived
        return ""
    shown = year[1] if year[1] is not None else indicator.decimals
    return difference_warning(indicator, year[0], result.value, shown_decimals=shown)
