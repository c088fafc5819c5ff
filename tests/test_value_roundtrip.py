"""Issue 12: the stored figure is the truth. parse → store → show → parse gives the same number."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.formatting import format_exact
from indicators.models import IndicatorValue
from indicators.parsing import (
    NEGATIVE_COUNT,
    PERCENT_ON_COUNT,
    WARN_SHARE_RANGE,
    is_missing_text,
    numbers_equal,
    parse_value_for_unit,
    plausibility_warnings,
    read_value_text,
)
from tests.entry_data import breakdown, goal_chain

SEPARATORS = [" ", "\u00a0", "\u202f", "\u2009"]
MINUSES = ["-", "\u2212", "\u2013"]


def spell(number: Decimal, separator: str, minus: str, percent: bool) -> str:
    text = f"{abs(number):f}"
    whole, _, fraction = text.partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    spelled = separator.join(groups) + ("," + fraction if fraction else "")
    return (minus if number < 0 else "") + spelled + (" %" if percent else "")


numbers = st.builds(
    lambda whole, fraction, places, negative: (
        (-1 if negative else 1) * (Decimal(whole) + Decimal(fraction).scaleb(-places))
    ),
    st.integers(min_value=0, max_value=10**12 - 1),  # with 3 decimals: 15 digits
    st.integers(min_value=0, max_value=999),
    st.sampled_from([3]),
    st.booleans(),
)


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    number=numbers,
    decimals=st.integers(min_value=0, max_value=3),
    separator=st.sampled_from(SEPARATORS),
    minus=st.sampled_from(MINUSES),
    share=st.booleans(),
)
def test_parse_store_show_parse_keeps_the_number(
    board_an, number, decimals, separator, minus, share
):
    indicator = (
        IndicatorValue._meta.get_field("indicator")
        .related_model.objects.filter(board=board_an)
        .first()
        or goal_chain(board_an, goals=1, indicators_per_goal=1)[0]
    )
    indicator.decimals = decimals
    indicator.unit = "procent" if share else "antal"
    indicator.save()
    typed = spell(number, separator, minus, percent=share)
    missing, parsed = read_value_text(typed, unit=indicator.unit)
    assert not missing and numbers_equal(parsed, number)
    IndicatorValue.objects.update_or_create(
        indicator=indicator,
        year=2030,
        period_type="ar",
        period_number=1,
        breakdown=breakdown(),
        defaults={"value": parsed, "missing_reason": ""},
    )
    stored = IndicatorValue.objects.get(indicator=indicator, year=2030, breakdown=breakdown())
    shown = format_exact(stored.value, decimals)
    assert numbers_equal(parse_value_for_unit(shown, unit=indicator.unit), number)
    # never fewer decimals than the indicator's
    assert len(shown.partition(",")[2]) >= decimals


def test_a_finer_figure_is_shown_exactly_not_rounded():
    assert format_exact(Decimal("9.5"), 0) == "9,5"
    assert format_exact(Decimal("9.5000"), 0) == "9,5"
    assert format_exact(Decimal("9.5000"), 2) == "9,50"
    assert format_exact(Decimal("3327"), 0) == "3\u00a0327"


@pytest.mark.parametrize("text", ["I.U.", "i.u", "IU", "I U", "I. U.", "i.\u00a0u.", " I.U. "])
def test_every_iu_spelling_is_known(text):
    assert is_missing_text(text)
    assert read_value_text(text, unit="antal") == (True, None)


def test_percent_on_a_count_is_refused_in_swedish():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        parse_value_for_unit("5 %", unit="antal")
    assert error.value.messages == [PERCENT_ON_COUNT]
    assert parse_value_for_unit("5 %", unit="procent") == Decimal(5)


def test_plausibility_is_unit_aware():
    assert plausibility_warnings(Decimal(150), unit="procent") == [WARN_SHARE_RANGE]
    assert plausibility_warnings(Decimal(-5), unit="antal") == [NEGATIVE_COUNT]
    assert plausibility_warnings(Decimal(-5), unit="kr") == []
    assert plausibility_warnings(Decimal(50), unit="procent") == []


def test_equal_numbers_with_different_exponents_are_equal():
    assert numbers_equal(Decimal("9.5"), Decimal("9.50"))
    assert not numbers_equal(Decimal("9.5"), None)


@pytest.mark.django_db
def test_entry_form_refuses_percent_on_a_count_and_accepts_it_on_a_share(board_an):
    from indicators.forms import ValueForm

    indicator = goal_chain(board_an, goals=1, indicators_per_goal=1)[0]
    base = {
        "indicator": indicator.pk,
        "breakdown": breakdown().pk,
        "period_type": "kvartal",
        "period_number": 3,
        "version": 0,
        "value": "5 %",
    }
    indicator.unit = "antal"
    indicator.save()
    form = ValueForm(base)
    assert not form.is_valid()
    assert form.errors["value"] == [PERCENT_ON_COUNT]
    indicator.unit = "procent"
    indicator.save()
    form = ValueForm(base)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["number"] == Decimal(5)
    assert ValueForm({**base, "value": "I. U.", "missing_reason": "annat"}).is_valid()


@pytest.mark.django_db
def test_entry_field_shows_9_5_and_a_comment_only_save_keeps_it(board_an, controller_an):
    from goals.models import ReportingOccasion
    from goals.periods import Period, PeriodType
    from indicators.entry import entry_sheet
    from indicators.services import save_value

    occasion = ReportingOccasion.objects.create(board=board_an, year=2023, kind="k3")
    indicator = goal_chain(board_an, goals=1, indicators_per_goal=1)[0]
    assert indicator.decimals == 0
    common = {
        "user": controller_an,
        "indicator": indicator,
        "period": Period(2023, PeriodType.QUARTER, 3),
        "breakdown": breakdown(),
    }
    save_value(**common, value=parse_value_for_unit("9,5", unit="antal"), expected_version=0)

    def field():
        return next(
            item
            for item in entry_sheet(occasion).all_fields()
            if item.indicator.pk == indicator.pk and item.breakdown == breakdown()
        )

    shown = field().input_text
    assert shown == "9,5"
    result = save_value(
        **common,
        value=parse_value_for_unit(shown, unit="antal"),
        comment="Bara en kommentar",
        expected_version=field().version,
    )
    stored = IndicatorValue.objects.get(pk=result.value.pk)
    assert stored.value == Decimal("9.5") and stored.comment == "Bara en kommentar"


@pytest.mark.django_db
def test_set_value_command_uses_the_vocabulary(board_an, controller_an):
    from django.core.management import CommandError, call_command

    indicator = goal_chain(board_an, goals=1, indicators_per_goal=1)[0]
    args = ["set_value", f"--indicator={indicator.pk}", "--year=2031", "--user=controller_an"]
    with pytest.raises(CommandError, match="Procenttecken"):
        call_command(*args, "--value=5 %")
    call_command(*args, "--value=I. U.", "--missing-reason=annat")
    stored = IndicatorValue.objects.get(indicator=indicator, year=2031)
    assert stored.value is None and stored.missing_reason == "annat"


@pytest.mark.django_db
def test_set_value_command_takes_a_text_outcome_only_for_a_qualitative_indicator(
    board_an, controller_an
):
    from django.core.management import CommandError, call_command

    indicator = goal_chain(board_an, goals=1, indicators_per_goal=1)[0]
    args = ["set_value", f"--indicator={indicator.pk}", "--year=2031", "--user=controller_an"]
    with pytest.raises(CommandError):
        call_command(*args, "--text=Vissa smärre skillnader kan utläsas.")
    assert not IndicatorValue.objects.filter(indicator=indicator, year=2031).exists()
    indicator.unit = "text"
    indicator.save()
    call_command(*args, "--text=Vissa smärre skillnader kan utläsas.")
    stored = IndicatorValue.objects.get(indicator=indicator, year=2031)
    assert (stored.value, stored.text) == (None, "Vissa smärre skillnader kan utläsas.")
