"""The entry page, template and overview on the Linköping demo data (real structure)."""

from __future__ import annotations

import io

from django.urls import reverse
from openpyxl import load_workbook

from goals.models import ReportingOccasion
from indicators.importing import SHEET


def test_demo_occasions_render_for_the_controller(client, demo_data, controller_an):
    client.force_login(controller_an)
    occasions = ReportingOccasion.objects.filter(board=demo_data).order_by("year", "kind")
    assert occasions.exists()
    for occasion in occasions:
        url = reverse("indicators:entry_page", args=["AN", occasion.year, occasion.kind])
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        if occasion.is_locked:
            assert 'name="value"' not in html
    overview = client.get(reverse("indicators:entry_overview") + "?ar=2022")
    assert overview.status_code == 200


def test_demo_full_year_2022_is_locked_and_shows_its_assessments(client, demo_data, controller_an):
    occasion = ReportingOccasion.objects.get(board=demo_data, year=2022, kind="helar")
    assert occasion.is_locked
    client.force_login(controller_an)
    response = client.get(reverse("indicators:entry_page", args=["AN", 2022, "helar"]))
    html = response.content.decode()
    assert "Hög egenförsörjningsgrad" in html
    assert "3\xa0327" in html or "2\xa0917" in html  # ekonomiskt bistånd, stored values shown
    assert "godkänt och låst" in html
    sheet = response.context["sheet"]
    assessed = [block for area in sheet.areas for block in area.goals if block.assessment]
    assert len(assessed) == 9


def test_demo_open_occasion_template_downloads(client, demo_data, controller_an):
    occasion = (
        ReportingOccasion.objects.filter(board=demo_data, state="oppen").order_by("-year").first()
    )
    assert occasion is not None
    client.force_login(controller_an)
    response = client.get(
        reverse("indicators:entry_template", args=["AN", occasion.year, occasion.kind])
    )
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook[SHEET].max_row >= 1


def test_demo_open_quarter_has_goal_indicators_with_every_column_filled(
    client, demo_data, controller_an
):
    """The controller lands on the newest year's overview; its first occasion is AN 2023 kvartal 1.

    Its (invented, demo_2023.toml) goal indicators have Kvinnor/Män rows, and every field has the
    previous period (K4 2022), the same period last year (K1 2022), last year's year value and
    the 2023 target beside it.
    """
    client.force_login(controller_an)
    overview = client.get(reverse("indicators:entry_overview"))
    assert overview.context["year"] == 2023
    first = overview.context["rows"][0]["status"].occasion
    assert (first.board, first.year, first.kind, first.state) == (demo_data, 2023, "k1", "oppen")

    response = client.get(reverse("indicators:entry_page", args=["AN", 2023, "k1"]))
    assert response.status_code == 200
    sheet = response.context["sheet"]
    rows = [
        row
        for area in sheet.areas
        for block in area.goals
        for row in block.rows
        if row.indicator.board_goal_id is not None and row.indicator.valid_from == 2023
    ]
    # The four invented ones; the goal indicators the rollover continued from 2022 are there too.
    assert len(rows) == 4
    assert any(
        block.rows and block.rows[0].indicator.valid_from < 2023
        for area in sheet.areas
        for block in area.goals
    )
    genders = set()
    for row in rows:
        assert row.indicator.source == "Påhittade demodata"
        assert (row.period.year, row.period.type, row.period.number) == (2023, "kvartal", 1)
        for field in row.fields:
            genders.add(field.breakdown.gender)
            label = f"{row.indicator.name} {field.breakdown.code}"
            assert field.previous is not None and field.previous.value is not None, label
            assert field.last_year is not None and field.last_year.value is not None, label
            assert field.last_year_year is not None, label
            assert field.last_year_year.value is not None, label
            assert field.target is not None, label
            assert "–" not in (field.previous_text, field.last_year_text, field.target_text)
    assert {"K", "M"} <= genders
    waiting = next(row for row in rows if row.indicator.name.startswith("Väntetid i dagar"))
    women = next(field for field in waiting.fields if field.breakdown.gender == "K")
    assert (women.previous_text, women.last_year_text, women.last_year_year_text) == ("4", "9", "7")
    assert women.target_text.startswith("5")
    html = response.content.decode()
    assert "Kvinnor" in html and "Män" in html
