"""The indicator list: filters, search, sorting, paging, access and escaping."""

from __future__ import annotations

import pytest
from django.urls import reverse

from goals.models import BoardRole, Role
from goals.periods import PeriodType
from indicators.models import Footnote, Indicator
from tests.entry_data import goal_chain
from tests.lists import assert_flat_queries, records

URL = reverse("reports:indicator_list")


def names(response) -> list[str]:
    return [indicator.name for indicator in records(response)]


@pytest.fixture
def two_boards(board_an, board_other):
    an = goal_chain(board_an, goals=1, indicators_per_goal=2)
    other = goal_chain(board_other, goals=1, indicators_per_goal=1, area_name="Ekonomi")
    Indicator.objects.filter(pk=other[0].pk).update(name="Behöriga elever")
    other[0].board_goal.title = "Fler behöriga elever"
    other[0].board_goal.save()
    return an, other


def test_a_board_scoped_user_sees_only_its_boards_indicators(client, two_boards, controller_an):
    client.force_login(controller_an)
    response = client.get(URL)
    assert names(response) == ["Indikator 1.1", "Indikator 1.2"]
    page = response.content.decode()
    assert "Bildningsnämnden" not in page  # not even as a filter choice
    assert "Fler behöriga elever" not in page  # BIN's nämndmål is not offered either


def test_another_boards_id_in_the_filter_shows_nothing_of_it(
    client, two_boards, controller_other, board_an
):
    client.force_login(controller_other)
    response = client.get(URL + f"?namnd={board_an.pk}")
    assert response.status_code == 200
    assert response.context["filter"].form.errors["namnd"]
    assert names(response) == ["Behöriga elever"]  # BIN's own, never AN's
    assert "Indikator 1.1" not in response.content.decode()


def test_rows_link_to_the_indicator_page(client, two_boards, admin_user):
    client.force_login(admin_user)
    page = client.get(URL).content.decode()
    indicator = two_boards[0][0]
    assert (
        f'<a href="{reverse("reports:indicator_detail", args=[indicator.pk])}">Indikator 1.1</a>'
        in page
    )


def test_filters_by_board_goal_area_goal_unit_and_frequency(
    client, two_boards, admin_user, board_other
):
    an, other = two_boards
    Indicator.objects.filter(pk=an[1].pk).update(
        unit=Indicator.Unit.PERCENT, frequency=PeriodType.YEAR
    )
    client.force_login(admin_user)
    assert names(client.get(URL + f"?namnd={board_other.pk}")) == ["Behöriga elever"]
    area = other[0].board_goal.council_goal.goal_area
    assert names(client.get(URL + f"?malomrade={area.pk}")) == ["Behöriga elever"]
    assert names(client.get(URL + f"?namndmal={an[0].board_goal_id}")) == [
        "Indikator 1.1",
        "Indikator 1.2",
    ]
    assert names(client.get(URL + "?enhet=procent")) == ["Indikator 1.2"]
    assert names(client.get(URL + "?frekvens=kvartal&namnd=" + str(an[0].board_id))) == [
        "Indikator 1.1"
    ]


def test_the_year_filter_keeps_the_indicators_valid_that_year(client, two_boards, admin_user):
    an, _ = two_boards
    Indicator.objects.filter(pk=an[0].pk).update(valid_to=2021)
    client.force_login(admin_user)
    assert "Indikator 1.1" in names(client.get(URL + "?ar=2021"))
    assert "Indikator 1.1" not in names(client.get(URL + "?ar=2022"))
    response = client.get(URL + "?ar=tjugotjugo")
    assert response.context["filter"].form.errors["ar"] == ["Fyll i ett heltal."]
    assert "Fyll i ett heltal." in response.content.decode()  # at the field


def test_search_is_case_insensitive_for_swedish_letters_too(client, two_boards, admin_user):
    an, other = two_boards
    Indicator.objects.filter(pk=an[0].pk).update(name="Väntetid till äldreboende")
    Indicator.objects.filter(pk=an[1].pk).update(source="Kolada, Öppna jämförelser")
    Footnote.objects.create(indicator=other[0], text="Andel elever med behörighet, Å-skolor")
    client.force_login(admin_user)
    assert names(client.get(URL + "?q=ÄLDREBOENDE")) == ["Väntetid till äldreboende"]
    assert names(client.get(URL + "?q=väntetid")) == ["Väntetid till äldreboende"]
    assert names(client.get(URL + "?q=öppna JÄMFÖRELSER")) == ["Indikator 1.2"]  # the source
    assert names(client.get(URL + "?q=å-SKOLOR")) == ["Behöriga elever"]  # its footnote
    assert names(client.get(URL + "?q=a.b")) == []  # the text is literal, not a pattern


def test_columns_sort_both_ways_and_keep_the_filters(client, two_boards, admin_user, board_an):
    client.force_login(admin_user)
    filtered = f"?namnd={board_an.pk}&sort=-name"
    response = client.get(URL + filtered)
    assert names(response) == ["Indikator 1.2", "Indikator 1.1"]
    page = response.content.decode()
    assert 'aria-sort="descending"' in page
    assert f"namnd={board_an.pk}" in page.split('aria-sort="descending"')[1].split("</th>")[0]
    assert names(client.get(URL + "?sort=board")) == [
        "Indikator 1.1",
        "Indikator 1.2",
        "Behöriga elever",
    ]
    assert names(client.get(URL + "?sort=-board"))[0] == "Behöriga elever"


def test_pages_of_25(client, board_an, admin_user):
    goal_chain(board_an, goals=1, indicators_per_goal=27, with_gender=False)
    client.force_login(admin_user)
    first = client.get(URL)
    assert len(records(first)) == 25
    assert "Visar 1–25 av 27." in first.content.decode()
    assert 'aria-label="Sidor"' in first.content.decode()
    assert len(records(client.get(URL + "?page=2"))) == 2


def test_query_count_does_not_grow_with_the_rows(client, board_an, admin_user):
    goal_chain(board_an, goals=2, indicators_per_goal=1, with_gender=False)
    client.force_login(admin_user)
    assert_flat_queries(
        client,
        URL + "?sort=goal_area",
        rows=Indicator.objects.count,
        grow=lambda: goal_chain(board_an, goals=6, indicators_per_goal=3, with_gender=False),
    )


def test_hostile_names_are_escaped(client, two_boards, admin_user, board_an):
    an, _ = two_boards
    Indicator.objects.filter(pk=an[0].pk).update(name="<script>alert(1)</script>Ohyra")
    board_an.name = "<img src=x onerror=alert(1)>"
    board_an.save()
    client.force_login(admin_user)
    page = client.get(URL + "?q=<script>").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Ohyra" in page
    assert "<script>alert" not in page
    assert "<img src=x" not in page


def test_a_manager_sees_the_list_of_their_board(client, two_boards, manager_an, board_other):
    BoardRole.objects.create(user=manager_an, role=Role.MANAGER, board=board_other)
    client.force_login(manager_an)
    assert len(names(client.get(URL))) == 3
