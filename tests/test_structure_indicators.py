"""The indicator side of the structure services (indicators.structure_services): indicators
created and edited as of a year (split with predecessor, breakdown links carried), breakdowns
chosen in plain words, the two-year target grid with every kind, and approved years changed
only as a recorded correction. Every refusal is Swedish and writes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from goals import structure_services as goal_services
from goals.models import (
    BoardGoal,
    CouncilGoal,
    GoalArea,
    OrganisationUnit,
    ReportingOccasion,
    StructureCorrection,
)
from indicators import structure_services as svc
from indicators.models import Breakdown, Indicator, IndicatorBreakdown, IndicatorValue, Target
from indicators.parsing import DECIMAL_POINT
from indicators.structure_services import TargetErrors, TargetInput
from tests.entry_data import goal_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def goal(board_an):
    area = GoalArea.objects.create(name="Medborgare", order=2)
    council = CouncilGoal.objects.create(goal_area=area, title="Fler i arbete", valid_from=2019)
    return BoardGoal.objects.create(
        board=board_an, council_goal=council, title="Hög egenförsörjningsgrad", valid_from=2019
    )


@pytest.fixture
def indicator(admin_user, board_an, goal):
    return svc.create_indicator(
        user=admin_user,
        board=board_an,
        year=2022,
        name="Andel som börjar arbeta",
        board_goal=goal,
        unit=Indicator.Unit.PERCENT,
        decimals=1,
    ).object


def approve(board, year):
    return ReportingOccasion.objects.create(board=board, year=year, kind="helar", state="godkand")


def counts():
    return (
        Indicator.objects.count(),
        IndicatorBreakdown.objects.count(),
        Target.objects.count(),
        StructureCorrection.objects.count(),
        Indicator.history.count(),
        Target.history.count(),
    )


# --- indicators ----------------------------------------------------------------------------


def test_create_indicator_from_the_year_with_the_user_in_history(indicator, admin_user, goal):
    assert indicator.valid_from == 2022 and indicator.valid_to is None
    assert indicator.board_goal == goal and indicator.unit == "procent"
    assert indicator.history.latest().history_user == admin_user


def test_create_refuses_a_goal_of_another_year_and_writes_nothing(admin_user, board_an, goal):
    goal.valid_to = 2021
    goal.save()
    before = counts()
    with pytest.raises(ValidationError) as refused:
        svc.create_indicator(user=admin_user, board=board_an, year=2022, name="Ny", board_goal=goal)
    assert refused.value.message_dict["board_goal"] == [
        svc.GOAL_NOT_OF_BOARD_YEAR.format(year=2022)
    ]
    assert counts() == before


def test_create_refuses_another_boards_goal(admin_user, board_an, board_other, goal):
    goal.board = board_other
    goal.save()
    with pytest.raises(ValidationError, match="hör inte till nämnden"):
        svc.create_indicator(user=admin_user, board=board_an, year=2022, name="Ny", board_goal=goal)
    assert not Indicator.objects.exists()


def test_a_volume_measure_has_no_goal(admin_user, board_an, goal):
    measure = svc.create_indicator(
        user=admin_user,
        board=board_an,
        year=2022,
        name="Antal hushåll med ekonomiskt bistånd",
        category=Indicator.Category.VOLUME,
    ).object
    assert measure.board_goal is None
    with pytest.raises(ValidationError) as refused:
        svc.create_indicator(
            user=admin_user,
            board=board_an,
            year=2022,
            name="Fel",
            category=Indicator.Category.STAFF,
            board_goal=goal,
        )
    assert refused.value.message_dict["board_goal"] == [svc.NO_GOAL_FOR_VOLUME]


def test_only_an_administrator_of_the_board_writes(controller_an, board_an, goal):
    with pytest.raises(ValidationError) as refused:
        svc.create_indicator(
            user=controller_an, board=board_an, year=2022, name="Ny", board_goal=goal
        )
    assert refused.value.messages == [svc.NO_RIGHT]
    assert not Indicator.objects.exists()


def test_an_edit_in_the_start_year_changes_the_row(indicator, admin_user):
    saved = svc.update_indicator(
        user=admin_user, indicator=indicator, year=2022, changes={"name": "Andel i arbete"}
    )
    assert saved.object.pk == indicator.pk
    indicator.refresh_from_db()
    assert indicator.name == "Andel i arbete" and indicator.valid_from == 2022


def test_an_edit_of_a_later_year_splits_and_carries_links_values_and_targets(board_an, admin_user):
    (old,) = goal_chain(board_an, goals=1, indicators_per_goal=1, value_years=(2021, 2022))
    assert Target.objects.filter(indicator=old, year=2022).exists()
    saved = svc.update_indicator(
        user=admin_user, indicator=old, year=2022, changes={"name": "Nytt namn", "decimals": 1}
    )
    new = saved.object
    old.refresh_from_db()
    assert (old.valid_from, old.valid_to, old.name) == (2019, 2021, "Indikator 1.1")
    assert (new.valid_from, new.valid_to, new.name, new.decimals) == (2022, None, "Nytt namn", 1)
    assert new.predecessor == old
    # The links: the old ones end 2021, the new row has Totalt, Kvinnor, Män from 2022.
    assert set(old.breakdowns.values_list("valid_to", flat=True)) == {2021}
    assert sorted(new.breakdowns.values_list("breakdown__code", "valid_from")) == [
        ("k=K|e=|c=", 2022),
        ("k=M|e=|c=", 2022),
        ("total", 2022),
    ]
    assert set(IndicatorValue.objects.filter(indicator=old).values_list("year", flat=True)) == {
        2021
    }
    assert set(IndicatorValue.objects.filter(indicator=new).values_list("year", flat=True)) == {
        2022
    }
    assert Target.objects.filter(indicator=new, year=2022).exists()
    assert Indicator.objects.valid_in(2021).get(board=board_an).name == "Indikator 1.1"
    assert Indicator.objects.valid_in(2022).get(board=board_an).name == "Nytt namn"


def test_an_edit_of_an_approved_year_needs_a_reason_and_is_recorded(indicator, admin_user):
    occasion = approve(indicator.board, 2022)
    before = counts()
    with pytest.raises(ValidationError) as refused:
        svc.update_indicator(
            user=admin_user, indicator=indicator, year=2022, changes={"name": "Rättat"}
        )
    assert refused.value.message_dict["reason"] == [
        goal_services.CORRECTION_REASON_REQUIRED.format(year=2022, occasion=occasion)
    ]
    assert counts() == before
    saved = svc.update_indicator(
        user=admin_user,
        indicator=indicator,
        year=2022,
        changes={"name": "Rättat"},
        reason="Felstavat i planen",
    )
    (correction,) = saved.corrections
    assert correction.occasion == occasion and correction.user == admin_user
    assert correction.reason == "Felstavat i planen"
    assert "namn: Andel som börjar arbeta → Rättat" in correction.changes


def test_an_unchanged_edit_writes_nothing(indicator, admin_user):
    approve(indicator.board, 2022)
    before = counts()
    saved = svc.update_indicator(
        user=admin_user, indicator=indicator, year=2022, changes={"name": indicator.name}
    )
    assert not saved.changed and counts() == before


def test_end_indicator_is_refused_while_values_follow(board_an, admin_user):
    (indicator,) = goal_chain(board_an, goals=1, indicators_per_goal=1, value_years=(2022,))
    with pytest.raises(ValidationError) as refused:
        svc.end_indicator(user=admin_user, indicator=indicator, last_year=2021)
    assert refused.value.messages == [svc.HAS_DATA_AFTER.format(year=2021)]
    indicator.refresh_from_db()
    assert indicator.valid_to is None
    svc.end_indicator(user=admin_user, indicator=indicator, last_year=2022)
    indicator.refresh_from_db()
    assert indicator.valid_to == 2022
    assert set(indicator.breakdowns.values_list("valid_to", flat=True)) == {2022}


def test_a_split_goal_takes_its_indicators_along(board_an, admin_user):
    (indicator,) = goal_chain(board_an, goals=1, indicators_per_goal=1, value_years=(2022,))
    old_goal = indicator.board_goal
    old_goal.valid_to = 2021
    old_goal.save()
    new_goal = BoardGoal.objects.create(
        board=board_an,
        council_goal=old_goal.council_goal,
        title="Nämndmål 1, ny lydelse",
        valid_from=2022,
        predecessor=old_goal,
    )
    svc.follow_board_goal_split(old_goal, new_goal, 2022)
    moved = Indicator.objects.valid_in(2022).get(board=board_an)
    assert moved.board_goal == new_goal and moved.predecessor_id == indicator.pk
    assert Indicator.objects.valid_in(2021).get(board=board_an).board_goal == old_goal


# --- breakdowns ----------------------------------------------------------------------------


def test_by_gender_creates_total_women_and_men(indicator, admin_user):
    svc.set_breakdowns(user=admin_user, indicator=indicator, year=2022, by_gender=True)
    links = list(
        IndicatorBreakdown.objects.filter(indicator=indicator)
        .select_related("breakdown")
        .order_by("order")
    )
    assert [link.breakdown.label for link in links] == ["Totalt", "Kvinnor", "Män"]
    assert [link.breakdown.code for link in links] == ["total", "k=K|e=|c=", "k=M|e=|c="]
    assert {(link.valid_from, link.valid_to) for link in links} == {(2022, None)}
    # A second choice of the same is no change; the Breakdown rows are shared.
    saved = svc.set_breakdowns(user=admin_user, indicator=indicator, year=2022, by_gender=True)
    assert not saved.changed and Breakdown.objects.count() == 3


def test_units_offered_are_the_boards_and_categories_are_plain_words(
    indicator, admin_user, board_an, board_other, municipality
):
    uaf = OrganisationUnit.objects.create(
        municipality=municipality, kind="forvaltning", code="UAF", name="UAF", valid_from=2019
    )
    uaf.boards.add(board_an)
    other = OrganisationUnit.objects.create(
        municipality=municipality, kind="forvaltning", code="BUF", name="BUF", valid_from=2019
    )
    other.boards.add(board_other)
    assert list(svc.board_units(board_an, 2022)) == [uaf]
    with pytest.raises(ValidationError) as refused:
        svc.set_breakdowns(
            user=admin_user, indicator=indicator, year=2022, by_gender=False, org_units=[other]
        )
    assert refused.value.message_dict["org_units"] == [
        svc.UNIT_NOT_OF_BOARD.format(unit="BUF", year=2022)
    ]
    assert not IndicatorBreakdown.objects.exists()
    svc.set_breakdowns(
        user=admin_user,
        indicator=indicator,
        year=2022,
        by_gender=False,
        org_units=[uaf],
        categories=["Augusti", " Oktober "],
    )
    labels = [
        link.breakdown.label
        for link in IndicatorBreakdown.objects.filter(indicator=indicator).order_by("order")
    ]
    assert labels == ["Totalt", "UAF", "Augusti", "Oktober"]


def test_a_dropped_breakdown_with_values_is_refused(board_an, admin_user):
    (indicator,) = goal_chain(board_an, goals=1, indicators_per_goal=1, value_years=(2022,))
    before = counts()
    with pytest.raises(ValidationError) as refused:
        svc.set_breakdowns(user=admin_user, indicator=indicator, year=2022, by_gender=False)
    assert "Kvinnor" in refused.value.messages[0]
    assert counts() == before
    # From 2023 on (no values yet) the gender split can end: the 2022 links stay.
    svc.set_breakdowns(user=admin_user, indicator=indicator, year=2023, by_gender=False)
    assert indicator.reported_breakdown_ids(2023) == frozenset()
    assert len(IndicatorBreakdown.objects.valid_in(2022).filter(indicator=indicator)) == 3


# --- targets -------------------------------------------------------------------------------


@pytest.fixture
def gendered(indicator, admin_user):
    svc.set_breakdowns(user=admin_user, indicator=indicator, year=2022, by_gender=True)
    return indicator


def parts():
    return Breakdown.objects.get(code="k=K|e=|c="), Breakdown.objects.get(code="k=M|e=|c=")


def test_the_grid_saves_every_kind_for_the_year_and_the_next(gendered, admin_user):
    women, men = parts()
    rows = [
        TargetInput(year=2022, kind="varde", value="88,5"),
        TargetInput(year=2022, breakdown=women, kind="grans", operator=">=", value="0"),
        TargetInput(year=2022, breakdown=men, kind="text", text="Inga signifikanta skillnader"),
        TargetInput(
            year=2023, kind="riktning", trend="ej_oka", base_value="1 234,5", base_year="2018"
        ),
        TargetInput(year=2023, breakdown=women, kind="iu"),
        TargetInput(year=2023, breakdown=men, kind="riktning", trend="ej_minska"),
    ]
    saved = svc.save_targets(user=admin_user, indicator=gendered, year=2022, rows=rows)
    assert saved.changed and not saved.corrections
    stored = {
        (t.year, t.breakdown.label): t
        for t in Target.objects.filter(indicator=gendered).select_related("breakdown")
    }
    assert stored[(2022, "Totalt")].value == Decimal("88.5")
    assert stored[(2022, "Totalt")].display == "88,5\xa0%"
    assert stored[(2022, "Kvinnor")].display == "≥0,0\xa0%"
    assert stored[(2022, "Män")].display == "Inga signifikanta skillnader"
    direction = stored[(2023, "Totalt")]
    assert (direction.trend, direction.base_value, direction.base_year) == (
        "ej_oka",
        Decimal("1234.5"),
        2018,
    )
    assert direction.display == "Ska inte öka (basvärde 2018 = 1\xa0234,5)"
    assert stored[(2023, "Kvinnor")].display == "I.U."
    assert stored[(2023, "Män")].display == "Ska inte minska"
    assert Target.history.latest().history_user == admin_user
    # The same grid again changes nothing; an empty kind removes a target.
    assert not svc.save_targets(user=admin_user, indicator=gendered, year=2022, rows=rows).changed
    svc.save_targets(
        user=admin_user, indicator=gendered, year=2022, rows=[TargetInput(year=2023, kind="")]
    )
    assert not Target.objects.filter(indicator=gendered, year=2023, breakdown__code="total")


def test_a_bad_cell_refuses_the_whole_grid_with_the_message_at_the_cell(gendered, admin_user):
    women, _ = parts()
    before = counts()
    rows = [
        TargetInput(year=2022, kind="varde", value="88,5"),
        TargetInput(year=2023, breakdown=women, kind="varde", value="88.5"),
        TargetInput(year=2023, kind="grans", value="1"),
        TargetInput(year=2022, breakdown=women, kind="riktning"),
        TargetInput(year=2022, breakdown=parts()[1], kind="text", text="  "),
    ]
    with pytest.raises(TargetErrors) as refused:
        svc.save_targets(user=admin_user, indicator=gendered, year=2022, rows=rows)
    cells = refused.value.cells
    assert cells[svc.target_key(2023, women)] == {"value": DECIMAL_POINT.format(suggestion="88,5")}
    assert cells[svc.target_key(2023, None)] == {"operator": svc.TARGET_OPERATOR_REQUIRED}
    assert cells[svc.target_key(2022, women)] == {"trend": svc.TARGET_TREND_REQUIRED}
    assert cells[svc.target_key(2022, parts()[1])] == {"text": svc.TARGET_TEXT_REQUIRED}
    assert svc.target_key(2022, None) not in cells
    assert counts() == before


def test_a_target_for_a_breakdown_not_reported_or_another_year_is_refused(indicator, admin_user):
    women = Breakdown.objects.create(code="k=K|e=|c=", gender="K")
    with pytest.raises(TargetErrors) as refused:
        svc.save_targets(
            user=admin_user,
            indicator=indicator,
            year=2022,
            rows=[
                TargetInput(year=2022, breakdown=women, kind="varde", value="1"),
                TargetInput(year=2024, kind="varde", value="1"),
            ],
        )
    assert refused.value.cells == {
        svc.target_key(2022, women): {
            "kind": svc.TARGET_BREAKDOWN_NOT_REPORTED.format(breakdown="Kvinnor", year=2022)
        },
        svc.target_key(2024, None): {"kind": svc.TARGET_YEAR_OUTSIDE.format(year=2022, next=2023)},
    }
    assert not Target.objects.exists()


def test_a_target_of_an_approved_year_is_a_correction(indicator, admin_user):
    occasion = approve(indicator.board, 2022)
    rows = [TargetInput(year=2022, kind="varde", value="90"), TargetInput(year=2023, kind="iu")]
    with pytest.raises(ValidationError) as refused:
        svc.save_targets(user=admin_user, indicator=indicator, year=2022, rows=rows)
    assert "reason" in refused.value.message_dict
    assert not Target.objects.exists()
    # Only 2023 (not approved) needs no reason.
    svc.save_targets(user=admin_user, indicator=indicator, year=2022, rows=rows[1:])
    saved = svc.save_targets(
        user=admin_user, indicator=indicator, year=2022, rows=rows, reason="Beslut i nämnden"
    )
    (correction,) = saved.corrections
    assert correction.occasion == occasion and correction.year == 2022
    assert correction.changes == "målvärde Totalt: – → 90,0\xa0%"
    target = Target.objects.get(indicator=indicator, year=2022)
    with pytest.raises(ValidationError):
        svc.delete_target(user=admin_user, target=target)
    svc.delete_target(user=admin_user, target=target, reason="Fel år")
    assert not Target.objects.filter(year=2022).exists()
    assert StructureCorrection.objects.count() == 2


def test_an_indicator_ending_in_the_year_takes_the_next_years_target_on_the_total(
    indicator, admin_user
):
    svc.set_breakdowns(user=admin_user, indicator=indicator, year=2022, by_gender=True)
    svc.end_indicator(user=admin_user, indicator=indicator, last_year=2022)
    women, _ = parts()
    svc.save_targets(
        user=admin_user,
        indicator=indicator,
        year=2022,
        rows=[TargetInput(year=2023, kind="varde", value="90")],
    )
    assert Target.objects.get(indicator=indicator).year == 2023
    with pytest.raises(TargetErrors):
        svc.save_targets(
            user=admin_user,
            indicator=indicator,
            year=2022,
            rows=[TargetInput(year=2023, breakdown=women, kind="varde", value="1")],
        )


def test_a_goal_split_through_the_goal_services_takes_its_indicators(board_an, admin_user):
    """Through goals.structure_services' split hook (registered in indicators' apps.ready)."""
    (indicator,) = goal_chain(board_an, goals=1, indicators_per_goal=1, value_years=(2021, 2022))
    goal = indicator.board_goal
    saved = goal_services.update_board_goal(
        user=admin_user,
        goal=goal,
        year=2022,
        council_goal=goal.council_goal,
        title="Ny lydelse",
        description=goal.description,
        order=goal.order,
    )
    new_goal = saved.object
    assert new_goal.pk != goal.pk
    in_2022 = Indicator.objects.valid_in(2022).get(board=board_an)
    in_2021 = Indicator.objects.valid_in(2021).get(board=board_an)
    assert (in_2022.board_goal, in_2022.predecessor) == (new_goal, in_2021)
    assert in_2021.board_goal == goal
    assert IndicatorValue.objects.filter(indicator=in_2022, year=2022).count() == 3
    assert len(in_2022.reported_breakdown_ids(2022)) == 3
    # The indicators that followed the goal record who made the change.
    assert in_2022.history.latest().history_user == admin_user
    assert in_2021.history.latest().history_user == admin_user


def test_the_definition_is_the_indicators_footnote_and_changes_as_of_a_year(
    admin_user, board_an, goal
):
    indicator = svc.create_indicator(
        user=admin_user,
        board=board_an,
        year=2021,
        name="Andel i arbete",
        board_goal=goal,
        definition="Andel av avslutade deltagare.",
    ).object
    assert svc.definition_of(indicator).text == "Andel av avslutade deltagare."
    approve(board_an, 2022)
    saved = svc.update_indicator(
        user=admin_user,
        indicator=indicator,
        year=2022,
        changes={},
        definition="Andel av alla deltagare.",
        reason="Ny definition från 2022",
    )
    new = saved.object
    assert new.pk != indicator.pk and new.predecessor == indicator
    assert svc.definition_of(indicator).text == "Andel av avslutade deltagare."
    assert svc.definition_of(new).text == "Andel av alla deltagare."
    assert saved.corrections[0].changes == (
        "definition: Andel av avslutade deltagare. → Andel av alla deltagare."
    )
    # Unchanged text is no change; an empty text removes the footnote.
    assert not svc.update_indicator(
        user=admin_user, indicator=new, year=2022, changes={}, definition="Andel av alla deltagare."
    ).changed
    svc.update_indicator(
        user=admin_user, indicator=new, year=2022, changes={}, definition="", reason="Tas bort"
    )
    assert svc.definition_of(new) is None


def test_gender_within_each_unit_and_category(indicator, admin_user, board_an, municipality):
    uaf = OrganisationUnit.objects.create(
        municipality=municipality, kind="forvaltning", code="UAF", name="UAF", valid_from=2019
    )
    uaf.boards.add(board_an)
    svc.set_breakdowns(
        user=admin_user,
        indicator=indicator,
        year=2022,
        by_gender=True,
        org_units=[uaf],
        categories=["enbart HÖK-anst"],
        gender_within=True,
    )
    labels = [
        link.breakdown.label
        for link in IndicatorBreakdown.objects.filter(indicator=indicator).order_by("order")
    ]
    assert labels == [
        "Totalt",
        "Kvinnor",
        "Män",
        "UAF",
        "Kvinnor, UAF",
        "Män, UAF",
        "enbart HÖK-anst",
        "Kvinnor, enbart HÖK-anst",
        "Män, enbart HÖK-anst",
    ]
    assert Breakdown.objects.get(code="k=K|e=UAF|c=").org_unit == uaf
