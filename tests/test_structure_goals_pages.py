"""The structure pages of the goal chain (/struktur/…), through the test client."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goals import structure_services as services
from goals.models import (
    Activity,
    BoardGoal,
    CouncilGoal,
    GoalArea,
    MandatePeriod,
    PolicyDocument,
    ReportingOccasion,
    StrategicAssignment,
    StructureCorrection,
)
from tests.conftest import make_user


@pytest.fixture
def chain(board_an, board_other, municipality):
    area = GoalArea.objects.create(name="Medborgare", order=2)
    council = CouncilGoal.objects.create(goal_area=area, title="KF-mål nu", valid_from=2019)
    CouncilGoal.objects.create(goal_area=area, title="KF-mål förr", valid_from=2015, valid_to=2018)
    goal = BoardGoal.objects.create(
        board=board_an, council_goal=council, title="Goda arbetsplatser", valid_from=2019
    )
    BoardGoal.objects.create(
        board=board_an,
        council_goal=council,
        title="Goda arbetsplatser förr",
        valid_from=2015,
        valid_to=2018,
    )
    BoardGoal.objects.create(
        board=board_other, council_goal=council, title="BIN:s arbetsplatser", valid_from=2019
    )
    StrategicAssignment.objects.create(
        municipality=municipality,
        scope="namndspecifikt",
        board=board_an,
        text="AN:s uppdrag",
        valid_from=2020,
    )
    StrategicAssignment.objects.create(
        municipality=municipality,
        scope="kommungemensamt",
        text="Gemensamt uppdrag",
        valid_from=2020,
    )
    StrategicAssignment.objects.create(
        municipality=municipality,
        scope="namndspecifikt",
        board=board_other,
        text="BIN:s uppdrag",
        valid_from=2020,
    )
    PolicyDocument.objects.create(
        municipality=municipality, title="Upphandlingspolicy", valid_from=2020
    )
    return {"area": area, "council": council, "goal": goal}


def _url(name, *args):
    return reverse(f"goals:{name}", args=args)


def test_the_list_shows_goals_assignments_activities_and_policies(
    client, admin_user, board_an, chain
):
    services.create_activity(
        user=admin_user,
        board=board_an,
        year=2023,
        title="Kartlägga behov",
        board_goals=[chain["goal"]],
        deadline="Succesivt avslut Q4",
    )
    client.force_login(admin_user)
    page = client.get(_url("structure_goal_list", "AN", 2023)).content.decode()
    assert "Goda arbetsplatser" in page
    assert "Goda arbetsplatser förr" not in page
    assert "BIN:s arbetsplatser" not in page
    assert "AN:s uppdrag" in page and "Gemensamt uppdrag" in page
    assert "BIN:s uppdrag" not in page
    assert "Kartlägga behov" in page and "Succesivt avslut Q4" in page and "Q4" in page
    assert "Upphandlingspolicy" in page
    assert _url("structure_board_goal_edit", "AN", 2023, chain["goal"].pk) in page


def test_pickers_offer_only_what_is_valid_for_the_board_and_year(
    client, admin_user, board_an, chain
):
    client.force_login(admin_user)
    activity_page = client.get(_url("structure_activity_create", "AN", 2023)).content.decode()
    assert "Goda arbetsplatser</label>" in activity_page
    assert "Goda arbetsplatser förr" not in activity_page
    assert "BIN:s arbetsplatser" not in activity_page
    assert "AN:s uppdrag" in activity_page and "Gemensamt uppdrag" in activity_page
    assert "BIN:s uppdrag" not in activity_page
    assert "Upphandlingspolicy" in activity_page
    goal_page = client.get(_url("structure_board_goal_create", "AN", 2023)).content.decode()
    assert "KF-mål nu" in goal_page and "KF-mål förr" not in goal_page
    old_page = client.get(_url("structure_activity_create", "AN", 2019)).content.decode()
    assert "Upphandlingspolicy" not in old_page and "AN:s uppdrag" not in old_page


def test_create_a_board_goal_through_the_page(client, admin_user, board_an, chain):
    client.force_login(admin_user)
    response = client.post(
        _url("structure_board_goal_create", "AN", 2023),
        {
            "council_goal": chain["council"].pk,
            "title": "Fler i arbete",
            "description": "Andelen ska öka",
            "order": "2",
            "valid_to": "",
            "reason": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == _url("structure_goal_list", "AN", 2023)
    goal = BoardGoal.objects.get(title="Fler i arbete")
    assert (goal.board, goal.valid_from, goal.valid_to, goal.order) == (board_an, 2023, None, 2)


def test_a_refused_goal_shows_the_message_at_the_field_and_writes_nothing(
    client, admin_user, board_an, chain
):
    client.force_login(admin_user)
    old = CouncilGoal.objects.get(title="KF-mål förr")
    before = BoardGoal.objects.count()
    response = client.post(
        _url("structure_board_goal_create", "AN", 2023),
        {"council_goal": old.pk, "title": "X", "order": "0"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["council_goal"]  # not a choice offered for 2023
    assert BoardGoal.objects.count() == before


def test_edit_a_goal_as_of_the_year_splits_it(client, admin_user, board_an, chain):
    client.force_login(admin_user)
    goal = chain["goal"]
    page = client.get(_url("structure_board_goal_edit", "AN", 2023, goal.pk)).content.decode()
    assert "avslutas året före" in page
    response = client.post(
        _url("structure_board_goal_edit", "AN", 2023, goal.pk),
        {"council_goal": chain["council"].pk, "title": "Goda arbetsplatser 2023", "order": "0"},
    )
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.valid_to == 2022
    assert BoardGoal.objects.get(title="Goda arbetsplatser 2023").predecessor == goal


def test_an_approved_year_asks_for_a_reason_and_records_the_correction(
    client, admin_user, board_an, chain
):
    occasion = ReportingOccasion.objects.create(board=board_an, year=2023, kind="helar")
    ReportingOccasion.objects.filter(pk=occasion.pk).update(state="godkand")
    client.force_login(admin_user)
    url = _url("structure_board_goal_edit", "AN", 2023, chain["goal"].pk)
    page = client.get(url).content.decode()
    assert "Motivering till rättelsen" in page
    data = {"council_goal": chain["council"].pk, "title": "Rättad", "order": "0"}
    refused = client.post(url, {**data, "reason": ""})
    assert refused.status_code == 200
    assert refused.context["form"].errors["reason"] == [
        services.CORRECTION_REASON_REQUIRED.format(
            year=2023, occasion=ReportingOccasion.objects.get(pk=occasion.pk)
        )
    ]
    assert not StructureCorrection.objects.exists()
    assert not BoardGoal.objects.filter(title="Rättad").exists()
    saved = client.post(url, {**data, "reason": "Fel i planen"})
    assert saved.status_code == 302
    correction = StructureCorrection.objects.get()
    assert correction.reason == "Fel i planen"
    listing = client.get(_url("structure_goal_list", "AN", 2023)).content.decode()
    assert "Fel i planen" in listing


def test_create_and_edit_an_activity_through_the_page(client, admin_user, board_an, chain):
    client.force_login(admin_user)
    assignment = StrategicAssignment.objects.get(text="AN:s uppdrag")
    response = client.post(
        _url("structure_activity_create", "AN", 2023),
        {
            "title": "Samverkan med näringslivet",
            "board_goals": [chain["goal"].pk],
            "assignment": assignment.pk,
            "deadline": "Kontinuerligt, uppföljning Q4",
            "due_quarter": "",
            "order": "1",
        },
    )
    assert response.status_code == 302
    activity = Activity.objects.get(title="Samverkan med näringslivet")
    assert list(activity.board_goals.all()) == [chain["goal"]]
    assert (activity.assignment, activity.due_quarter) == (assignment, 4)
    edit = _url("structure_activity_edit", "AN", 2023, activity.pk)
    assert "Kontinuerligt, uppföljning Q4" in client.get(edit).content.decode()
    response = client.post(
        edit,
        {
            "title": "Samverkan med näringslivet",
            "board_goals": [chain["goal"].pk],
            "deadline": "Kontinuerligt, uppföljning Q4",
            "due_quarter": "2",
            "order": "1",
        },
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.assignment, activity.due_quarter) == (None, 2)


def test_an_activity_that_serves_nothing_is_refused_on_the_page(
    client, admin_user, board_an, chain
):
    client.force_login(admin_user)
    response = client.post(
        _url("structure_activity_create", "AN", 2023),
        {"title": "Fri aktivitet", "deadline": "Q2", "order": "0"},
    )
    assert response.status_code == 200
    assert services.ACTIVITY_SERVES_NOTHING in response.content.decode()
    assert not Activity.objects.exists()


def test_a_duplicate_title_saves_with_a_warning(client, admin_user, board_an, chain):
    client.force_login(admin_user)
    data = {"title": "Samma", "goal_area": chain["area"].pk, "order": "0"}
    client.post(_url("structure_activity_create", "AN", 2023), data)
    response = client.post(_url("structure_activity_create", "AN", 2023), data, follow=True)
    assert services.DUPLICATE_ACTIVITY.format(title="Samma", year=2023) in (
        response.content.decode()
    )
    assert Activity.objects.filter(title="Samma").count() == 2


def test_delete_an_activity(client, admin_user, board_an, chain):
    activity = services.create_activity(
        user=admin_user, board=board_an, year=2023, title="Bort", goal_area=chain["area"]
    ).object
    client.force_login(admin_user)
    response = client.post(
        _url("structure_activity_edit", "AN", 2023, activity.pk),
        {"title": "Bort", "delete": "ja", "order": "0"},
    )
    assert response.status_code == 302
    assert not Activity.objects.filter(pk=activity.pk).exists()


def test_create_a_nämnduppdrag_through_the_page(client, admin_user, board_an, chain):
    client.force_login(admin_user)
    response = client.post(
        _url("structure_assignment_create", "AN", 2023),
        {"scope": "namnduppdrag", "text": "Ta fram en plan", "order": "0"},
    )
    assert response.status_code == 302
    assignment = StrategicAssignment.objects.get(text="Ta fram en plan")
    assert (assignment.board, assignment.valid_from) == (board_an, 2023)


def test_council_goals_policy_documents_and_mandate_periods(client, admin_user, chain):
    client.force_login(admin_user)
    response = client.post(
        _url("structure_council_goal_create", 2023),
        {"goal_area": chain["area"].pk, "title": "Nytt KF-mål", "order": "0"},
    )
    assert response.status_code == 302
    assert CouncilGoal.objects.get(title="Nytt KF-mål").valid_from == 2023
    assert "Nytt KF-mål" in client.get(_url("structure_council_goals", 2023)).content.decode()
    response = client.post(
        _url("structure_policy_create", 2023),
        {
            "municipality": board_municipality(chain),
            "title": "Arbetsmarknadsprogram",
            "order": "0",
        },
    )
    assert response.status_code == 302
    assert PolicyDocument.objects.get(title="Arbetsmarknadsprogram").valid_from == 2023
    response = client.post(
        _url("structure_mandate_periods"),
        {"municipality": board_municipality(chain), "first_year": "2023", "last_year": "2026"},
    )
    assert response.status_code == 302
    period = MandatePeriod.objects.get()
    assert "2023–2026" in client.get(_url("structure_mandate_periods")).content.decode()
    bad = client.post(
        _url("structure_mandate_period_edit", period.pk),
        {"first_year": "2026", "last_year": "2023"},
    )
    assert bad.status_code == 200
    assert "Mandatperiodens första år måste vara före dess sista år." in bad.content.decode()
    period.refresh_from_db()
    assert (period.first_year, period.last_year) == (2023, 2026)


def board_municipality(chain):
    return chain["council"].board_goals.first().board.municipality_id


@pytest.mark.parametrize(
    "name",
    [
        "structure_goal_list",
        "structure_board_goal_create",
        "structure_activity_create",
        "structure_assignment_create",
    ],
)
def test_board_pages_refuse_everyone_but_the_administrator(
    client, board_an, chain, controller_an, secretary_an, controller_other, name
):
    board_admin_other = make_user(
        "admin_bin", "administrator", controller_other.board_roles.get().board
    )
    for user in (controller_an, secretary_an, controller_other, board_admin_other):
        client.force_login(user)
        assert client.get(_url(name, "AN", 2023)).status_code == 404, user.username
        assert client.post(_url(name, "AN", 2023), {"title": "X"}).status_code in {404, 405}
    assert not Activity.objects.exists()


def test_board_administrator_reaches_the_boards_pages_but_not_municipality_ones(
    client, board_an, chain
):
    board_admin = make_user("admin_an", "administrator", board_an)
    client.force_login(board_admin)
    assert client.get(_url("structure_goal_list", "AN", 2023)).status_code == 200
    for url in (
        _url("structure_council_goals", 2023),
        _url("structure_policy_list", 2023),
        _url("structure_mandate_periods"),
    ):
        assert client.get(url).status_code == 404, url
    # A common assignment is the municipality's: its page is not the board administrator's.
    common = StrategicAssignment.objects.get(scope="kommungemensamt")
    assert client.get(_url("structure_assignment_edit", "AN", 2023, common.pk)).status_code == 404


def test_another_boards_goal_is_404(client, admin_user, board_an, chain):
    other = BoardGoal.objects.get(title="BIN:s arbetsplatser")
    client.force_login(admin_user)
    assert client.get(_url("structure_board_goal_edit", "AN", 2023, other.pk)).status_code == 404


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _grow(board, chain, admin_user, n):
    start = Activity.objects.count()
    for i in range(start, start + n):
        goal = BoardGoal.objects.create(
            board=board, council_goal=chain["council"], title=f"Mål {i}", valid_from=2019
        )
        activity = Activity.objects.create(
            board=board, year=2023, title=f"Aktivitet {i}", deadline="Q2", due_quarter=2
        )
        activity.board_goals.add(goal, chain["goal"])
        StrategicAssignment.objects.create(
            municipality=board.municipality,
            scope="namnduppdrag",
            board=board,
            text=f"Uppdrag {i}",
            valid_from=2020,
        )
        PolicyDocument.objects.create(
            municipality=board.municipality, title=f"Policy {i}", valid_from=2020
        )


@pytest.mark.parametrize(
    "name", ["structure_goal_list", "structure_activity_create", "structure_board_goal_create"]
)
def test_query_count_is_flat_in_goals_and_activities(client, admin_user, board_an, chain, name):
    client.force_login(admin_user)
    _grow(board_an, chain, admin_user, 1)
    url = _url(name, "AN", 2023)
    few = _count(client, url)
    _grow(board_an, chain, admin_user, 8)
    assert _count(client, url) == few


def test_activity_edit_query_count_is_flat(client, admin_user, board_an, chain):
    client.force_login(admin_user)
    _grow(board_an, chain, admin_user, 1)
    activity = Activity.objects.first()
    url = _url("structure_activity_edit", "AN", 2023, activity.pk)
    few = _count(client, url)
    _grow(board_an, chain, admin_user, 8)
    for goal in BoardGoal.objects.filter(board=board_an):
        activity.board_goals.add(goal)
    assert _count(client, url) == few


def test_municipality_pages_query_count_is_flat(client, admin_user, board_an, chain):
    client.force_login(admin_user)
    urls = [
        _url("structure_council_goals", 2023),
        _url("structure_policy_list", 2023),
        _url("structure_mandate_periods"),
    ]
    few = [_count(client, url) for url in urls]
    for i in range(8):
        CouncilGoal.objects.create(goal_area=chain["area"], title=f"KF {i}", valid_from=2019)
        PolicyDocument.objects.create(
            municipality=board_an.municipality, title=f"Policy {i}", valid_from=2020
        )
        MandatePeriod.objects.create(
            municipality=board_an.municipality, first_year=1980 + 4 * i, last_year=1983 + 4 * i
        )
    assert [_count(client, url) for url in urls] == few


def test_end_a_goal_and_an_assignment_through_the_pages(client, admin_user, board_an, chain):
    client.force_login(admin_user)
    goal = chain["goal"]
    edit = client.get(_url("structure_board_goal_edit", "AN", 2023, goal.pk)).content.decode()
    assert _url("structure_board_goal_end", "AN", 2023, goal.pk) in edit
    response = client.post(_url("structure_board_goal_end", "AN", 2023, goal.pk), {})
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.valid_to == 2022
    assignment = StrategicAssignment.objects.get(text="AN:s uppdrag")
    Activity.objects.create(board=board_an, year=2023, title="Använder", assignment=assignment)
    refused = client.post(_url("structure_assignment_end", "AN", 2023, assignment.pk), {})
    assert refused.status_code == 200
    assert services.IN_USE_FROM.format(label="Uppdraget", year=2023) in refused.content.decode()
    assignment.refresh_from_db()
    assert assignment.valid_to is None
