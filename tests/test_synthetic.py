"""The synthetic municipality (generate_municipality) and the CI guard of the benchmark.

The guard: every board page runs the same number of queries for board S01 at size S
(1 board, 3 years) and on a bigger generated set (more boards, more years of history), so a
query that grows with the data fails CI long before `make bench` is run.
"""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from budget.models import AmountKind, BudgetAmount, BudgetLine
from demo.synthetic import (
    BOARDS_OUT_OF_RANGE,
    REAL_BOARD_IN_THE_WAY,
    SYNTHETIC_SUFFIX,
    YEARS_OUT_OF_RANGE,
    count_synthetic,
    generate_municipality,
    synthetic_boards,
    synthetic_fingerprint,
)
from goals.models import Board, BoardGoal, CouncilGoal, GoalAssessment, ReportingOccasion
from goals.periods import OccasionKind, PeriodType
from indicators.models import Footnote, Indicator, IndicatorBreakdown, IndicatorValue, Target
from tests.entry_data import VALUE_YEARS, goal_chain

pytestmark = pytest.mark.django_db

YEAR = 2022


def test_same_seed_writes_the_same_data_and_a_rerun_replaces_it():
    first = generate_municipality(boards=2, years=2, seed=7)
    fingerprint = synthetic_fingerprint()
    counts = count_synthetic()
    again = generate_municipality(boards=2, years=2, seed=7)

    assert synthetic_fingerprint() == fingerprint
    assert count_synthetic() == counts  # replaced, not added to
    assert again.counts == first.counts
    assert list(synthetic_boards().order_by("code").values_list("code", flat=True)) == [
        "S01",
        "S02",
    ]

    generate_municipality(boards=2, years=2, seed=8)
    assert synthetic_fingerprint() != fingerprint


def test_board_s01_has_the_same_structure_and_last_year_at_every_size():
    generate_municipality(boards=1, years=3, seed=1)
    small = synthetic_fingerprint_structure("S01")
    last_year = synthetic_fingerprint(["S01"], [YEAR])
    generate_municipality(boards=3, years=5, seed=1)
    assert synthetic_fingerprint_structure("S01") == small
    # Only the history grows: S01's figures of the last year are the same at both sizes.
    assert synthetic_fingerprint(["S01"], [YEAR]) == last_year
    assert synthetic_fingerprint(["S01"], [YEAR - 1]) != synthetic_fingerprint(["S01"], [YEAR])


def synthetic_fingerprint_structure(code: str) -> list[tuple]:
    return sorted(
        Indicator.objects.filter(board__code=code).values_list(
            "board_goal__title", "order", "name", "unit", "frequency", "parent__name"
        ),
        key=repr,
    )


def test_size_s_has_every_value_of_its_structure():
    result = generate_municipality(boards=1, years=3, seed=1)
    board = Board.objects.get(code="S01")

    assert board.name.endswith(SYNTHETIC_SUFFIX)
    assert result.first_year == 2020 and result.last_year == YEAR
    assert BoardGoal.objects.filter(board=board).count() == 10
    goal_indicators = Indicator.objects.filter(
        board=board, category=Indicator.Category.GOAL, parent__isnull=True
    )
    assert goal_indicators.filter(computed="").count() == 60  # six per nämndmål
    assert goal_indicators.exclude(computed="").count() == 1  # Avvikelse mot budget
    assert Indicator.objects.filter(board=board, parent__isnull=False).exists()
    assert Indicator.objects.filter(board=board, category=Indicator.Category.VOLUME).exists()

    # Exactly one value per indicator × year × period × breakdown, nothing more or less.
    expected = 0
    for indicator in Indicator.objects.filter(board=board, computed=""):
        breakdowns = IndicatorBreakdown.objects.filter(indicator=indicator).count()
        periods = 5 if indicator.frequency == PeriodType.QUARTER else 1
        expected += breakdowns * periods * 3
    values = IndicatorValue.objects.filter(indicator__board=board)
    assert values.count() == expected == result.values
    assert not values.filter(indicator__computed__gt="").exists()
    assert values.filter(breakdown__gender="K").exists()
    assert values.filter(breakdown__org_unit__isnull=False).exists()
    missing = values.filter(value__isnull=True)
    assert missing.exists() and not missing.filter(missing_reason="").exists()
    assert Footnote.objects.filter(value__in=missing.filter(breakdown__code="total")).exists()

    kinds = set(Target.objects.filter(indicator__board=board).values_list("kind", flat=True))
    assert {"varde", "grans", "riktning"} <= kinds

    occasions = ReportingOccasion.objects.filter(board=board)
    assert occasions.count() == 3 * len(OccasionKind)
    open_occasion = occasions.get(state=ReportingOccasion.State.OPEN)
    assert (open_occasion.year, open_occasion.kind) == (YEAR, OccasionKind.FULL_YEAR)
    assert GoalAssessment.objects.filter(occasion__board=board).count() == 10 * 3 * 3

    lines = BudgetLine.objects.filter(board=board)
    assert lines.count() == 8
    amounts = BudgetAmount.objects.filter(line__board=board, year=YEAR)
    assert amounts.filter(kind=AmountKind.FORECAST).count() == 8 * 11  # monthly forecasts
    assert amounts.filter(kind=AmountKind.OUTCOME).count() == 8
    assert amounts.filter(kind=AmountKind.BUDGET).count() == 8


def test_other_boards_are_left_alone(board_an):
    indicators = goal_chain(
        board_an, goals=1, indicators_per_goal=2, frequency=PeriodType.YEAR, value_years=VALUE_YEARS
    )
    before = list(
        IndicatorValue.objects.filter(indicator__in=indicators)
        .order_by("pk")
        .values_list("pk", "value")
    )
    generate_municipality(boards=1, years=2, seed=1)
    generate_municipality(boards=1, years=2, seed=1)
    assert (
        list(
            IndicatorValue.objects.filter(indicator__in=indicators)
            .order_by("pk")
            .values_list("pk", "value")
        )
        == before
    )
    assert Board.objects.filter(code="AN").exists()


def test_a_real_board_with_a_synthetic_code_is_never_deleted(municipality):
    Board.objects.create(
        municipality=municipality, code="S01", name="Riktig nämnd", valid_from=2019
    )
    with pytest.raises(ValueError) as error:
        generate_municipality(boards=1, years=1, seed=1)
    assert str(error.value) == REAL_BOARD_IN_THE_WAY.format(code="S01", name="Riktig nämnd")
    assert Board.objects.filter(code="S01", name="Riktig nämnd").exists()


def test_sizes_out_of_range_are_refused_with_a_swedish_message():
    with pytest.raises(CommandError, match=BOARDS_OUT_OF_RANGE.format(max=99)):
        call_command("generate_municipality", boards=0, years=3, verbosity=0)
    with pytest.raises(CommandError, match=YEARS_OUT_OF_RANGE.format(max=30)):
        call_command("generate_municipality", boards=1, years=0, verbosity=0)
    assert not synthetic_boards().exists()


def test_an_empty_database_gets_the_real_kf_goals_first():
    assert not CouncilGoal.objects.exists()
    call_command("generate_municipality", boards=1, years=1, seed=1, verbosity=0)
    assert CouncilGoal.objects.valid_in(YEAR).count() == 13
    titles = set(CouncilGoal.objects.values_list("title", flat=True))
    used = set(
        BoardGoal.objects.filter(board__code="S01").values_list("council_goal__title", flat=True)
    )
    assert used <= titles


# ---------------------------------------------------------------------------------------------
# The CI guard: query counts of the board pages do not depend on the size of the data


def board_pages(board_code: str) -> dict[str, tuple[str, str, dict | None]]:
    """The board pages that exist now: key → (method, url, post data)."""
    indicator = (
        Indicator.objects.filter(
            board__code=board_code, frequency=PeriodType.QUARTER, parent__isnull=True
        )
        .order_by("board_goal__order", "order")
        .first()
    )
    board_year = {"board_code": board_code, "year": YEAR}
    occasion = {**board_year, "kind": OccasionKind.FULL_YEAR.value}
    wanted = {
        "dashboard": ("reports:board_dashboard", board_year),
        "overview": ("reports:municipality_overview", {}),
        "goal_tree": ("reports:goal_tree", board_year),
        "indicator": ("reports:indicator_detail", {"pk": indicator.pk}),
        "entry_load": ("indicators:entry_page", occasion),
        "entry_save": ("indicators:entry_save_value", occasion),
        "report_html": ("reports:report", board_year),
        "report_xlsx": ("reports:report_xlsx", board_year),
    }
    pages = {}
    for key, (name, kwargs) in wanted.items():
        try:
            url = reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
        pages[key] = ("post", url) if key == "entry_save" else ("get", url)
    return pages


def save_data(board_code: str) -> dict:
    value = (
        IndicatorValue.objects.filter(
            indicator__board__code=board_code,
            indicator__frequency=PeriodType.QUARTER,
            year=YEAR,
            period_type=PeriodType.QUARTER,
            period_number=4,
            value__isnull=False,
        )
        .select_related("indicator")
        .order_by("indicator__board_goal__order", "indicator__order", "breakdown__order")
        .first()
    )
    return {
        "indicator": value.indicator_id,
        "breakdown": value.breakdown_id,
        "period_type": value.period_type,
        "period_number": value.period_number,
        "version": value.version,
        "value": "12",
        "missing_reason": "",
        "comment": "",
        "footnote": "",
    }


def count_queries(client) -> dict[str, int]:
    counts = {}
    for key, (method, url) in board_pages("S01").items():
        if method == "get":
            client.get(url)  # warm up (sessions, content types)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
        else:
            with CaptureQueriesContext(connection) as captured:
                response = client.post(url, save_data("S01"), HTTP_HX_REQUEST="true")
            assert "Sparat" in response.content.decode(), key
        assert response.status_code == 200, (key, url, response.status_code)
        counts[key] = len(captured)
    return counts


def test_board_pages_run_the_same_queries_at_size_s_and_on_a_bigger_set(client, admin_user):
    client.force_login(admin_user)
    generate_municipality(boards=1, years=3, seed=1)
    small = count_queries(client)
    assert {"goal_tree", "indicator"} <= set(small)  # the pages that existed first

    generate_municipality(boards=3, years=5, seed=1)
    large = count_queries(client)

    assert large == small
