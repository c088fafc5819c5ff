""" "Att göra" on the start page: what waits for each user, with missing counts equal to the
submit's own, in a query count that stays flat as boards and occasions grow."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goals import services
from goals.models import Board, ReportingOccasion
from goals.selectors import occasion_gaps
from indicators.entry import occasion_gap_counts
from tests.entry_data import goal_chain

pytestmark = pytest.mark.django_db
HOME = "reports:home"


def home_html(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse(HOME))
    assert response.status_code == 200
    return response.content.decode()


def todo_section(html: str) -> str:
    start = html.index('<h2 id="att-gora">')
    return html[start : html.index("</section>", start)]


@pytest.fixture
def occasions(board_an, board_other):
    goal_chain(board_an, indicators_per_goal=2, with_gender=False)
    goal_chain(board_other, indicators_per_goal=1, with_gender=False)
    return {
        "k2": ReportingOccasion.objects.create(
            board=board_an, year=2023, kind="k2", deadline=datetime.date(2023, 7, 15)
        ),
        "k3": ReportingOccasion.objects.create(
            board=board_an, year=2023, kind="k3", deadline=datetime.date(2023, 10, 15)
        ),
        "bin": ReportingOccasion.objects.create(
            board=board_other, year=2023, kind="k3", deadline=datetime.date(2023, 10, 20)
        ),
    }


def test_a_controller_sees_the_open_occasions_of_their_board_sent_back_first(
    client, occasions, controller_an, secretary_an
):
    services.submit_occasion(user=controller_an, occasion=occasions["k3"], confirm_missing=True)
    services.return_occasion(
        user=secretary_an, occasion=occasions["k3"], reason="Kommentera <avvikelsen> & källan"
    )
    todo = todo_section(home_html(client, controller_an))
    assert "Att rapportera" in todo and "Att godkänna" not in todo
    assert "Bildningsnämnden" not in todo
    k3 = todo.index("Kvartal 3 2023")
    k2 = todo.index("Kvartal 2 2023")
    assert k3 < k2  # sent back first, though its deadline is later
    assert "2 uppgifter saknas" in todo[k3:k2]
    assert "Sista dag 2023-10-15" in todo[k3:k2]
    assert "Tillbakaskickat</strong> av sekreterare_an:" in todo[k3:k2]
    assert "Kommentera &lt;avvikelsen&gt; &amp; källan" in todo
    assert "Sista dag 2023-07-15" in todo[k2:]
    assert reverse("indicators:entry_page", args=["AN", 2023, "k3"]) in todo


def test_an_approver_sees_the_submitted_occasions(client, occasions, controller_an, secretary_an):
    services.submit_occasion(user=controller_an, occasion=occasions["k2"], confirm_missing=True)
    todo = todo_section(home_html(client, secretary_an))
    assert "Att godkänna" in todo and "Att rapportera" not in todo
    assert "Kvartal 2 2023</a>: inskickat, väntar på godkännande." in todo
    assert "Kvartal 3 2023" not in todo  # open: the controllers' to do, not the approver's
    # The controller no longer has it to do.
    todo = todo_section(home_html(client, controller_an))
    assert "Kvartal 2 2023" not in todo and "Kvartal 3 2023" in todo


def test_nothing_waiting_says_so(client, occasions, manager_an):
    todo = todo_section(home_html(client, manager_an))
    assert "Inget väntar på dig just nu" in todo


def count_home_queries(client) -> int:
    client.get(reverse(HOME))  # warm up the session and the caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(HOME))
    assert response.status_code == 200
    return len(captured)


def test_the_query_count_is_flat_in_boards_and_occasions(client, admin_user, municipality):
    client.force_login(admin_user)

    def add_board(code: str) -> None:
        board = Board.objects.create(
            municipality=municipality, code=code, name=f"Nämnd {code}", valid_from=2019
        )
        goal_chain(board, indicators_per_goal=2, with_gender=False)
        for kind in ["k1", "k2", "d1", "helar"]:
            occasion = ReportingOccasion.objects.create(board=board, year=2023, kind=kind)
            if kind == "k1":
                services.submit_occasion(user=admin_user, occasion=occasion, confirm_missing=True)

    add_board("B1")
    small = count_home_queries(client)
    for n in range(2, 6):
        add_board(f"B{n}")
    large = count_home_queries(client)
    html = client.get(reverse(HOME)).content.decode()
    assert todo_section(html).count("väntar på godkännande") == 5
    assert small == large


def test_the_counts_equal_what_a_submit_would_list_for_the_demo(demo_data):
    occasions = list(ReportingOccasion.objects.select_related("board"))
    counts = occasion_gap_counts(occasions)
    assert len(counts) == len(occasions) > 0
    assert any(counts.values())
    for occasion in occasions:
        assert counts[occasion.pk] == occasion_gaps(occasion).count, occasion
