"""The year rollover (goals.rollover): draft, publish, idempotence, refusals, mandate periods."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budget.models import AmountKind, BudgetAmount, BudgetLine, Scheme, Section
from goals import rollover
from goals.models import (
    Activity,
    ActivityStatus,
    BoardGoal,
    CouncilGoal,
    GoalArea,
    MandatePeriod,
    ReportingOccasion,
    StrategicAssignment,
    WorkStatus,
)
from goals.periods import OccasionKind, PeriodType
from indicators.models import Indicator, IndicatorBreakdown, IndicatorValue, Target
from tests.builders import breakdown

N, N1 = 2022, 2023


def build_year(board, *, goals: int = 2, label: str = "") -> dict:
    """A board's year N: KF goal (to N), nämndmål with indicators and breakdowns, an
    assignment, activities, occasions, a budget line with Plan N+1, a stored target for N+1."""
    area, _ = GoalArea.objects.get_or_create(name="Medborgare", defaults={"order": 2})
    council, _ = CouncilGoal.objects.get_or_create(
        goal_area=area, title="Stark gemenskap", valid_from=2020, defaults={"valid_to": N}
    )
    total, women = breakdown(), breakdown("K")
    made: dict = {"council": council, "goals": [], "indicators": [], "activities": []}
    start = BoardGoal.objects.filter(board=board).count()
    for g in range(start, start + goals):
        goal = BoardGoal.objects.create(
            board=board,
            council_goal=council,
            title=f"Nämndmål {label}{g + 1}",
            order=g,
            valid_from=2020,
            valid_to=N,
        )
        indicator = Indicator.objects.create(
            board=board,
            board_goal=goal,
            name=f"Indikator {label}{g + 1}",
            frequency=PeriodType.YEAR,
            valid_from=2020,
            valid_to=N,
        )
        for order, part in enumerate([total, women]):
            IndicatorBreakdown.objects.create(
                indicator=indicator, breakdown=part, order=order, valid_from=2020, valid_to=N
            )
        Target.objects.create(
            indicator=indicator, year=N1, breakdown=total, kind=Target.Kind.VALUE, value=5
        )
        activity = Activity.objects.create(
            board=board,
            year=N,
            title=f"Aktivitet {label}{g + 1}",
            deadline="Succesivt avslut Q4",
            due_quarter=4,
            order=g,
        )
        activity.board_goals.add(goal)
        made["goals"].append(goal)
        made["indicators"].append(indicator)
        made["activities"].append(activity)
    made["assignment"] = StrategicAssignment.objects.get_or_create(
        municipality=board.municipality,
        scope=StrategicAssignment.Scope.BOARD,
        board=board,
        text="Utred arbetsmarknadsinsatserna",
        defaults={"valid_from": 2021, "valid_to": N},
    )[0]
    for kind, deadline in [
        (OccasionKind.INTERIM_1, datetime.date(N, 5, 10)),
        (OccasionKind.FULL_YEAR, datetime.date(N + 1, 1, 31)),
    ]:
        ReportingOccasion.objects.get_or_create(
            board=board, year=N, kind=kind, defaults={"deadline": deadline}
        )
    line, _ = BudgetLine.objects.get_or_create(
        board=board,
        scheme=Scheme.DRIFT,
        section=Section.OPERATIONS,
        code="bistand",
        valid_from=2020,
        defaults={"name": "Ekonomiskt bistånd", "valid_to": N},
    )
    BudgetAmount.objects.get_or_create(
        line=line, year=N1, kind=AmountKind.PLAN, document_year=N, defaults={"amount": 123_456_000}
    )
    made["line"] = line
    return made


def test_draft_lists_what_continues_and_what_is_created_and_writes_nothing(board_an):
    made = build_year(board_an)
    with CaptureQueriesContext(connection) as ctx:
        draft = rollover.draft_rollover(board=board_an, from_year=N, to_year=N1)
    assert not [q for q in ctx.captured_queries if q["sql"].startswith(("INSERT", "UPDATE"))]
    continued = {(c.model, c.label) for c in draft.continued}
    assert ("nämndmål", "Nämndmål 1") in continued
    assert ("kommunövergripande mål", "Stark gemenskap") in continued
    assert ("nämndindikator", "Indikator 1") in continued
    assert ("uppdrag", "Utred arbetsmarknadsinsatserna") in continued
    assert ("budgetrad", "Ekonomiskt bistånd") in continued
    created = {(c.model, c.label) for c in draft.created}
    assert ("aktivitet", "Aktivitet 1") in created
    assert ("uppföljningstillfälle", f"Delår 1 {N1}") in created or any(
        c.model == "uppföljningstillfälle" for c in draft.created
    )
    assert ("budget", f"Ekonomiskt bistånd: Budget {N1}") in created
    assert draft.ended == []
    assert draft.counts == {"created": 2 + 2 + 1, "continued": 2 + 1 + 2 + 1 + 1, "ended": 0}
    indicator_line = next(c for c in draft.continued if c.label == "Indikator 1")
    assert indicator_line.detail == f"2 uppdelningar, 1 målvärden {N1}"
    assert BoardGoal.objects.valid_in(N1).count() == 0
    assert made["goals"][0].valid_to == N


def test_publish_continues_creates_and_is_idempotent(board_an, admin_user):
    made = build_year(board_an)
    result = rollover.publish_rollover(board=board_an, from_year=N, to_year=N1, user=admin_user)
    assert result.written > 0
    assert set(BoardGoal.objects.valid_in(N1)) == set(made["goals"])
    assert CouncilGoal.objects.get(pk=made["council"].pk).valid_to == N1
    assert set(Indicator.objects.valid_in(N1)) == set(made["indicators"])
    assert IndicatorBreakdown.objects.valid_in(N1).count() == 4
    assert StrategicAssignment.objects.valid_in(N1).get() == made["assignment"]
    assert BudgetLine.objects.valid_in(N1).get() == made["line"]
    budget = BudgetAmount.objects.get(line=made["line"], year=N1, kind=AmountKind.BUDGET)
    assert budget.amount == 123_456_000
    # History says who did it.
    goal = BoardGoal.objects.get(pk=made["goals"][0].pk)
    assert goal.history.latest().history_user == admin_user
    # N's structure is as it was: the goal is still valid in N.
    assert goal.is_valid_in(N)

    draft = rollover.draft_rollover(board=board_an, from_year=N, to_year=N1)
    assert draft.write_count == 0
    assert draft.created == [] and draft.ended == []
    again = rollover.publish_rollover(board=board_an, from_year=N, to_year=N1, user=admin_user)
    assert again.written == 0
    assert Activity.objects.filter(year=N1).count() == 2
    assert ReportingOccasion.objects.filter(board=board_an, year=N1).count() == 2
    assert BudgetAmount.objects.filter(year=N1, kind=AmountKind.BUDGET).count() == 1


def test_activities_are_copied_with_predecessor_and_links_but_no_status(board_an, admin_user):
    made = build_year(board_an)
    first = made["activities"][0]
    first.assignment = made["assignment"]
    first.save()
    occasion = ReportingOccasion.objects.get(board=board_an, year=N, kind=OccasionKind.INTERIM_1)
    ActivityStatus.objects.create(occasion=occasion, activity=first, status=WorkStatus.DONE)
    rollover.publish_rollover(board=board_an, from_year=N, to_year=N1, user=admin_user)
    copy = Activity.objects.get(year=N1, predecessor=first)
    assert copy.title == first.title
    assert copy.deadline == "Succesivt avslut Q4" and copy.due_quarter == 4
    assert list(copy.board_goals.all()) == [made["goals"][0]]
    assert copy.assignment == made["assignment"]
    assert not copy.statuses.exists()


def test_occasions_of_next_year_have_the_same_kinds_a_year_later_and_are_open(board_an, admin_user):
    build_year(board_an)
    ReportingOccasion.objects.filter(board=board_an, year=N).update(
        state=ReportingOccasion.State.SUBMITTED
    )
    rollover.publish_rollover(board=board_an, from_year=N, to_year=N1, user=admin_user)
    created = {
        o.kind: (o.deadline, o.state)
        for o in ReportingOccasion.objects.filter(board=board_an, year=N1)
    }
    assert created == {
        OccasionKind.INTERIM_1: (datetime.date(N1, 5, 10), ReportingOccasion.State.OPEN),
        OccasionKind.FULL_YEAR: (datetime.date(N1 + 1, 1, 31), ReportingOccasion.State.OPEN),
    }


def test_budget_of_next_year_is_not_replaced_when_it_exists(board_an, admin_user):
    made = build_year(board_an)
    BudgetAmount.objects.create(line=made["line"], year=N1, kind=AmountKind.BUDGET, amount=7)
    draft = rollover.draft_rollover(board=board_an, from_year=N, to_year=N1)
    assert not [c for c in draft.created if c.model == "budget"]
    rollover.publish_rollover(board=board_an, from_year=N, to_year=N1, user=admin_user)
    assert BudgetAmount.objects.get(line=made["line"], year=N1, kind=AmountKind.BUDGET).amount == 7


def test_refuses_when_next_year_has_values_and_writes_nothing(board_an, admin_user):
    made = build_year(board_an)
    IndicatorValue.objects.create(
        indicator=made["indicators"][0],
        year=N1,
        breakdown=breakdown(),
        value=3,
        period_type=PeriodType.YEAR,
        period_number=1,
    )
    with pytest.raises(ValidationError) as refused:
        rollover.publish_rollover(board=board_an, from_year=N, to_year=N1, user=admin_user)
    assert refused.value.messages == [
        rollover.ALREADY_ENTERED.format(
            board="AN", year=N1, previous=N, what="utfall för indikatorer"
        )
    ]
    assert BoardGoal.objects.valid_in(N1).count() == 0
    assert not Activity.objects.filter(year=N1).exists()
    assert not ReportingOccasion.objects.filter(year=N1).exists()


def test_refuses_when_next_year_has_statuses(board_an, admin_user):
    made = build_year(board_an)
    rollover.publish_rollover(board=board_an, from_year=N, to_year=N1, user=admin_user)
    occasion = ReportingOccasion.objects.get(board=board_an, year=N1, kind=OccasionKind.INTERIM_1)
    ActivityStatus.objects.create(
        occasion=occasion,
        activity=Activity.objects.get(year=N1, predecessor=made["activities"][0]),
        status=WorkStatus.ONGOING,
    )
    with pytest.raises(ValidationError, match="status för aktiviteter"):
        rollover.draft_rollover(board=board_an, from_year=N, to_year=N1)


def test_refuses_a_year_that_is_not_the_next_or_a_year_without_structure(board_an, admin_user):
    build_year(board_an)
    with pytest.raises(ValidationError) as wrong:
        rollover.publish_rollover(board=board_an, from_year=N, to_year=N + 2, user=admin_user)
    assert wrong.value.messages == [rollover.NOT_NEXT_YEAR.format(expected=N1)]
    with pytest.raises(ValidationError) as empty:
        rollover.draft_rollover(board=board_an, from_year=2019, to_year=2020)
    assert empty.value.messages == [rollover.NO_STRUCTURE.format(board=board_an, year=2019)]


def test_refuses_a_user_who_may_not_administer(board_an, controller_an):
    build_year(board_an)
    with pytest.raises(ValidationError) as refused:
        rollover.publish_rollover(board=board_an, from_year=N, to_year=N1, user=controller_an)
    assert refused.value.messages == [rollover.NO_RIGHT]
    assert BoardGoal.objects.valid_in(N1).count() == 0


def test_new_mandate_period_ends_everything_but_what_is_ticked(board_an, admin_user):
    made = build_year(board_an)
    MandatePeriod.objects.create(municipality=board_an.municipality, first_year=2019, last_year=N)
    MandatePeriod.objects.create(municipality=board_an.municipality, first_year=N1, last_year=2026)
    draft = rollover.draft_rollover(board=board_an, from_year=N, to_year=N1)
    assert draft.new_period
    ended = {(c.model, c.label) for c in draft.ended}
    assert {("nämndmål", "Nämndmål 1"), ("nämndmål", "Nämndmål 2")} <= ended
    assert ("nämndindikator", "Indikator 1") in ended
    assert ("uppdrag", "Utred arbetsmarknadsinsatserna") in ended
    assert not [c for c in draft.created if c.model == "aktivitet"]

    keep_goal, keep_indicator = made["goals"][0], made["indicators"][0]
    continue_ids = [
        f"goals.boardgoal:{keep_goal.pk}",
        f"indicators.indicator:{keep_indicator.pk}",
        # An indicator of an ended goal cannot continue, ticked or not.
        f"indicators.indicator:{made['indicators'][1].pk}",
    ]
    rollover.publish_rollover(
        board=board_an, from_year=N, to_year=N1, user=admin_user, continue_ids=continue_ids
    )
    assert list(BoardGoal.objects.valid_in(N1)) == [keep_goal]
    assert list(Indicator.objects.valid_in(N1)) == [keep_indicator]
    assert not StrategicAssignment.objects.valid_in(N1).exists()
    assert list(Activity.objects.filter(year=N1).values_list("predecessor", flat=True)) == [
        made["activities"][0].pk
    ]
    # The budget is the administration's, not the council's: it continues anyway.
    assert BudgetLine.objects.valid_in(N1).exists()


def test_unticked_open_ended_goal_is_closed_at_n(board_an, admin_user):
    made = build_year(board_an)
    BoardGoal.objects.filter(pk=made["goals"][1].pk).update(valid_to=None)
    Indicator.objects.filter(pk=made["indicators"][1].pk).update(valid_to=None)
    keys = [
        c.key
        for c in rollover.draft_rollover(board=board_an, from_year=N, to_year=N1).changes
        if c.choosable and c.key not in (f"goals.boardgoal:{made['goals'][1].pk}",)
    ]
    rollover.publish_rollover(
        board=board_an, from_year=N, to_year=N1, user=admin_user, continue_ids=keys
    )
    assert BoardGoal.objects.get(pk=made["goals"][1].pk).valid_to == N
    # Its indicator follows it.
    assert Indicator.objects.get(pk=made["indicators"][1].pk).valid_to == N


def test_command_dry_run_writes_nothing_and_publish_writes(board_an):
    build_year(board_an)
    out = StringIO()
    call_command(
        "rollover", "--board", "AN", "--from", str(N), "--to", str(N1), "--dry-run", stdout=out
    )
    text = out.getvalue()
    assert f"AN {N} → {N1}: 5 skapas, 7 fortsätter, 0 upphör." in text
    assert "  nämndmål: 2 fortsätter" in text
    assert "Provkörning: inget sparat." in text
    assert BoardGoal.objects.valid_in(N1).count() == 0
    assert not Activity.objects.filter(year=N1).exists()

    out = StringIO()
    call_command("rollover", "--board", "AN", "--from", str(N), "--to", str(N1), stdout=out)
    assert f"AN {N1} är skapat" in out.getvalue()
    assert BoardGoal.objects.valid_in(N1).count() == 2
    history = BoardGoal.history.filter(valid_to=N1).first()
    assert history.history_source == "kommando"


def test_command_continue_all_crosses_a_mandate_period(board_an):
    build_year(board_an)
    MandatePeriod.objects.create(municipality=board_an.municipality, first_year=2019, last_year=N)
    call_command("rollover", "--board", "AN", "--from", str(N), "--to", str(N1), stdout=StringIO())
    assert BoardGoal.objects.valid_in(N1).count() == 0
    call_command(
        "rollover",
        "--board",
        "AN",
        "--from",
        str(N),
        "--to",
        str(N1),
        "--continue-all",
        stdout=StringIO(),
    )
    assert BoardGoal.objects.valid_in(N1).count() == 2


def test_command_errors_in_swedish(board_an):
    build_year(board_an)
    with pytest.raises(CommandError, match="ingen nämnd med kortnamnet XX"):
        call_command("rollover", "--board", "XX", "--from", str(N), "--to", str(N1))
    with pytest.raises(CommandError) as wrong:
        call_command("rollover", "--board", "AN", "--from", str(N), "--to", str(N + 3))
    assert str(wrong.value) == rollover.NOT_NEXT_YEAR.format(expected=N1)


# --- the page ------------------------------------------------------------------------------


def page_url(year: int = N) -> str:
    return reverse("goals:structure_rollover", args=["AN", year])


def test_page_shows_the_draft_and_publishes(client, board_an, admin_user):
    made = build_year(board_an)
    client.force_login(admin_user)
    response = client.get(page_url())
    assert response.status_code == 200
    text = response.content.decode()
    assert f"Publicera år {N1}" in text
    assert "Nämndmål 1" in text and "Aktivitet 1" in text
    assert f'value="goals.boardgoal:{made["goals"][0].pk}" checked' in text
    # Untick the second goal and publish.
    keys = [
        c.key
        for c in rollover.draft_rollover(board=board_an, from_year=N, to_year=N1).changes
        if c.choosable and c.key != f"goals.boardgoal:{made['goals'][1].pk}"
    ]
    response = client.post(page_url(), {"granska": "1", "fortsatter": keys, "publicera": "1"})
    assert response.status_code == 200
    text = response.content.decode()
    assert f"/namnd/AN/{N1}/malstruktur/" in text
    assert list(BoardGoal.objects.valid_in(N1)) == [made["goals"][0]]


def test_page_shows_a_refusal_and_writes_nothing(client, board_an, admin_user):
    made = build_year(board_an)
    IndicatorValue.objects.create(
        indicator=made["indicators"][0],
        year=N1,
        breakdown=breakdown(),
        value=3,
        period_type=PeriodType.YEAR,
        period_number=1,
    )
    client.force_login(admin_user)
    response = client.post(page_url(), {"publicera": "1"})
    assert response.status_code == 400
    assert "har redan registrerade uppgifter" in response.content.decode()
    assert BoardGoal.objects.valid_in(N1).count() == 0


def test_page_is_for_administrators(client, board_an, controller_an):
    build_year(board_an)
    client.force_login(controller_an)
    assert client.get(page_url()).status_code in (403, 404)
    assert client.post(page_url(), {"publicera": "1"}).status_code in (403, 404)
    assert BoardGoal.objects.valid_in(N1).count() == 0


def test_page_query_count_is_flat_in_the_number_of_goals(client, board_an, admin_user):
    build_year(board_an, goals=1)
    client.force_login(admin_user)
    client.get(page_url())
    with CaptureQueriesContext(connection) as few:
        assert client.get(page_url()).status_code == 200
    build_year(board_an, goals=6, label="b")
    with CaptureQueriesContext(connection) as many:
        assert client.get(page_url()).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_goal_already_replaced_in_next_year_ends(board_an, admin_user):
    made = build_year(board_an)
    old = made["goals"][0]
    new = BoardGoal.objects.create(
        board=board_an,
        council_goal=made["council"],
        title="Nytt nämndmål",
        valid_from=N1,
        predecessor=old,
    )
    draft = rollover.draft_rollover(board=board_an, from_year=N, to_year=N1)
    line = next(c for c in draft.changes if c.key == f"goals.boardgoal:{old.pk}")
    assert (line.kind, line.choosable) == ("ended", False)
    assert line.detail == rollover.REPLACED_BY.format(name=new.title)
    rollover.publish_rollover(board=board_an, from_year=N, to_year=N1, user=admin_user)
    assert BoardGoal.objects.get(pk=old.pk).valid_to == N
    assert set(BoardGoal.objects.valid_in(N1)) == {new, made["goals"][1]}


def test_page_redraws_the_draft_with_the_posted_ticks_and_writes_nothing(
    client, board_an, admin_user
):
    made = build_year(board_an)
    client.force_login(admin_user)
    response = client.post(page_url(), {"granska": "1", "uppdatera": "1"})  # nothing ticked
    assert response.status_code == 200
    draft = response.context["draft"]
    assert {c.label for c in draft.ended} >= {"Nämndmål 1", "Nämndmål 2", "Indikator 1"}
    text = response.content.decode()
    assert f'value="goals.boardgoal:{made["goals"][0].pk}">' in text  # not checked
    assert BoardGoal.objects.valid_in(N1).count() == 0
    assert not Activity.objects.filter(year=N1).exists()
