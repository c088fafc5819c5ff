"""The lock of an approved occasion holds on the admin and management-command paths too."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from goals.models import GoalAssessment, ReportingOccasion
from goals.periods import PeriodType
from indicators.models import IndicatorValue
from tests.entry_data import breakdown, goal_chain, set_value

Y = PeriodType.YEAR


@pytest.fixture
def data(board_an):
    indicator = goal_chain(board_an, goals=1, indicators_per_goal=1, frequency=Y)[0]
    value = set_value(indicator, year=2022, period_type=Y, number=1, value=3327)
    occasion = ReportingOccasion.objects.create(board=board_an, year=2022, kind="helar")
    return indicator, value, occasion


def lock(occasion):
    ReportingOccasion.objects.filter(pk=occasion.pk).update(state="godkand")


def admin_form(stored, **changes):
    data = {
        "indicator": stored.indicator_id,
        "year": stored.year,
        "period_type": stored.period_type,
        "period_number": stored.period_number,
        "breakdown": stored.breakdown_id,
        "value": str(stored.value) if stored.value is not None else "",
        "decimals": "",
        "missing_reason": stored.missing_reason,
        "comment": stored.comment,
    }
    data.update(changes)
    return data


def test_admin_change_is_recorded_with_source_and_version(client, admin_user, data):
    _, value, _ = data
    client.force_login(admin_user)
    url = reverse("admin:indicators_indicatorvalue_change", args=[value.pk])
    response = client.post(url, admin_form(value, value="3400"))
    assert response.status_code == 302, response.content.decode()[:3000]
    value.refresh_from_db()
    assert value.value == Decimal(3400)
    assert value.version == 2
    last = value.history.first()
    assert (last.history_source, last.history_user) == ("admin", admin_user)


def test_admin_cannot_change_or_delete_a_locked_value(client, admin_user, data):
    _, value, occasion = data
    lock(occasion)
    client.force_login(admin_user)
    change = reverse("admin:indicators_indicatorvalue_change", args=[value.pk])
    response = client.post(change, admin_form(value, value="1"))
    assert response.status_code == 403
    delete = reverse("admin:indicators_indicatorvalue_delete", args=[value.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:indicators_indicatorvalue_changelist")
    client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [value.pk], "post": "yes"},
    )
    value.refresh_from_db()
    assert value.value == Decimal(3327)


def test_admin_cannot_add_a_value_in_a_locked_period(client, admin_user, data):
    _, value, occasion = data
    lock(occasion)
    client.force_login(admin_user)
    add = reverse("admin:indicators_indicatorvalue_add")
    response = client.post(add, admin_form(value, breakdown=breakdown("K").pk, value="5"))
    assert response.status_code == 200
    assert "godkänt och låst" in response.content.decode()
    assert not IndicatorValue.objects.filter(breakdown=breakdown("K")).exists()


def test_admin_cannot_change_a_locked_assessment(client, admin_user, data):
    indicator, _, occasion = data
    assessment = GoalAssessment.objects.create(
        occasion=occasion, board_goal=indicator.board_goal, level="delvis"
    )
    lock(occasion)
    client.force_login(admin_user)
    url = reverse("admin:goals_goalassessment_change", args=[assessment.pk])
    response = client.post(
        url, {"occasion": occasion.pk, "board_goal": indicator.board_goal_id, "level": "uppnatt"}
    )
    assert response.status_code == 403
    assessment.refresh_from_db()
    assert assessment.level == "delvis"


def test_command_sets_a_value_with_source_command(admin_user, data):
    indicator, value, _ = data
    call_command(
        "set_value",
        indicator=indicator.pk,
        year=2022,
        period="ar",
        value="3 400",
        user="admin",
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )
    value.refresh_from_db()
    assert value.value == Decimal(3400)
    assert value.history.first().history_source == "kommando"


def test_command_is_refused_on_a_locked_value(admin_user, data):
    indicator, value, occasion = data
    lock(occasion)
    with pytest.raises(CommandError, match="godkänt och låst"):
        call_command(
            "set_value", indicator=indicator.pk, year=2022, period="ar", value="1", user="admin"
        )
    value.refresh_from_db()
    assert value.value == Decimal(3327)


def test_command_refuses_a_bad_number(admin_user, data):
    indicator, _, _ = data
    with pytest.raises(CommandError, match="decimalkomma"):
        call_command(
            "set_value", indicator=indicator.pk, year=2022, period="ar", value="1.5", user="admin"
        )


def test_admin_cannot_move_or_delete_an_approved_occasion(client, admin_user, data):
    _, _, occasion = data
    lock(occasion)
    client.force_login(admin_user)
    url = reverse("admin:goals_reportingoccasion_change", args=[occasion.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="year"' not in page.content.decode()
    client.post(url, {"board": occasion.board_id, "year": 2021, "kind": "helar", "deadline": ""})
    occasion.refresh_from_db()
    assert (occasion.year, occasion.state) == (2022, "godkand")
    delete = reverse("admin:goals_reportingoccasion_delete", args=[occasion.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
