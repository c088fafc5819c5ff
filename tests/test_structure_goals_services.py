"""goals.structure_services: the one write path of the goal chain's structure."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from goals import models as goals_models
from goals import structure_services as services
from goals.integrity import activity_link_errors
from goals.models import (
    Activity,
    ActivityStatus,
    BoardGoal,
    CouncilGoal,
    GoalArea,
    GoalAssessment,
    MandatePeriod,
    PolicyDocument,
    ReportingOccasion,
    StrategicAssignment,
    StructureCorrection,
    years_text,
)
from tests.conftest import make_user


@pytest.fixture
def chain(board_an, board_other, municipality):
    area = GoalArea.objects.create(name="Medborgare", order=2)
    council = CouncilGoal.objects.create(goal_area=area, title="KF-mål", valid_from=2019)
    old_council = CouncilGoal.objects.create(
        goal_area=area, title="Gammalt KF-mål", valid_from=2015, valid_to=2018
    )
    goal = BoardGoal.objects.create(
        board=board_an,
        council_goal=council,
        title="Hög egenförsörjningsgrad",
        description="Antal hushåll ska minska",
        valid_from=2019,
    )
    other_goal = BoardGoal.objects.create(
        board=board_other, council_goal=council, title="BIN:s mål", valid_from=2019
    )
    ended_goal = BoardGoal.objects.create(
        board=board_an, council_goal=council, title="Slutat mål", valid_from=2019, valid_to=2021
    )
    assignment = StrategicAssignment.objects.create(
        municipality=municipality,
        scope="namndspecifikt",
        board=board_an,
        text="AN:s uppdrag",
        valid_from=2020,
    )
    common = StrategicAssignment.objects.create(
        municipality=municipality, scope="kommungemensamt", text="Gemensamt", valid_from=2020
    )
    other_assignment = StrategicAssignment.objects.create(
        municipality=municipality,
        scope="namndspecifikt",
        board=board_other,
        text="BIN:s uppdrag",
        valid_from=2020,
    )
    policy = PolicyDocument.objects.create(
        municipality=municipality, title="Upphandlingspolicy", valid_from=2020
    )
    return {
        "area": area,
        "council": council,
        "old_council": old_council,
        "goal": goal,
        "other_goal": other_goal,
        "ended_goal": ended_goal,
        "assignment": assignment,
        "common": common,
        "other_assignment": other_assignment,
        "policy": policy,
    }


def _approve(board, year, kind="helar"):
    occasion = ReportingOccasion.objects.create(board=board, year=year, kind=kind)
    ReportingOccasion.objects.filter(pk=occasion.pk).update(state="godkand")
    occasion.refresh_from_db()
    return occasion


def _counts():
    return (
        BoardGoal.objects.count(),
        Activity.objects.count(),
        CouncilGoal.objects.count(),
        StrategicAssignment.objects.count(),
        PolicyDocument.objects.count(),
        StructureCorrection.objects.count(),
        BoardGoal.history.count(),
        Activity.history.count(),
    )


# ---------------------------------------------------------------------------------------------
# Split as of a year


def test_editing_a_goal_valid_before_the_year_splits_it(admin_user, chain, board_an):
    goal = chain["goal"]
    activity_2022 = Activity.objects.create(board=board_an, year=2022, title="Förra året")
    activity_2023 = Activity.objects.create(board=board_an, year=2023, title="I år")
    activity_2022.board_goals.add(goal)
    activity_2023.board_goals.add(goal)

    saved = services.update_board_goal(
        user=admin_user,
        goal=goal,
        year=2023,
        council_goal=chain["council"],
        title="Hög egenförsörjning",
        description="Ny text",
        order=0,
    )

    new = saved.object
    goal.refresh_from_db()
    assert (goal.valid_from, goal.valid_to, goal.title) == (2019, 2022, "Hög egenförsörjningsgrad")
    assert (new.valid_from, new.valid_to, new.title) == (2023, None, "Hög egenförsörjning")
    assert new.predecessor == goal and new.pk != goal.pk
    assert list(BoardGoal.objects.valid_in(2022).filter(board=board_an)) == [goal]
    assert new in BoardGoal.objects.valid_in(2023).filter(board=board_an)
    assert list(activity_2022.board_goals.all()) == [goal]
    assert list(activity_2023.board_goals.all()) == [new]
    assert new.history.first().history_user == admin_user
    assert not saved.corrections


def test_editing_a_goal_from_its_first_year_changes_it_in_place(admin_user, chain):
    goal = chain["goal"]
    saved = services.update_board_goal(
        user=admin_user,
        goal=goal,
        year=2019,
        council_goal=chain["council"],
        title="Ny rubrik",
        description=goal.description,
        order=3,
    )
    assert saved.object.pk == goal.pk
    goal.refresh_from_db()
    assert (goal.title, goal.order, goal.valid_from, goal.valid_to) == ("Ny rubrik", 3, 2019, None)
    assert BoardGoal.objects.filter(board=goal.board).count() == 2


def test_an_unchanged_edit_writes_nothing(admin_user, chain):
    goal = chain["goal"]
    before = _counts()
    saved = services.update_board_goal(
        user=admin_user,
        goal=goal,
        year=2023,
        council_goal=goal.council_goal,
        title=goal.title,
        description=goal.description,
        order=goal.order,
    )
    assert saved.object.pk == goal.pk
    assert _counts() == before


def test_a_split_moves_the_later_years_assessments(admin_user, chain, board_an):
    goal = chain["goal"]
    d1_2022 = ReportingOccasion.objects.create(board=board_an, year=2022, kind="d1")
    d1_2023 = ReportingOccasion.objects.create(board=board_an, year=2023, kind="d1")
    old = GoalAssessment.objects.create(occasion=d1_2022, board_goal=goal, level="uppnatt")
    later = GoalAssessment.objects.create(occasion=d1_2023, board_goal=goal, level="delvis")
    new = services.update_board_goal(
        user=admin_user,
        goal=goal,
        year=2023,
        council_goal=chain["council"],
        title="Ändrad",
        description="",
        order=0,
    ).object
    old.refresh_from_db()
    later.refresh_from_db()
    assert old.board_goal_id == goal.pk
    assert later.board_goal_id == new.pk


def test_a_council_goal_split_carries_its_board_goals(admin_user, chain, board_an):
    saved = services.update_council_goal(
        user=admin_user,
        goal=chain["council"],
        year=2023,
        title="KF-mål, ny lydelse",
        description="",
        goal_area=chain["area"],
        order=0,
    )
    new_council = saved.object
    goals_2023 = BoardGoal.objects.valid_in(2023).filter(board=board_an)
    assert [g.council_goal_id for g in goals_2023] == [new_council.pk]
    goals_2022 = BoardGoal.objects.valid_in(2022).filter(board=board_an, title=chain["goal"].title)
    assert [g.council_goal_id for g in goals_2022] == [chain["council"].pk]
    assert goals_2023.get().predecessor_id == chain["goal"].pk


# ---------------------------------------------------------------------------------------------
# Approved years: correction with reason


def test_editing_an_approved_year_without_reason_is_refused_and_writes_nothing(
    admin_user, chain, board_an
):
    _approve(board_an, 2023)
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        services.update_board_goal(
            user=admin_user,
            goal=chain["goal"],
            year=2023,
            council_goal=chain["council"],
            title="Rättad rubrik",
            description="",
            order=0,
        )
    assert refused.value.message_dict["reason"] == [
        services.CORRECTION_REASON_REQUIRED.format(
            year=2023, occasion=ReportingOccasion.objects.get(year=2023)
        )
    ]
    assert _counts() == before
    chain["goal"].refresh_from_db()
    assert chain["goal"].valid_to is None


def test_a_later_approved_year_also_needs_a_reason(admin_user, chain, board_an):
    """Editing as of 2022 reaches 2023 too; 2023 being approved is enough to ask."""
    _approve(board_an, 2023)
    with pytest.raises(ValidationError):
        services.update_board_goal(
            user=admin_user,
            goal=chain["goal"],
            year=2022,
            council_goal=chain["council"],
            title="Rättad rubrik",
            description="",
            order=0,
        )


def test_editing_an_approved_year_with_reason_records_a_correction(admin_user, chain, board_an):
    occasion = _approve(board_an, 2023)
    saved = services.update_board_goal(
        user=admin_user,
        goal=chain["goal"],
        year=2023,
        council_goal=chain["council"],
        title="Rättad rubrik",
        description=chain["goal"].description,
        order=0,
        reason="Stavfel i beslutad plan",
    )
    (correction,) = StructureCorrection.objects.all()
    assert saved.corrections == [correction]
    assert correction.occasion == occasion
    assert (correction.board, correction.year) == (board_an, 2023)
    assert correction.reason == "Stavfel i beslutad plan"
    assert correction.user == admin_user
    assert "Hög egenförsörjningsgrad" in correction.object_label
    assert correction.changes == "rubrik: Hög egenförsörjningsgrad → Rättad rubrik"


def test_approved_occasion_for_finds_only_approved_ones(board_an, board_other):
    ReportingOccasion.objects.create(board=board_an, year=2023, kind="d1")
    assert services.approved_occasion_for(board_an, 2023) is None
    approved = _approve(board_an, 2023)
    _approve(board_other, 2024)
    assert services.approved_occasion_for(board_an, 2023) == approved
    assert services.approved_occasion_for(board_an, 2024) is None
    assert services.approved_occasion_for(board_an.pk, 2023) == approved


def test_deleting_an_activity_of_an_approved_year_needs_a_reason(admin_user, chain, board_an):
    activity = services.create_activity(
        user=admin_user, board=board_an, year=2023, title="A", board_goals=[chain["goal"]]
    ).object
    _approve(board_an, 2023)
    with pytest.raises(ValidationError):
        services.delete_activity(user=admin_user, activity=activity)
    assert Activity.objects.filter(pk=activity.pk).exists()
    services.delete_activity(user=admin_user, activity=activity, reason="Dubblett")
    assert not Activity.objects.filter(pk=activity.pk).exists()
    assert StructureCorrection.objects.get().changes == "borttagen"


# ---------------------------------------------------------------------------------------------
# Activities


def test_an_activity_serves_several_goals_and_its_quarter_is_read_from_the_text(
    admin_user, chain, board_an
):
    second = BoardGoal.objects.create(
        board=board_an, council_goal=chain["council"], title="Andra målet", valid_from=2019
    )
    saved = services.create_activity(
        user=admin_user,
        board=board_an,
        year=2023,
        title="Kartlägga behov",
        board_goals=[chain["goal"], second],
        deadline="Succesivt avslut Q4",
    )
    activity = saved.object
    assert set(activity.board_goals.all()) == {chain["goal"], second}
    assert (activity.deadline, activity.due_quarter) == ("Succesivt avslut Q4", 4)
    assert saved.warnings == []
    assert activity.history.first().history_user == admin_user


def test_the_due_quarter_can_be_overridden(admin_user, chain, board_an):
    activity = services.create_activity(
        user=admin_user,
        board=board_an,
        year=2023,
        title="Löpande",
        goal_area=chain["area"],
        deadline="Kontinuerligt, uppföljning Q4",
        due_quarter=2,
    ).object
    assert activity.due_quarter == 2
    assert activity.goal_area == chain["area"]


@pytest.mark.parametrize(
    "links",
    [
        {"assignment": "assignment"},
        {"assignment": "common"},
        {"policy_document": "policy"},
        {"goal_area": "area"},
    ],
)
def test_an_activity_may_serve_an_assignment_a_policy_or_a_goal_area(
    admin_user, chain, board_an, links
):
    kwargs = {name: chain[key] for name, key in links.items()}
    activity = services.create_activity(
        user=admin_user, board=board_an, year=2023, title="Aktivitet", **kwargs
    ).object
    for name, value in kwargs.items():
        assert getattr(activity, name) == value


def test_an_activity_that_serves_nothing_is_refused(admin_user, board_an, chain):
    with pytest.raises(ValidationError) as refused:
        services.create_activity(user=admin_user, board=board_an, year=2023, title="Fri")
    assert refused.value.message_dict["__all__"] == [services.ACTIVITY_SERVES_NOTHING]
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    ("field", "key", "message"),
    [
        ("board_goals", "other_goal", "LINK_ACTIVITY_GOAL_OTHER_BOARD"),
        ("board_goals", "ended_goal", "LINK_ACTIVITY_GOAL_YEAR"),
        ("assignment", "other_assignment", "ASSIGNMENT_NOT_OF_BOARD_YEAR"),
    ],
)
def test_links_outside_the_board_or_the_year_are_refused(
    admin_user, board_an, chain, field, key, message
):
    value = [chain[key]] if field == "board_goals" else chain[key]
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        services.create_activity(
            user=admin_user,
            board=board_an,
            year=2023,
            title="Fel koppling",
            goal_area=chain["area"],
            **{field: value},
        )
    # The nämndmål's rule is goals.integrity's (one owner), the others the services'.
    if field == "board_goals":
        probe = Activity(board=board_an, year=2023)
        expected = activity_link_errors(probe, [chain[key]])[0]
        assert expected == getattr(goals_models, message).format(
            goal=chain[key].title, year=2023, years=years_text(chain[key])
        )
    else:
        expected = getattr(services, message).format(year=2023)
    assert refused.value.message_dict[field] == [expected]
    assert _counts() == before


def test_a_policy_document_not_valid_in_the_year_is_refused(admin_user, board_an, chain):
    with pytest.raises(ValidationError) as refused:
        services.create_activity(
            user=admin_user,
            board=board_an,
            year=2019,
            title="Innan policyn",
            policy_document=chain["policy"],
        )
    assert refused.value.message_dict["policy_document"] == [
        services.POLICY_NOT_VALID.format(year=2019)
    ]


def test_a_duplicate_title_is_a_warning_not_an_error(admin_user, board_an, chain):
    first = services.create_activity(
        user=admin_user, board=board_an, year=2023, title="Samma", goal_area=chain["area"]
    )
    second = services.create_activity(
        user=admin_user, board=board_an, year=2023, title="samma", goal_area=chain["area"]
    )
    other_year = services.create_activity(
        user=admin_user, board=board_an, year=2024, title="Samma", goal_area=chain["area"]
    )
    assert first.warnings == []
    assert second.warnings == [services.DUPLICATE_ACTIVITY.format(title="samma", year=2023)]
    assert other_year.warnings == []
    assert Activity.objects.filter(title__iexact="samma").count() == 3


def test_update_activity_records_the_change_and_rechecks_links(admin_user, board_an, chain):
    activity = services.create_activity(
        user=admin_user, board=board_an, year=2023, title="A", board_goals=[chain["goal"]]
    ).object
    with pytest.raises(ValidationError):
        services.update_activity(
            user=admin_user, activity=activity, title="A", board_goals=[chain["other_goal"]]
        )
    assert list(activity.board_goals.all()) == [chain["goal"]]
    saved = services.update_activity(
        user=admin_user,
        activity=activity,
        title="B",
        board_goals=[chain["goal"]],
        assignment=chain["assignment"],
        deadline="Sept Q3",
    )
    activity.refresh_from_db()
    assert (activity.title, activity.assignment, activity.due_quarter) == (
        "B",
        chain["assignment"],
        3,
    )
    assert saved.object.pk == activity.pk


def test_an_activity_with_statuses_cannot_be_deleted(admin_user, board_an, chain):
    activity = services.create_activity(
        user=admin_user, board=board_an, year=2023, title="A", goal_area=chain["area"]
    ).object
    occasion = ReportingOccasion.objects.create(board=board_an, year=2023, kind="d1")
    ActivityStatus.objects.create(occasion=occasion, activity=activity, status="pagar")
    with pytest.raises(ValidationError) as refused:
        services.delete_activity(user=admin_user, activity=activity)
    assert refused.value.messages == [services.ACTIVITY_HAS_STATUSES.format(count=1)]
    assert Activity.objects.filter(pk=activity.pk).exists()


# ---------------------------------------------------------------------------------------------
# Goals, assignments, policies, mandate periods


def test_a_board_goal_needs_a_council_goal_valid_in_its_year(admin_user, board_an, chain):
    with pytest.raises(ValidationError) as refused:
        services.create_board_goal(
            user=admin_user,
            board=board_an,
            council_goal=chain["old_council"],
            title="Nytt mål",
            valid_from=2023,
        )
    assert refused.value.message_dict["council_goal"] == [
        services.COUNCIL_GOAL_NOT_VALID.format(year=2023)
    ]
    assert not BoardGoal.objects.filter(title="Nytt mål").exists()


def test_a_duplicate_goal_title_in_the_year_is_a_warning(admin_user, board_an, chain):
    saved = services.create_board_goal(
        user=admin_user,
        board=board_an,
        council_goal=chain["council"],
        title="hög egenförsörjningsgrad",
        valid_from=2023,
    )
    assert saved.warnings == [
        services.DUPLICATE_BOARD_GOAL.format(title="hög egenförsörjningsgrad", year=2023)
    ]


def test_ending_a_goal_closes_it_or_deletes_it_when_it_began_that_year(admin_user, board_an, chain):
    ended = services.end_board_goal(user=admin_user, goal=chain["goal"], year=2024)
    assert ended is not None and ended.valid_to == 2023
    fresh = services.create_board_goal(
        user=admin_user,
        board=board_an,
        council_goal=chain["council"],
        title="Nytt 2024",
        valid_from=2024,
    ).object
    assert services.end_board_goal(user=admin_user, goal=fresh, year=2024) is None
    assert not BoardGoal.objects.filter(pk=fresh.pk).exists()


def test_ending_a_goal_with_later_activities_is_refused(admin_user, board_an, chain):
    services.create_activity(
        user=admin_user, board=board_an, year=2024, title="A", board_goals=[chain["goal"]]
    )
    with pytest.raises(ValidationError) as refused:
        services.end_board_goal(user=admin_user, goal=chain["goal"], year=2024)
    assert refused.value.messages == [services.IN_USE_FROM.format(label="Nämndmålet", year=2024)]
    chain["goal"].refresh_from_db()
    assert chain["goal"].valid_to is None


def test_a_nämnduppdrag_belongs_to_the_board(admin_user, board_an, municipality):
    saved = services.create_assignment(
        user=admin_user,
        municipality=municipality,
        scope=StrategicAssignment.Scope.BOARD_OWN,
        board=board_an,
        text="Nämnden ger förvaltningen i uppdrag att …",
        valid_from=2023,
    )
    assert saved.object.board == board_an
    with pytest.raises(ValidationError) as refused:
        services.create_assignment(
            user=admin_user,
            municipality=municipality,
            scope=StrategicAssignment.Scope.BOARD_OWN,
            board=None,
            text="Utan nämnd",
            valid_from=2023,
        )
    assert refused.value.message_dict["scope"] == [services.ASSIGNMENT_SCOPE_BOARD]


def test_an_assignment_split_moves_later_activities(admin_user, board_an, chain):
    activity = services.create_activity(
        user=admin_user, board=board_an, year=2023, title="A", assignment=chain["assignment"]
    ).object
    new = services.update_assignment(
        user=admin_user,
        assignment=chain["assignment"],
        year=2023,
        text="AN:s uppdrag, omformulerat",
        note="",
        order=0,
    ).object
    activity.refresh_from_db()
    assert activity.assignment == new
    assert new.predecessor == chain["assignment"]


def test_policy_document_edit_splits(admin_user, chain):
    new = services.update_policy_document(
        user=admin_user,
        document=chain["policy"],
        year=2023,
        title="Upphandlingspolicy 2023",
        description="",
        order=0,
    ).object
    chain["policy"].refresh_from_db()
    assert chain["policy"].valid_to == 2022
    assert (new.valid_from, new.title) == (2023, "Upphandlingspolicy 2023")


def test_mandate_periods_may_not_overlap(admin_user, municipality):
    services.create_mandate_period(
        user=admin_user, municipality=municipality, first_year=2019, last_year=2022
    )
    with pytest.raises(ValidationError) as refused:
        services.create_mandate_period(
            user=admin_user, municipality=municipality, first_year=2022, last_year=2025
        )
    assert "first_year" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.create_mandate_period(
            user=admin_user, municipality=municipality, first_year=2027, last_year=2026
        )
    assert MandatePeriod.objects.count() == 1


def test_a_controller_may_not_change_structure(board_an, chain, controller_an):
    with pytest.raises(ValidationError) as refused:
        services.create_activity(
            user=controller_an, board=board_an, year=2023, title="A", goal_area=chain["area"]
        )
    assert refused.value.messages == [services.NO_RIGHT]


def test_a_board_administrator_may_not_change_council_goals(board_an, chain):
    board_admin = make_user("admin_an", "administrator", board_an)
    with pytest.raises(ValidationError) as refused:
        services.create_council_goal(
            user=board_admin, goal_area=chain["area"], title="KF", valid_from=2023
        )
    assert refused.value.messages == [services.NO_RIGHT_MUNICIPALITY]
    saved = services.create_activity(
        user=board_admin, board=board_an, year=2023, title="A", goal_area=chain["area"]
    )
    assert saved.object.pk


def test_a_split_calls_the_registered_hooks_in_its_transaction(admin_user, chain, monkeypatch):
    calls = []
    monkeypatch.setattr(services, "_SPLIT_HOOKS", [])
    services.register_split_hook(
        lambda old, new, year, user: calls.append((old.pk, new.pk, year, user))
    )
    new = services.update_board_goal(
        user=admin_user,
        goal=chain["goal"],
        year=2023,
        council_goal=chain["council"],
        title="Ändrad",
        description="",
        order=0,
    ).object
    assert calls == [(chain["goal"].pk, new.pk, 2023, admin_user)]


def test_a_failing_hook_rolls_the_split_back(admin_user, chain, monkeypatch):
    def refuse(old, new, year, user):
        raise ValidationError("Indikatorerna kunde inte följa med.")

    monkeypatch.setattr(services, "_SPLIT_HOOKS", [refuse])
    before = _counts()
    with pytest.raises(ValidationError):
        services.update_board_goal(
            user=admin_user,
            goal=chain["goal"],
            year=2023,
            council_goal=chain["council"],
            title="Ändrad",
            description="",
            order=0,
        )
    assert _counts() == before
    chain["goal"].refresh_from_db()
    assert chain["goal"].valid_to is None


def test_a_council_goal_correction_is_recorded_for_each_approved_board(
    admin_user, chain, board_an, board_other
):
    _approve(board_an, 2023)
    _approve(board_other, 2023, kind="d2")
    with pytest.raises(ValidationError):
        services.update_council_goal(
            user=admin_user,
            goal=chain["council"],
            year=2023,
            title="Ny lydelse",
            description="",
            goal_area=chain["area"],
            order=0,
        )
    services.update_council_goal(
        user=admin_user,
        goal=chain["council"],
        year=2023,
        title="Ny lydelse",
        description="",
        goal_area=chain["area"],
        order=0,
        reason="KF:s beslut justerat",
    )
    corrections = StructureCorrection.objects.order_by("board__code")
    assert [(c.board.code, c.year) for c in corrections] == [("AN", 2023), ("BIN", 2023)]
    assert all(c.changes == "rubrik: KF-mål → Ny lydelse" for c in corrections)


def test_ending_an_assignment_a_council_goal_and_a_policy(admin_user, board_an, chain):
    services.create_activity(
        user=admin_user, board=board_an, year=2024, title="A", assignment=chain["assignment"]
    )
    with pytest.raises(ValidationError):
        services.end_assignment(user=admin_user, assignment=chain["assignment"], year=2024)
    ended = services.end_assignment(user=admin_user, assignment=chain["assignment"], year=2025)
    assert ended is not None and ended.valid_to == 2024
    with pytest.raises(ValidationError) as refused:
        services.end_council_goal(user=admin_user, goal=chain["council"], year=2024)
    assert refused.value.messages == [
        services.IN_USE_FROM.format(label="Det kommunövergripande målet", year=2024)
    ]
    policy = services.end_policy_document(user=admin_user, document=chain["policy"], year=2024)
    assert policy is not None and policy.valid_to == 2023
    assert PolicyDocument.objects.valid_in(2024).count() == 0


def test_ending_in_an_approved_year_is_a_correction(admin_user, board_an, chain):
    _approve(board_an, 2024)
    with pytest.raises(ValidationError):
        services.end_board_goal(user=admin_user, goal=chain["goal"], year=2024)
    services.end_board_goal(user=admin_user, goal=chain["goal"], year=2024, reason="Utgår")
    correction = StructureCorrection.objects.get()
    assert correction.changes == "gäller till och med år: – → 2023"


def test_a_structure_change_locks_the_years_closed_occasions(admin_user, chain, board_an):
    """An approval in progress waits for the change (PostgreSQL row locks), and vice versa."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if not connection.features.has_select_for_update:
        pytest.skip("SQLite has no row locks")
    occasion = ReportingOccasion.objects.create(board=board_an, year=2023, kind="helar")
    ReportingOccasion.objects.filter(pk=occasion.pk).update(state="inskickad")
    with CaptureQueriesContext(connection) as ctx:
        services.create_activity(
            user=admin_user, board=board_an, year=2023, title="A", goal_area=chain["area"]
        )
    locking = [
        q["sql"]
        for q in ctx.captured_queries
        if "FOR UPDATE" in q["sql"] and "occasion" in q["sql"]
    ]
    assert locking, "the occasions of the year were not row-locked"
