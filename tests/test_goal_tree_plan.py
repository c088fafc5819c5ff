"""The goal tree of a year that has a plan but no outcomes yet: the nämndmål with their targets
and the verksamhetsplan's activities beside them, a note that it is the plan, and never a blank
page; a flat query count."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goals.models import Activity, BoardGoal, GoalArea
from goals.periods import PeriodType
from goals.structure_services import create_activity
from indicators.models import Target
from reports.views.pages import NOTHING_PLANNED, PLAN_ONLY_NOTE
from tests.entry_data import goal_chain

pytestmark = pytest.mark.django_db

PLAN_YEAR = 2023


def text_of(html: str) -> str:
    """Tags dropped, ASCII whitespace folded (a no-break space stays: numbers are grouped by it)."""
    return re.sub(r"[ \t\r\n]+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def goal_card(html: str, goal: BoardGoal) -> str:
    """The text of the nämndmål's card (its <article>)."""
    match = re.search(rf'<article[^>]*aria-labelledby="goal-{goal.pk}">(.*?)</article>', html, re.S)
    assert match, f"no card for {goal.title!r}"
    return text_of(match.group(1))


def area_section(html: str, area: GoalArea) -> str:
    match = re.search(rf'<section aria-labelledby="area-{area.pk}">(.*?)</section>', html, re.S)
    assert match, f"no section for {area.name!r}"
    return text_of(match.group(1))


def get(client, code: str, year: int) -> str:
    cache.clear()
    response = client.get(reverse("reports:goal_tree", args=[code, year]))
    assert response.status_code == 200
    return response.content.decode()


def count(client, code: str, year: int) -> tuple[int, str]:
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("reports:goal_tree", args=[code, year]))
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def activity(board, title: str, deadline: str, *, year: int = PLAN_YEAR, **links) -> Activity:
    return create_activity(
        user=None, board=board, year=year, title=title, deadline=deadline, **links
    ).object


@pytest.fixture
def plan_year(board_an):
    """Two nämndmål with indicators and 2023 targets, no values at all, and 2023 activities."""
    indicators = goal_chain(board_an, goals=2, indicators_per_goal=2, frequency=PeriodType.YEAR)
    first, second = (indicator.board_goal for indicator in indicators[::2])
    area = first.council_goal.goal_area
    activity(board_an, "Gemensam rutin", "Succesivt avslut Q4", board_goals=[first, second])
    activity(board_an, "Arbetsmiljödag", "Kontinuerligt", goal_area=area)
    return first, second, area


def test_a_plan_year_shows_targets_and_activities(client, controller_an, board_an, plan_year):
    first, second, area = plan_year
    client.force_login(controller_an)
    html = get(client, "AN", PLAN_YEAR)
    page = text_of(html)
    assert PLAN_ONLY_NOTE.format(year=PLAN_YEAR) in page
    assert NOTHING_PLANNED.format(year=PLAN_YEAR) not in page
    for goal in (first, second):
        card = goal_card(html, goal)
        assert "Målvärde 2023" in card and "3\xa0300" in card  # the targets
        assert "Indikator" in card
        assert "Gemensam rutin (klart senast: Succesivt avslut Q4)" in card  # under both goals
        assert "Arbetsmiljödag" not in card
    section = area_section(html, area)
    assert "Hela målområdet" in section
    assert "Arbetsmiljödag (klart senast: Kontinuerligt)" in section
    # The flat list by quarter is still there.
    assert "Aktiviteter 2023" in page


def test_an_area_with_only_area_activities_is_shown(client, controller_an, board_an):
    staff = GoalArea.objects.get_or_create(name="Medarbetare", defaults={"order": 5})[0]
    activity(board_an, "Medarbetarenkät", "Q3", goal_area=staff)
    client.force_login(controller_an)
    html = get(client, "AN", PLAN_YEAR)
    assert "Medarbetarenkät (klart senast: Q3)" in area_section(html, staff)
    assert PLAN_ONLY_NOTE.format(year=PLAN_YEAR) in text_of(html)


def test_a_year_with_nothing_says_so(client, controller_an, board_an, plan_year):
    client.force_login(controller_an)
    html = get(client, "AN", 2018)  # before every nämndmål
    assert NOTHING_PLANNED.format(year=2018) in text_of(html)
    assert "<article" not in html


def test_a_year_with_outcomes_has_no_plan_note(client, controller_an, board_an):
    goal_chain(
        board_an,
        goals=1,
        indicators_per_goal=1,
        frequency=PeriodType.YEAR,
        value_years=(2021, 2022),
    )
    client.force_login(controller_an)
    page = text_of(get(client, "AN", 2022))
    assert PLAN_ONLY_NOTE.format(year=2022) not in page
    assert "3\xa0000" in page
    # The next year has targets only: the plan.
    Target.objects.filter(indicator__board=board_an).update(year=2023)
    assert PLAN_ONLY_NOTE.format(year=2023) in text_of(get(client, "AN", 2023))


def test_query_count_is_flat_in_goals_activities_and_years(
    client, controller_an, board_an, plan_year
):
    client.force_login(controller_an)
    small, _ = count(client, "AN", PLAN_YEAR)
    goals = goal_chain(board_an, goals=5, indicators_per_goal=3, frequency=PeriodType.YEAR)
    area = plan_year[2]
    for index, indicator in enumerate(goals):
        activity(
            board_an,
            f"Ny aktivitet {index}",
            f"Q{index % 4 + 1}",
            board_goals=[indicator.board_goal],
        )
        activity(board_an, f"Områdesaktivitet {index}", "Kontinuerligt", goal_area=area)
    for year in (2019, 2020, 2021, 2022, 2024):
        activity(board_an, f"Aktivitet {year}", "Q1", year=year, goal_area=area)
        for indicator in goals:
            Target.objects.create(
                indicator=indicator,
                year=year,
                breakdown=Target.objects.filter(indicator=indicator).first().breakdown,
                kind=Target.Kind.VALUE,
                value=3000,
            )
    large, html = count(client, "AN", PLAN_YEAR)
    assert html.count("klart senast:") == 33  # 15 + 15 new, 3 before
    assert small == large, f"queries grew from {small} to {large}"
    assert large <= 20


def test_the_demo_an_2023_after_the_rollover_shows_its_plan(client, demo_data):
    """AN 2023 has the rolled-over nämndmål, targets and activities, and no outcomes yet."""
    from tests.conftest import make_user

    client.force_login(make_user("controller_plan", "controller", demo_data))
    html = get(client, "AN", PLAN_YEAR)
    page = text_of(html)
    assert PLAN_ONLY_NOTE.format(year=PLAN_YEAR) in page
    goals = list(BoardGoal.objects.valid_in(PLAN_YEAR).filter(board=demo_data))
    assert len(goals) >= 9
    targets = Target.objects.filter(
        indicator__board=demo_data, year=PLAN_YEAR, breakdown__code="total"
    ).select_related("indicator__board_goal")
    assert targets.exists()
    activities = list(
        Activity.objects.filter(board=demo_data, year=PLAN_YEAR).prefetch_related("board_goals")
    )
    assert len(activities) >= 9
    for goal in goals:
        card = goal_card(html, goal)
        assert f"Målvärde {PLAN_YEAR}" in card or "Inga indikatorer" in card
        for item in activities:
            if goal in item.board_goals.all():
                assert f"{item.title} (klart senast: {item.deadline})" in card
    for target in targets:
        goal = target.indicator.board_goal
        if goal is not None and target.indicator.parent_id is None and goal in goals:
            assert target.display.replace("\xa0", " ") in goal_card(html, goal).replace("\xa0", " ")
    # The year before has its outcomes: no plan note there.
    assert PLAN_ONLY_NOTE.format(year=2022) not in text_of(get(client, "AN", 2022))
