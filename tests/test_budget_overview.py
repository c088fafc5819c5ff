"""The budget overview page: Swedish tkr figures, access per board, constant query count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budget.models import BudgetAmount, BudgetLine, InvestmentAmount, InvestmentProject
from demo.loaders import budget as budget_loader


@pytest.fixture
def budget_data(board_an):
    budget_loader.load()
    return board_an


def url(code="AN", year=2022):
    return reverse("budget:budget_overview", args=[code, year])


@pytest.mark.parametrize("persona", ["controller_an", "secretary_an", "manager_an", "admin_user"])
def test_the_boards_people_see_the_economy_in_swedish_tkr(budget_data, client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(url())
    assert response.status_code == 200
    page = response.content.decode()
    for figure in ("453\xa0257", "465\xa0446", "12\xa0189", "458\xa0476", "-31\xa0023", "5\xa0249"):
        assert figure in page
    assert "Summa nettokostnader, tkr, inkl. kommunala enheter" in page
    assert "Summa färdigställda projekt" in page
    assert "Prognos 31 oktober" in page
    assert "Bokslut 2021" in page and "2\xa0022" not in page  # years are not numbers


def test_the_entry_link_is_only_for_those_who_may_enter(budget_data, client, secretary_an):
    client.force_login(secretary_an)
    assert (
        reverse("budget:budget_entry", args=["AN", 2022]) not in client.get(url()).content.decode()
    )


@pytest.mark.parametrize("persona", ["controller_other", "outsider"])
def test_other_boards_get_404(budget_data, client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url()).status_code == 404


def test_a_year_without_data_renders(budget_data, client, controller_an):
    client.force_login(controller_an)
    assert client.get(url(year=2030)).status_code == 200


def test_a_planned_year_shows_the_internbudgets_lines_when_only_they_have_amounts(
    budget_data, client, controller_an
):
    """Budget 2023 comes from the internbudget's Plan 2023 (the rollover writes it on the
    internbudget's lines); the drift lines, valid in 2023 too, have nothing yet. The page shows
    the lines with amounts, not empty drift lines."""
    plan_2023 = BudgetAmount.objects.filter(
        line__board=budget_data, kind="plan", year=2023, document_year=2022
    )
    assert plan_2023.exists()
    for amount in plan_2023.select_related("line"):
        BudgetAmount.objects.create(
            line=amount.line, kind="budget", year=2023, amount=amount.amount
        )
    client.force_login(controller_an)
    page = client.get(url(year=2023)).content.decode()
    nämnden = plan_2023.get(line__code="namnden").amount
    assert f">{round(nämnden / 1000):,}<".replace(",", "\xa0") in page
    assert "Ekonomiskt bistånd" in page and "Avdelningen vuxna" in page
    assert "Flyktingmottagande" not in page  # a drift line, without amounts in 2023
    # 2022 still shows the driftsammandrag of the verksamhetsberättelse.
    assert "Flyktingmottagande" in client.get(url(year=2022)).content.decode()


def test_the_dashboards_year_totals_choose_the_lines_the_budget_page_shows(budget_data):
    """yearly_totals (the dashboards' economy) and the budget page pick the same scheme: for a
    year whose only amounts are the internbudget's, its Budget is the internbudget lines' sum."""
    from budget.tables import operating_summary, yearly_totals

    plan_2023 = BudgetAmount.objects.filter(
        line__board=budget_data, kind="plan", year=2023, document_year=2022
    )
    for amount in plan_2023.select_related("line"):
        BudgetAmount.objects.create(
            line=amount.line, kind="budget", year=2023, amount=amount.amount
        )
    totals = yearly_totals([budget_data.pk], [2022, 2023])
    assert totals[(budget_data.pk, 2023)].budget == sum(a.amount for a in plan_2023)
    assert (
        totals[(budget_data.pk, 2023)].budget == operating_summary(budget_data, 2023).total.budget
    )
    assert (
        totals[(budget_data.pk, 2022)].budget == operating_summary(budget_data, 2022).total.budget
    )


def add_lines_and_projects(board, start: int, count: int) -> None:
    for number in range(start, start + count):
        line = BudgetLine.objects.create(
            board=board,
            scheme="drift",
            code=f"extra-{number}",
            name=f"Extra {number}",
            valid_from=2022,
            order=60 + number,
        )
        for kind, year in (("budget", 2022), ("bokslut", 2022), ("bokslut", 2021)):
            BudgetAmount.objects.create(line=line, kind=kind, year=year, amount=1000 * number)
        BudgetAmount.objects.create(line=line, kind="prognos", year=2022, month=8, amount=5)
        project = InvestmentProject.objects.create(
            board=board, code=f"projekt-{number}", name=f"Projekt {number}", valid_from=2022
        )
        InvestmentAmount.objects.create(project=project, kind="budget", year=2022, amount=100)


def test_query_count_is_the_same_with_5_and_15_lines(budget_data, client, controller_an):
    client.force_login(controller_an)

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(url()).status_code == 200
        return len(context)

    baseline = count()  # the demo's 5 lines + Nämndens enheter, 2 projects
    add_lines_and_projects(budget_data, 0, 10)
    assert count() == baseline
    add_lines_and_projects(budget_data, 10, 10)
    assert count() == baseline


def plan_url(code="AN", year=2022):
    return reverse("budget:budget_plan", args=[code, year])


def test_the_internbudget_page_shows_seed_000(budget_data, client, secretary_an):
    client.force_login(secretary_an)
    response = client.get(plan_url())
    assert response.status_code == 200
    page = response.content.decode()
    for figure in (
        "462\xa0146",
        "455\xa0230",
        "493\xa0846",
        "462\xa0147",
        "-43\xa0220",
        "428\xa0749",
    ):
        assert figure in page
    assert "Heltidsaktiveringen" in page
    assert "Budgetram inkl justering" in page
    assert "Del av det extra statsbidrag" in page


def test_the_internbudget_page_is_404_for_other_boards(budget_data, client, controller_other):
    client.force_login(controller_other)
    assert client.get(plan_url()).status_code == 404


def test_internbudget_query_count_is_flat(budget_data, client, manager_an):
    client.force_login(manager_an)

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(plan_url()).status_code == 200
        return len(context)

    baseline = count()
    for number in range(10):
        line = BudgetLine.objects.create(
            board=budget_data,
            scheme="internbudget",
            code=f"plan-{number}",
            name=f"Plan {number}",
            valid_from=2020,
            order=70 + number,
        )
        BudgetAmount.objects.create(
            line=line, kind="plan", document_year=2022, year=2024, amount=1000
        )
    assert count() == baseline
