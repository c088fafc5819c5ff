"""Swedish number formatting as the reports print it: 3 327, 88,9, -4,1, I.U., –.

Numbers are stored as numbers; this is the only place they become text for people. An outcome
is one of three things: a number, a text (a qualitative indicator's result) or I.U. (a stored
value with a reason). No stored value at all is "not yet given" and prints NOT_GIVEN ("–"),
never I.U.: `format_outcome` is the one function that knows the difference.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from indicators.models import Target

NBSP = "\xa0"
MISSING = "I.U."  # a stored value without a number: I.U. with its reason
NOT_GIVEN = "\u2013"  # no stored value: not yet given ("–")


def round_half_up(value: Decimal | int | float, decimals: int = 0) -> Decimal:
    quantum = Decimal(1).scaleb(-decimals)
    return Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)


def format_number(value: Decimal | int | float | None, decimals: int = 0) -> str:
    """3327 → '3 327' (no-break space), 88.9 → '88,9', None → '–' (no number given).

    A stored I.U. is not None-as-a-number: print outcomes with `format_outcome`.
    """
    if value is None:
        return NOT_GIVEN
    rounded = round_half_up(value, decimals)
    if rounded == 0:
        rounded = abs(rounded)  # never print "-0"
    sign = "-" if rounded < 0 else ""
    text = f"{abs(rounded):.{decimals}f}"
    whole, _, fraction = text.partition(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    result = NBSP.join(groups)
    if fraction:
        result += "," + fraction
    return sign + result


def format_with_unit(value: Decimal | None, decimals: int, unit: str) -> str:
    text = format_number(value, decimals)
    if value is not None and unit == "procent":
        return f"{text}{NBSP}%"
    return text


def format_outcome(
    value: Decimal | int | float | None,
    decimals: int = 0,
    *,
    stored: bool,
    text: str = "",
    unit: str = "",
) -> str:
    """An outcome as people read it: the number (with % for a share), the text, or I.U.

    `stored` says whether a value row exists: a row without a number or a text is I.U., no row
    is "not yet given" (NOT_GIVEN, "–").
    """
    if not stored:
        return NOT_GIVEN
    if text:
        return text
    if value is None:
        return MISSING
    return format_with_unit(Decimal(str(value)), decimals, unit)


def format_target(target: Target) -> str:
    """The målvärde as the report prints it: '88 %', '≥0', 'Ska minska', 'I.U.'."""
    kind = target.kind
    unit_suffix = f"{NBSP}%" if target.indicator.unit == "procent" else ""
    if kind == "varde":
        return format_number(target.value, target.shown_decimals) + unit_suffix
    if kind == "grans":
        symbol = target.get_operator_display()
        return f"{symbol}{format_number(target.value, target.shown_decimals)}{unit_suffix}"
    if kind == "riktning":
        # "Ska öka", "Ska minska", "Ska inte öka", "Ska inte minska": against the previous
        # year's outcome, or the base value when one is given.
        text = target.get_trend_display()
        if target.base_value is not None:
            base = format_number(target.base_value, target.shown_decimals)
            text += f" (basvärde {target.base_year} = {base})" if target.base_year else f" ({base})"
        return text
    if kind == "text":
        return target.text
    return MISSING


def exact_decimals(value: Decimal | int | float, decimals: int = 0) -> int:
    """The decimals needed to show `value` exactly, never fewer than `decimals`.

    PostgreSQL returns 9.5 as 9.5000; trailing zeros beyond the indicator's decimals go.
    """
    exponent = Decimal(str(value)).normalize().as_tuple().exponent
    needed = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return max(decimals, needed)


def format_exact(value: Decimal | int | float | None, decimals: int = 0) -> str:
    """The stored number exactly, Swedish style: 9.5 with 0 decimals → '9,5', never '10'."""
    if value is None:
        return NOT_GIVEN
    return format_number(value, exact_decimals(value, decimals))
