"""The one sign-in path of OIDC and SAML: users created at first login, roles from groups."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from goals.identity import Identity, InactiveUserError, NoRoleError, sign_in
from goals.models import (
    AccessChange,
    BoardRole,
    ExternalIdentity,
    GroupRoleMapping,
    IdentityProvider,
    Role,
    RoleSource,
)

GUID_AN = "5b1f0f7e-2c1a-4c55-9a4f-1d2e3f4a5b6c"
GUID_ALL = "0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d"


def identity(*groups: str, subject: str = "sub-1", **extra) -> Identity:
    return Identity(
        provider=IdentityProvider.OIDC,
        subject=subject,
        username=extra.pop("username", "anna.andersson@linkoping.se"),
        email="anna.andersson@linkoping.se",
        first_name="Anna",
        last_name="Andersson",
        groups=tuple(groups),
        **extra,
    )


def roles_of(user) -> set[tuple[str, int | None, str]]:
    return set(BoardRole.objects.filter(user=user).values_list("role", "board_id", "source"))


@pytest.fixture
def mappings(board_an):
    GroupRoleMapping.objects.create(group=GUID_AN, role=Role.CONTROLLER, board=board_an)
    GroupRoleMapping.objects.create(group=GUID_ALL, role=Role.MANAGER, board=None)
    GroupRoleMapping.objects.create(
        group="Styrkort-sekreterare-AN", role=Role.SECRETARY, board=board_an
    )


def test_first_login_creates_the_user_with_the_groups_roles(mappings, board_an):
    user = sign_in(identity(GUID_AN, "some-other-group"))

    assert user.username == "anna.andersson@linkoping.se"
    assert user.get_full_name() == "Anna Andersson"
    assert not user.has_usable_password()
    assert roles_of(user) == {(Role.CONTROLLER, board_an.pk, RoleSource.GROUP)}
    external = ExternalIdentity.objects.get(user=user)
    assert (external.provider, external.subject) == ("oidc", "sub-1")
    assert external.groups == [GUID_AN, "some-other-group"]
    kinds = list(AccessChange.objects.filter(user=user).order_by("pk").values_list("kind", "actor"))
    assert kinds == [
        (AccessChange.Kind.USER_CREATED, None),
        (AccessChange.Kind.GRANTED, None),
    ]


def test_the_same_subject_is_the_same_user_and_groups_match_without_case(mappings, board_an):
    first = sign_in(identity(GUID_AN))
    again = sign_in(identity(GUID_AN.upper(), "STYRKORT-SEKRETERARE-AN"))

    assert again.pk == first.pk
    assert get_user_model().objects.count() == 1
    assert roles_of(again) == {
        (Role.CONTROLLER, board_an.pk, RoleSource.GROUP),
        (Role.SECRETARY, board_an.pk, RoleSource.GROUP),
    }


def test_a_changed_group_changes_the_role_at_the_next_login(mappings, board_an):
    user = sign_in(identity(GUID_AN))
    sign_in(identity(GUID_ALL))

    assert roles_of(user) == {(Role.MANAGER, None, RoleSource.GROUP)}
    revoked = AccessChange.objects.get(user=user, kind=AccessChange.Kind.REVOKED)
    assert (revoked.role, revoked.board_id) == (Role.CONTROLLER, board_an.pk)


def test_leaving_every_group_removes_the_access_and_refuses_the_login(mappings, board_an):
    user = sign_in(identity(GUID_AN))

    with pytest.raises(NoRoleError):
        sign_in(identity("unrelated"))

    # The removal is kept although the login was refused.
    assert roles_of(user) == set()
    assert AccessChange.objects.filter(user=user, kind=AccessChange.Kind.REVOKED).count() == 1
    assert ExternalIdentity.objects.get(user=user).groups == ["unrelated"]


def test_a_role_granted_by_hand_survives_group_changes(mappings, board_an, board_other):
    user = sign_in(identity(GUID_AN))
    BoardRole.objects.create(user=user, role=Role.MANAGER, board=board_other)
    sign_in(identity())  # no groups at all

    assert roles_of(user) == {(Role.MANAGER, board_other.pk, RoleSource.MANUAL)}


def test_a_login_without_any_role_records_the_user_but_is_refused(mappings):
    with pytest.raises(NoRoleError):
        sign_in(identity("nobody-maps-this"))
    user = get_user_model().objects.get()
    assert roles_of(user) == set()
    assert AccessChange.objects.filter(user=user, kind=AccessChange.Kind.USER_CREATED).exists()


def test_a_deactivated_account_is_refused_and_keeps_its_roles(mappings, board_an):
    user = sign_in(identity(GUID_AN))
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)

    with pytest.raises(InactiveUserError):
        sign_in(identity(GUID_ALL))
    assert roles_of(user) == {(Role.CONTROLLER, board_an.pk, RoleSource.GROUP)}


def test_a_taken_username_gets_a_free_one(mappings, controller_an):
    user = sign_in(identity(GUID_AN, username=controller_an.username))
    assert user.pk != controller_an.pk
    assert user.username == f"{controller_an.username}-2"


def test_the_refusal_page_says_why_in_swedish(client):
    response = client.get(reverse("goals:sign_in_refused", args=["ingen-behorighet"]))
    assert response.status_code == 403
    assert "ingen av dina grupper ger behörighet" in response.content.decode()
    assert client.get("/inloggning/nekad/<script>/").status_code == 404
