"""Issue 12: the audit trail cannot be edited in the admin (workflow steps and history rows)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from goals.admin import TransitionInline
from goals.models import OccasionTransition, ReportingOccasion
from goals.periods import PeriodType
from indicators.models import IndicatorValue
from tests.entry_data import goal_chain, set_value


@pytest.fixture
def occasion(board_an):
    return ReportingOccasion.objects.create(board=board_an, year=2023, kind="k3")


@pytest.fixture
def step(occasion, admin_user):
    return OccasionTransition.objects.create(
        occasion=occasion,
        from_state="oppen",
        to_state="inskickad",
        user=admin_user,
        reason="Klart",
        source="formular",
    )


def test_workflow_step_inline_gives_no_add_change_or_delete(admin_user, occasion, step):
    request = RequestFactory().get("/")
    request.user = admin_user
    inline = TransitionInline(ReportingOccasion, admin.site)
    assert not inline.has_add_permission(request, occasion)
    assert not inline.has_change_permission(request, occasion)
    assert not inline.has_delete_permission(request, occasion)
    assert "source" in inline.get_readonly_fields(request, occasion)


def test_superuser_post_does_not_change_a_workflow_step(client, admin_user, occasion, step):
    client.force_login(admin_user)
    url = reverse("admin:goals_reportingoccasion_change", args=[occasion.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="transitions-0-source"' not in page.content.decode()
    form = page.context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields
    }
    data.update(
        {
            "transitions-TOTAL_FORMS": "1",
            "transitions-INITIAL_FORMS": "1",
            "transitions-0-id": str(step.pk),
            "transitions-0-occasion": str(occasion.pk),
            "transitions-0-source": "admin",
            "transitions-0-reason": "Ändrad",
        }
    )
    client.post(url, data)
    step.refresh_from_db()
    assert (step.source, step.reason) == ("formular", "Klart")


def test_superuser_cannot_revert_to_a_history_row(client, admin_user, board_an):
    indicator = goal_chain(board_an, goals=1, indicators_per_goal=1)[0]
    value = set_value(
        indicator, year=2023, period_type=PeriodType.QUARTER, number=3, value=Decimal(7)
    )
    old = value.history.earliest()
    IndicatorValue.objects.filter(pk=value.pk).update(value=Decimal(8))
    client.force_login(admin_user)
    url = reverse("admin:indicators_indicatorvalue_simple_history", args=[value.pk, old.history_id])
    response = client.post(url, {"value": "7"})
    assert response.status_code == 403
    value.refresh_from_db()
    assert value.value == Decimal(8)


def test_value_admin_reads_swedish_text_and_shows_the_exact_figure(client, admin_user, board_an):
    from indicators.admin import IndicatorValueForm
    from tests.entry_data import breakdown

    indicator = goal_chain(board_an, goals=1, indicators_per_goal=1)[0]
    value = set_value(
        indicator, year=2023, period_type=PeriodType.QUARTER, number=3, value=Decimal("9.5")
    )
    value.refresh_from_db()
    assert IndicatorValueForm(instance=value).initial["value"] == "9,5"
    data = {
        "indicator": indicator.pk,
        "year": 2023,
        "period_type": PeriodType.QUARTER,
        "period_number": 3,
        "breakdown": breakdown().pk,
        "value": "3\u00a0327,5",
        "missing_reason": "",
        "comment": "",
    }
    form = IndicatorValueForm(data, instance=value)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["value"] == Decimal("3327.5")
    refused = IndicatorValueForm({**data, "value": "5 %"}, instance=value)
    assert not refused.is_valid() and "Procenttecken" in refused.errors["value"][0]
