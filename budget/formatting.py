"""Kronor to tkr the way the reports print them: every figure rounded half up on its own."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from indicators.formatting import format_number

MISSING_AMOUNT = "-"


def to_tkr(kronor: int | Decimal | None) -> int | None:
    """303 503 600 kr → 303 504 tkr; halves round away from zero (−1 500 → −2), None stays None.

    Round each printed figure from kronor, never sum or subtract rounded figures: the seed's
    Ekonomiskt bistånd 2022 prints avvikelse 5 249 while 308 752 − 303 504 = 5 248.
    """
    if kronor is None:
        return None
    return int((Decimal(kronor) / 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_tkr(kronor: int | Decimal | None, missing: str = MISSING_AMOUNT) -> str:
    """303 503 600 → '303 504' (no-break space); None → '-'."""
    if kronor is None:
        return missing
    return format_number(to_tkr(kronor))


def kronor_as_tkr_text(kronor: int | None) -> str:
    """A stored amount as editable tkr text without losing kronor: 303 503 600 → '303 503,6'."""
    if kronor is None:
        return ""
    value = Decimal(kronor) / 1000
    exponent = value.normalize().as_tuple().exponent  # an int: kronor are finite
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return format_number(value, decimals)
