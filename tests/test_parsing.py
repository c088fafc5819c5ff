"""Swedish number parsing: what people type, and the limits of what can be stored exactly."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from indicators.parsing import TOO_MANY_DIGITS, parse_swedish_number


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("3 327", Decimal("3327")),
        ("3\xa0327", Decimal("3327")),
        ("88,9", Decimal("88.9")),
        ("-4,1", Decimal("-4.1")),
        ("\u2212677", Decimal("-677")),
        ("123 456 789 012,123", Decimal("123456789012.123")),  # 15 significant digits
        ("0,0001", Decimal("0.0001")),
    ],
)
def test_swedish_numbers_parse(text, number):
    assert parse_swedish_number(text) == number


@pytest.mark.parametrize(
    "text", ["123 456 789 012,1234", "999 999 999 999,9999", "1234567890123456"]
)
def test_a_sixteenth_significant_digit_is_refused_in_swedish(text):
    with pytest.raises(ValidationError) as error:
        parse_swedish_number(text)
    message = " ".join(error.value.messages)
    assert message in {TOO_MANY_DIGITS.format(digits=15), "Talet är för stort."}


@pytest.mark.parametrize("text", ["12,3,4", "NaN", "Infinity", "0x10", "1e5", "3.327"])
def test_malformed_numbers_are_refused(text):
    with pytest.raises(ValidationError):
        parse_swedish_number(text)
