"""The structure pages of the indicator side: the board × year chooser, the year's tree with
its targets for N and N+1, the indicator create and edit forms (breakdowns, target grid).
Administrators only; pickers offer only what is valid; refusals show at the field and write
nothing; the query count does not grow with the tree."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goals.models import BoardGoal, OrganisationUnit, ReportingOccasion, StructureCorrection
from goals.structure_services import CORRECTION_REASON_REQUIRED
from indicators.models import Breakdown, Indicator, IndicatorBreakdown, Target
from indicators.parsing import DECIMAL_POINT
from indicators.structure_services import HAS_DATA_AFTER, target_key
from tests.entry_data import breakdown, goal_chain

pytestmark = pytest.mark.django_db


def tree_url(year=2022):
    return reverse("indicators:structure_tree", args=["AN", year])


def create_url(goal, year=2022):
    return reverse("indicators:structure_indicator_create", args=["AN", year, goal.pk])


def edit_url(indicator, year=2022):
    return reverse("indicators:structure_indicator_edit", args=["AN", year, indicator.pk])


def definition_post(**extra):
    return {
        "action": "indikator",
        "name": "Andel som börjar arbeta",
        "unit": "procent",
        "decimals": "1",
        "direction": "hogre",
        "source": "Treserva",
        "frequency": "ar",
        "aggregation": "en_gang",
        **extra,
    }


def grid_post(cells: dict[str, dict[str, str]], **extra):
    data = {"action": "malvarden", **extra}
    for key, fields in cells.items():
        for name, value in fields.items():
            data[f"mal-{key}-{name}"] = value
    return data


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries), response


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_the_chooser_lists_the_boards_years(admin_client, board_an):
    response = admin_client.get(reverse("indicators:structure_index"))
    page = response.content.decode()
    assert "Arbetsmarknadsnämnden" in page
    assert f'href="{tree_url(2022)}"' in page and ">2022<" in page


def test_the_tree_shows_goals_indicators_and_the_targets_of_both_years(admin_client, board_an):
    (indicator,) = goal_chain(board_an, goals=1, indicators_per_goal=1, target_year=2022)
    Target.objects.create(
        indicator=indicator, year=2023, breakdown=breakdown(), kind="riktning", trend="ej_oka"
    )
    Target.objects.create(
        indicator=indicator,
        year=2022,
        breakdown=breakdown("K"),
        kind="grans",
        operator="<",
        value=Decimal(1),
    )
    page = admin_client.get(tree_url()).content.decode()
    assert "Nämndmål 1" in page and "Indikator 1.1" in page
    assert "3\xa0300" in page and "Ska inte öka" in page and "&lt;1" in page
    assert page.count("<td>Kvinnor</td>") == 1
    assert f'href="{create_url(indicator.board_goal)}"' in page
    assert f'href="{edit_url(indicator)}"' in page
    assert "2 022" not in page
    assert "Skapa år 2023" in page
    for name in (
        "goals:structure_goal_list",
        "goals:structure_rollover",
        "indicators:structure_workbook",
    ):
        assert f'href="{reverse(name, args=["AN", 2022])}"' in page


def test_the_tree_and_the_edit_page_run_flat_query_counts(admin_client, board_an):
    (first,) = goal_chain(board_an, goals=1, indicators_per_goal=1, target_year=2022)
    small_tree, _ = count_queries(admin_client, tree_url())
    small_edit, _ = count_queries(admin_client, edit_url(first))
    goal_chain(board_an, goals=5, indicators_per_goal=4, target_year=2022)
    Indicator.objects.create(
        board=board_an, category="volymmatt", name="Antal hushåll", valid_from=2019
    )
    large_tree, response = count_queries(admin_client, tree_url())
    assert response.content.decode().count("Indikator ") >= 21
    assert small_tree == large_tree, f"trädet: {small_tree} → {large_tree}"
    for i in range(3):
        Target.objects.create(
            indicator=first, year=2023, breakdown=breakdown(("", "K", "M")[i]), kind="iu"
        )
    large_edit, _ = count_queries(admin_client, edit_url(first))
    assert small_edit == large_edit, f"formuläret: {small_edit} → {large_edit}"


def test_create_with_gender_breakdown_then_targets_through_the_pages(admin_client, board_an):
    (existing,) = goal_chain(board_an, goals=1, indicators_per_goal=1)
    goal = existing.board_goal
    response = admin_client.post(
        create_url(goal),
        definition_post(board_goal=str(goal.pk), **{"uppdelning-by_gender": "on"}),
    )
    indicator = Indicator.objects.get(name="Andel som börjar arbeta")
    assert response.status_code == 302 and response["Location"] == edit_url(indicator)
    assert (indicator.valid_from, indicator.unit, indicator.source) == (2022, "procent", "Treserva")
    assert [link.breakdown.label for link in indicator.breakdowns.order_by("order")] == [
        "Totalt",
        "Kvinnor",
        "Män",
    ]
    page = admin_client.get(edit_url(indicator)).content.decode()
    assert f'name="mal-{target_key(2023, Breakdown.objects.get(code="k=M|e=|c="))}-kind"' in page
    response = admin_client.post(
        edit_url(indicator),
        grid_post(
            {
                target_key(2022, None): {"kind": "varde", "value": "88,5"},
                target_key(2023, None): {
                    "kind": "riktning",
                    "trend": "ej_oka",
                    "base_value": "80",
                    "base_year": "2021",
                },
            }
        ),
    )
    assert response.status_code == 302
    shown = {t.year: t.display for t in Target.objects.filter(indicator=indicator)}
    assert shown == {2022: "88,5\xa0%", 2023: "Ska inte öka (basvärde 2021 = 80,0)"}
    page = admin_client.get(tree_url()).content.decode()
    assert "88,5\xa0%" in page and "Ska inte öka" in page


def test_a_bad_target_shows_at_its_field_and_writes_nothing(admin_client, board_an):
    (indicator,) = goal_chain(board_an, goals=1, indicators_per_goal=1, with_gender=False)
    before = list(Target.objects.values_list("pk", "value"))
    response = admin_client.post(
        edit_url(indicator),
        grid_post(
            {
                target_key(2022, None): {"kind": "varde", "value": "12"},
                target_key(2023, None): {"kind": "varde", "value": "88.5"},
            }
        ),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert DECIMAL_POINT.format(suggestion="88,5") in page
    assert 'value="88.5"' in page  # what was typed is kept
    assert list(Target.objects.values_list("pk", "value")) == before


def test_a_bad_definition_is_refused_at_the_field(admin_client, board_an):
    (existing,) = goal_chain(board_an, goals=1, indicators_per_goal=1)
    response = admin_client.post(
        create_url(existing.board_goal),
        definition_post(name="", board_goal=str(existing.board_goal.pk)),
    )
    assert response.status_code == 400
    assert "Detta fält måste fyllas i." in response.content.decode()
    assert Indicator.objects.count() == 1


def test_an_edit_of_an_approved_year_asks_for_a_reason(admin_client, board_an):
    (indicator,) = goal_chain(board_an, goals=1, indicators_per_goal=1)
    occasion = ReportingOccasion.objects.create(
        board=board_an, year=2022, kind="helar", state="godkand"
    )
    post = definition_post(name="Rättat namn", board_goal=str(indicator.board_goal_id))
    response = admin_client.post(edit_url(indicator), post)
    assert response.status_code == 400
    assert CORRECTION_REASON_REQUIRED.format(year=2022, occasion=occasion) in (
        response.content.decode()
    )
    assert not Indicator.objects.filter(name="Rättat namn").exists()
    response = admin_client.post(edit_url(indicator), {**post, "reason": "Stavfel"})
    assert response.status_code == 302
    new = Indicator.objects.get(name="Rättat namn")
    assert new.valid_from == 2022 and new.predecessor == indicator  # split as of 2022
    assert response["Location"] == edit_url(new)
    assert StructureCorrection.objects.get().reason == "Stavfel"


def test_pickers_offer_only_the_boards_goals_and_units_of_the_year(
    admin_client, board_an, board_other, municipality
):
    (indicator,) = goal_chain(board_an, goals=1, indicators_per_goal=1)
    goal = indicator.board_goal
    old = BoardGoal.objects.create(
        board=board_an,
        council_goal=goal.council_goal,
        title="Gammalt mål",
        valid_from=2019,
        valid_to=2020,
    )
    foreign = BoardGoal.objects.create(
        board=board_other,
        council_goal=goal.council_goal,
        title="Annan nämnds mål",
        valid_from=2019,
    )
    ours = OrganisationUnit.objects.create(
        municipality=municipality,
        kind="forvaltning",
        code="UAF",
        name="Utbildning",
        valid_from=2019,
    )
    ours.boards.add(board_an)
    theirs = OrganisationUnit.objects.create(
        municipality=municipality, kind="forvaltning", code="BUF", name="Barn", valid_from=2019
    )
    theirs.boards.add(board_other)
    page = admin_client.get(edit_url(indicator)).content.decode()
    assert "Nämndmål 1" in page
    assert "Gammalt mål" not in page and "Annan nämnds mål" not in page
    assert "UAF – Utbildning" in page and "BUF" not in page
    # Posting what is not offered is refused, and nothing moves.
    response = admin_client.post(edit_url(indicator), definition_post(board_goal=str(old.pk)))
    assert response.status_code == 400
    response = admin_client.post(
        edit_url(indicator), {"action": "uppdelning", "uppdelning-org_units": [str(theirs.pk)]}
    )
    assert response.status_code == 400
    indicator.refresh_from_db()
    assert indicator.board_goal == goal
    assert foreign.indicators.count() == 0
    assert IndicatorBreakdown.objects.filter(indicator=indicator).count() == 3


def test_only_administrators_of_the_board_reach_the_pages(
    client, board_an, board_other, controller_an, admin_user
):
    (indicator,) = goal_chain(board_an, goals=1, indicators_per_goal=1)
    client.force_login(controller_an)
    for url in (tree_url(), edit_url(indicator), create_url(indicator.board_goal)):
        assert client.get(url).status_code == 404
    assert (
        "Arbetsmarknadsnämnden"
        not in client.get(reverse("indicators:structure_index")).content.decode()
    )
    client.force_login(admin_user)
    # Another board's code with AN's indicator, or a year the indicator does not cover: 404.
    other = reverse("indicators:structure_indicator_edit", args=["BIN", 2022, indicator.pk])
    assert client.get(other).status_code == 404
    assert client.get(edit_url(indicator, year=2018)).status_code == 404
    foreign_goal = BoardGoal.objects.create(
        board=board_other,
        council_goal=indicator.board_goal.council_goal,
        title="BIN:s mål",
        valid_from=2019,
    )
    assert client.get(create_url(foreign_goal)).status_code == 404


def test_a_volume_measure_is_created_without_a_goal(admin_client, board_an):
    url = reverse("indicators:structure_indicator_create_measure", args=["AN", 2022])
    response = admin_client.post(
        url, definition_post(name="Antal hushåll", unit="antal", category="volymmatt")
    )
    assert response.status_code == 302
    measure = Indicator.objects.get(name="Antal hushåll")
    assert (measure.category, measure.board_goal) == ("volymmatt", None)
    page = admin_client.get(tree_url()).content.decode()
    assert "Antal hushåll" in page


def test_a_sub_indicator_is_created_under_its_main_indicator(admin_client, board_an):
    (main,) = goal_chain(board_an, goals=1, indicators_per_goal=1)
    link = f"{create_url(main.board_goal)}?delindikator_till={main.pk}"
    assert link in admin_client.get(tree_url()).content.decode()
    form = admin_client.get(link).content.decode()
    assert f'<option value="{main.pk}" selected>Indikator 1.1</option>' in form
    response = admin_client.post(
        create_url(main.board_goal),
        definition_post(
            name="Tillgänglighet", board_goal=str(main.board_goal_id), parent=str(main.pk)
        ),
    )
    assert response.status_code == 302
    sub = Indicator.objects.get(name="Tillgänglighet")
    assert (sub.parent, sub.board_goal) == (main, main.board_goal)
    page = admin_client.get(tree_url()).content.decode()
    assert page.index("Indikator 1.1") < page.index("Delindikator:</span> Tillgänglighet")


def test_an_indicator_is_ended_but_not_while_later_targets_exist(admin_client, board_an):
    (indicator,) = goal_chain(board_an, goals=1, indicators_per_goal=1, target_year=2023)
    post = {"action": "avsluta", "avsluta-last_year": "2021"}
    response = admin_client.post(edit_url(indicator), post)
    assert response.status_code == 400
    assert HAS_DATA_AFTER.format(year=2021) in response.content.decode()
    indicator.refresh_from_db()
    assert indicator.valid_to is None
    # Ending 2022 keeps the total's 2023 target (decided by the 2022 plan).
    response = admin_client.post(edit_url(indicator), {**post, "avsluta-last_year": "2022"})
    assert response.status_code == 302 and response["Location"] == tree_url()
    indicator.refresh_from_db()
    assert indicator.valid_to == 2022
    assert edit_url(indicator, 2022) in admin_client.get(tree_url(2022)).content.decode()
    assert edit_url(indicator, 2023) not in admin_client.get(tree_url(2023)).content.decode()
    assert Target.objects.filter(indicator=indicator, year=2023).exists()


def test_the_definition_is_edited_on_the_form(admin_client, board_an):
    (indicator,) = goal_chain(board_an, goals=1, indicators_per_goal=1)
    indicator.valid_from = 2022
    indicator.save()
    post = definition_post(board_goal=str(indicator.board_goal_id), definition="Mäts i december.")
    assert admin_client.post(edit_url(indicator), post).status_code == 302
    assert indicator.footnotes.get().text == "Mäts i december."
    assert "Mäts i december." in admin_client.get(edit_url(indicator)).content.decode()


def test_the_order_of_indicators_is_chosen_on_the_form(admin_client, board_an):
    first, second = goal_chain(board_an, goals=1, indicators_per_goal=2)
    page = admin_client.get(tree_url()).content.decode()
    assert page.index("Indikator 1.1") < page.index("Indikator 1.2")
    post = definition_post(name="Indikator 1.2", board_goal=str(second.board_goal_id), order="0")
    # Edited in 2019 (its first year), so the row changes in place, no split.
    response = admin_client.post(edit_url(second, 2019), {**post, "unit": "antal"})
    assert response.status_code == 302
    first.refresh_from_db()
    Indicator.objects.filter(pk=first.pk).update(order=1)
    page = admin_client.get(tree_url()).content.decode()
    assert page.index("Indikator 1.2") < page.index("Indikator 1.1")


def test_the_breakdown_form_shows_and_keeps_the_choice(admin_client, board_an, municipality):
    (indicator,) = goal_chain(board_an, goals=1, indicators_per_goal=1, with_gender=False)
    uaf = OrganisationUnit.objects.create(
        municipality=municipality, kind="forvaltning", code="UAF", name="UAF", valid_from=2019
    )
    uaf.boards.add(board_an)
    response = admin_client.post(
        edit_url(indicator),
        {
            "action": "uppdelning",
            "uppdelning-by_gender": "on",
            "uppdelning-org_units": [str(uaf.pk)],
            "uppdelning-gender_within": "on",
        },
    )
    assert response.status_code == 302
    assert len(indicator.reported_breakdown_ids(2022)) == 6
    page = admin_client.get(edit_url(indicator)).content.decode()
    assert 'name="uppdelning-gender_within" id="id_uppdelning-gender_within" checked' in page
    assert page.count("<td>Kvinnor, UAF</td>") == 2  # a grid cell for 2022 and for 2023
