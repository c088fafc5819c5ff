"""The overview of occasions: state, deadline and what is still missing, per board."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goals.models import BoardRole, ReportingOccasion, Role
from goals.periods import PeriodType
from tests.entry_data import goal_chain, set_value

Q = PeriodType.QUARTER


def test_overview_shows_missing_fields_and_deadline(client, board_an, controller_an):
    occasion = ReportingOccasion.objects.create(
        board=board_an, year=2023, kind="k3", deadline=datetime.date(2023, 10, 15)
    )
    indicators = goal_chain(board_an, goals=1, indicators_per_goal=2)
    for gender in ("", "K", "M"):
        set_value(indicators[0], year=2023, period_type=Q, number=3, value=1, gender=gender)
    client.force_login(controller_an)
    response = client.get(reverse("indicators:entry_overview") + "?ar=2023")
    assert response.status_code == 200
    (row,) = response.context["rows"]
    status = row["status"]
    assert status.occasion == occasion
    assert (status.due, status.missing_count) == (6, 3)
    assert [indicator.name for indicator in status.missing_indicators] == ["Indikator 1.2"]
    html = response.content.decode()
    assert "15 oktober 2023" in html
    assert "3 av 6 fält" in html
    assert "Indikator 1.2" in html


def test_overview_query_count_is_flat(client, municipality, board_an, board_other, admin_user):
    client.force_login(admin_user)
    url = reverse("indicators:entry_overview") + "?ar=2023"
    ReportingOccasion.objects.create(board=board_an, year=2023, kind="k1")
    goal_chain(board_an, goals=1, indicators_per_goal=2)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for kind in ("k2", "k3", "d1", "d2", "helar"):
        ReportingOccasion.objects.create(board=board_an, year=2023, kind=kind)
        ReportingOccasion.objects.create(board=board_other, year=2023, kind=kind)
    goal_chain(board_an, goals=3, indicators_per_goal=4)
    goal_chain(board_other, goals=2, indicators_per_goal=3)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert len(response.context["rows"]) == 11
    assert len(large) == len(small)


def test_overview_lists_only_the_users_boards(client, board_an, board_other, controller_an):
    ReportingOccasion.objects.create(board=board_an, year=2023, kind="k1")
    ReportingOccasion.objects.create(board=board_other, year=2023, kind="k1")
    BoardRole.objects.get_or_create(user=controller_an, role=Role.CONTROLLER, board=board_an)
    client.force_login(controller_an)
    rows = client.get(reverse("indicators:entry_overview") + "?ar=2023").context["rows"]
    assert [row["status"].occasion.board.code for row in rows] == ["AN"]
