"""The user list: administrators of every board only; search, filters by board, role, role
source and account, roles with where they come from."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from goals.models import BoardRole, Role, RoleSource
from tests.conftest import make_user
from tests.lists import assert_flat_queries, records

URL = reverse("goals:user_list")


def usernames(response) -> list[str]:
    return [user.username for user in records(response)]


@pytest.fixture
def people(admin_user, controller_an, controller_other, secretary_an, outsider):
    controller_an.first_name, controller_an.last_name = "Åsa", "Öberg"
    controller_an.save()
    return admin_user, controller_an, controller_other, secretary_an, outsider


@pytest.mark.parametrize("persona", ["controller_an", "secretary_an", "manager_an", "outsider"])
def test_only_administrators_may_see_it(client, request, persona, security_log):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 404
    assert security_log.events("access_denied")


def test_staff_and_board_administrators_get_404_too(client, db, board_an, security_log):
    """User administration is for the administrator of every board; Django's staff
    permission and an administrator role on one board do not reach it."""
    staff = make_user("personal", None, None, is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_user"))
    admin_an = make_user("admin_an", Role.ADMINISTRATOR, board_an)
    for person in (staff, admin_an):
        client.force_login(person)
        assert client.get(URL).status_code == 404
    assert len(security_log.events("access_denied")) == 2


def test_an_administrator_of_every_board_sees_everyone_and_every_role(client, people):
    client.force_login(people[0])
    response = client.get(URL)
    assert usernames(response) == [
        "admin",
        "controller_an",
        "controller_bin",
        "sekreterare_an",
        "utomstaende",
    ]
    page = response.content.decode()
    assert "Controller (BIN)" in page
    assert "Nämndsekreterare (AN)" in page
    assert "Administratör (alla nämnder)" in page
    assert "Åsa Öberg" in page
    detail = reverse("goals:user_detail", args=[people[1].pk])
    assert f'<a href="{detail}">controller_an</a>' in page


def test_roles_from_groups_are_marked_and_filtered_by_source(client, people, board_an):
    admin_user, _, controller_bin, *_ = people
    BoardRole.objects.create(
        user=controller_bin, role=Role.MANAGER, board=board_an, source=RoleSource.GROUP
    )
    client.force_login(admin_user)
    page = client.get(URL).content.decode()
    assert "Chef (AN) från grupp" in page
    assert "Controller (AN) från grupp" not in page  # controller_an's role is manual
    assert usernames(client.get(URL + "?ursprung=grupp")) == ["controller_bin"]
    assert usernames(client.get(URL + f"?ursprung=grupp&namnd={board_an.pk}&roll=chef")) == [
        "controller_bin"
    ]
    assert usernames(client.get(URL + "?ursprung=grupp&roll=controller")) == []
    assert "controller_bin" not in usernames(client.get(URL + "?ursprung=manuell&roll=chef"))


def test_filter_by_active_account(client, people):
    admin_user, controller_an, *_ = people
    controller_an.is_active = False
    controller_an.save()
    client.force_login(admin_user)
    assert usernames(client.get(URL + "?aktiv=nej")) == ["controller_an"]
    assert "controller_an" not in usernames(client.get(URL + "?aktiv=ja"))
    assert len(usernames(client.get(URL))) == 5
    response = client.get(URL + "?aktiv=kanske")
    assert response.context["filter"].form.errors["aktiv"]


def test_search_is_case_insensitive_for_swedish_letters_too(client, people):
    client.force_login(people[0])
    assert usernames(client.get(URL + "?q=åsa")) == ["controller_an"]
    assert usernames(client.get(URL + "?q=ÖBERG")) == ["controller_an"]
    assert usernames(client.get(URL + "?q=SEKRET")) == ["sekreterare_an"]


def test_filters_by_board_and_role_together(client, people, board_an, board_other):
    admin_user, controller_an, *_ = people
    BoardRole.objects.create(user=controller_an, role=Role.MANAGER, board=board_other)
    client.force_login(admin_user)
    # Roles without a board count for every board.
    assert usernames(client.get(URL + f"?namnd={board_an.pk}")) == [
        "admin",
        "controller_an",
        "sekreterare_an",
    ]
    assert usernames(client.get(URL + "?roll=controller")) == ["controller_an", "controller_bin"]
    # controller_an is a controller of AN and a manager of BIN, never a controller of BIN.
    assert usernames(client.get(URL + f"?namnd={board_other.pk}&roll=controller")) == [
        "controller_bin"
    ]
    assert usernames(client.get(URL + f"?namnd={board_other.pk}&roll=chef")) == ["controller_an"]


def test_sorting_by_username_and_name(client, people):
    client.force_login(people[0])
    assert usernames(client.get(URL + "?sort=-username"))[0] == "utomstaende"
    assert usernames(client.get(URL + "?sort=-name"))[0] == "controller_an"  # Öberg


def test_query_count_does_not_grow_with_the_rows(client, admin_user, board_an, board_other):
    make_user("a1", Role.CONTROLLER, board_an)

    def grow():  # more users, and more roles each (by hand and from groups)
        for number in range(18):
            user = make_user(f"u{number:02}", Role.CONTROLLER, board_an)
            BoardRole.objects.create(user=user, role=Role.MANAGER, board=board_other)
            BoardRole.objects.create(
                user=user, role=Role.SECRETARY, board=board_an, source=RoleSource.GROUP
            )

    client.force_login(admin_user)
    assert_flat_queries(client, URL, rows=get_user_model().objects.count, grow=grow)


def test_hostile_names_are_escaped(client, people, board_an):
    _, controller_an, *_ = people
    controller_an.first_name = "<script>alert(1)</script>"
    controller_an.save()
    board_an.code = "<img>"  # a code is shown in the roles column
    board_an.save()
    client.force_login(people[0])
    page = client.get(URL).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Öberg" in page
    assert "Controller (&lt;img&gt;)" in page
    assert "<script>alert" not in page


def test_the_main_menu_links_the_lists_and_users_only_for_administrators(
    client, admin_user, controller_an, board_an
):
    client.force_login(admin_user)
    menu = client.get(reverse("reports:home")).content.decode().split("</nav>")[0]
    for name in (
        "reports:indicator_list",
        "reports:archived_report_list",
        "goals:user_list",
        "indicators:entry_overview",
    ):
        assert f'href="{reverse(name)}"' in menu, name
    client.force_login(controller_an)
    menu = client.get(reverse("reports:home")).content.decode().split("</nav>")[0]
    assert f'href="{reverse("reports:indicator_list")}"' in menu
    assert f'href="{URL}"' not in menu
    # An administrator of one board has the structure pages, not the user administration.
    client.force_login(make_user("admin_an", Role.ADMINISTRATOR, board_an))
    menu = client.get(reverse("reports:home")).content.decode().split("</nav>")[0]
    assert f'href="{reverse("indicators:structure_index")}"' in menu
    assert f'href="{URL}"' not in menu
