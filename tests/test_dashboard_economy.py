"""The economy dashboard: budget vs bokslut per line, forecasts against budget, in tkr."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budget.models import AmountKind, BudgetAmount, BudgetLine, Scheme, Section
from reports.dashboard.economy import economy_dashboard

pytestmark = pytest.mark.django_db
NBSP = "\xa0"


def url(code="AN", year=2022):
    return reverse("reports:board_economy", args=[code, year])


def add_lines(board, count: int, *, year=2022, start=0, bokslut=True, section=Section.OPERATIONS):
    for number in range(start, start + count):
        line = BudgetLine.objects.create(
            board=board,
            scheme=Scheme.DRIFT,
            section=section,
            code=f"rad-{number}",
            name=f"Verksamhet {number}",
            order=number,
            valid_from=2019,
        )
        amounts = [
            (AmountKind.BUDGET, None, 10_000_000),
            (AmountKind.FORECAST, 8, 10_400_000),
            (AmountKind.FORECAST, 10, 9_800_000),
        ]
        if bokslut:
            amounts.append((AmountKind.OUTCOME, None, 9_500_400))
        for kind, month, amount in amounts:
            BudgetAmount.objects.create(line=line, year=year, kind=kind, month=month, amount=amount)
        BudgetAmount.objects.create(
            line=line, year=year - 1, kind=AmountKind.OUTCOME, amount=9_000_000
        )


def figure(html: str, element_id: str) -> dict:
    match = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, element_id
    return json.loads(match.group(1))


def test_access(client, controller_other, outsider, board_an):
    add_lines(board_an, 2)
    assert client.get(url()).status_code == 302
    for user in (controller_other, outsider):
        client.force_login(user)
        assert client.get(url()).status_code == 404


def test_seed_figures_in_tkr(client, demo_data, manager_an):
    """AN 2022 as seed 001 prints it, and the forecasts against the final result."""
    client.force_login(manager_an)
    response = client.get(url())
    assert response.status_code == 200
    html = response.content.decode()
    row = re.search(r"Ekonomiskt bistånd</th>(.*?)</tr>", html, re.S).group(1)
    assert re.findall(r'<td class="num">([^<]*)</td>', row) == [
        f"303{NBSP}504",
        f"308{NBSP}752",
        f"5{NBSP}249",  # rounded from kronor, not 308 752 − 303 504
        f"319{NBSP}223",
    ]
    assert f"Överskott 12{NBSP}189 tkr" in html
    assert f"-31{NBSP}023" in html  # varav intäkter, negative

    forecast = figure(html, "chart-forecast")
    (trace,) = forecast["data"]
    assert trace["x"] == ["30 april", "31 augusti", "31 oktober", "Bokslut"]
    # No April forecast in the demo; August in balance, October a surplus of 6,2 mnkr.
    assert trace["y"] == [None, 0.0, 6200.0, 12189.0]

    # One bar per line: its deviation from budget (budget − bokslut), so Flyktingmottagande's
    # overrun of 4 914 tkr is as long a bar as Ekonomiskt bistånd's surplus of 5 249 tkr.
    operating = figure(html, "chart-operating")
    (bars,) = operating["data"]
    deviations = dict(zip(bars["y"], bars["x"], strict=True))
    assert deviations["Ekonomiskt bistånd"] == 5249.0
    assert deviations["Flyktingmottagande"] == -4914.0
    assert bars["text"][bars["y"].index("Flyktingmottagande")] == f"\u22124{NBSP}914"
    assert f"Budget 2022: 308{NBSP}752 tkr" in bars["hovertext"][1]


def test_before_year_end_the_latest_forecast_stands_in(board_an):
    add_lines(board_an, 3, bokslut=False)
    economy = economy_dashboard(board_an, 2022)
    assert economy.outcome_name == "Prognos 31 oktober"
    # 10 000 budget − 9 800 forecast at 31 oktober, per line
    assert economy.operating_chart["data"][0]["x"] == [200.0, 200.0, 200.0]
    assert [b.word for b in economy.balances] == ["Underskott", "Överskott", "Inget utfall"]
    assert economy.balances[0].amount == 1200  # 3 × (10 000 − 10 400) tkr


def test_without_budget_data_says_so(client, manager_an, board_an):
    client.force_login(manager_an)
    html = client.get(url()).content.decode()
    assert "Det finns inga budgetuppgifter för Arbetsmarknadsnämnden 2022." in html


def test_query_count_does_not_grow_with_lines(client, manager_an, board_an):
    add_lines(board_an, 3)
    client.force_login(manager_an)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url()).status_code == 200
    add_lines(board_an, 12, start=3)
    add_lines(board_an, 2, start=20, section=Section.MUNICIPAL_UNITS)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url())
    assert "Verksamhet 14" in response.content.decode()
    assert len(large.captured_queries) == len(small.captured_queries)


def test_htmx_fragment(client, manager_an, board_an):
    add_lines(board_an, 2)
    client.force_login(manager_an)
    response = client.get(url(), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html and "Driftsammandrag, netto tkr" in html
    assert response["HX-Push-Url"] == url()
