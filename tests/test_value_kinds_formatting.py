"""The one formatter that knows "not yet given" from I.U., and "Ska inte öka/minska" judged."""

from __future__ import annotations

from decimal import Decimal

import pytest

from indicators.evaluation import target_met
from indicators.formatting import (
    MISSING,
    NOT_GIVEN,
    format_exact,
    format_number,
    format_outcome,
    format_target,
)
from indicators.models import Indicator, Target


def test_no_stored_value_is_a_dash_and_a_stored_iu_is_iu():
    assert NOT_GIVEN == "\u2013" and MISSING == "I.U."
    assert format_number(None) == NOT_GIVEN
    assert format_exact(None) == NOT_GIVEN
    assert format_outcome(None, stored=False) == NOT_GIVEN
    assert format_outcome(None, stored=True) == MISSING
    assert format_outcome(None, stored=True, text="Som planen skrev") == "Som planen skrev"
    assert format_outcome(Decimal("88.94"), 1, stored=True, unit="procent") == "88,9\xa0%"
    assert format_outcome(Decimal("3327"), stored=True) == "3\xa0327"


def target(trend: str, base: str | None = None, base_year: int | None = None) -> Target:
    indicator = Indicator(name="x", unit=Indicator.Unit.COUNT, decimals=0)
    return Target(
        indicator=indicator,
        year=2022,
        kind=Target.Kind.DIRECTION,
        trend=trend,
        base_value=None if base is None else Decimal(base),
        base_year=base_year,
    )


def test_format_target_prints_not_increase_and_not_decrease_with_their_base():
    assert format_target(target("ej_oka")) == "Ska inte öka"
    assert (
        format_target(target("ej_minska", "100", 2021)) == "Ska inte minska (basvärde 2021 = 100)"
    )
    assert format_target(target("ej_oka", "12")) == "Ska inte öka (12)"


@pytest.mark.parametrize(
    ("trend", "outcome", "previous", "base", "met"),
    [
        ("ej_oka", "95", "100", None, True),
        ("ej_oka", "100", "100", None, True),  # unchanged has not increased
        ("ej_oka", "101", "100", None, False),
        ("ej_minska", "100", "100", None, True),
        ("ej_minska", "99", "100", None, False),
        ("ej_minska", "120", None, "110", True),  # no previous outcome: the base value
        ("ej_oka", "120", None, "110", False),
        ("ej_oka", "120", None, None, None),  # nothing to compare with: not judged
        ("ej_oka", "105", "100", "110", True),  # the named base value, not last year
        ("ej_minska", "105", "100", "110", False),
    ],
)
def test_not_increase_and_not_decrease_are_judged(trend, outcome, previous, base, met):
    result = target_met(
        target(trend, base),
        Decimal(outcome),
        direction="hogre",
        previous=None if previous is None else Decimal(previous),
    )
    assert result is met
