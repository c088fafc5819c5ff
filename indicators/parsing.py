"""Swedish number entry: `3 327`, `3 327` (no-break space), `88,9`, `-4,1`, `−677`.

People type numbers the way the reports print them. This is the one place that turns such
text into a Decimal; anything else is refused with a Swedish message a form can show at the
field.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

INVALID_NUMBER = (
    "Skriv ett tal på svenskt sätt, till exempel 3 327, 88,9 eller -4,1 "
    "(mellanslag mellan tusental, komma före decimaler)."
)
DECIMAL_POINT = "Använd decimalkomma, inte punkt: skriv {suggestion}."
TOO_MANY_DECIMALS = "Högst {decimals} decimaler kan sparas."
TOO_LARGE = "Talet är för stort."
TOO_MANY_DIGITS = "Talet har för många siffror: högst {digits} siffror kan sparas exakt."
PERCENT_NOT_ALLOWED = "Skriv talet utan procenttecken."

# Spaces people and spreadsheets put between thousands: space, no-break space, narrow
# no-break space, thin space.
_GROUP_SEPARATORS = " \u00a0\u202f\u2009"
_MINUS_SIGNS = "-\u2212\u2013"  # hyphen-minus, minus sign, en dash (Word's autocorrect)
_PATTERN = re.compile(r"^(?P<sign>-?)(?P<whole>\d{1,3}(?: \d{3})*|\d+)(?:,(?P<fraction>\d+))?$")

MAX_DECIMALS = 4
MAX_DIGITS = 16
# Every database we run on keeps 15 significant digits exactly (SQLite reads decimals back
# through a double); a 16th digit would come back changed, so it is refused instead.
MAX_SIGNIFICANT_DIGITS = 15


def normalise_number_text(text: str) -> str:
    """Collapse the many spaces and minus signs to one of each; strip the ends."""
    cleaned = text.strip()
    for separator in _GROUP_SEPARATORS:
        cleaned = cleaned.replace(separator, " ")
    cleaned = re.sub(" +", " ", cleaned)
    for minus in _MINUS_SIGNS:
        cleaned = cleaned.replace(minus, "-")
    return cleaned.replace("- ", "-")


def parse_swedish_number(text: str, *, allow_percent: bool = False) -> Decimal:
    """`3 327` → Decimal('3327'), `88,9` → Decimal('88.9'), `−4,1` → Decimal('-4.1').

    Raises ValidationError (code "invalid_number") with a Swedish message for anything else.
    With allow_percent a trailing `%` is accepted and dropped (`88,9 %` → 88.9).
    """
    cleaned = normalise_number_text(str(text))
    if cleaned.endswith("%"):
        if not allow_percent:
            raise ValidationError(PERCENT_NOT_ALLOWED, code="invalid_number")
        cleaned = cleaned[:-1].rstrip()
    match = _PATTERN.match(cleaned)
    if match is None:
        if re.fullmatch(r"-?\d+\.\d+", cleaned):
            raise ValidationError(
                DECIMAL_POINT.format(suggestion=cleaned.replace(".", ",")),
                code="invalid_number",
            )
        raise ValidationError(INVALID_NUMBER, code="invalid_number")
    fraction = match["fraction"] or ""
    if len(fraction) > MAX_DECIMALS:
        raise ValidationError(
            TOO_MANY_DECIMALS.format(decimals=MAX_DECIMALS), code="invalid_number"
        )
    whole = match["whole"].replace(" ", "").lstrip("0") or "0"
    if len(whole) > MAX_DIGITS - MAX_DECIMALS:
        raise ValidationError(TOO_LARGE, code="invalid_number")
    significant = (whole.lstrip("0") + fraction.rstrip("0")).lstrip("0")
    if len(significant) > MAX_SIGNIFICANT_DIGITS:
        raise ValidationError(
            TOO_MANY_DIGITS.format(digits=MAX_SIGNIFICANT_DIGITS), code="invalid_number"
        )
    try:
        number = Decimal(f"{match['sign']}{whole}.{fraction or '0'}")
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        raise ValidationError(INVALID_NUMBER, code="invalid_number") from None
    if fraction:
        return number
    return number.quantize(Decimal(1))


def parse_optional_swedish_number(text: str | None, **kwargs: Any) -> Decimal | None:
    """As parse_swedish_number, but empty text is None."""
    if text is None or normalise_number_text(str(text)) == "":
        return None
    return parse_swedish_number(text, **kwargs)


# --- The vocabulary: I.U. spellings and unit-aware reading of one typed value ---------------
# The form, the Excel import, the admin, set_value and the demo loaders all read a value
# through read_value_text, so every path knows the same spellings and refuses the same things.

WARN_SHARE_RANGE = "Andelen ligger utanför 0–100 %. Kontrollera värdet."
PERCENT_ON_COUNT = "Procenttecken passar bara andelar (%). Skriv talet utan procenttecken."
NEGATIVE_COUNT = "Ett antal är sällan negativt. Kontrollera värdet."
# Units that are shares and so accept a trailing `%`.
PERCENT_UNITS = frozenset({"procent"})
# Units that count whole things (people, households, placements): never negative. The
# seeds and the demo data hold no negative count; amounts (kr, tkr) may be negative.
COUNT_UNITS = frozenset({"antal"})


def _missing_key(text: str) -> str:
    """`I. U.`, `i.u`, `IU`, `I U`, `I.U.` (with any kind of space) all become `iu`."""
    return re.sub(r"[\s.\u00a0\u202f\u2009]", "", str(text)).lower()


def is_missing_text(text: str | None) -> bool:
    """Whether the text is a spelling of I.U. (ingen uppgift)."""
    if text is None:
        return False
    stripped = str(text).strip()
    return bool(stripped) and _missing_key(stripped) == "iu" and len(stripped) <= 8


def allows_percent(unit: str | None) -> bool:
    """Only shares accept a trailing %; unknown unit (None) keeps the lenient old behaviour."""
    return unit is None or unit in PERCENT_UNITS


def parse_value_for_unit(text: str, *, unit: str | None) -> Decimal:
    """parse_swedish_number with the unit's rules: `%` only on shares, no negative count."""
    cleaned = normalise_number_text(str(text))
    if cleaned.endswith("%") and not allows_percent(unit):
        raise ValidationError(PERCENT_ON_COUNT, code="percent_on_count")
    return parse_swedish_number(cleaned, allow_percent=allows_percent(unit))


def plausibility_warnings(number: Decimal | None, *, unit: str | None) -> list[str]:
    """Warnings that still allow saving: a share outside 0–100 %, a negative count.

    A negative count warns rather than refuses: the stored figures were not all checked for a
    legitimately negative "antal" (changes and deviations are entered as counts), so refusing
    could lock out a real figure.
    """
    if number is None:
        return []
    warnings = []
    if unit in PERCENT_UNITS and not (0 <= number <= 100):
        warnings.append(WARN_SHARE_RANGE)
    if unit in COUNT_UNITS and number < 0:
        warnings.append(NEGATIVE_COUNT)
    return warnings


def read_value_text(text: str | None, *, unit: str | None = None) -> tuple[bool, Decimal | None]:
    """One typed value → (is_missing, number). Empty text is (False, None)."""
    if text is None or normalise_number_text(str(text)) == "":
        return False, None
    if is_missing_text(text):
        return True, None
    return False, parse_value_for_unit(text, unit=unit)


def numbers_equal(first: Decimal | None, second: Decimal | None) -> bool:
    """9.5 and 9.50 are the same figure; None only equals None."""
    if first is None or second is None:
        return first is None and second is None
    return Decimal(first).compare(Decimal(second)) == 0
