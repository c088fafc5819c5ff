"""The dashboards read only what they show (issue 17): the same pages as the full read, fewer rows.

The board dashboard reads only the year's targets and no target footnotes; the municipality
overview reads only the year's sub-year periods, the year's targets and no footnotes. Each is
compared with the full read it replaced (every year's targets and footnotes, every period of
both years) over the demo data and a synthetic municipality, and the queries of a cold build
stay the same whatever the number of boards, goals, indicators and years.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from demo.synthetic import generate_municipality
from goals.models import Board, GoalArea, Role
from indicators.models import Indicator
from indicators.selectors import IndicatorSeries, load_series
from reports.dashboard import board as board_module
from reports.dashboard import overview as overview_module
from reports.dashboard.board import board_dashboard
from reports.dashboard.overview import municipality_overview
from reports.dashboard.rows import (
    ALL_PERIOD_TYPES,
    history_years,
    indicator_row,
    latest_judgements,
)
from tests import dashboard_builders as b
from tests.conftest import make_user
from tests.test_dashboard_overview import add_boards

pytestmark = pytest.mark.django_db


def full_dashboard_series(indicators: Iterable[Indicator], year: int) -> dict[int, IndicatorSeries]:
    """The board dashboard's read before issue 17: every history year's targets and notes."""
    return load_series(
        indicators, history_years(year), period_types=ALL_PERIOD_TYPES, sub_year_periods_in=[year]
    )


def full_overview_series(indicators: Iterable[Indicator], year: int) -> dict[int, IndicatorSeries]:
    """The overview's read before issue 17: both years, every period type, every footnote."""
    return load_series(indicators, [year - 1, year], period_types=ALL_PERIOD_TYPES)


def boards_and_years() -> list[tuple[Board, int]]:
    return [
        (board, year)
        for board in Board.objects.order_by("order", "code")
        for year in range(2018, 2025)
        if board.is_valid_in(year)
    ]


def assert_dashboards_as_full_read(monkeypatch) -> int:
    """Every board's dashboard in every year (and per målområde) equals the full read's."""
    areas = [None, *GoalArea.objects.order_by("order", "pk")]
    compared = 0
    for board, year in boards_and_years():
        for area in areas:
            lean = board_dashboard(board, year, goal_area=area)
            with monkeypatch.context() as patch:
                patch.setattr(board_module, "load_dashboard_series", full_dashboard_series)
                full = board_dashboard(board, year, goal_area=area)
            assert lean == full, (board.code, year, area)
            compared += sum(len(card.rows) for s in lean.areas for card in s.goals)
    return compared


def assert_overviews_as_full_read(monkeypatch) -> int:
    boards = list(Board.objects.order_by("order", "code"))
    compared = 0
    for year in range(2018, 2025):
        shown = [board for board in boards if board.is_valid_in(year)]
        for area in [None, *GoalArea.objects.order_by("order", "pk")]:
            lean = municipality_overview(shown, year, goal_area=area)
            with monkeypatch.context() as patch:
                patch.setattr(overview_module, "overview_series", full_overview_series)
                full = municipality_overview(shown, year, goal_area=area)
            assert lean == full, (year, area)
            compared += lean.totals.indicator_total if lean.totals else 0
    return compared


def test_demo_dashboards_and_overview_equal_the_full_read(demo_data, monkeypatch):
    assert assert_dashboards_as_full_read(monkeypatch) > 50
    assert assert_overviews_as_full_read(monkeypatch) > 50


def test_synthetic_dashboards_and_overview_equal_the_full_read(municipality, monkeypatch):
    generate_municipality(boards=2, years=3, seed=1, last_year=2022)
    assert assert_dashboards_as_full_read(monkeypatch) > 50
    assert assert_overviews_as_full_read(monkeypatch) > 50


def test_latest_judgements_equal_the_full_read(demo_data):
    """The indicator list's judgements read only the year's targets now."""
    indicators = list(Indicator.objects.valid_in(2022).filter(category=Indicator.Category.GOAL))
    lean = latest_judgements(indicators, 2022)
    series = load_series(
        indicators, [2021, 2022], period_types=ALL_PERIOD_TYPES, sub_year_periods_in=[2022]
    )
    by_id = {indicator.pk: indicator for indicator in indicators}
    for pk, row in lean.items():
        parent_id = by_id[pk].parent_id
        expected = indicator_row(
            series[pk],
            2022,
            parent=series.get(parent_id) if parent_id else None,
            depth=1 if parent_id else 0,
            with_trend=False,
        )
        assert row == expected, by_id[pk].name
    assert any(row.met is not None for row in lean.values())


def test_target_years_limit_the_targets_and_keep_the_values(board_an):
    (ind,) = b.sized_board(board_an, goals=1, indicators_per_goal=1, years=range(2020, 2023))
    full = load_series([ind], [2021, 2022])[ind.pk]
    lean = load_series([ind], [2021, 2022], target_years=[2022], target_notes=False)[ind.pk]
    assert set(full.targets) == {2021, 2022}
    assert set(lean.targets) == {2022}
    assert lean.target(2022) == full.target(2022)
    assert lean.values == full.values
    # Years outside the read are not read either.
    assert not load_series([ind], [2021], target_years=[2022])[ind.pk].targets


def test_value_notes_own_and_shared_and_none_without(board_an):
    goal = b.board_goal(board_an, b.council_goal(b.area("Medborgare", 2), "KF-mål"), "Mål")
    ind = b.indicator(board_an, goal, "Med fotnot")
    other = b.indicator(board_an, goal, "Annan")
    own = b.value(ind, 2022, 10, footnote="Preliminär siffra")
    shared_with = b.value(ind, 2021, 9)
    elsewhere = b.value(other, 2022, 3)
    note = own.footnotes.get()
    note.shared_values.add(shared_with, elsewhere)
    b.value(ind, 2020, 8, footnote="Utanför läsningen")

    series = load_series([ind], [2021, 2022])[ind.pk]
    assert series.total(2022).notes == [(note.pk, "Preliminär siffra")]
    assert series.total(2021).notes == [(note.pk, "Preliminär siffra")]  # shared: same note
    assert series.total(2020) is None
    assert load_series([other], [2022])[other.pk].total(2022).footnotes == ["Preliminär siffra"]
    assert load_series([ind], [2022], value_notes=False)[ind.pk].total(2022).footnotes == []


# --- queries of a cold build ---------------------------------------------------------------------


@pytest.fixture
def chef_all(db):
    return make_user("chef_alla", Role.MANAGER, None)


def cold_queries(client, url: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_overview_cold_queries_the_same_for_1_3_and_6_boards(client, chef_all, municipality):
    client.force_login(chef_all)
    url = reverse("reports:municipality_overview") + "?ar=2022"
    counts = []
    for total in (1, 3, 6):
        add_boards(municipality, total - Board.objects.count(), start=Board.objects.count())
        counts.append(cold_queries(client, url))
    html = client.get(url).content.decode()
    assert html.count('<th scope="row"><a href=') == 12  # six boards, goals and economy tables
    assert counts[0] == counts[1] == counts[2], counts


@pytest.mark.parametrize(
    "bigger",
    [
        {"goals": 6, "indicators_per_goal": 1, "years": range(2021, 2023)},  # more goals
        {"goals": 1, "indicators_per_goal": 8, "years": range(2021, 2023)},  # more indicators
        {"goals": 1, "indicators_per_goal": 1, "years": range(2012, 2023)},  # more years
    ],
    ids=["goals", "indicators", "years"],
)
def test_board_dashboard_cold_queries_flat(client, manager_an, board_an, bigger):
    client.force_login(manager_an)
    url = reverse("reports:board_dashboard", args=["AN", 2022])
    b.sized_board(board_an, goals=1, indicators_per_goal=1, years=range(2021, 2023))
    small = cold_queries(client, url)
    b.sized_board(board_an, **bigger)
    assert cold_queries(client, url) == small
