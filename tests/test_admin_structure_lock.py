"""The Django admin meets the lock of approved years for structure, as it does for values.

A nämndmål, indicator, target, assignment, activity, KF goal or styrdokument that an approved
occasion covers is shown read-only with a note pointing to the structure pages (where a change
is a recorded correction with a reason); a POST changes nothing; a new row reaching an approved
year is refused at the form. Rows of open years stay editable.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from goals.admin import STRUCTURE_LOCKED_IN_ADMIN
from goals.models import Activity, BoardGoal, CouncilGoal, StructureCorrection
from indicators.models import Breakdown, Indicator, Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, demo_data, admin_user):
    client.force_login(admin_user)
    return client


def change_url(obj) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def locked_note(page: str) -> bool:
    return "är godkänt och täcker den här raden" in page


@pytest.mark.parametrize(
    "row",
    [
        lambda: BoardGoal.objects.get(board__code="AN", title="Hög avtalstrohet"),
        lambda: Indicator.objects.filter(board__code="AN", valid_from__lte=2022).first(),
        lambda: Target.objects.filter(indicator__board__code="AN", year=2022).first(),
        lambda: Activity.objects.filter(board__code="AN", year=2022).first(),
        lambda: CouncilGoal.objects.valid_in(2022).first(),
    ],
    ids=["nämndmål", "indikator", "målvärde", "aktivitet", "kf-mål"],
)
def test_structure_an_approved_year_covers_is_read_only(admin_client, row):
    obj = row()
    page = admin_client.get(change_url(obj)).content.decode()
    assert locked_note(page), page[:500]
    assert 'name="_save"' not in page
    before = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
    response = admin_client.post(change_url(obj), {"title": "Ändrad", "name": "Ändrad"})
    assert response.status_code == 403
    obj.refresh_from_db()
    assert {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields} == before


def test_rows_of_an_open_year_stay_editable(admin_client):
    activity = Activity.objects.filter(board__code="AN", year=2023).first()
    assert activity is not None  # the rollover made AN 2023
    page = admin_client.get(change_url(activity)).content.decode()
    assert not locked_note(page)
    assert 'name="_save"' in page


def test_a_new_target_in_an_approved_year_is_refused_and_nothing_is_written(admin_client):
    indicator = Indicator.objects.filter(board__code="AN", valid_from__lte=2022).first()
    Target.objects.filter(indicator=indicator, year=2022).delete()
    data = {
        "indicator": indicator.pk,
        "year": 2022,
        "breakdown": Breakdown.objects.get(code="total").pk,
        "kind": "text",
        "operator": "",
        "value": "",
        "decimals": "",
        "trend": "",
        "base_value": "",
        "base_year": "",
        "text": "Nytt mål",
    }
    response = admin_client.post(reverse("admin:indicators_target_add"), data)
    assert response.status_code == 200
    assert "strukturssidan" in response.content.decode()
    assert not Target.objects.filter(indicator=indicator, year=2022).exists()


def test_the_message_names_the_occasion_and_the_way(admin_client):
    assert "{occasion}" in STRUCTURE_LOCKED_IN_ADMIN
    assert "rättelse med motivering" in STRUCTURE_LOCKED_IN_ADMIN


def test_structure_corrections_are_shown_never_added_or_changed(admin_client):
    assert (
        admin_client.get(reverse("admin:goals_structurecorrection_changelist")).status_code == 200
    )
    assert admin_client.get(reverse("admin:goals_structurecorrection_add")).status_code == 403
    assert not StructureCorrection.objects.exists()
