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
        url = reverse("entry_page", args=["AN", occasion.year, occasion.kind])
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        if occasion.is_locked:
            assert 'name="value"' not in html
    overview = client.get(reverse("entry_overview") + "?ar=2022")
    assert overview.status_code == 200


def test_demo_full_year_2022_is_locked_and_shows_its_assessments(client, demo_data, controller_an):
    occasion = ReportingOccasion.objects.get(board=demo_data, year=2022, kind="helar")
    assert occasion.is_locked
    client.force_login(controller_an)
    response = client.get(reverse("entry_page", args=["AN", 2022, "helar"]))
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
    response = client.get(reverse("entry_template", args=["AN", occasion.year, occasion.kind]))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook[SHEET].max_row >= 1
