"""core.changes: every write service says, after its commit, which board-year it changed.

One test per write path of ordinary use: the notice names the board and year written, comes
once per transaction, and a refused (rolled back) write or one that changed nothing sends none.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from budget.models import AmountKind, BudgetAmount, BudgetLine
from budget.services import AmountInput, save_line_amounts
from core.changes import board_data_changed
from demo.loaders import budget as budget_loader
from goals import services as workflow
from goals.models import AssessmentLevel, AssignmentStatus, ReportingOccasion, WorkStatus
from goals.narrative_services import save_narrative
from goals.periods import Period, PeriodType
from goals.plan_services import save_board_plan
from indicators import structure_services
from indicators.models import IndicatorValue, Target
from indicators.services import ValueInput, save_value, save_values
from indicators.structure_services import TargetInput
from tests.test_import_excel import download, fill, upload
from tests.test_report_fixtures import build_mini_an

pytestmark = pytest.mark.django_db


@pytest.fixture
def notices(django_capture_on_commit_callbacks):
    """The notices received, and `commits()`: a block whose writes count as one committed
    transaction (the test's own transaction never commits; the callbacks the block registered
    run when it ends, and are then forgotten, as a commit forgets them)."""
    received: list[tuple[int, int]] = []

    def receiver(board_id, year, **kwargs):
        received.append((board_id, year))

    @contextmanager
    def commits() -> Iterator[None]:
        with django_capture_on_commit_callbacks(execute=True):
            yield
        connection.run_on_commit.clear()

    board_data_changed.connect(receiver)
    yield received, commits
    board_data_changed.disconnect(receiver)


@pytest.fixture
def mini(board_an):
    mini = build_mini_an(board_an)
    ReportingOccasion.objects.filter(pk=mini.occasion.pk).update(state=ReportingOccasion.State.OPEN)
    mini.occasion.refresh_from_db()
    return mini


def _households(mini) -> IndicatorValue:
    return IndicatorValue.objects.get(
        indicator=mini.indicators["households"],
        year=2022,
        period_type=PeriodType.YEAR,
        breakdown__gender="",
    )


def _row(mini, number: str) -> ValueInput:
    stored = _households(mini)
    return ValueInput(
        indicator=mini.indicators["households"],
        breakdown=stored.breakdown,
        period=Period(2022, PeriodType.YEAR, 1),
        value=Decimal(number),
        expected_version=stored.version,
    )


def _save(user, row: ValueInput, *, version: int | None = None) -> None:
    save_value(
        user=user,
        indicator=row.indicator,
        period=row.period,
        breakdown=row.breakdown,
        value=row.value,
        expected_version=row.expected_version if version is None else version,
    )


def test_an_outcome_save_says_its_board_and_year(mini, controller_an, notices):
    received, commits = notices
    row = _row(mini, "2345")
    with commits():
        _save(controller_an, row)
    assert received == [(mini.board.pk, 2022)]
    # The same value again changes nothing and says nothing.
    with commits():
        _save(controller_an, row, version=_households(mini).version)
    assert received == [(mini.board.pk, 2022)]


def test_save_all_says_once(mini, controller_an, notices):
    received, commits = notices
    with commits():
        save_values(user=controller_an, occasion=mini.occasion, rows=[_row(mini, "2345")])
    assert received == [(mini.board.pk, 2022)]


def test_a_refused_save_says_nothing(mini, controller_an, notices):
    received, commits = notices
    row = _row(mini, "2345")
    with commits(), pytest.raises(ValidationError):
        _save(controller_an, row, version=row.expected_version + 5)  # someone saved since
    assert received == []


def test_an_import_says_once_for_all_its_rows(client, board_an, controller_an, notices):
    from tests.entry_data import goal_chain

    received, commits = notices
    occasion = ReportingOccasion.objects.create(board=board_an, year=2023, kind="k3")
    goal_chain(board_an, goals=1, indicators_per_goal=2)
    client.force_login(controller_an)
    data = fill(
        download(client, occasion),
        {
            ("Indikator 1.1", "Totalt"): {"value": 3327},
            ("Indikator 1.2", "Totalt"): {"value": 12},
        },
    )
    with commits():
        assert upload(client, occasion, data).status_code == 302
    assert received == [(board_an.pk, 2023)]


def test_the_occasion_steps_say_their_board_and_year(mini, controller_an, secretary_an, notices):
    received, commits = notices
    with commits():
        workflow.submit_occasion(user=controller_an, occasion=mini.occasion, confirm_missing=True)
    with commits():
        workflow.return_occasion(user=secretary_an, occasion=mini.occasion, reason="Komplettera")
    with commits():
        workflow.submit_occasion(user=controller_an, occasion=mini.occasion, confirm_missing=True)
    with commits():
        workflow.approve_occasion(user=secretary_an, occasion=mini.occasion)
    assert received == [(mini.board.pk, 2022)] * 4


def test_assessments_and_statuses_say_their_board_and_year(mini, controller_an, notices):
    received, commits = notices
    goal = mini.goals["bemotande"]
    current = mini.occasion.assessments.get(board_goal=goal)
    with commits():
        workflow.save_assessment(
            user=controller_an,
            occasion=mini.occasion,
            board_goal=goal,
            level=AssessmentLevel.ACHIEVED,
            analysis="Ny analys.",
            expected_version=current.version,
        )
    status = AssignmentStatus.objects.filter(occasion=mini.occasion).first()
    with commits():
        workflow.save_assignment_status(
            user=controller_an,
            occasion=mini.occasion,
            assignment=status.assignment,
            status=WorkStatus.ONGOING,
            expected_version=status.version,
        )
    assert received == [(mini.board.pk, 2022)] * 2


def test_texts_and_plans_say_their_board_and_year(mini, controller_an, admin_user, notices):
    received, commits = notices
    with commits():
        save_narrative(
            user=controller_an,
            board=mini.board,
            year=2022,
            document="verksamhetsberattelse",
            section="handelser",
            text="Viktiga händelser.",
            expected_version=0,
        )
    with commits():
        save_board_plan(
            board=mini.board,
            year=2023,
            kind="internbudget",
            decided_on=datetime.date(2022, 12, 14),
            decision="Nämndens beslut.",
            user=admin_user,
        )
    assert received == [(mini.board.pk, 2022), (mini.board.pk, 2023)]


def test_targets_say_each_year_they_change(mini, admin_user, notices):
    received, commits = notices
    indicator = mini.indicators["households"]
    with commits():
        structure_services.save_targets(
            user=admin_user,
            indicator=indicator,
            year=2022,
            rows=[
                TargetInput(year=2022, kind="varde", value="3200"),
                TargetInput(year=2023, kind="varde", value="3100"),
            ],
        )
    assert sorted(received) == [(mini.board.pk, 2022), (mini.board.pk, 2023)]
    received.clear()
    with commits():
        structure_services.delete_target(
            user=admin_user, target=Target.objects.get(indicator=indicator, year=2023)
        )
    assert received == [(mini.board.pk, 2023)]


def test_budget_amounts_say_their_board_and_year(board_an, notices):
    received, commits = notices
    budget_loader.load()
    line = BudgetLine.objects.filter(board=board_an, scheme="drift").order_by("order").first()
    stored = BudgetAmount.objects.filter(
        line=line, year=2022, kind=AmountKind.FORECAST, month=10
    ).first()
    with commits():
        save_line_amounts(
            board=board_an,
            year=2022,
            kind=AmountKind.FORECAST,
            month=10,
            inputs=[AmountInput(line.pk, 123_000, stored.version if stored else None)],
            user=None,
        )
    assert received == [(board_an.pk, 2022)]
