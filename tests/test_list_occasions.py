"""The occasion overview as a table: filters by board, year, kind and state; sorting; access."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from goals.models import Board, ReportingOccasion
from indicators.models import Indicator
from tests.entry_data import goal_chain
from tests.lists import assert_flat_queries, records

URL = reverse("indicators:entry_overview")
KINDS = ("k1", "d1", "k2", "d2", "k3", "helar")


def shown(response) -> list[tuple[str, int, str]]:
    return [
        (row["occasion"].board.code, row["occasion"].year, row["occasion"].kind)
        for row in records(response)
    ]


@pytest.fixture
def occasions(board_an, board_other):
    goal_chain(board_an, goals=1, indicators_per_goal=1)
    made = {}
    for board in (board_an, board_other):
        for year, kind in ((2022, "helar"), (2023, "k1"), (2023, "k3")):
            made[board.code, year, kind] = ReportingOccasion.objects.create(
                board=board, year=year, kind=kind
            )
    ReportingOccasion.objects.filter(pk=made["AN", 2023, "k1"].pk).update(
        state=ReportingOccasion.State.SUBMITTED, deadline=datetime.date(2023, 4, 15)
    )
    return made


def test_the_latest_year_is_shown_first_in_kind_then_board_order(client, occasions, admin_user):
    client.force_login(admin_user)
    response = client.get(URL)
    assert response.context["year"] == 2023
    assert shown(response) == [
        ("AN", 2023, "k1"),
        ("BIN", 2023, "k1"),
        ("AN", 2023, "k3"),
        ("BIN", 2023, "k3"),
    ]
    assert '<option value="2023" selected>2023</option>' in response.content.decode()


def test_filters_by_board_year_kind_and_state(client, occasions, admin_user, board_other):
    client.force_login(admin_user)
    assert shown(client.get(URL + f"?namnd={board_other.pk}")) == [
        ("BIN", 2023, "k1"),
        ("BIN", 2023, "k3"),
    ]
    assert shown(client.get(URL + "?ar=2022")) == [("AN", 2022, "helar"), ("BIN", 2022, "helar")]
    assert shown(client.get(URL + "?tillfalle=k3")) == [("AN", 2023, "k3"), ("BIN", 2023, "k3")]
    assert shown(client.get(URL + "?status=inskickad")) == [("AN", 2023, "k1")]


def test_a_year_without_occasions_is_an_error_at_the_field(client, occasions, admin_user):
    client.force_login(admin_user)
    response = client.get(URL + "?ar=1999")
    assert response.context["filter"].form.errors["ar"]
    assert "Välj ett giltigt alternativ" in response.content.decode()


def test_sorting_by_deadline_state_and_board(client, occasions, admin_user):
    client.force_login(admin_user)
    # Only AN k1 has a deadline; occasions without one sort last.
    assert shown(client.get(URL + "?sort=deadline"))[0] == ("AN", 2023, "k1")
    assert shown(client.get(URL + "?sort=-state"))[0] == ("AN", 2023, "k1")
    assert [code for code, _, _ in shown(client.get(URL + "?sort=-board"))] == [
        "BIN",
        "BIN",
        "AN",
        "AN",
    ]
    page = client.get(URL + "?sort=deadline&tillfalle=k1").content.decode()
    assert "15 april 2023" in page


def test_rows_link_to_the_entry_page(client, occasions, controller_an):
    client.force_login(controller_an)
    page = client.get(URL).content.decode()
    assert (
        f'<a href="{reverse("indicators:entry_page", args=["AN", 2023, "k3"])}">Kvartal 3 2023</a>'
        in page
    )


def test_a_board_scoped_user_never_sees_another_boards_occasions(
    client, occasions, controller_other, board_an
):
    client.force_login(controller_other)
    response = client.get(URL + f"?namnd={board_an.pk}")
    assert response.context["filter"].form.errors["namnd"]
    assert {code for code, _, _ in shown(response)} == {"BIN"}
    assert "Arbetsmarknadsnämnden" not in response.content.decode()


def test_query_count_does_not_grow_with_the_rows(
    client, municipality, board_an, board_other, admin_user
):
    for board in (board_an, board_other):
        goal_chain(board, goals=1, indicators_per_goal=2)
        ReportingOccasion.objects.create(board=board, year=2023, kind="k1")
    year_2023 = ReportingOccasion.objects.filter(year=2023)

    def grow():
        boards = [board_an, board_other]
        for number in (3, 4):
            board = Board.objects.create(
                municipality=municipality,
                code=f"N{number}",
                name=f"Nämnd {number}",
                valid_from=2019,
            )
            goal_chain(board, goals=2, indicators_per_goal=2)
            boards.append(board)
        for board in boards:
            for kind in KINDS:
                if year_2023.count() < 20:
                    ReportingOccasion.objects.get_or_create(board=board, year=2023, kind=kind)

    client.force_login(admin_user)
    assert_flat_queries(client, URL + "?sort=missing", rows=year_2023.count, grow=grow)


def test_hostile_names_are_escaped(client, occasions, admin_user, board_an):
    board_an.name = "<script>alert(1)</script>"
    board_an.save()
    Indicator.objects.filter(board=board_an).update(name="<img src=x onerror=alert(1)>")
    client.force_login(admin_user)
    page = client.get(URL).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; (AN)" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page  # the missing indicator's name
    assert "<script>alert" not in page
    assert "<img src=x" not in page
