"""goals.locks owns "is this locked by an occasion": the rule every guard and service asks."""

from __future__ import annotations

from decimal import Decimal

import pytest

from budget.models import locking_occasion as amount_locking_occasion
from goals import locks
from goals.models import GoalAssessment, OccasionLockedError, ReportingOccasion
from goals.periods import Period, PeriodType
from indicators.models import IndicatorValue
from tests.entry_data import breakdown, goal_chain

APPROVED = ReportingOccasion.State.APPROVED


@pytest.fixture
def helar(board_an):
    return ReportingOccasion.objects.create(board=board_an, year=2023, kind="helar", state=APPROVED)


@pytest.mark.django_db
def test_an_approved_occasion_locks_exactly_its_due_periods(board_an, board_other, helar):
    assert locks.locking_occasion([(board_an.pk, 2023, "ar", 1)]) == helar
    assert locks.locking_occasion([(board_an.pk, 2023, PeriodType.QUARTER, 4)]) == helar
    assert locks.locking_occasion([(board_an.pk, 2023, "manad", 12)]) == helar
    for key in [
        (board_an.pk, 2023, "kvartal", 3),  # due at k3, not at helår
        (board_an.pk, 2022, "ar", 1),  # another year
        (board_other.pk, 2023, "ar", 1),  # another board
        (None, 2023, "ar", 1),  # a row without a board
    ]:
        assert locks.locking_occasion([key]) is None, key
    assert locks.locking_occasion([]) is None


@pytest.mark.django_db
def test_the_first_locked_key_names_its_occasion(board_an, helar):
    k3 = ReportingOccasion.objects.create(board=board_an, year=2023, kind="k3", state=APPROVED)
    year, quarter = (board_an.pk, 2023, "ar", 1), (board_an.pk, 2023, "kvartal", 3)
    assert locks.locking_occasion([quarter, year]) == k3
    assert locks.locking_occasion([year, quarter]) == helar


@pytest.mark.django_db
def test_values_and_amounts_ask_the_same_rule(board_an, helar):
    indicator = goal_chain(board_an, goals=1, indicators_per_goal=1)[0]
    value = IndicatorValue(indicator=indicator, year=2023, breakdown=breakdown(), value=1)
    assert value.locking_occasion() == helar
    value.period_type, value.period_number = PeriodType.QUARTER, 3
    assert value.locking_occasion() is None
    # Budget and bokslut belong to the year, a forecast to its month; plans are never locked.
    assert amount_locking_occasion([(board_an.pk, 2023, "budget", None)]) == helar
    assert amount_locking_occasion([(board_an.pk, 2023, "bokslut", None)]) == helar
    assert amount_locking_occasion([(board_an.pk, 2023, "prognos", 12)]) == helar
    assert amount_locking_occasion([(board_an.pk, 2023, "prognos", 9)]) is None
    assert amount_locking_occasion([(board_an.pk, 2023, "plan", None)]) is None


@pytest.mark.django_db
def test_a_locked_row_saved_unchanged_writes_nothing_and_changed_is_refused(board_an):
    indicator = goal_chain(board_an, goals=1, indicators_per_goal=1)[0]
    value = IndicatorValue.objects.create(
        indicator=indicator, year=2023, breakdown=breakdown(), value=Decimal(7)
    )
    occasion = ReportingOccasion.objects.create(
        board=board_an, year=2023, kind="helar", state=APPROVED
    )
    assert locks.may_save(value, None)
    assert not locks.may_save(value, occasion, ignore=("updated_at",))
    value.value = Decimal(8)
    with pytest.raises(OccasionLockedError) as refused:
        locks.may_save(value, occasion, ignore=("updated_at",))
    assert refused.value.code == "locked" and "godkänt och låst" in refused.value.messages[0]


@pytest.mark.django_db
def test_a_bulk_check_of_occasion_rows_is_one_query(board_an, helar, django_assert_num_queries):
    rows = GoalAssessment.objects.filter(occasion__board=board_an)
    with django_assert_num_queries(1):
        assert locks.approved_occasion_among(rows.values("occasion_id")) is None
    with django_assert_num_queries(0):
        assert locks.approved_occasion_among([None]) is None


@pytest.mark.django_db
def test_a_submitted_occasion_closes_entry_but_locks_nothing(board_an):
    occasion = ReportingOccasion.objects.create(
        board=board_an, year=2023, kind="k3", state=ReportingOccasion.State.SUBMITTED
    )
    assert locks.locking_occasion([(board_an.pk, 2023, "kvartal", 3)]) is None
    with pytest.raises(OccasionLockedError) as refused:
        locks.lock_periods_for_entry(
            board_id=board_an.pk, periods=[Period(2023, PeriodType.QUARTER, 3)]
        )
    assert refused.value.code == "submitted"
    with pytest.raises(OccasionLockedError):
        locks.lock_for_entry(occasion)
    locks.lock_periods_for_entry(board_id=board_an.pk, periods=[Period(2023, PeriodType.YEAR)])
