"""The Django admin stops accepting wrong links and stops hiding conventions.

Goal pickers say whose goal and which years ("rubrik (AN, 2021–2022)"), newest first, and a
change form offers only the object's board; a decimal comma is read in the target form; years
are never "2 019" in a list; breakdowns are shown and found by the words the reports use.
Requests as a superuser through pytest-django's admin_client (logged in as conftest's
admin_user).
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from budget.models import AmountKind, BudgetAmount, BudgetLine
from goals.models import (
    LINK_ACTIVITY_GOAL_OTHER_BOARD,
    Activity,
    BoardGoal,
    CouncilGoal,
    GoalArea,
    GoalAssessment,
    OrganisationUnit,
    ReportingOccasion,
    StrategicAssignment,
)
from indicators.models import (
    LINK_INDICATOR_GOAL_OTHER_BOARD,
    LINK_TARGET_YEAR,
    Breakdown,
    Indicator,
    Target,
)
from tests.builders import breakdown


@pytest.fixture
def structure(board_an, board_other):
    area = GoalArea.objects.create(name="Medborgare", order=2)
    council = CouncilGoal.objects.create(goal_area=area, title="KF-mål", valid_from=2019)
    old = BoardGoal.objects.create(
        board=board_an, council_goal=council, title="Gammalt mål", valid_from=2019, valid_to=2020
    )
    new = BoardGoal.objects.create(
        board=board_an, council_goal=council, title="Nytt mål", valid_from=2021, valid_to=2022
    )
    other = BoardGoal.objects.create(
        board=board_other, council_goal=council, title="BIN:s mål", valid_from=2022
    )
    indicator = Indicator.objects.create(
        board=board_an, board_goal=new, name="Antal deltagare", valid_from=2021
    )
    return {"old": old, "new": new, "other": other, "indicator": indicator, "council": council}


def options(html: str, name: str) -> list[str]:
    """The option labels of the <select name=…> in the page, in order (the empty one left out)."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select {name}"
    return [
        label.strip()
        for value, label in re.findall(r'<option value="([^"]*)"[^>]*>(.*?)</option>', select[1])
        if value
    ]


def test_goal_picker_labels_newest_first_for_a_new_indicator(admin_client, structure):
    html = admin_client.get(reverse("admin:indicators_indicator_add")).content.decode()
    assert options(html, "board_goal") == [
        "BIN:s mål (BIN, 2022–)",
        "Nytt mål (AN, 2021–2022)",
        "Gammalt mål (AN, 2019–2020)",
    ]


def test_goal_picker_of_an_indicator_offers_its_own_boards_goals(admin_client, structure):
    url = reverse("admin:indicators_indicator_change", args=[structure["indicator"].pk])
    html = admin_client.get(url).content.decode()
    assert options(html, "board_goal") == [
        "Nytt mål (AN, 2021–2022)",
        "Gammalt mål (AN, 2019–2020)",
    ]
    assert options(html, "parent") == ["Antal deltagare (AN, 2021–)"]


def indicator_post(indicator: Indicator, **changes) -> dict:
    data = {
        "board": indicator.board_id,
        "category": indicator.category,
        "board_goal": indicator.board_goal_id,
        "parent": "",
        "name": indicator.name,
        "unit": indicator.unit,
        "decimals": indicator.decimals,
        "direction": indicator.direction,
        "source": "",
        "frequency": indicator.frequency,
        "aggregation": indicator.aggregation,
        "computed": "",
        "order": 0,
        "predecessor": "",
        "valid_from": indicator.valid_from,
        "valid_to": "",
        "breakdowns-TOTAL_FORMS": 0,
        "breakdowns-INITIAL_FORMS": 0,
        "footnotes-TOTAL_FORMS": 0,
        "footnotes-INITIAL_FORMS": 0,
    }
    data.update(changes)
    return data


def test_a_new_indicator_with_another_boards_goal_is_refused(admin_client, structure, board_an):
    response = admin_client.post(
        reverse("admin:indicators_indicator_add"),
        indicator_post(structure["indicator"], name="Ny", board_goal=structure["other"].pk),
    )
    assert response.status_code == 200
    assert LINK_INDICATOR_GOAL_OTHER_BOARD in response.content.decode()
    assert not Indicator.objects.filter(name="Ny").exists()
    response = admin_client.post(
        reverse("admin:indicators_indicator_add"),
        indicator_post(structure["indicator"], name="Ny"),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Indicator.objects.get(name="Ny").board_goal == structure["new"]


def test_board_goal_form_labels_council_goals_and_restricts_predecessors(admin_client, structure):
    url = reverse("admin:goals_boardgoal_change", args=[structure["new"].pk])
    html = admin_client.get(url).content.decode()
    assert options(html, "council_goal") == ["KF-mål (KF, 2019–)"]
    assert options(html, "predecessor") == [
        "Nytt mål (AN, 2021–2022)",
        "Gammalt mål (AN, 2019–2020)",
    ]


def activity_post(activity: Activity, goals: list[int]) -> dict:
    return {
        "board": activity.board_id,
        "year": activity.year,
        "title": activity.title,
        "board_goals": goals,
        "assignment": "",
        "policy_document": "",
        "goal_area": "",
        "deadline": "",
        "due_quarter": "",
        "order": 0,
        "predecessor": "",
    }


def test_activity_admin_refuses_another_boards_goal_with_the_message(
    admin_client, structure, board_an
):
    activity = Activity.objects.create(board=board_an, year=2022, title="Aktivitet")
    url = reverse("admin:goals_activity_change", args=[activity.pk])
    html = admin_client.get(url).content.decode()
    assert options(html, "board_goals") == [
        "Nytt mål (AN, 2021–2022)",
        "Gammalt mål (AN, 2019–2020)",
    ]
    add = reverse("admin:goals_activity_add")
    response = admin_client.post(add, activity_post(activity, [structure["other"].pk]))
    assert response.status_code == 200
    assert LINK_ACTIVITY_GOAL_OTHER_BOARD.format(goal="BIN:s mål") in response.content.decode()
    assert Activity.objects.count() == 1
    response = admin_client.post(url, activity_post(activity, [structure["new"].pk]))
    assert response.status_code == 302
    assert list(activity.board_goals.all()) == [structure["new"]]


def test_target_admin_reads_a_decimal_comma(admin_client, structure):
    indicator = structure["indicator"]
    total = breakdown()
    data = {
        "indicator": indicator.pk,
        "year": 2022,
        "breakdown": "",  # empty is the total
        "kind": "varde",
        "operator": "",
        "value": "88,5",
        "decimals": "",
        "trend": "",
        "base_value": "1 234,25",
        "base_year": 2021,
        "text": "",
    }
    response = admin_client.post(reverse("admin:indicators_target_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    target = Target.objects.get()
    assert target.breakdown == total
    assert (target.value, target.base_value) == (Decimal("88.5"), Decimal("1234.25"))
    html = admin_client.get(reverse("admin:indicators_target_change", args=[target.pk]))
    assert 'value="88,5"' in html.content.decode()
    data["breakdown"] = total.pk
    response = admin_client.post(
        reverse("admin:indicators_target_change", args=[target.pk]), {**data, "value": "88.5"}
    )
    assert response.status_code == 200
    assert "Använd decimalkomma" in response.content.decode()
    target.refresh_from_db()
    assert target.value == Decimal("88.5")


def test_target_admin_refuses_a_year_outside_the_indicator(admin_client, structure):
    indicator = structure["indicator"]
    response = admin_client.post(
        reverse("admin:indicators_target_add"),
        {"indicator": indicator.pk, "year": 2019, "breakdown": breakdown().pk, "kind": "iu"},
    )
    assert response.status_code == 200
    assert LINK_TARGET_YEAR.format(year=2019, indicator="2021–") in response.content.decode()
    assert not Target.objects.exists()


def test_value_admin_reads_a_decimal_comma(admin_client, structure):
    indicator = structure["indicator"]
    data = {
        "indicator": indicator.pk,
        "year": 2022,
        "period_type": "ar",
        "period_number": 1,
        "breakdown": breakdown().pk,
        "value": "3 327,5",
        "decimals": "",
        "missing_reason": "",
        "text": "",
        "comment": "",
    }
    response = admin_client.post(reverse("admin:indicators_indicatorvalue_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert indicator.values.get().value == Decimal("3327.5")


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:goals_board_changelist",
        "admin:goals_boardgoal_changelist",
        "admin:goals_councilgoal_changelist",
        "admin:goals_activity_changelist",
        "admin:indicators_indicator_changelist",
        "admin:goals_reportingoccasion_changelist",
        "admin:indicators_target_changelist",
        "admin:budget_budgetline_changelist",
        "admin:budget_budgetamount_changelist",
        "budget_line_change",
    ],
)
def test_admin_lists_show_years_without_a_thousands_separator(admin_client, structure, url_name):
    board = structure["new"].board
    Activity.objects.create(board=board, year=2022, title="Aktivitet")
    ReportingOccasion.objects.create(board=board, year=2022, kind="helar")
    Target.objects.create(
        indicator=structure["indicator"], year=2022, breakdown=breakdown(), kind="iu"
    )
    line = BudgetLine.objects.create(
        board=board, scheme="drift", code="bistand", name="Bistånd", valid_from=2019
    )
    BudgetAmount.objects.create(line=line, year=2022, kind=AmountKind.BUDGET, amount=1_000_000)
    if url_name == "budget_line_change":  # the amounts inline shows its years read-only
        url = reverse("admin:budget_budgetline_change", args=[line.pk])
    else:
        url = reverse(url_name)
    html = admin_client.get(url).content.decode()
    assert re.search(r">20(19|21|22)<", html)
    assert not re.search(r"\b2(\s|&nbsp;|\xa0|\u202f)0(19|21|22)\b", html)


def test_breakdown_admin_shows_labels_and_finds_them_by_word(admin_client, municipality):
    unit = OrganisationUnit.objects.create(
        municipality=municipality, kind="enhet", code="UAF", name="Utbildning", valid_from=2019
    )
    total, women, men = breakdown(), breakdown("K"), breakdown("M")
    women_uaf = breakdown("K", unit)
    url = reverse("admin:indicators_breakdown_changelist")
    html = admin_client.get(url).content.decode()
    assert "Kvinnor, UAF" in html and "k=K|e=UAF|c=" not in html

    def found(term: str) -> set[Breakdown]:
        response = admin_client.get(url, {"q": term})
        return set(response.context["cl"].result_list)

    assert found("Kvinnor") == {women, women_uaf}
    assert found("män") == {men}
    assert found("Totalt") == {total}
    assert found("Kvinnor UAF") == {women_uaf}
    assert found("Utbildning") == {women_uaf}


@pytest.mark.parametrize(
    "model",
    [
        "goals_boardgoal",
        "goals_activity",
        "goals_goalassessment",
        "goals_strategicassignment",
        "indicators_indicator",
        "indicators_target",
        "indicators_indicatorvalue",
        "indicators_breakdown",
        "budget_planchange",
    ],
)
def test_every_changed_admin_form_renders(admin_client, structure, model):
    assert admin_client.get(reverse(f"admin:{model}_add")).status_code == 200


def test_activity_and_assessment_pickers_keep_to_the_board(
    admin_client, structure, municipality, board_an, board_other
):
    common = StrategicAssignment.objects.create(
        municipality=municipality, scope="kommungemensamt", text="Gemensamt", valid_from=2019
    )
    StrategicAssignment.objects.create(
        municipality=municipality,
        scope="namndspecifikt",
        board=board_other,
        text="BIN",
        valid_from=2022,
    )
    own = StrategicAssignment.objects.create(
        municipality=municipality,
        scope="namnduppdrag",
        board=board_an,
        text="Eget",
        valid_from=2021,
    )
    activity = Activity.objects.create(board=board_an, year=2022, title="A")
    html = admin_client.get(reverse("admin:goals_activity_change", args=[activity.pk])).content
    assert options(html.decode(), "assignment") == [
        f"{own.text} (AN, 2021–)",
        f"{common.text} (KF, 2019–)",
    ]
    occasion = ReportingOccasion.objects.create(board=board_other, year=2022, kind="helar")
    assessment = GoalAssessment.objects.create(
        occasion=occasion, board_goal=structure["other"], level="delvis"
    )
    url = reverse("admin:goals_goalassessment_change", args=[assessment.pk])
    assert options(admin_client.get(url).content.decode(), "board_goal") == [
        "BIN:s mål (BIN, 2022–)"
    ]
