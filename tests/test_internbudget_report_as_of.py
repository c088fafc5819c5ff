"""The verksamhetsberättelse as it stood on a given day: `?per=ÅÅÅÅ-MM-DD` on its page and
workbook reads the indicator figures as their history stood at the end of that day."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from goals.periods import INVALID_DAY
from indicators.models import IndicatorValue
from tests.test_report_fixtures import add_goal_with_indicators, breakdown, mini_an  # noqa: F401

pytestmark = pytest.mark.django_db

PAGE = reverse("reports:report", args=["AN", 2022])
WORKBOOK = reverse("reports:report_xlsx", args=["AN", 2022])


@pytest.fixture
def revised(mini_an):  # noqa: F811
    """Households 2022: 3 000 entered on 1 February 2023, revised to 2 917 on 1 March 2023."""
    from goals.models import ReportingOccasion

    indicator = mini_an.indicators["households"]
    ReportingOccasion.objects.filter(board=mini_an.board).update(state="oppen")
    stored = IndicatorValue.objects.get(indicator=indicator, year=2022, breakdown=breakdown())
    stored.delete()
    value = IndicatorValue(indicator=indicator, year=2022, breakdown=breakdown(), value=3000)
    value._history_date = timezone.make_aware(datetime.datetime(2023, 2, 1, 12))
    value.save()
    value.value = Decimal(2917)
    value._history_date = timezone.make_aware(datetime.datetime(2023, 3, 1, 12))
    value.save()
    ReportingOccasion.objects.filter(board=mini_an.board).update(state="godkand")
    cache.clear()
    return mini_an


def test_the_page_as_of_a_day_shows_the_figure_known_then(client, controller_an, revised):
    client.force_login(controller_an)
    then = client.get(PAGE, {"per": "2023-02-15"})
    assert then.status_code == 200
    html = then.content.decode()
    assert "vid utgången av 15 februari 2023" in html
    assert "3&nbsp;000" in html or "3\xa0000" in html
    assert "?per=2023-02-15" in html  # the download keeps the day
    now = client.get(PAGE).content.decode()
    assert "vid utgången av" not in now
    assert "2&nbsp;917" in now or "2\xa0917" in now


def test_the_workbook_as_of_a_day(client, controller_an, revised):
    client.force_login(controller_an)
    response = client.get(WORKBOOK, {"per": "2023-02-15"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    numbers = [cell.value for ws in workbook for row in ws.iter_rows() for cell in row]
    assert 3000 in numbers and 2917 not in numbers
    today = load_workbook(io.BytesIO(client.get(WORKBOOK).content))
    assert 2917 in [cell.value for ws in today for row in ws.iter_rows() for cell in row]


@pytest.mark.parametrize("day", ["20 oktober", "2023-13-01", "igår"])
def test_a_day_that_is_no_date_is_refused_with_the_message(client, controller_an, revised, day):
    client.force_login(controller_an)
    page = client.get(PAGE, {"per": day})
    assert page.status_code == 400
    assert INVALID_DAY in page.content.decode()
    workbook = client.get(WORKBOOK, {"per": day})
    assert workbook.status_code == 400
    assert INVALID_DAY in workbook.content.decode()


def test_others_still_get_404(client, controller_other, revised):
    client.force_login(controller_other)
    assert client.get(PAGE, {"per": "2023-02-15"}).status_code == 404


def test_the_as_of_page_query_count_is_flat(client, controller_an, revised):
    client.force_login(controller_an)

    def count() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(PAGE, {"per": "2023-02-15"}).status_code == 200
        return len(queries)

    small = count()
    add_goal_with_indicators(revised.board, 10)
    assert count() == small
