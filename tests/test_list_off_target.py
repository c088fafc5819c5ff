"""The indicator list's outcome, target and status columns, "Endast ej uppnådda" and the
search across board and nämndmål: judged by the dashboards' one rule, flat in queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from goals.models import Board, BoardGoal, CouncilGoal, GoalArea
from indicators.models import Indicator, IndicatorValue, MissingReason, Target
from tests.entry_data import goal_chain
from tests.lists import queries_for, records

URL = reverse("reports:indicator_list")
OFF = URL + "?ej_uppnadda=on&ar=2022"


def names(response) -> list[str]:
    return [indicator.name for indicator in records(response)]


def statuses(response) -> dict[str, str]:
    table = response.context["table"]
    return {row.record.name: row.get_cell("status") for row in table.paginated_rows}


@pytest.fixture
def judged(board_an):
    """Four AN indicators of 2022 against a target of 3 300: 3 000 where higher is better
    (missed), 3 001 where lower is better (met), I.U. (not judged), no target (not judged)."""
    missed, met, no_data, untargeted = goal_chain(
        board_an, goals=1, indicators_per_goal=4, with_gender=False, value_years=(2021, 2022)
    )
    Indicator.objects.filter(pk=met.pk).update(direction=Indicator.Direction.LOWER)
    IndicatorValue.objects.filter(indicator=no_data, year=2022).update(
        value=None, missing_reason=MissingReason.TOO_SMALL
    )
    Target.objects.filter(indicator=untargeted).delete()
    return missed, met, no_data, untargeted


def test_each_row_shows_outcome_target_and_status_in_words(client, judged, admin_user):
    missed, met, no_data, untargeted = judged
    client.force_login(admin_user)
    response = client.get(URL + "?ar=2022")
    shown = statuses(response)
    assert "Målvärdet nås inte" in shown[missed.name] and "✖" in shown[missed.name]
    assert "Målvärdet nås" in shown[met.name] and "inte" not in shown[met.name]
    assert "Kan inte bedömas" in shown[no_data.name]
    assert "Kan inte bedömas" in shown[untargeted.name]
    page = response.content.decode()
    assert "3 000 (2022)" in page.replace("\xa0", " ")
    assert ">3 300<" in page.replace("\xa0", " ")
    assert "Indikatorer med senaste utfall och målvärde 2022" in page  # the caption


def test_only_off_target_lists_the_missed_ones(client, judged, admin_user):
    missed, *_ = judged
    client.force_login(admin_user)
    response = client.get(OFF)
    assert names(response) == [missed.name]
    page = response.content.decode()
    assert "<h1>Ej uppnådda mål</h1>" in page
    assert "Indikatorer vars senaste utfall 2022 inte når målvärdet" in page
    assert "checked" in str(response.context["filter"].form["ej_uppnadda"])  # kept ticked
    # Another year has no target: nothing is off target then.
    assert names(client.get(URL + "?ej_uppnadda=on&ar=2021")) == []
    assert (
        "Inga indikatorer matchar" in client.get(URL + "?ej_uppnadda=on&ar=2021").content.decode()
    )


def test_a_direction_target_is_judged_against_last_year(client, judged, admin_user):
    missed, met, *_ = judged
    # "Ska öka": 3 001 after 3 001 the year before is no increase.
    Target.objects.filter(indicator=met).update(
        kind=Target.Kind.DIRECTION, trend=Target.TrendDirection.INCREASE, value=None
    )
    client.force_login(admin_user)
    assert names(client.get(OFF)) == [missed.name, met.name]
    IndicatorValue.objects.filter(indicator=met, year=2021).update(value=Decimal(2000))
    assert names(client.get(OFF)) == [missed.name]


def test_the_latest_period_counts_when_the_year_has_no_value(client, judged, admin_user):
    from goals.periods import PeriodType
    from tests.entry_data import set_value

    missed, *_ = judged
    IndicatorValue.objects.filter(indicator=missed, year=2022).delete()
    set_value(missed, year=2022, period_type=PeriodType.QUARTER, number=1, value="2000")
    set_value(missed, year=2022, period_type=PeriodType.QUARTER, number=3, value="3400")
    client.force_login(admin_user)
    assert names(client.get(OFF)) == []  # Q3's 3 400 meets 3 300
    assert "3 400 (2022 K3)" in client.get(URL + "?ar=2022").content.decode().replace("\xa0", " ")


def test_off_target_keeps_the_other_filters_and_the_search(client, judged, admin_user, board_other):
    other = goal_chain(board_other, goals=1, indicators_per_goal=1, value_years=(2022,))
    client.force_login(admin_user)
    assert names(client.get(OFF)) == [judged[0].name, other[0].name]
    assert names(client.get(OFF + f"&namnd={board_other.pk}")) == [other[0].name]
    assert names(client.get(OFF + "&q=bildningsnämnden")) == [other[0].name]
    assert names(client.get(OFF + "&kategori=volymmatt")) == []


def test_a_board_user_sees_only_their_boards_off_target(
    client, judged, controller_other, board_other, board_an
):
    other = goal_chain(board_other, goals=1, indicators_per_goal=1, value_years=(2022,))
    Indicator.objects.filter(pk=other[0].pk).update(name="Behöriga elever")
    client.force_login(controller_other)
    assert names(client.get(OFF)) == ["Behöriga elever"]
    response = client.get(OFF + f"&namnd={board_an.pk}")
    assert response.context["filter"].form.errors["namnd"]
    assert names(response) == ["Behöriga elever"]
    assert judged[0].name not in response.content.decode()


def test_without_a_year_the_year_followed_up_now_is_judged(client, judged, admin_user):
    from goals.models import ReportingOccasion

    ReportingOccasion.objects.create(board=judged[0].board, year=2022, kind="helar")
    client.force_login(admin_user)
    response = client.get(URL + "?ej_uppnadda=on")
    assert names(response) == [judged[0].name]
    assert "inte når målvärdet" in response.content.decode()


def _grow(board_count: int, per_goal: int):
    """More boards, indicators and years of values and targets."""
    area = GoalArea.objects.get_or_create(name="Medborgare", defaults={"order": 2})[0]
    CouncilGoal.objects.get_or_create(
        goal_area=area, title="KF-mål inom Medborgare", valid_from=2019
    )
    municipality = Board.objects.first().municipality
    start = Board.objects.count()
    for number in range(start, start + board_count):
        board = Board.objects.create(
            municipality=municipality, code=f"N{number}", name=f"Nämnd {number}", valid_from=2019
        )
        goal_chain(
            board,
            goals=1,
            indicators_per_goal=per_goal,
            with_gender=False,
            value_years=(2019, 2020, 2021, 2022),
        )


def test_query_count_is_flat_in_indicators_boards_and_years(client, judged, admin_user):
    client.force_login(admin_user)
    for url in (URL + "?ar=2022", OFF, URL + "?ej_uppnadda=on&q=indikator"):
        small = queries_for(client, url)
        before = Indicator.objects.count()
        _grow(3, 5)
        assert Indicator.objects.count() == before + 15
        assert queries_for(client, url) == small, url
        assert BoardGoal.objects.count() > 3


def test_search_words_in_any_order_across_board_and_goal(client, board_an, board_other, admin_user):
    an = goal_chain(board_an, goals=1, indicators_per_goal=1, with_gender=False)
    other = goal_chain(board_other, goals=1, indicators_per_goal=1, with_gender=False)
    households = "Antal hushåll med ekonomiskt bistånd"
    Indicator.objects.filter(pk=an[0].pk).update(name=households)
    BoardGoal.objects.filter(pk=an[0].board_goal_id).update(title="Hög egenförsörjningsgrad")
    client.force_login(admin_user)
    assert names(client.get(URL + "?q=bistånd+HUSHÅLL")) == [households]  # any order
    assert names(client.get(URL + "?q=arbetsmarknadsnämnden+ekonomiskt")) == [households]
    assert names(client.get(URL + "?q=AN+egenförsörjningsgrad")) == [households]  # code, goal
    assert names(client.get(URL + "?q=EGENFÖRSÖRJNINGSGRAD")) == [households]
    assert names(client.get(URL + "?q=BIN")) == [other[0].name]
    response = client.get(URL + "?q=bistånd+bildningsnämnden")  # every word must match
    assert names(response) == []
    assert "Inga indikatorer matchar urvalet." in response.content.decode()


def test_category_filter(client, board_an, admin_user):
    goal, volume = goal_chain(board_an, goals=1, indicators_per_goal=2, with_gender=False)
    Indicator.objects.filter(pk=volume.pk).update(category=Indicator.Category.VOLUME)
    client.force_login(admin_user)
    assert names(client.get(URL + "?kategori=volymmatt")) == [volume.name]
    assert names(client.get(URL + "?kategori=namndindikator")) == [goal.name]


@pytest.fixture
def demo_2022(demo_data):
    return demo_data


def test_demo_an_2022_off_target_matches_the_verksamhetsberattelse(client, demo_2022, admin_user):
    """The seed's year-end report for AN 2022: 62, 69 and 46 against 120, 100 and 100 and
    E-handelstrohet 76,8 % against 100 % miss; 2 917 against 3 300 (fewer is better) and
    88,9 % against 88 % are met; I.U. is not judged. The list shows the report's own figures."""
    client.force_login(admin_user)
    url = URL + f"?namnd={demo_2022.pk}&ar=2022&kategori=namndindikator&ej_uppnadda=on"
    response = client.get(url + "&per_page=100")
    off = names(response)
    shown = {row.record.name: row for row in response.context["table"].paginated_rows}
    subsidised = next(name for name in off if "arbete med subvention" in name)
    assert shown[subsidised].get_cell("outcome") == "62 (2022)"
    assert shown[subsidised].get_cell("target") == "120"
    assert any(name.startswith("E-handelstrohet") for name in off)
    assert any("studiemedelsberättigade" in name for name in off)
    assert not any(
        name.startswith("Antal hushåll med ekonomiskt bistånd, utfall i slutet") for name in off
    )
    assert not any(name.startswith("Andel positiva svar") for name in off)
    assert not any(name.startswith("Väntetid") for name in off)  # I.U. 2022
    assert "Ej uppnått" not in {shown[name].get_cell("status") for name in off}  # the wording
    # Every off-target row is printed in the verksamhetsberättelse with the same figures.
    report = client.get(reverse("reports:report", args=["AN", 2022])).content.decode()
    report = report.replace("\xa0", " ")
    for name, row in shown.items():
        # The report prints "97,4%" and "76,8" where the list shows "97,4 %": the figure counts.
        outcome = row.get_cell("outcome").removesuffix(" (2022)").replace("\xa0", " ")
        outcome = outcome.removesuffix(" %")
        target = str(row.get_cell("target")).replace("\xa0", " ")
        assert f'<td class="num">{outcome}' in report, (name, outcome)
        assert f'<td class="num">{escape(target)}</td>' in report, (name, target)
    # A goal the report assesses as fully achieved has no off-target indicator.
    from reports.views.pages import latest_assessments

    achieved = {
        goal_id
        for goal_id, assessment in latest_assessments(demo_2022, 2022).items()
        if assessment.level == "uppnatt"
    }
    assert not {record.board_goal_id for record in records(response)} & achieved


def test_the_start_page_and_the_board_dashboard_link_to_the_off_target_list(
    client, judged, manager_an, board_an
):
    client.force_login(manager_an)
    home = client.get(reverse("reports:home")).content.decode()
    assert f'href="{URL}?kategori=namndindikator&amp;ej_uppnadda=on">Ej uppnådda mål</a>' in home
    dashboard = client.get(reverse("reports:board_dashboard", args=["AN", 2022]))
    link = f"{URL}?namnd={board_an.pk}&amp;ar=2022&amp;kategori=namndindikator&amp;ej_uppnadda=on"
    assert f'href="{link}">Ej uppnådda mål 2022</a>' in dashboard.content.decode()
    response = client.get(link.replace("&amp;", "&"))
    assert names(response) == [judged[0].name]
