"""A plan's decision date, set by the board's administrator: goals.plan_services.save_board_plan
and the structure page /struktur/<nämnd>/<år>/planer/ (goals.views_plans)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goals import plan_services
from goals.models import BoardPlan
from goals.periods import INVALID_DAY
from goals.selectors import end_of_day, plan_cutoff
from tests.entry_data import goal_chain

pytestmark = pytest.mark.django_db

PAGE = reverse("goals:structure_plans", args=["AN", 2022])
DECIDED = datetime.date(2021, 10, 20)


def save(board, user, decided_on=DECIDED, *, kind="internbudget", decision="AN § 85", year=2022):
    return plan_services.save_board_plan(
        board=board, year=year, kind=kind, decided_on=decided_on, decision=decision, user=user
    )


# --- the service -----------------------------------------------------------------------------


def test_saving_sets_the_plans_cut_off_with_the_user_in_its_history(board_an, admin_user):
    plan = save(board_an, admin_user)
    assert (plan.decided_on, plan.decision) == (DECIDED, "AN § 85")
    assert plan_cutoff(board_an, 2022, "internbudget") == end_of_day(DECIDED)
    assert plan.history.get().history_user == admin_user
    changed = save(board_an, admin_user, datetime.date(2021, 11, 3), decision="AN § 90")
    assert changed.pk == plan.pk
    assert BoardPlan.objects.get().decided_on == datetime.date(2021, 11, 3)
    assert plan.history.count() == 2
    save(board_an, admin_user, datetime.date(2021, 11, 3), decision="AN § 90")
    assert plan.history.count() == 2  # nothing changed, nothing recorded


def test_an_empty_date_means_todays_figures(board_an, admin_user):
    save(board_an, admin_user)
    save(board_an, admin_user, None)
    assert plan_cutoff(board_an, 2022, "internbudget") is None


def test_each_kind_has_its_own_date(board_an, admin_user):
    save(board_an, admin_user, kind="internbudget")
    save(board_an, admin_user, datetime.date(2022, 1, 15), kind="verksamhetsplan")
    assert plan_cutoff(board_an, 2022, "verksamhetsplan") == end_of_day(datetime.date(2022, 1, 15))
    assert plan_cutoff(board_an, 2022, "internbudget") == end_of_day(DECIDED)


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (datetime.date.today() + datetime.timedelta(days=2), "har inte varit än"),
        (datetime.date(2020, 12, 31), "ligger mer än ett år före planens år 2022"),
        (datetime.date(2012, 10, 20), "ligger mer än ett år före planens år 2022"),
    ],
)
def test_a_date_in_the_future_or_far_from_the_year_is_refused(board_an, admin_user, day, message):
    with pytest.raises(ValidationError) as refused:
        save(board_an, admin_user, day)
    assert message in " ".join(refused.value.message_dict["decided_on"])
    assert not BoardPlan.objects.exists()


def test_a_date_after_the_next_year_is_refused():
    errors = plan_services.decision_date_errors(
        datetime.date(2024, 1, 1), 2022, today=datetime.date(2030, 1, 1)
    )
    assert errors == [
        plan_services.DECIDED_TOO_LATE.format(date="2024-01-01", next_year=2023, last="2023-12-31")
    ]
    assert not plan_services.decision_date_errors(
        datetime.date(2023, 12, 31), 2022, today=datetime.date(2030, 1, 1)
    )
    assert not plan_services.decision_date_errors(
        datetime.date(2021, 1, 1), 2022, today=datetime.date(2030, 1, 1)
    )


def test_only_the_boards_administrator_may_save(board_an, controller_an, board_other):
    from tests.conftest import make_user

    other_admin = make_user("admin_bin", "administrator", board_other)
    for user in (controller_an, other_admin):
        with pytest.raises(ValidationError, match="behörighet"):
            save(board_an, user)
    assert not BoardPlan.objects.exists()


def test_a_year_the_board_did_not_exist_or_an_unknown_kind_is_refused(board_an, admin_user):
    with pytest.raises(ValidationError, match="finns inte år 2010"):
        save(board_an, admin_user, datetime.date(2009, 10, 1), year=2010)
    with pytest.raises(ValidationError, match="Okänt slag"):
        save(board_an, admin_user, kind="budget")
    assert not BoardPlan.objects.exists()


# --- the page --------------------------------------------------------------------------------


def test_the_page_shows_both_plans_and_saves_one(client, board_an, admin_user):
    save(board_an, admin_user, kind="verksamhetsplan", decision="Förvaltningens beslut")
    client.force_login(admin_user)
    page = client.get(PAGE)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Internbudget 2022" in html and "Verksamhetsplan 2022" in html
    assert 'value="2021-10-20"' in html  # the stored date, as the date field shows it
    response = client.post(
        PAGE,
        {
            "kind": "internbudget",
            "internbudget-decided_on": "2021-10-21",
            "internbudget-decision": "Arbetsmarknadsnämnden § 85",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == PAGE
    assert "Sparat: Internbudget 2022" in response.content.decode()
    plan = BoardPlan.objects.get(kind="internbudget")
    assert plan.decided_on == datetime.date(2021, 10, 21)
    assert plan.history.get().history_user == admin_user
    # The other plan is untouched.
    assert BoardPlan.objects.get(kind="verksamhetsplan").decision == "Förvaltningens beslut"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("20/10/2021", INVALID_DAY),
        ("2021-02-30", INVALID_DAY),
        ("2019-06-01", "ligger mer än ett år före planens år 2022"),
        ((datetime.date.today() + datetime.timedelta(days=3)).isoformat(), "har inte varit än"),
    ],
)
def test_a_bad_date_is_a_message_at_its_field_and_nothing_is_saved(
    client, board_an, admin_user, typed, message
):
    client.force_login(admin_user)
    response = client.post(
        PAGE,
        {"kind": "internbudget", "internbudget-decided_on": typed, "internbudget-decision": ""},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    field = html[html.index('name="internbudget-decided_on"') - 300 :]
    assert 'aria-invalid="true"' in field[:600]
    assert not BoardPlan.objects.exists()


def test_an_unknown_kind_is_404(client, board_an, admin_user):
    client.force_login(admin_user)
    assert client.post(PAGE, {"kind": "budget"}).status_code == 404
    assert not BoardPlan.objects.exists()


@pytest.mark.parametrize("persona", ["controller_an", "controller_other", "outsider"])
def test_only_administrators_reach_the_page(client, board_an, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(PAGE).status_code == 404
    assert client.post(PAGE, {"kind": "internbudget"}).status_code == 404
    assert not BoardPlan.objects.exists()


def test_a_year_the_board_did_not_exist_is_404(client, board_an, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("goals:structure_plans", args=["AN", 2010])).status_code == 404


def test_the_structure_tree_links_to_the_page(client, board_an, admin_user):
    client.force_login(admin_user)
    html = client.get(reverse("indicators:structure_tree", args=["AN", 2022])).content.decode()
    assert f'href="{PAGE}"' in html


def test_the_page_query_count_is_flat(client, board_an, admin_user):
    client.force_login(admin_user)
    goal_chain(board_an, goals=1, indicators_per_goal=1)
    save(board_an, admin_user)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(PAGE).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    goal_chain(board_an, goals=4, indicators_per_goal=3)
    save(board_an, admin_user, kind="verksamhetsplan")
    for year in (2020, 2021, 2023):
        save(board_an, admin_user, datetime.date(year - 1, 10, 1), year=year)
    assert count() == small
