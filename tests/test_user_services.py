"""The user administration's services: each rule, each refusal, one audit row per change with
its actor, a security-log line, and the guard that keeps an administrator of every board."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client

from goals import user_services as services
from goals.identity import Identity, sign_in
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


@pytest.fixture
def chief(db):
    """An administrator of every board through a role (not a superuser)."""
    return make_user("chef_admin", Role.ADMINISTRATOR, None)


def changes(**filters):
    return list(AccessChange.objects.filter(**filters).order_by("pk"))


def messages_of(error: ValidationError) -> list[str]:
    return error.messages


def test_grant_on_a_board_is_manual_and_audited_with_the_actor(
    chief, controller_an, board_other, security_log
):
    role = services.grant_role(
        actor=chief, user=controller_an, role=Role.MANAGER, board=board_other
    )
    assert (role.role, role.board, role.source) == (Role.MANAGER, board_other, RoleSource.MANUAL)
    [change] = changes(user=controller_an)
    assert (change.actor, change.kind, change.role, change.board) == (
        chief,
        AccessChange.Kind.GRANTED,
        Role.MANAGER,
        board_other,
    )
    assert change.detail == "Rollen Chef för BIN tilldelad för hand."
    [event] = security_log.events("access_changed")
    assert event["user"] == "chef_admin"
    assert event["detail"]["target"] == "controller_an"
    assert event["detail"]["kind"] == "roll_tilldelad"
    assert event["detail"]["board"] == "BIN"


def test_grant_on_every_board(chief, outsider):
    role = services.grant_role(actor=chief, user=outsider, role=Role.CONTROLLER, board=None)
    assert role.board is None
    assert (
        changes(user=outsider)[0].detail == "Rollen Controller för alla nämnder tilldelad för hand."
    )


def test_a_role_already_held_is_refused_and_nothing_is_written(chief, controller_an, board_an):
    with pytest.raises(ValidationError) as refused:
        services.grant_role(actor=chief, user=controller_an, role=Role.CONTROLLER, board=board_an)
    assert refused.value.message_dict == {
        "role": ["Användaren har redan rollen Controller för AN."]
    }
    BoardRole.objects.filter(user=controller_an).update(board=None)
    with pytest.raises(ValidationError) as refused:
        services.grant_role(actor=chief, user=controller_an, role=Role.CONTROLLER, board=board_an)
    assert refused.value.message_dict == {
        "board": ["Användaren har redan rollen Controller för alla nämnder."]
    }
    assert BoardRole.objects.filter(user=controller_an).count() == 1
    assert not changes(user=controller_an)


def test_a_role_held_from_a_group_counts_as_held(chief, outsider, board_an):
    BoardRole.objects.create(
        user=outsider, role=Role.SECRETARY, board=board_an, source=RoleSource.GROUP
    )
    with pytest.raises(ValidationError):
        services.grant_role(actor=chief, user=outsider, role=Role.SECRETARY, board=board_an)


def test_only_an_administrator_of_every_board_may_change_access(board_an, controller_an):
    admin_an = make_user("admin_an", Role.ADMINISTRATOR, board_an)
    with pytest.raises(ValidationError) as refused:
        services.grant_role(actor=admin_an, user=controller_an, role=Role.MANAGER, board=board_an)
    assert refused.value.messages == [services.NOT_ADMINISTRATOR]
    role = BoardRole.objects.get(user=controller_an)
    for attempt in (
        lambda: services.revoke_role(actor=admin_an, role=role),
        lambda: services.deactivate_user(actor=admin_an, user=controller_an),
        lambda: services.add_group_mapping(
            actor=admin_an, group="g", label="", role=Role.CONTROLLER, board=board_an
        ),
    ):
        with pytest.raises(ValidationError):
            attempt()
    assert not AccessChange.objects.exists()
    assert controller_an.board_roles.count() == 1


def test_revoke_is_audited_and_says_a_group_role_comes_back(chief, outsider, board_an):
    manual = BoardRole.objects.create(user=outsider, role=Role.CONTROLLER, board=board_an)
    grouped = BoardRole.objects.create(
        user=outsider, role=Role.MANAGER, board=board_an, source=RoleSource.GROUP
    )
    services.revoke_role(actor=chief, role=manual)
    services.revoke_role(actor=chief, role=grouped)
    assert not BoardRole.objects.filter(user=outsider).exists()
    first, second = changes(user=outsider)
    assert (first.kind, first.actor, first.role, first.board) == (
        AccessChange.Kind.REVOKED,
        chief,
        Role.CONTROLLER,
        board_an,
    )
    assert first.detail == "Rollen Controller för AN återkallad."
    assert "kommer tillbaka vid nästa inloggning" in second.detail


def test_a_revoked_group_role_comes_back_at_the_next_login(chief, board_an):
    GroupRoleMapping.objects.create(group="an-chefer", role=Role.MANAGER, board=board_an)
    identity = Identity(
        provider=IdentityProvider.OIDC, subject="s-1", username="eva", groups=("an-chefer",)
    )
    user = sign_in(identity)
    role = BoardRole.objects.get(user=user)
    services.revoke_role(actor=chief, role=role)
    assert not BoardRole.objects.filter(user=user).exists()
    sign_in(identity)
    assert BoardRole.objects.get(user=user).source == RoleSource.GROUP


def test_the_last_administrator_of_every_board_keeps_the_role(chief, board_an):
    role = BoardRole.objects.get(user=chief)
    make_user("admin_an", Role.ADMINISTRATOR, board_an)  # an administrator of one board is not
    with pytest.raises(ValidationError) as refused:
        services.revoke_role(actor=chief, role=role)
    assert refused.value.messages == [services.LAST_ADMINISTRATOR]
    # A second administrator of every board counts only while the account is active.
    second = make_user("andra_admin", Role.ADMINISTRATOR, None)
    services.deactivate_user(actor=chief, user=second)
    with pytest.raises(ValidationError):
        services.revoke_role(actor=chief, role=role)
    services.activate_user(actor=chief, user=second)
    services.revoke_role(actor=chief, role=role)  # now one may go
    assert not BoardRole.objects.filter(user=chief).exists()
    with pytest.raises(ValidationError) as refused:
        services.revoke_role(actor=second, role=BoardRole.objects.get(user=second))
    assert refused.value.messages == [services.LAST_ADMINISTRATOR]
    assert [c.kind for c in changes(user=chief)] == [AccessChange.Kind.REVOKED]


def test_a_superuser_counts_as_administrator_of_every_board(chief, admin_user):
    services.revoke_role(actor=admin_user, role=BoardRole.objects.get(user=chief))
    assert not BoardRole.objects.filter(user=chief).exists()


def test_no_one_deactivates_themself_or_the_last_administrator(chief):
    with pytest.raises(ValidationError) as refused:
        services.deactivate_user(actor=chief, user=chief)
    assert refused.value.messages == [services.NOT_YOURSELF]
    helper = make_user("helper", Role.ADMINISTRATOR, None)
    services.deactivate_user(actor=helper, user=chief)  # two administrators: one may go
    chief.refresh_from_db()
    assert not chief.is_active
    # helper is now the last active one; a superuser who is inactive does not count.
    make_user("gammal_superuser", None, None, is_superuser=True, is_active=False)
    assert services._administrators_left(without_user=helper.pk) == 0
    with pytest.raises(ValidationError) as refused:
        services.deactivate_user(actor=helper, user=helper)
    assert refused.value.messages == [services.NOT_YOURSELF]
    assert [c.kind for c in changes(user=chief)] == [AccessChange.Kind.DEACTIVATED]


def test_deactivating_the_last_administrator_is_refused(chief, admin_user):
    """Two administrators deactivating each other at once: the actor's roles were read when
    the request began, and meanwhile the other deactivated the actor. The guard counts the
    accounts as they are now and leaves the last one active."""
    admin_user._styrkort_roles = [(Role.ADMINISTRATOR, None)]  # read at the request's start
    admin_user.is_active = False
    admin_user.save(update_fields=["is_active"])
    with pytest.raises(ValidationError) as refused:
        services.deactivate_user(actor=admin_user, user=chief)
    assert refused.value.messages == [services.LAST_ADMINISTRATOR]
    chief.refresh_from_db()
    assert chief.is_active
    assert not AccessChange.objects.exists()


def test_deactivate_ends_the_users_sessions_only_and_is_audited(chief, controller_an, outsider):
    theirs, mine = Client(), Client()
    theirs.force_login(controller_an)
    theirs.force_login(controller_an)  # a second session of the same user
    Client().force_login(controller_an)
    mine.force_login(outsider)
    assert Session.objects.count() == 3
    ended = services.deactivate_user(actor=chief, user=controller_an)
    assert ended == 2
    assert Session.objects.count() == 1  # the outsider's
    controller_an.refresh_from_db()
    assert not controller_an.is_active
    assert BoardRole.objects.filter(user=controller_an).exists()  # the roles stay
    [change] = changes(user=controller_an)
    assert (change.kind, change.actor) == (AccessChange.Kind.DEACTIVATED, chief)
    assert change.detail == "Kontot inaktiverat; 2 öppna sessioner avslutade."
    with pytest.raises(ValidationError) as refused:
        services.deactivate_user(actor=chief, user=controller_an)
    assert refused.value.messages == [services.ALREADY_INACTIVE]
    services.activate_user(actor=chief, user=controller_an)
    controller_an.refresh_from_db()
    assert controller_an.is_active
    assert changes(user=controller_an)[-1].kind == AccessChange.Kind.ACTIVATED
    with pytest.raises(ValidationError) as refused:
        services.activate_user(actor=chief, user=controller_an)
    assert refused.value.messages == [services.ALREADY_ACTIVE]


def test_group_mappings_are_added_and_removed_with_an_audit_row(chief, board_an):
    mapping = services.add_group_mapping(
        actor=chief,
        group="  6F1C2D3E-4A5B-6C7D-8E9F-0A1B2C3D4E5F ",
        label="AN controllers",
        role=Role.CONTROLLER,
        board=board_an,
    )
    assert mapping.group == "6F1C2D3E-4A5B-6C7D-8E9F-0A1B2C3D4E5F"
    added = changes(kind=AccessChange.Kind.MAPPING_ADDED)[0]
    assert (added.actor, added.user, added.role, added.board) == (
        chief,
        None,
        Role.CONTROLLER,
        board_an,
    )
    assert added.detail == (
        "Gruppen 6F1C2D3E-4A5B-6C7D-8E9F-0A1B2C3D4E5F (AN controllers) ger rollen Controller för AN."
    )
    # The login compares groups without case, so the same group in lower case is the same.
    with pytest.raises(ValidationError) as refused:
        services.add_group_mapping(
            actor=chief,
            group="6f1c2d3e-4a5b-6c7d-8e9f-0a1b2c3d4e5f",
            label="",
            role=Role.CONTROLLER,
            board=board_an,
        )
    assert refused.value.message_dict == {"group": ["Gruppen ger redan den rollen för nämnden."]}
    with pytest.raises(ValidationError) as refused:
        services.add_group_mapping(
            actor=chief, group="  ", label="", role=Role.CONTROLLER, board=None
        )
    assert refused.value.message_dict == {"group": [services.GROUP_REQUIRED]}
    services.add_group_mapping(
        actor=chief, group="alla-chefer", label="", role=Role.MANAGER, board=None
    )
    with pytest.raises(ValidationError) as refused:
        services.add_group_mapping(
            actor=chief, group="ALLA-chefer", label="", role=Role.MANAGER, board=None
        )
    assert refused.value.message_dict == {
        "group": ["Gruppen ger redan den rollen för alla nämnder."]
    }
    services.remove_group_mapping(actor=chief, mapping=mapping)
    assert not GroupRoleMapping.objects.filter(pk=mapping.pk).exists()
    removed = changes(kind=AccessChange.Kind.MAPPING_REMOVED)[0]
    assert (removed.actor, removed.board) == (chief, board_an)
    assert "ger inte längre rollen Controller för AN" in removed.detail
    assert GroupRoleMapping.objects.count() == 1


def test_a_removed_mapping_takes_the_role_away_at_the_next_login_only(chief, board_an):
    mapping = services.add_group_mapping(
        actor=chief, group="an-controllers", label="", role=Role.CONTROLLER, board=board_an
    )
    identity = Identity(
        provider=IdentityProvider.SAML,
        subject="nameid-7",
        username="per",
        groups=("an-controllers",),
    )
    user = sign_in(identity)
    services.add_group_mapping(
        actor=chief, group="an-controllers", label="", role=Role.MANAGER, board=board_an
    )
    services.remove_group_mapping(actor=chief, mapping=mapping)
    assert list(BoardRole.objects.filter(user=user).values_list("role", flat=True)) == [
        Role.CONTROLLER
    ]  # until the next login
    sign_in(identity)
    assert list(BoardRole.objects.filter(user=user).values_list("role", flat=True)) == [
        Role.MANAGER
    ]
    assert ExternalIdentity.objects.get(user=user).groups == ["an-controllers"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("change", ["revoke", "deactivate"])
def test_two_administrators_removing_each_other_at_once_leave_one(change):
    """Each locks the administrators first, so the second counts what the first left."""
    from tests.test_workflow_concurrency import _race, _skip_unless_postgres

    _skip_unless_postgres()
    first = make_user("forsta_admin", Role.ADMINISTRATOR, None)
    second = make_user("andra_admin", Role.ADMINISTRATOR, None)

    def remove(actor, other):
        if change == "revoke":
            return lambda: services.revoke_role(actor=actor, role=BoardRole.objects.get(user=other))
        return lambda: services.deactivate_user(actor=actor, user=other)

    results = _race([remove(first, second), remove(second, first)])
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, ValidationError) and error.messages == [services.LAST_ADMINISTRATOR]
    left = BoardRole.objects.filter(
        role=Role.ADMINISTRATOR, board__isnull=True, user__is_active=True
    )
    assert left.count() == 1
    assert AccessChange.objects.count() == 1
