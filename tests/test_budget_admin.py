"""The budget admin: every model listed in Swedish, edits versioned and locked like the form."""

from __future__ import annotations

import pytest
from django.urls import reverse

from budget.models import BudgetAmount
from demo.loaders import budget as budget_loader
from goals.models import ReportingOccasion

MODELS = ["budgetline", "budgetamount", "planchange", "investmentproject", "investmentamount"]


@pytest.fixture
def budget_data(board_an):
    budget_loader.load()
    return board_an


@pytest.mark.parametrize("model", MODELS)
def test_admin_lists_and_forms_render(budget_data, client, admin_user, model):
    client.force_login(admin_user)
    assert client.get(reverse(f"admin:budget_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:budget_{model}_add")).status_code == 200


def change_data(amount: BudgetAmount, new_amount: int) -> dict:
    return {
        "line": amount.line_id,
        "year": amount.year,
        "kind": amount.kind,
        "month": amount.month or "",
        "document_year": amount.document_year or "",
        "amount": new_amount,
        "revenues": amount.revenues if amount.revenues is not None else "",
        "comment": "",
    }


def test_an_admin_edit_bumps_the_version(budget_data, client, admin_user):
    client.force_login(admin_user)
    amount = BudgetAmount.objects.get(line__code="flyktingmottagande", year=2022, month=10)
    url = reverse("admin:budget_budgetamount_change", args=[amount.pk])
    response = client.post(url, change_data(amount, 44_000_000))
    assert response.status_code == 302
    amount.refresh_from_db()
    assert (amount.amount, amount.version, amount.updated_by) == (44_000_000, 2, admin_user)
    assert amount.history.first().history_source == "admin"


def test_the_admin_meets_the_lock(budget_data, client, admin_user):
    ReportingOccasion.objects.create(
        board=budget_data, year=2022, kind="helar", state=ReportingOccasion.State.APPROVED
    )
    client.force_login(admin_user)
    amount = BudgetAmount.objects.get(line__code="flyktingmottagande", year=2022, kind="bokslut")
    url = reverse("admin:budget_budgetamount_change", args=[amount.pk])
    client.post(url, change_data(amount, 1))
    amount.refresh_from_db()
    assert amount.amount == 44_451_000
    # A new amount in the locked year is refused at the form, with the reason.
    response = client.post(
        reverse("admin:budget_budgetamount_add"),
        {**change_data(amount, 5), "kind": "prognos", "month": 12},
    )
    assert response.status_code == 200
    assert "godkänt och låst" in response.content.decode()
    assert not BudgetAmount.objects.filter(year=2022, month=12).exists()
