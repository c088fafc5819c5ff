"""The grid's columns and the status section: last year's year value beside each field, whole
assignment titles, and the prefixed names the grid's form posts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from goals.models import ReportingOccasion, StrategicAssignment
from goals.periods import PeriodType
from tests.entry_data import breakdown, goal_chain, set_value

Q = PeriodType.QUARTER


@pytest.mark.django_db
def test_row_shows_last_years_year_value_and_every_stored_decimal(client, controller_an, board_an):
    occasion = ReportingOccasion.objects.create(board=board_an, year=2023, kind="k3")
    indicator = goal_chain(board_an, goals=1, indicators_per_goal=1)[0]
    set_value(indicator, year=2022, period_type=PeriodType.YEAR, number=1, value=4711)
    set_value(indicator, year=2023, period_type=Q, number=3, value="9.5")  # 0 decimals shown
    client.force_login(controller_an)
    html = client.get(
        reverse("indicators:entry_page", args=[board_an.code, occasion.year, occasion.kind])
    ).content.decode()
    key = f"v{indicator.pk}-{breakdown().pk}-kvartal-3"
    row = html[html.index(f'id="f-{key}"') :]
    row = row[: row.index("</tr>")]
    assert "4\xa0711" in row  # Helår i fjol
    assert f'name="{key}-value"' in row and 'value="9,5"' in row
    assert "Helår i fjol" in html


@pytest.mark.django_db
def test_assignment_title_is_not_cut(client, controller_an, board_an, municipality):
    occasion = ReportingOccasion.objects.create(board=board_an, year=2023, kind="helar")
    goal_chain(board_an, goals=1, indicators_per_goal=1, frequency=PeriodType.YEAR)
    title = "Ta fram en plan för " + "hur nämndens verksamheter samverkar " * 4 + "till slut."
    assert len(title) > 80
    StrategicAssignment.objects.create(
        municipality=municipality, scope="kommungemensamt", text=title, valid_from=2023
    )
    client.force_login(controller_an)
    html = client.get(
        reverse("indicators:entry_page", args=[board_an.code, occasion.year, occasion.kind])
    ).content.decode()
    assert title in html
