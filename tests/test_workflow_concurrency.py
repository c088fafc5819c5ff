"""No lost updates: two users saving the same value from the same starting point.

The sequential test runs everywhere. The concurrent tests need PostgreSQL (row locks and
real parallel transactions); SQLite serialises writers, so they are skipped there.
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from goals import services
from goals.models import GoalAssessment, ReportingOccasion
from goals.periods import Period, PeriodType
from indicators.models import IndicatorValue
from indicators.services import ValueConflict, save_value
from tests.entry_data import breakdown, goal_chain

Q = PeriodType.QUARTER


def _save(user, indicator, number, version):
    return save_value(
        user=user,
        indicator=indicator,
        period=Period(2023, PeriodType(Q), 3),
        breakdown=breakdown(),
        value=Decimal(number),
        expected_version=version,
    )


def test_sequential_stale_save_is_refused(board_an, controller_an, admin_user):
    indicator = goal_chain(board_an, goals=1, indicators_per_goal=1)[0]
    _save(controller_an, indicator, 100, 0)
    # Both open the form at version 1; the administrator saves first.
    _save(admin_user, indicator, 200, 1)
    with pytest.raises(ValueConflict) as refused:
        _save(controller_an, indicator, 300, 1)
    message = refused.value.messages[0]
    assert "admin sparade 200" in message and "300 sparades inte" in message
    assert refused.value.current.value == Decimal(200)
    value = IndicatorValue.objects.get()
    assert (value.value, value.version, value.updated_by) == (Decimal(200), 2, admin_user)
    assert value.history.count() == 2


def test_sequential_create_race_is_refused(board_an, controller_an, admin_user):
    indicator = goal_chain(board_an, goals=1, indicators_per_goal=1)[0]
    _save(admin_user, indicator, 5, 0)
    with pytest.raises(ValueConflict, match="admin sparade 5"):
        _save(controller_an, indicator, 6, 0)


def test_deleted_meanwhile_is_refused(board_an, controller_an, admin_user):
    indicator = goal_chain(board_an, goals=1, indicators_per_goal=1)[0]
    _save(controller_an, indicator, 5, 0)
    save_value(
        user=admin_user,
        indicator=indicator,
        period=Period(2023, PeriodType(Q), 3),
        breakdown=breakdown(),
        value=None,
        expected_version=1,
    )
    assert not IndicatorValue.objects.exists()
    with pytest.raises(ValueConflict, match="admin tog bort värdet"):
        _save(controller_an, indicator, 6, 1)


def _race(work) -> list:
    """Run the two callables at the same moment in two threads with their own connections."""
    barrier = threading.Barrier(len(work))
    results: list = [None] * len(work)

    def run(index, job):
        try:
            barrier.wait(timeout=10)
            results[index] = ("ok", job())
        except Exception as error:  # the test inspects what each thread met
            results[index] = ("error", error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(work)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def _skip_unless_postgres():
    if connection.vendor != "postgresql":
        pytest.skip(
            "Samtidiga sparningar provas bara mot PostgreSQL (SQLite låter en skrivare i taget)."
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("start_version", [0, 1])
def test_concurrent_saves_one_wins_the_other_is_told(
    board_an, controller_an, admin_user, start_version
):
    _skip_unless_postgres()
    indicator = goal_chain(board_an, goals=1, indicators_per_goal=1)[0]
    if start_version:
        _save(controller_an, indicator, 1, 0)
    for attempt in range(5):
        version = (
            IndicatorValue.objects.filter(indicator=indicator)
            .values_list("version", flat=True)
            .first()
            or 0
        )
        results = _race(
            [
                lambda v=version, a=attempt: _save(controller_an, indicator, 100 + a, v),
                lambda v=version, a=attempt: _save(admin_user, indicator, 200 + a, v),
            ]
        )
        outcomes = sorted(kind for kind, _ in results)
        assert outcomes == ["error", "ok"], results
        error = next(value for kind, value in results if kind == "error")
        assert isinstance(error, ValueConflict), error
        stored = IndicatorValue.objects.get(indicator=indicator)
        winner_name = stored.updated_by.username
        assert f"{winner_name} sparade {int(stored.value)}" in error.messages[0]
        assert stored.version == version + 1
        assert stored.history.filter(history_type__in=["+", "~"]).count() == version + 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_assessments_one_wins(board_an, controller_an, admin_user):
    _skip_unless_postgres()
    occasion = ReportingOccasion.objects.create(board=board_an, year=2023, kind="helar")
    goal = goal_chain(board_an, goals=1, indicators_per_goal=1)[0].board_goal

    def assess(user, level):
        return services.save_assessment(
            user=user, occasion=occasion, board_goal=goal, level=level, expected_version=0
        )

    results = _race(
        [lambda: assess(controller_an, "uppnatt"), lambda: assess(admin_user, "delvis")]
    )
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, services.RecordConflict)
    assert GoalAssessment.objects.get().version == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_submit_and_save_do_not_interleave(board_an, controller_an, secretary_an):
    """A save racing a submit either lands before the lock or is refused: never after.

    Issue 12: since inskickad is read-only, the race that matters is save against submit.
    """
    _skip_unless_postgres()
    occasion = ReportingOccasion.objects.create(board=board_an, year=2023, kind="k3")
    indicator = goal_chain(board_an, goals=1, indicators_per_goal=1)[0]
    _save(controller_an, indicator, 1, 0)
    results = _race(
        [
            lambda: _save(controller_an, indicator, 2, 1),
            lambda: services.submit_occasion(
                user=controller_an, occasion=occasion, confirm_missing=True
            ),
        ]
    )
    save_result, submit_result = results
    assert submit_result[0] == "ok", submit_result
    stored = IndicatorValue.objects.get(indicator=indicator)
    submitted_at = occasion.transitions.get(to_state="inskickad").at
    if save_result[0] == "ok":
        assert stored.value == Decimal(2)
        assert stored.updated_at <= submitted_at
    else:
        assert "inskickat för godkännande" in str(save_result[1])
        assert stored.value == Decimal(1)
    services.approve_occasion(user=secretary_an, occasion=occasion)
