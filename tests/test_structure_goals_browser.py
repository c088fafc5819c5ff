"""An administrator builds a nämndmål and an activity through the structure pages in Chromium."""

from __future__ import annotations

import pytest

from goals.models import Activity, BoardGoal, CouncilGoal, GoalArea
from tests.browser import log_in, watch_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def kf_goals(db):
    area = GoalArea.objects.create(name="Samhälle", order=1)
    current = CouncilGoal.objects.create(
        goal_area=area, title="Fler i arbete och egen försörjning", valid_from=2019
    )
    CouncilGoal.objects.create(
        goal_area=area, title="Ett KF-mål som upphört", valid_from=2015, valid_to=2018
    )
    return current


def test_admin_creates_a_goal_and_an_activity(page, live_server, admin_user, board_an, kf_goals):
    problems = watch_problems(page)
    log_in(page, live_server, admin_user.username)
    page.goto(f"{live_server.url}/struktur/AN/2023/mal/")
    page.get_by_role("link", name="Nytt nämndmål").click()

    options = page.locator("#id_council_goal option").all_inner_texts()
    assert "Samhälle: Fler i arbete och egen försörjning" in options
    assert not [text for text in options if "upphört" in text]
    page.select_option("#id_council_goal", label="Samhälle: Fler i arbete och egen försörjning")
    page.fill("#id_title", "Hög egenförsörjningsgrad")
    page.fill("#id_description", "Antal hushåll som uppbär ekonomiskt bistånd ska minska")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url(f"{live_server.url}/struktur/AN/2023/mal/")
    assert page.get_by_role("link", name="Hög egenförsörjningsgrad").is_visible()

    page.get_by_role("link", name="Ny aktivitet").click()
    page.fill("#id_title", "Kartlägga behov av insatser")
    page.get_by_label("Hög egenförsörjningsgrad").check()
    page.fill("#id_deadline", "Succesivt avslut Q4")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url(f"{live_server.url}/struktur/AN/2023/mal/")
    row = page.locator("tr", has_text="Kartlägga behov av insatser")
    assert "Succesivt avslut Q4" in row.inner_text()

    goal = BoardGoal.objects.get(title="Hög egenförsörjningsgrad")
    assert (goal.board, goal.council_goal, goal.valid_from, goal.valid_to) == (
        board_an,
        kf_goals,
        2023,
        None,
    )
    activity = Activity.objects.get(title="Kartlägga behov av insatser")
    assert (activity.board, activity.year, activity.deadline, activity.due_quarter) == (
        board_an,
        2023,
        "Succesivt avslut Q4",
        4,
    )
    assert list(activity.board_goals.all()) == [goal]
    assert activity.history.first().history_user == admin_user
    assert not problems, problems
