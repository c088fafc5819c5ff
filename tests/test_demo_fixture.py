"""The demo_data fixture: one load per session, a whole copy in every test, nothing leaks.

The pairs below run the same test twice (pytest keeps the order of parameters): the second run
fails if the first one's changes to the demo survived into it. pytest-django runs the
transactional ones after all others, so they also show that a flush leaves an empty database
and the next copy whole.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from goals.models import Activity, Board, ReportingOccasion
from indicators.models import IndicatorValue
from tests import demo_database

ROUNDS = ["first", "second"]


def change_the_demo(board: Board) -> None:
    """Edits of the kinds tests make: a renamed board, reopened occasions, removed rows, a new row."""
    Board.objects.filter(pk=board.pk).update(name="Ändrad nämnd")
    ReportingOccasion.objects.filter(board=board).update(state="oppen")  # as reopening all
    IndicatorValue.objects.filter(indicator__board=board).delete()
    ReportingOccasion.objects.create(board=board, year=2030, kind="helar")


def assert_whole_demo(board: Board, demo_rows) -> None:
    assert board.name == "Arbetsmarknadsnämnden"
    assert demo_database.differences(demo_rows) == []
    assert not ReportingOccasion.objects.filter(year=2030).exists()


def assert_empty() -> None:
    assert not Board.objects.exists()
    assert not IndicatorValue.objects.exists()
    assert not Activity.objects.exists()


@pytest.mark.django_db
def test_the_copy_is_what_load_demo_leaves(demo_data):
    """A second load over the copy finds every row it would write already there, unchanged."""
    out = StringIO()
    call_command("load_demo", "--no-users", stdout=out)
    assert "0 nya, 0 ändrade" in out.getvalue()
    assert IndicatorValue.objects.filter(indicator__board=demo_data).count() > 200


@pytest.mark.django_db
@pytest.mark.parametrize("round", ROUNDS)
def test_a_demo_test_gets_the_whole_demo_whatever_the_last_one_did(demo_data, demo_rows, round):
    assert_whole_demo(demo_data, demo_rows)
    change_the_demo(demo_data)


@pytest.mark.django_db
def test_a_test_without_the_demo_starts_empty():
    assert_empty()


@pytest.mark.django_db
def test_demo_after_a_persona_loads_over_its_board(controller_an, demo_data):
    """The persona made board AN first: the demo is loaded over it, as `make run` would."""
    assert controller_an.board_roles.get().board == demo_data
    assert Board.objects.filter(code="AN").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round", ROUNDS)
def test_a_live_server_test_gets_the_whole_demo_after_a_flush(demo_data, demo_rows, round):
    assert_whole_demo(demo_data, demo_rows)
    change_the_demo(demo_data)


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_without_the_demo_starts_empty():
    assert_empty()
