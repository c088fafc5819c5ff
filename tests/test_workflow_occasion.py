"""öppen → inskickad → godkänd, locking, send back and reopen with a reason; every step recorded."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from goals import services
from goals.models import GoalAssessment, OccasionLockedError, OccasionTransition, ReportingOccasion
from goals.periods import Period, PeriodType
from indicators.models import IndicatorValue
from indicators.services import save_value
from tests.entry_data import breakdown, goal_chain

Q = PeriodType.QUARTER


@pytest.fixture
def occasion(board_an):
    return ReportingOccasion.objects.create(board=board_an, year=2023, kind="k3")


def entry_url(occasion):
    return reverse(
        "indicators:entry_page", args=[occasion.board.code, occasion.year, occasion.kind]
    )


def test_full_cycle_records_every_transition(occasion, controller_an, secretary_an, admin_user):
    services.submit_occasion(user=controller_an, occasion=occasion)
    services.approve_occasion(user=secretary_an, occasion=occasion)
    occasion.refresh_from_db()
    assert occasion.state == "godkand" and occasion.is_locked
    services.reopen_occasion(user=admin_user, occasion=occasion, reason="Fel i K3-siffran")
    occasion.refresh_from_db()
    assert occasion.state == "oppen"
    steps = list(
        OccasionTransition.objects.filter(occasion=occasion)
        .order_by("at", "pk")
        .values_list("from_state", "to_state", "user__username", "reason")
    )
    assert steps == [
        ("oppen", "inskickad", "controller_an", ""),
        ("inskickad", "godkand", "sekreterare_an", ""),
        ("godkand", "oppen", "admin", "Fel i K3-siffran"),
    ]
    assert occasion.history.count() == 4  # created + three changes


def test_rights_for_each_step(occasion, controller_an, secretary_an, manager_an, controller_other):
    with pytest.raises(ValidationError, match=services.NO_RIGHT_SUBMIT):
        services.submit_occasion(user=secretary_an, occasion=occasion)
    with pytest.raises(ValidationError, match=services.NO_RIGHT_SUBMIT):
        services.submit_occasion(user=controller_other, occasion=occasion)
    services.submit_occasion(user=controller_an, occasion=occasion)
    with pytest.raises(ValidationError, match=services.NO_RIGHT_APPROVE):
        services.approve_occasion(user=controller_an, occasion=occasion)
    with pytest.raises(ValidationError, match=services.NO_RIGHT_APPROVE):
        services.approve_occasion(user=manager_an, occasion=occasion)
    services.approve_occasion(user=secretary_an, occasion=occasion)
    with pytest.raises(ValidationError, match=services.NO_RIGHT_REOPEN):
        services.reopen_occasion(user=secretary_an, occasion=occasion, reason="x")


def test_steps_out_of_order_are_refused(occasion, controller_an, secretary_an, admin_user):
    with pytest.raises(ValidationError, match="bara ett inskickat"):
        services.approve_occasion(user=secretary_an, occasion=occasion)
    with pytest.raises(ValidationError, match="bara ett godkänt"):
        services.reopen_occasion(user=admin_user, occasion=occasion, reason="x")
    services.submit_occasion(user=controller_an, occasion=occasion)
    with pytest.raises(ValidationError, match="kan inte skickas in"):
        services.submit_occasion(user=controller_an, occasion=occasion)


def test_reopen_needs_a_reason(occasion, controller_an, secretary_an, admin_user):
    services.submit_occasion(user=controller_an, occasion=occasion)
    services.approve_occasion(user=secretary_an, occasion=occasion)
    with pytest.raises(ValidationError, match=services.REASON_REQUIRED):
        services.reopen_occasion(user=admin_user, occasion=occasion, reason="  ")
    occasion.refresh_from_db()
    assert occasion.is_locked


def test_send_back_reopens_a_submitted_occasion(occasion, controller_an, secretary_an):
    services.submit_occasion(user=controller_an, occasion=occasion)
    with pytest.raises(ValidationError, match=services.REASON_REQUIRED):
        services.return_occasion(user=secretary_an, occasion=occasion, reason="")
    services.return_occasion(user=secretary_an, occasion=occasion, reason="Saknar K3 för män")
    occasion.refresh_from_db()
    assert occasion.state == "oppen"


def test_submitted_and_approved_occasions_refuse_values_through_the_service(
    board_an, occasion, controller_an, secretary_an, admin_user
):
    indicator = goal_chain(board_an, goals=1, indicators_per_goal=1)[0]
    kwargs = dict(indicator=indicator, period=Period(2023, PeriodType(Q), 3), breakdown=breakdown())
    save_value(user=controller_an, value=Decimal(10), expected_version=0, **kwargs)
    services.submit_occasion(user=controller_an, occasion=occasion, confirm_missing=True)
    # Issue 12: inskickad is read-only for everyone; the secretary sends back or approves.
    for user in (controller_an, admin_user):
        with pytest.raises(OccasionLockedError, match="inskickat för godkännande"):
            save_value(user=user, value=Decimal(11), expected_version=1, **kwargs)
    assert IndicatorValue.objects.get().value == Decimal(10)
    services.return_occasion(user=secretary_an, occasion=occasion, reason="K3 är fel")
    save_value(user=controller_an, value=Decimal(11), expected_version=1, **kwargs)
    services.submit_occasion(user=controller_an, occasion=occasion, confirm_missing=True)
    services.approve_occasion(user=secretary_an, occasion=occasion)
    with pytest.raises(OccasionLockedError, match="godkänt och låst"):
        save_value(user=controller_an, value=Decimal(12), expected_version=2, **kwargs)
    with pytest.raises(OccasionLockedError):  # not even an administrator
        save_value(user=admin_user, value=Decimal(12), expected_version=2, **kwargs)
    assert IndicatorValue.objects.get().value == Decimal(11)
    services.reopen_occasion(user=admin_user, occasion=occasion, reason="Rättelse")
    save_value(user=controller_an, value=Decimal(12), expected_version=2, **kwargs)
    assert IndicatorValue.objects.get().value == Decimal(12)


def test_workflow_buttons_and_views(client, occasion, controller_an, secretary_an, admin_user):
    client.force_login(controller_an)
    page = client.get(entry_url(occasion)).content.decode()
    assert reverse("goals:occasion_submit", args=[occasion.pk]) in page
    assert reverse("goals:occasion_approve", args=[occasion.pk]) not in page
    # A controller may not approve: 403 on the own board.
    assert client.post(reverse("goals:occasion_approve", args=[occasion.pk])).status_code == 403
    response = client.post(reverse("goals:occasion_submit", args=[occasion.pk]))
    assert response.status_code == 302
    occasion.refresh_from_db()
    assert occasion.state == "inskickad"

    client.force_login(secretary_an)
    page = client.get(entry_url(occasion)).content.decode()
    assert reverse("goals:occasion_approve", args=[occasion.pk]) in page
    client.post(reverse("goals:occasion_approve", args=[occasion.pk]))
    occasion.refresh_from_db()
    assert occasion.state == "godkand"

    client.force_login(admin_user)
    reopen = reverse("goals:occasion_reopen", args=[occasion.pk])
    assert client.get(reopen).status_code == 200
    refused = client.post(reopen, {"reason": ""})
    assert "Ange en motivering" in refused.content.decode()
    occasion.refresh_from_db()
    assert occasion.is_locked
    client.post(reopen, {"reason": "Felaktig siffra"})
    occasion.refresh_from_db()
    assert occasion.state == "oppen"


def test_workflow_views_are_404_for_other_boards(client, occasion, controller_other, outsider):
    for user in (controller_other, outsider):
        client.force_login(user)
        for name in ("goals:occasion_submit", "goals:occasion_approve", "goals:occasion_send_back"):
            assert client.post(reverse(name, args=[occasion.pk])).status_code == 404
        assert client.get(reverse("goals:occasion_reopen", args=[occasion.pk])).status_code == 404
    occasion.refresh_from_db()
    assert occasion.state == "oppen"


def test_assessment_with_suggestion_and_version(board_an, controller_an, admin_user):
    from indicators.models import Target

    occasion = ReportingOccasion.objects.create(board=board_an, year=2023, kind="helar")
    indicators = goal_chain(board_an, goals=1, indicators_per_goal=2, frequency=PeriodType.YEAR)
    goal = indicators[0].board_goal
    # Indicator 1 meets 3 300 (higher is better), indicator 2 does not.
    for indicator, number in zip(indicators, (3400, 3000), strict=True):
        save_value(
            user=controller_an,
            indicator=indicator,
            period=Period(2023, PeriodType.YEAR, 1),
            breakdown=breakdown(),
            value=Decimal(number),
            expected_version=0,
        )
    assert Target.objects.filter(indicator__in=indicators, year=2023).count() == 2
    from indicators.entry import entry_sheet

    block = entry_sheet(occasion).areas[0].goals[0]
    assert block.suggestion.level == "delvis"
    assert any(
        "3\xa0400 mot målvärdet 3\xa0300 – uppnått" in line for line in block.suggestion.lines
    )
    assert any("inte uppnått" in line for line in block.suggestion.lines)

    outcome = services.save_assessment(
        user=controller_an,
        occasion=occasion,
        board_goal=goal,
        level="ej_uppnatt",
        suggested_level=block.suggestion.level,
        analysis="Analys",
        expected_version=0,
    )
    assessment = outcome.record
    assert (assessment.level, assessment.suggested_level, assessment.version) == (
        "ej_uppnatt",
        "delvis",
        1,
    )
    with pytest.raises(services.RecordConflict):
        services.save_assessment(
            user=admin_user,
            occasion=occasion,
            board_goal=goal,
            level="uppnatt",
            expected_version=0,
        )
    assert GoalAssessment.objects.get().level == "ej_uppnatt"


def test_assessment_view_records_the_server_side_suggestion(client, board_an, controller_an):
    ReportingOccasion.objects.create(board=board_an, year=2023, kind="d1")
    indicators = goal_chain(board_an, goals=1, indicators_per_goal=1, frequency=PeriodType.TERTIAL)
    goal = indicators[0].board_goal
    client.force_login(controller_an)
    url = reverse("indicators:entry_save_assessment", args=["AN", 2023, "d1", goal.pk])
    response = client.post(
        url, {"version": 0, "level": "", "analysis": "Text"}, HTTP_HX_REQUEST="true"
    )
    assert "Välj Uppnått" in response.content.decode()
    assert "Text" in response.content.decode()
    assert not GoalAssessment.objects.exists()
    client.post(url, {"version": 0, "level": "uppnatt", "analysis": "Text"}, HTTP_HX_REQUEST="true")
    saved = GoalAssessment.objects.get()
    assert saved.level == "uppnatt"
    assert saved.suggested_level == ""  # no outcome yet: no suggestion
    assert saved.history.first().history_source == "formular"


def test_assignment_and_activity_status(client, board_an, municipality, controller_an):
    from goals.models import Activity, StrategicAssignment

    occasion = ReportingOccasion.objects.create(board=board_an, year=2023, kind="helar")
    assignment = StrategicAssignment.objects.create(
        municipality=municipality, scope="kommungemensamt", text="Uppdrag A", valid_from=2022
    )
    goal = goal_chain(board_an, goals=1, indicators_per_goal=1)[0].board_goal
    activity = Activity.objects.create(
        board=board_an, year=2023, title="Aktivitet B", deadline="Q2"
    )
    activity.board_goals.add(goal)
    client.force_login(controller_an)
    page = client.get(entry_url(occasion)).content.decode()
    assert "Uppdrag A" in page and "Aktivitet B" in page
    url = reverse("indicators:entry_save_assignment", args=["AN", 2023, "helar", assignment.pk])
    client.post(
        url, {"version": 0, "status": "pagar", "comment": "Fortsätter 2024"}, HTTP_HX_REQUEST="true"
    )
    status = assignment.statuses.get()
    assert (status.status, status.comment, status.version) == ("pagar", "Fortsätter 2024", 1)
    stale = client.post(url, {"version": 0, "status": "genomfort"}, HTTP_HX_REQUEST="true")
    assert "sparade här" in stale.content.decode()
    assert assignment.statuses.get().status == "pagar"
    url = reverse("indicators:entry_save_activity", args=["AN", 2023, "helar", activity.pk])
    client.post(url, {"version": 0, "status": "genomfort"}, HTTP_HX_REQUEST="true")
    assert activity.statuses.get().status == "genomfort"


def test_workflow_steps_go_to_the_security_log(
    occasion, controller_an, secretary_an, admin_user, security_log
):
    services.submit_occasion(user=controller_an, occasion=occasion)
    services.approve_occasion(user=secretary_an, occasion=occasion)
    services.reopen_occasion(user=admin_user, occasion=occasion, reason="Rättelse")
    [submitted] = security_log.events("occasion_submitted")
    [approved] = security_log.events("occasion_approved")
    [reopened] = security_log.events("occasion_reopened")
    assert submitted["user"] == "controller_an"
    assert approved["user"] == "sekreterare_an"
    assert approved["detail"]["occasion"] == "AN Kvartal 3 2023"
    assert (reopened["user"], reopened["detail"]["reason"]) == ("admin", "Rättelse")
