"""The Kolada comparison: the selector's figures, and the panel on the indicator page and the
board dashboard ("Källa: Kolada", Swedish numbers, "prel.", query counts flat)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goals.models import Board
from indicators.kolada.comparison import MEDIAN_MIN_PEERS, compare, is_preliminary, rank_among
from indicators.models import Indicator, IndicatorValue
from tests import kolada_data as kd
from tests.entry_data import breakdown, goal_chain

YEAR = 2024
TODAY = datetime.date(2025, 6, 1)


@pytest.fixture
def setup(board_an):
    (indicator,) = goal_chain(board_an, goals=1, indicators_per_goal=1)
    board_an.municipality.code = kd.OWN
    board_an.municipality.save()
    members = kd.municipalities(6)
    kd.peer_group(board_an, members)
    kpi = kd.kpi()
    kd.link(indicator, kpi)
    return board_an, indicator, kpi, members


def _one(board, indicator, years=(YEAR,), today=TODAY):
    result = compare(board=board, indicators=[indicator], years=list(years), today=today)
    (item,) = result.indicators
    return result, item.years


def test_mean_median_riket_and_rank_when_higher_is_better(setup):
    board, indicator, kpi, members = setup
    for member, figure in zip(members, [10, 20, 30, 40, 50, 60], strict=True):
        kd.value(kpi, member.id, YEAR, figure)
    kd.value(kpi, kd.OWN, YEAR, "45.5")
    kd.value(kpi, kd.RIKET, YEAR, "33.3")
    result, (row,) = _one(board, indicator)
    assert result.peer_count == 6
    assert result.group_title.startswith("Liknande kommuner")
    assert row.own == Decimal("45.5")
    assert row.riket == Decimal("33.3")
    assert row.peer_mean == Decimal(35)
    assert row.peer_median == Decimal(35)
    assert (row.rank, row.ranked, row.peers_with_value) == (3, 7, 6)  # 60 and 50 are better
    assert not row.preliminary


def test_rank_when_lower_is_better_and_ties_share_a_rank(setup):
    board, indicator, kpi, members = setup
    Indicator.objects.filter(pk=indicator.pk).update(direction=Indicator.Direction.LOWER)
    indicator.refresh_from_db()
    for member, figure in zip(members, [5, 5, 7, 9, 9, 12], strict=True):
        kd.value(kpi, member.id, YEAR, figure)
    kd.value(kpi, kd.OWN, YEAR, 7)
    _, (row,) = _one(board, indicator)
    assert (row.rank, row.ranked) == (3, 7)  # 5 and 5 are better, 7 ties
    assert row.peer_median == Decimal(8)
    assert rank_among(Decimal(5), [Decimal(5), Decimal(5)], Indicator.Direction.LOWER) == 1
    assert rank_among(Decimal(5), [Decimal(6)], Indicator.Direction.HIGHER) == 2


def test_no_rank_without_a_direction_or_an_own_value(setup):
    board, indicator, kpi, members = setup
    for member in members:
        kd.value(kpi, member.id, YEAR, 10)
    Indicator.objects.filter(pk=indicator.pk).update(direction=Indicator.Direction.NONE)
    indicator.refresh_from_db()
    kd.value(kpi, kd.OWN, YEAR, 12)
    _, (row,) = _one(board, indicator)
    assert row.rank is None and row.own == Decimal(12)
    Indicator.objects.filter(pk=indicator.pk).update(direction=Indicator.Direction.HIGHER)
    indicator.refresh_from_db()
    _, (row,) = _one(board, indicator, years=(YEAR + 1,))
    assert row.own is None and row.rank is None


def test_missing_values_count_out_and_no_median_under_five_peers(setup):
    board, indicator, kpi, members = setup
    for member, figure in zip(members, [10, 20, None, None, 30, None], strict=True):
        kd.value(kpi, member.id, YEAR, figure)
    kd.value(kpi, kd.OWN, YEAR, 25)
    _, (row,) = _one(board, indicator)
    assert row.peers_with_value == 3 < MEDIAN_MIN_PEERS
    assert row.peer_mean == Decimal(20)
    assert row.peer_median is None
    assert (row.rank, row.ranked) == (2, 4)
    assert row.riket is None


def test_own_municipality_in_the_group_is_not_its_own_peer(setup):
    board, indicator, kpi, members = setup
    kd.peer_group(board, members[:2], with_own=True)
    kd.value(kpi, members[0].id, YEAR, 10)
    kd.value(kpi, members[1].id, YEAR, 30)
    kd.value(kpi, kd.OWN, YEAR, 100)
    result, (row,) = _one(board, indicator)
    assert result.peer_count == 2
    assert row.peer_mean == Decimal(20)
    assert (row.rank, row.ranked) == (1, 3)


def test_preliminary_until_the_publication_date_has_passed(setup):
    board, indicator, kpi, members = setup
    kd.value(kpi, kd.OWN, YEAR, 10, preliminary=True)
    kd.value(kpi, members[0].id, YEAR, 11)
    kpi.publication_date = datetime.date(2025, 9, 1)
    kpi.publ_period = str(YEAR)
    kpi.save()
    _, (row,) = _one(board, indicator)
    assert row.preliminary
    _, (row,) = _one(board, indicator, today=datetime.date(2025, 9, 1))
    assert not row.preliminary
    assert is_preliminary(True, kpi, YEAR + 1, datetime.date(2030, 1, 1))  # later year: still
    assert not is_preliminary(False, kpi, YEAR, TODAY)


def test_a_preliminary_peer_makes_the_year_preliminary(setup):
    board, indicator, kpi, members = setup
    kd.value(kpi, kd.OWN, YEAR, 10)
    kd.value(kpi, members[0].id, YEAR, 11, preliminary=True)
    _, (row,) = _one(board, indicator)
    assert row.preliminary


def test_own_figures_are_koladas_never_the_entered_values(setup):
    board, indicator, _kpi, _members = setup
    IndicatorValue.objects.create(
        indicator=indicator,
        year=YEAR,
        breakdown=breakdown(),
        value=Decimal(999),
    )
    _, (row,) = _one(board, indicator)
    assert row.own is None
    assert not row.has_figures


def test_without_a_peer_group_only_own_and_riket(setup):
    board, indicator, kpi, members = setup
    board.kolada_peer_group.delete()
    kd.value(kpi, kd.OWN, YEAR, 10)
    kd.value(kpi, kd.RIKET, YEAR, 12)
    kd.value(kpi, members[0].id, YEAR, 11)
    result, (row,) = _one(board, indicator)
    assert result.group_title == "" and result.peer_count == 0
    assert (row.own, row.riket, row.peer_mean, row.rank) == (Decimal(10), Decimal(12), None, None)


def _count(board, years):
    board = Board.objects.select_related("municipality").get(pk=board.pk)
    indicators = list(Indicator.objects.filter(board=board).order_by("pk"))
    with CaptureQueriesContext(connection) as ctx:
        result = compare(board=board, indicators=indicators, years=years, today=TODAY)
    return len(ctx.captured_queries), result


def test_the_selector_runs_a_fixed_number_of_queries(board_an):
    small = goal_chain(board_an, goals=1, indicators_per_goal=1)
    kd.comparison_data(board_an, small, peers=2, years=[2023])
    few, result = _count(board_an, [2023])
    assert len(result.indicators) == 1 and result.peer_count == 2
    big = goal_chain(board_an, goals=3, indicators_per_goal=3)
    kd.comparison_data(board_an, [*small, *big], peers=12, years=range(2020, 2025))
    many, result = _count(board_an, list(range(2020, 2025)))
    assert len(result.indicators) == 10 and result.peer_count == 12
    assert result.indicators[-1].years[-1].peers_with_value == 12
    # The links with their KPIs, the peer group, its members, every value at once.
    assert few == many == 4


# --- the panel on the pages -------------------------------------------------------------


def _page_data(board, *, indicators, peers, years):
    chain = goal_chain(board, goals=1, indicators_per_goal=indicators, value_years=[YEAR])
    kd.comparison_data(board, chain, peers=peers, years=years)
    return chain


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_indicator_page_shows_the_comparison_with_its_source(client, manager_an, board_an):
    (indicator,) = _page_data(board_an, indicators=1, peers=6, years=[YEAR])
    kd.value(kd.kpi("N10000"), kd.OWN, YEAR - 1, "1234.5", preliminary=True)
    client.force_login(manager_an)
    _, html = _queries(client, reverse("reports:indicator_detail", args=[indicator.pk]))
    assert "Jämförelse med liknande kommuner" in html
    assert "Källa: Kolada" in html
    assert "Liknande kommuner, medel" in html and "Riket" in html
    assert "1\xa0234,5" in html  # Swedish number format
    assert "prel." in html
    assert "42,5" in html  # the mean of 40…45
    assert "1 av 7" in html  # 50 beats every peer, higher is better


def test_pages_without_links_show_nothing_of_kolada(client, manager_an, board_an):
    (indicator,) = goal_chain(board_an, goals=1, indicators_per_goal=1, value_years=[YEAR])
    client.force_login(manager_an)
    _, html = _queries(client, reverse("reports:indicator_detail", args=[indicator.pk]))
    assert "Källa: Kolada" not in html
    _, html = _queries(client, reverse("reports:board_dashboard", args=[board_an.code, YEAR]))
    assert "Källa: Kolada" not in html


def test_board_dashboard_shows_every_linked_indicator(client, manager_an, board_an):
    chain = _page_data(board_an, indicators=2, peers=3, years=[YEAR - 1, YEAR])
    client.force_login(manager_an)
    _, html = _queries(client, reverse("reports:board_dashboard", args=[board_an.code, YEAR]))
    assert html.count('class="kolada-table"') == 2
    assert "Källa: Kolada" in html
    for indicator in chain:
        assert reverse("reports:indicator_detail", args=[indicator.pk]) in html
    assert "Nyckeltal 2" in html


def test_kpi_titles_from_kolada_never_become_markup(client, manager_an, board_an):
    (indicator,) = _page_data(board_an, indicators=1, peers=2, years=[YEAR])
    kd.kpi("N10000").__class__.objects.filter(pk="N10000").update(
        title='<script>alert("x")</script><b>fet</b>'
    )
    client.force_login(manager_an)
    for url in (
        reverse("reports:indicator_detail", args=[indicator.pk]),
        reverse("reports:board_dashboard", args=[board_an.code, YEAR]),
    ):
        _, html = _queries(client, url)
        assert "<b>fet</b>" not in html and '<script>alert("x")' not in html
        assert "&lt;b&gt;fet&lt;/b&gt;" in html


@pytest.mark.parametrize("route", ["indicator", "dashboard"])
def test_page_query_counts_stay_flat_in_peers_kpis_and_years(
    client, manager_an, board_an, board_other, route
):
    client.force_login(manager_an)
    first = _page_data(board_an, indicators=1, peers=2, years=[YEAR])
    url = (
        reverse("reports:indicator_detail", args=[first[0].pk])
        if route == "indicator"
        else reverse("reports:board_dashboard", args=[board_an.code, YEAR])
    )
    few, html = _queries(client, url)
    assert "Källa: Kolada" in html
    # More indicators (KPIs) on the board, twelve peers, five years of Kolada figures.
    more = goal_chain(board_an, goals=2, indicators_per_goal=3, value_years=[YEAR])
    kd.comparison_data(board_an, [first[0], *more], peers=12, years=range(YEAR - 4, YEAR + 1))
    many, html = _queries(client, url)
    assert "Kommun 12" not in html  # peers are counted, not listed
    assert few == many
    if route == "dashboard":
        assert html.count('class="kolada-table"') == 7


def test_a_linked_indicator_without_figures_names_no_source(client, manager_an, board_an):
    (indicator,) = goal_chain(board_an, goals=1, indicators_per_goal=1, value_years=[YEAR])
    kd.link(indicator, kd.kpi())
    client.force_login(manager_an)
    _, html = _queries(client, reverse("reports:indicator_detail", args=[indicator.pk]))
    assert "Inga värden från Kolada för åren." in html
    assert "Kommunens Kolada-kod saknas" in html and "ingen jämförelsegrupp vald" in html
    assert "Källa: Kolada" not in html
    kd.municipalities(0)
    kd.value(kd.kpi(), kd.RIKET, YEAR, 4)
    _, html = _queries(client, reverse("reports:indicator_detail", args=[indicator.pk]))
    assert "Källa: Kolada. Medel, median och rang är beräknade av Styrkort" in html
