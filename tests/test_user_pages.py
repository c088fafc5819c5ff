"""The user administration pages: the user page (grant, revoke, deactivate), the group
mappings and the Behörighetslogg. Only the administrator of every board reaches them."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from goals.models import (
    AccessChange,
    BoardRole,
    ExternalIdentity,
    GroupRoleMapping,
    IdentityProvider,
    Role,
    RoleSource,
)
from tests.conftest import make_user
from tests.lists import assert_flat_queries, records

LOG = reverse("goals:access_change_list")
MAPPINGS = reverse("goals:group_mapping_list")


def detail_url(user) -> str:
    return reverse("goals:user_detail", args=[user.pk])


def page_of(response) -> str:
    return response.content.decode()


@pytest.fixture
def admin_an(board_an):
    return make_user("admin_an", Role.ADMINISTRATOR, board_an)


@pytest.fixture
def urls(controller_an, board_an):
    role = BoardRole.objects.get(user=controller_an)
    mapping = GroupRoleMapping.objects.create(
        group="an-grupp", role=Role.CONTROLLER, board=board_an
    )
    return [
        ("get", reverse("goals:user_list")),
        ("get", detail_url(controller_an)),
        ("post", detail_url(controller_an)),
        ("get", reverse("goals:user_role_revoke", args=[controller_an.pk, role.pk])),
        ("post", reverse("goals:user_role_revoke", args=[controller_an.pk, role.pk])),
        ("post", reverse("goals:user_deactivate", args=[controller_an.pk])),
        ("post", reverse("goals:user_activate", args=[controller_an.pk])),
        ("get", MAPPINGS),
        ("post", MAPPINGS),
        ("get", reverse("goals:group_mapping_remove", args=[mapping.pk])),
        ("post", reverse("goals:group_mapping_remove", args=[mapping.pk])),
        ("get", LOG),
    ]


def test_everyone_but_the_administrator_of_every_board_gets_404(
    client, urls, admin_an, controller_other, controller_an, outsider, security_log
):
    for person in (admin_an, controller_other, controller_an, outsider):
        client.force_login(person)
        for method, url in urls:
            assert getattr(client, method)(url).status_code == 404, (person.username, url)
    assert len(security_log.events("access_denied")) == 4 * len(urls)
    # Nothing changed through the refused requests.
    assert controller_an.board_roles.count() == 1
    controller_an.refresh_from_db()
    assert controller_an.is_active
    assert GroupRoleMapping.objects.count() == 1
    assert not AccessChange.objects.exists()


def test_the_administrator_reaches_every_page(client, urls, admin_user):
    client.force_login(admin_user)
    for method, url in urls:
        if method == "get":
            assert client.get(url).status_code == 200, url


def test_an_unknown_user_role_or_mapping_is_404(client, admin_user, controller_an, secretary_an):
    client.force_login(admin_user)
    other_role = BoardRole.objects.get(user=secretary_an)
    assert client.get(reverse("goals:user_detail", args=[99999])).status_code == 404
    # A role of another user under this user's URL.
    url = reverse("goals:user_role_revoke", args=[controller_an.pk, other_role.pk])
    assert client.post(url).status_code == 404
    assert BoardRole.objects.filter(pk=other_role.pk).exists()
    assert client.get(reverse("goals:group_mapping_remove", args=[99999])).status_code == 404


def test_the_user_page_shows_roles_identities_and_history(
    client, admin_user, controller_an, board_an
):
    BoardRole.objects.create(
        user=controller_an, role=Role.MANAGER, board=None, source=RoleSource.GROUP
    )
    ExternalIdentity.objects.create(
        user=controller_an,
        provider=IdentityProvider.OIDC,
        subject="sub-123",
        groups=["6f1c2d3e-0000", "an-chefer"],
        last_login_at=timezone.make_aware(datetime.datetime(2026, 3, 4, 9, 15)),
    )
    AccessChange.objects.create(
        user=controller_an,
        kind=AccessChange.Kind.GRANTED,
        detail="Från gruppen an-chefer vid inloggning.",
    )
    client.force_login(admin_user)
    page = page_of(client.get(detail_url(controller_an)))
    assert "<td>Controller</td>" in page and "AN – Arbetsmarknadsnämnden" in page
    assert "Tilldelad för hand" in page
    assert "Från grupp i identitetstjänsten" in page and "Alla nämnder" in page
    assert "kommer den tillbaka vid nästa inloggning" in page
    assert "sub-123" in page and "6f1c2d3e-0000, an-chefer" in page and "2026-03-04 09:15" in page
    assert "System (inloggning)" in page  # the login's sync has no actor
    assert "Inaktivera kontot" in page


def test_grant_a_role_and_see_it_on_the_page(client, admin_user, outsider, board_an):
    client.force_login(admin_user)
    response = client.post(detail_url(outsider), {"role": Role.CONTROLLER, "board": board_an.pk})
    assert response.status_code == 302 and response["Location"] == detail_url(outsider)
    role = BoardRole.objects.get(user=outsider)
    assert (role.role, role.board, role.source) == (Role.CONTROLLER, board_an, RoleSource.MANUAL)
    page = page_of(client.get(detail_url(outsider)))
    assert "Tilldelad: Controller (AN)." in page
    assert "Roll tilldelad" in page and "Rollen Controller för AN tilldelad för hand." in page
    client.post(detail_url(outsider), {"role": Role.MANAGER, "board": "alla"})
    assert BoardRole.objects.get(user=outsider, role=Role.MANAGER).board is None
    assert AccessChange.objects.filter(user=outsider, actor=admin_user).count() == 2


def test_grant_refusals_are_shown_at_the_field(client, admin_user, controller_an, board_an):
    client.force_login(admin_user)
    response = client.post(
        detail_url(controller_an), {"role": Role.CONTROLLER, "board": board_an.pk}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {"role": ["Användaren har redan rollen Controller för AN."]}
    response = client.post(detail_url(controller_an), {"role": "", "board": ""})
    assert response.context["form"].errors == {
        "role": ["Välj en roll."],
        "board": ["Välj en nämnd, eller Alla nämnder."],
    }
    assert "Välj en nämnd, eller Alla nämnder." in page_of(response)
    response = client.post(detail_url(controller_an), {"role": "kung", "board": "999"})
    assert set(response.context["form"].errors) == {"role", "board"}
    assert BoardRole.objects.filter(user=controller_an).count() == 1
    assert not AccessChange.objects.exists()


def test_revoke_asks_first_then_revokes(client, admin_user, outsider, board_an):
    role = BoardRole.objects.create(
        user=outsider, role=Role.SECRETARY, board=board_an, source=RoleSource.GROUP
    )
    url = reverse("goals:user_role_revoke", args=[outsider.pk, role.pk])
    client.force_login(admin_user)
    page = page_of(client.get(url))
    assert "Återkalla rollen Nämndsekreterare (AN) för utomstaende?" in page
    assert "kommer tillbaka vid användarens nästa inloggning" in page
    assert BoardRole.objects.filter(pk=role.pk).exists()  # a GET changes nothing
    response = client.post(url)
    assert response["Location"] == detail_url(outsider)
    assert not BoardRole.objects.filter(pk=role.pk).exists()
    change = AccessChange.objects.get(user=outsider)
    assert (change.kind, change.actor) == (AccessChange.Kind.REVOKED, admin_user)


def test_the_last_administrators_role_cannot_be_revoked_on_the_page(client, db):
    only = make_user("enda_admin", Role.ADMINISTRATOR, None)
    role = BoardRole.objects.get(user=only)
    client.force_login(only)
    response = client.post(reverse("goals:user_role_revoke", args=[only.pk, role.pk]))
    assert response.status_code == 200
    assert "Det måste finnas minst en aktiv administratör för alla nämnder." in page_of(response)
    assert BoardRole.objects.filter(pk=role.pk).exists()


def test_deactivate_and_activate(client, admin_user, controller_an):
    client.force_login(admin_user)
    response = client.post(reverse("goals:user_deactivate", args=[controller_an.pk]))
    assert response["Location"] == detail_url(controller_an)
    controller_an.refresh_from_db()
    assert not controller_an.is_active
    page = page_of(client.get(detail_url(controller_an)))
    assert "Kontot för controller_an är inaktiverat" in page
    assert "Aktivera kontot" in page and "Inaktivera kontot" not in page
    client.post(reverse("goals:user_activate", args=[controller_an.pk]))
    controller_an.refresh_from_db()
    assert controller_an.is_active
    assert list(AccessChange.objects.filter(user=controller_an).values_list("kind", flat=True)) == [
        AccessChange.Kind.ACTIVATED,
        AccessChange.Kind.DEACTIVATED,
    ]


def test_a_deactivated_user_is_signed_out_at_once(client, admin_user, controller_an):
    from django.test import Client

    theirs = Client()
    theirs.force_login(controller_an)
    assert theirs.get(reverse("reports:home")).status_code == 200
    client.force_login(admin_user)
    client.post(reverse("goals:user_deactivate", args=[controller_an.pk]))
    response = theirs.get(reverse("reports:home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("core:login"))


def test_the_administrator_cannot_deactivate_themself(client, admin_user):
    client.force_login(admin_user)
    assert "Du kan inte inaktivera ditt eget konto." in page_of(client.get(detail_url(admin_user)))
    response = client.post(reverse("goals:user_deactivate", args=[admin_user.pk]))
    assert response.status_code == 200
    assert '<div class="message error" role="alert"><p>Du kan inte inaktivera' in page_of(response)
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_group_mappings_are_added_and_removed_on_the_page(client, admin_user, board_an):
    client.force_login(admin_user)
    page = page_of(client.get(MAPPINGS))
    assert "Entra ID skickar gruppernas objekt-id (GUID" in page
    assert "gäller från varje användares nästa inloggning" in page
    data = {"group": "6f1c2d3e-4a5b", "label": "AN:s controllers", "role": Role.CONTROLLER}
    response = client.post(MAPPINGS, {**data, "board": board_an.pk})
    assert response["Location"] == MAPPINGS
    mapping = GroupRoleMapping.objects.get()
    assert (mapping.group, mapping.label, mapping.board) == (
        "6f1c2d3e-4a5b",
        "AN:s controllers",
        board_an,
    )
    page = page_of(client.get(MAPPINGS))
    assert "<td>6f1c2d3e-4a5b</td>" in page and "AN:s controllers" in page
    response = client.post(MAPPINGS, {**data, "group": "6F1C2D3E-4A5B", "board": board_an.pk})
    assert response.context["form"].errors == {
        "group": ["Gruppen ger redan den rollen för nämnden."]
    }
    response = client.post(MAPPINGS, {**data, "group": " ", "board": ""})
    assert set(response.context["form"].errors) == {"group", "board"}
    assert GroupRoleMapping.objects.count() == 1
    remove = reverse("goals:group_mapping_remove", args=[mapping.pk])
    assert "Medlemmarna behåller rollen tills de loggar in nästa gång" in page_of(
        client.get(remove)
    )
    assert client.post(remove)["Location"] == MAPPINGS
    assert not GroupRoleMapping.objects.exists()
    assert list(AccessChange.objects.values_list("kind", "actor")) == [
        (AccessChange.Kind.MAPPING_REMOVED, admin_user.pk),
        (AccessChange.Kind.MAPPING_ADDED, admin_user.pk),
    ]


def test_the_log_lists_every_change_newest_first_and_filters(
    client, admin_user, controller_an, secretary_an, board_an, board_other
):
    def change(user, kind, board, day, detail):
        row = AccessChange.objects.create(
            user=user, actor=admin_user, kind=kind, board=board, detail=detail
        )
        at = timezone.make_aware(datetime.datetime(2026, 5, day, 12))
        AccessChange.objects.filter(pk=row.pk).update(at=at)

    change(controller_an, AccessChange.Kind.GRANTED, board_an, 1, "första")
    change(secretary_an, AccessChange.Kind.REVOKED, board_other, 3, "andra")
    change(controller_an, AccessChange.Kind.DEACTIVATED, None, 5, "tredje")
    client.force_login(admin_user)

    def details(query=""):
        return [row.detail for row in records(client.get(LOG + query))]

    assert details() == ["tredje", "andra", "första"]
    assert details("?anvandare=CONTROLLER_an") == ["tredje", "första"]
    assert details("?andring=roll_aterkallad") == ["andra"]
    assert details(f"?namnd={board_an.pk}") == ["första"]
    assert details("?fran=2026-05-02&till=2026-05-04") == ["andra"]
    assert details("?fran=2026-05-03") == ["tredje", "andra"]
    response = client.get(LOG + "?fran=igår")
    assert response.context["filter"].form.errors["fran"]
    page = page_of(client.get(LOG))
    assert f'<a href="{detail_url(controller_an)}">controller_an</a>' in page
    assert "Roll återkallad" in page


def test_log_query_count_is_flat(client, admin_user, controller_an, board_an):
    for _ in range(2):
        AccessChange.objects.create(
            user=controller_an, actor=admin_user, kind="roll_tilldelad", board=board_an
        )

    def grow():
        for number in range(18):
            user = make_user(f"u{number:02}", None, None)
            AccessChange.objects.create(
                user=user, actor=controller_an, kind="roll_tilldelad", board=board_an
            )

    client.force_login(admin_user)
    assert_flat_queries(client, LOG, rows=AccessChange.objects.count, grow=grow)


def _queries(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_user_page_and_mapping_list_query_counts_are_flat(
    client, admin_user, controller_an, board_an, board_other
):
    client.force_login(admin_user)
    url = detail_url(controller_an)
    small_user, small_mappings = _queries(client, url), _queries(client, MAPPINGS)
    for number in range(15):
        board = board_an if number % 2 else board_other
        BoardRole.objects.get_or_create(user=controller_an, role=Role.MANAGER, board=board)
        ExternalIdentity.objects.create(user=controller_an, provider="oidc", subject=f"s{number}")
        AccessChange.objects.create(
            user=controller_an, actor=admin_user, kind="roll_tilldelad", board=board
        )
        GroupRoleMapping.objects.create(group=f"grupp-{number}", role=Role.MANAGER, board=board)
    assert GroupRoleMapping.objects.count() == 15
    assert _queries(client, url) == small_user
    assert _queries(client, MAPPINGS) == small_mappings


def test_user_text_never_becomes_markup(client, admin_user, controller_an, board_an):
    controller_an.first_name = "<script>alert(1)</script>"
    controller_an.save()
    ExternalIdentity.objects.create(
        user=controller_an, provider="saml", subject="<b>sub</b>", groups=["<img src=x>"]
    )
    GroupRoleMapping.objects.create(
        group="<svg onload=x>", label="<i>grupp</i>", role=Role.CONTROLLER, board=board_an
    )
    AccessChange.objects.create(user=controller_an, kind="roll_tilldelad", detail="<u>detalj</u>")
    client.force_login(admin_user)
    pages = "".join(
        page_of(client.get(url))
        for url in (
            detail_url(controller_an),
            MAPPINGS,
            LOG,
            reverse("goals:group_mapping_remove", args=[GroupRoleMapping.objects.get().pk]),
        )
    )
    for raw in ("<script>alert", "<b>sub", "<img src=x>", "<svg", "<i>grupp", "<u>detalj"):
        assert raw not in pages, raw
    for escaped in (
        "&lt;script&gt;",
        "&lt;b&gt;sub",
        "&lt;img src=x&gt;",
        "&lt;svg onload=x&gt;",
        "&lt;i&gt;grupp",
        "&lt;u&gt;detalj",
    ):
        assert escaped in pages, escaped


def test_the_start_page_links_the_administration_for_the_administrator_only(
    client, admin_user, admin_an
):
    links = [reverse("goals:user_list"), MAPPINGS, LOG]
    client.force_login(admin_user)
    main = page_of(client.get(reverse("reports:home"))).split('id="main"')[1]
    assert all(f'href="{link}"' in main for link in links)
    client.force_login(admin_an)
    main = page_of(client.get(reverse("reports:home"))).split('id="main"')[1]
    assert not any(f'href="{link}"' in main for link in links)
