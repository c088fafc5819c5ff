"""The lock of an approved occasion holds on every path: model save, bulk writes, delete."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from goals.models import GoalAssessment, OccasionLockedError, ReportingOccasion
from goals.periods import PeriodType
from indicators.models import Footnote, IndicatorValue
from tests.entry_data import breakdown, goal_chain, set_value


@pytest.fixture
def chain(board_an):
    indicators = goal_chain(board_an, goals=1, indicators_per_goal=2, frequency=PeriodType.YEAR)
    for indicator in indicators:
        for gender, number in (("", 3000), ("K", 1000), ("M", 2000)):
            set_value(
                indicator,
                year=2022,
                period_type=PeriodType.YEAR,
                number=1,
                value=number,
                gender=gender,
            )
    return indicators


def approve(occasion: ReportingOccasion) -> None:
    ReportingOccasion.objects.filter(pk=occasion.pk).update(state=ReportingOccasion.State.APPROVED)


def test_year_value_is_locked_by_approved_full_year(board_an, chain):
    occasion = ReportingOccasion.objects.create(board=board_an, year=2022, kind="helar")
    value = IndicatorValue.objects.get(indicator=chain[0], year=2022, breakdown__code="total")
    value.value = Decimal(1)
    value.save()  # open: allowed
    approve(occasion)
    value.value = Decimal(2)
    with pytest.raises(OccasionLockedError, match="godkänt och låst"):
        value.save()
    value.refresh_from_db()
    assert value.value == Decimal(1)


def test_unchanged_save_of_locked_value_writes_nothing(board_an, chain):
    occasion = ReportingOccasion.objects.create(board=board_an, year=2022, kind="helar")
    approve(occasion)
    value = IndicatorValue.objects.get(indicator=chain[0], year=2022, breakdown__code="total")
    before = value.history.count()
    value.save()
    assert value.history.count() == before


def test_new_value_in_locked_period_is_refused(board_an, chain):
    occasion = ReportingOccasion.objects.create(board=board_an, year=2023, kind="k3")
    approve(occasion)
    with pytest.raises(OccasionLockedError):
        IndicatorValue.objects.create(
            indicator=chain[0],
            year=2023,
            period_type=PeriodType.QUARTER,
            period_number=3,
            breakdown=breakdown(),
            value=Decimal(5),
        )
    # Another quarter of the same year is not covered by kvartal 3.
    IndicatorValue.objects.create(
        indicator=chain[0],
        year=2023,
        period_type=PeriodType.QUARTER,
        period_number=2,
        breakdown=breakdown(),
        value=Decimal(5),
    )


def test_bulk_update_delete_and_bulk_create_are_refused(board_an, chain):
    occasion = ReportingOccasion.objects.create(board=board_an, year=2022, kind="helar")
    approve(occasion)
    values = IndicatorValue.objects.filter(year=2022)
    with pytest.raises(OccasionLockedError):
        values.update(value=Decimal(0))
    with pytest.raises(OccasionLockedError):
        values.delete()
    with pytest.raises(OccasionLockedError):
        IndicatorValue.objects.get(pk=values[0].pk).delete()
    objs = list(values)
    for obj in objs:
        obj.value = Decimal(7)
    with pytest.raises(OccasionLockedError):
        IndicatorValue.objects.bulk_update(objs, ["value"])
    assert not IndicatorValue.objects.filter(value=Decimal(0)).exists()
    assert not IndicatorValue.objects.filter(value=Decimal(7)).exists()


def test_moving_a_value_out_of_a_locked_period_is_refused(board_an, chain):
    occasion = ReportingOccasion.objects.create(board=board_an, year=2022, kind="helar")
    approve(occasion)
    value = IndicatorValue.objects.get(indicator=chain[0], year=2022, breakdown__code="total")
    value.year = 2021
    with pytest.raises(OccasionLockedError):
        value.save()


def test_footnote_on_locked_value_is_refused(board_an, chain):
    occasion = ReportingOccasion.objects.create(board=board_an, year=2022, kind="helar")
    value = IndicatorValue.objects.get(indicator=chain[0], year=2022, breakdown__code="total")
    note = Footnote.objects.create(value=value, text="Före")
    approve(occasion)
    note.text = "Efter"
    with pytest.raises(OccasionLockedError):
        note.save()
    with pytest.raises(OccasionLockedError):
        Footnote.objects.create(value=value, text="Ny")


def test_assessment_of_approved_occasion_is_locked(board_an, chain):
    occasion = ReportingOccasion.objects.create(board=board_an, year=2022, kind="helar")
    goal = chain[0].board_goal
    assessment = GoalAssessment.objects.create(occasion=occasion, board_goal=goal, level="delvis")
    approve(occasion)
    assessment.level = "uppnatt"
    with pytest.raises(OccasionLockedError):
        assessment.save()
    with pytest.raises(OccasionLockedError):
        GoalAssessment.objects.filter(pk=assessment.pk).update(level="uppnatt")
    with pytest.raises(OccasionLockedError):
        assessment.delete()
    assessment.refresh_from_db()
    assert assessment.level == "delvis"


def test_approved_occasion_cannot_move_or_be_deleted(board_an):
    occasion = ReportingOccasion.objects.create(board=board_an, year=2022, kind="helar")
    approve(occasion)
    occasion.refresh_from_db()
    occasion.year = 2021
    with pytest.raises(ValidationError):
        occasion.save()
    with pytest.raises(ValidationError):
        ReportingOccasion.objects.get(pk=occasion.pk).delete()


def test_bulk_create_checks_the_lock_in_a_fixed_number_of_queries(
    board_an, chain, django_assert_max_num_queries
):
    occasion = ReportingOccasion.objects.create(board=board_an, year=2023, kind="k2")
    approve(occasion)
    objs = [
        IndicatorValue(
            indicator=chain[0],
            year=2023,
            period_type=PeriodType.MONTH,
            period_number=month,
            breakdown=breakdown(),
            value=Decimal(month),
        )
        for month in range(1, 6)
    ]
    with django_assert_max_num_queries(3):  # boards, approved occasions, the insert
        IndicatorValue.objects.bulk_create(objs)
    june = IndicatorValue(
        indicator=chain[0],
        year=2023,
        period_type=PeriodType.MONTH,
        period_number=6,  # due at kvartal 2
        breakdown=breakdown(),
        value=Decimal(6),
    )
    with pytest.raises(OccasionLockedError):
        IndicatorValue.objects.bulk_create([june])
