"""The municipality overview: every visible board side by side, in a fixed number of queries."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goals.models import Board, Role
from reports.dashboard.filters import INVALID_YEAR
from reports.dashboard.overview import municipality_overview
from tests import dashboard_builders as b
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
URL = reverse("reports:municipality_overview")


@pytest.fixture
def chef_all(db):
    return make_user("chef_alla", Role.MANAGER, None)


def add_boards(municipality, count: int, start: int = 0) -> list[Board]:
    boards = []
    for number in range(start, start + count):
        board = Board.objects.create(
            municipality=municipality,
            code=f"N{number}",
            name=f"Nämnd {number}",
            valid_from=2019,
            order=10 + number,
        )
        b.sized_board(board, goals=3, indicators_per_goal=2, years=range(2021, 2023))
        boards.append(board)
    return boards


def row_of(html: str, board_name: str) -> list[str]:
    match = re.search(rf">{re.escape(board_name)}</a></th>(.*?)</tr>", html, re.S)
    assert match, board_name
    return re.findall(r'<td class="num">(\d+)</td>', match.group(1))


def test_requires_login(client):
    response = client.get(URL)
    assert response.status_code == 302


def test_counts_per_board_and_links(client, chef_all, municipality):
    add_boards(municipality, 2)
    client.force_login(chef_all)
    response = client.get(URL + "?ar=2022")
    assert response.status_code == 200
    html = response.content.decode()
    # 3 goals (2 assessed Delvis uppnått, 1 not assessed); 6 indicators at 102–103 < 105: off.
    cells = row_of(html, "Nämnd 0")
    assert cells == ["0", "2", "0", "1", "0", "6", "0"]
    assert reverse("reports:board_dashboard", args=["N1", 2022]) in html
    assert "Alla nämnder" in html  # the total row
    assert 'data-chart="chart-overview-goals"' in html


def test_indicator_on_and_off_target(chef_all, municipality):
    (board,) = add_boards(municipality, 1)
    ind = board.indicators.order_by("pk").first()
    ind.targets.filter(year=2022).update(value=50)  # 102 ≥ 50: met
    overview = municipality_overview([board], 2022)
    (summary,) = overview.boards
    assert summary.indicator_count("nadd") == 1
    assert summary.indicator_count("ej_nadd") == 5
    assert summary.goal_count("delvis") == 2 and summary.goal_count("ej_bedomd") == 1
    assert overview.totals.goal_total == 3


def test_user_sees_only_own_boards(client, controller_other, municipality, board_an):
    add_boards(municipality, 1)
    b.sized_board(board_an, goals=1, indicators_per_goal=1)
    client.force_login(controller_other)
    html = client.get(URL + "?ar=2022").content.decode()
    assert "Bildningsnämnden" in html
    assert "Arbetsmarknadsnämnden" not in html and "Nämnd 0" not in html


def test_user_without_boards_gets_a_message(client, outsider):
    client.force_login(outsider)
    response = client.get(URL)
    assert response.status_code == 200
    assert "inte behörighet till någon nämnd" in response.content.decode()


def test_goal_area_filter_and_shareable_links(client, chef_all, municipality):
    add_boards(municipality, 1)
    economy = b.area("Ekonomi", 3)
    client.force_login(chef_all)
    html = client.get(URL + f"?ar=2022&malomrade={economy.pk}").content.decode()
    # Goals 0 and 2 are under Medborgare, goal 1 under Ekonomi (not assessed).
    assert row_of(html, "Nämnd 0") == ["0", "0", "0", "1", "0", "2", "0"]
    assert (
        reverse("reports:board_dashboard", args=["N0", 2022]) + f"?malomrade={economy.pk}" in html
    )


def test_bad_year_gets_swedish_message(client, chef_all, municipality):
    add_boards(municipality, 1)
    client.force_login(chef_all)
    response = client.get(URL + "?ar=tjugotjugo")
    assert response.status_code == 200
    html = response.content.decode()
    assert INVALID_YEAR in html
    assert '<option value="2022" selected>2022</option>' in html  # the year shown instead


def test_default_year_is_latest_followed_up(client, chef_all, municipality):
    add_boards(municipality, 1)
    client.force_login(chef_all)
    html = client.get(URL).content.decode()
    assert "<h1>Översikt 2022" in html


def test_htmx_fragment(client, chef_all, municipality):
    add_boards(municipality, 1)
    client.force_login(chef_all)
    response = client.get(URL + "?ar=2022", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html and "Nämnd 0" in html
    assert response["HX-Push-Url"] == URL + "?ar=2022"


def test_query_count_does_not_grow_with_boards(client, chef_all, municipality):
    add_boards(municipality, 2)
    client.force_login(chef_all)
    with CaptureQueriesContext(connection) as two:
        assert client.get(URL + "?ar=2022").status_code == 200
    add_boards(municipality, 4, start=2)
    for board in Board.objects.all():
        b.sized_board(board, goals=2, indicators_per_goal=3, years=range(2018, 2023))
    with CaptureQueriesContext(connection) as six:
        response = client.get(URL + "?ar=2022")
    # Each board once in the goals table and once in the economy table.
    assert response.content.decode().count('<th scope="row"><a href=') == 12
    assert len(six.captured_queries) == len(two.captured_queries)


def test_chef_of_one_board_sees_it(client, manager_an, board_an):
    b.sized_board(board_an, goals=1, indicators_per_goal=1)
    client.force_login(manager_an)
    html = client.get(URL + "?ar=2022").content.decode()
    assert "Arbetsmarknadsnämnden" in html


def test_filter_lists_escape_board_names_and_keep_the_choice(client, chef_all, municipality):
    Board.objects.create(
        municipality=municipality, code="XX", name='<img src=x onerror="alert(1)">', valid_from=2019
    )
    client.force_login(chef_all)
    html = client.get(reverse("reports:board_dashboard", args=["XX", 2022])).content.decode()
    assert "<img src=x" not in html
    assert '<option value="XX" selected>&lt;img src=x onerror=&quot;alert(1)&quot;&gt; (XX)' in html
    assert re.search(r'<select name="ar"[^>]*><option value="\d{4}"', html)
    assert '<option value="2022" selected>2022</option>' in html
