"""Sign-in through the municipality's identity provider: one path for OIDC and SAML.

The provider vouches for a person (a subject, names, e-mail and groups); this module finds or
creates the user for that subject, recomputes the roles that come from groups (BoardRole with
`source` GROUP) from the group mappings, and records each change as an AccessChange. Roles
granted by hand (`source` MANUAL) are never touched here, so leaving a group removes exactly
the access that group gave, at the next login.

The protocol glue (mozilla-django-oidc, djangosaml2) verifies the token or assertion first and
calls `sign_in` only with what it verified; nothing here reads a raw token.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from goals.models import (
    AccessChange,
    BoardRole,
    ExternalIdentity,
    GroupRoleMapping,
    IdentityProvider,
    RoleSource,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

NO_ROLE_MESSAGE = (
    "Du är inloggad hos kommunens identitetstjänst, men ingen av dina grupper ger behörighet "
    "i Styrkort. Kontakta Styrkorts administratör om du ska ha tillgång."
)
INACTIVE_MESSAGE = "Ditt konto i Styrkort är inaktiverat. Kontakta Styrkorts administratör."
FROM_GROUP = "Från gruppen {group} vid inloggning."
LEFT_GROUP = "Ingen av användarens grupper ger rollen längre (inloggning)."
CREATED_AT_LOGIN = "Skapat vid första inloggningen genom {provider}."

USERNAME_MAX = 150
USERNAME_UNSAFE = re.compile(r"[^\w.@+-]")


class NoRoleError(PermissionDenied):
    """The provider vouched for the person, but no group of theirs maps to a role."""


class InactiveUserError(PermissionDenied):
    """The account exists and an administrator has deactivated it."""


@dataclass(frozen=True)
class Identity:
    """What a verified OIDC token or SAML assertion says about a person."""

    provider: IdentityProvider
    subject: str
    username: str = ""
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    groups: tuple[str, ...] = field(default_factory=tuple)


def sign_in(identity: Identity) -> User:
    """The user the identity belongs to, with group roles recomputed; refuses without a role.

    The user and their external identity are created at the first login. Raises NoRoleError
    (after recording the user and their groups, so the administrator can see who tried) when
    the user then has no role at all, and InactiveUserError for a deactivated account.
    """
    if not identity.subject:
        raise ValueError("An identity needs a subject.")
    with transaction.atomic():
        external = (
            ExternalIdentity.objects.select_for_update()
            .select_related("user")
            .filter(provider=identity.provider, subject=identity.subject)
            .first()
        )
        if external is None:
            user = _create_user(identity)
            external = ExternalIdentity(
                user=user, provider=identity.provider, subject=identity.subject
            )
        else:
            user = external.user
            _update_profile(user, identity)
        external.groups = sorted(set(identity.groups))
        external.last_login_at = timezone.now()
        external.full_clean()
        external.save()
        has_role = False
        if user.is_active:
            sync_group_roles(user=user, groups=identity.groups)
            has_role = user.is_superuser or BoardRole.objects.filter(user=user).exists()
    # Raised after the commit: the new user, their groups and a removed role stay recorded.
    if not user.is_active:
        raise InactiveUserError(INACTIVE_MESSAGE)
    if not has_role:
        raise NoRoleError(NO_ROLE_MESSAGE)
    return user


def roles_for_groups(groups: Iterable[str]) -> dict[tuple[str, int | None], str]:
    """(role, board id) → the group that gives it, for the mappings of these groups."""
    wanted = {group.strip().lower() for group in groups if group and group.strip()}
    if not wanted:
        return {}
    mappings = (
        GroupRoleMapping.objects.annotate(group_key=Lower("group"))
        .filter(group_key__in=wanted)
        .order_by("group", "pk")
        .values_list("role", "board_id", "group")
    )
    roles: dict[tuple[str, int | None], str] = {}
    for role, board_id, group in mappings:
        roles.setdefault((role, board_id), group)
    return roles


def sync_group_roles(*, user: User, groups: Iterable[str]) -> list[AccessChange]:
    """Make the user's group roles exactly what their groups map to; returns the changes."""
    wanted = roles_for_groups(groups)
    held = {
        (role.role, role.board_id): role
        for role in BoardRole.objects.filter(user=user).select_for_update()
    }
    changes: list[AccessChange] = []
    for key, role in held.items():
        if role.source == RoleSource.GROUP and key not in wanted:
            role.delete()
            changes.append(
                AccessChange(
                    user=user,
                    kind=AccessChange.Kind.REVOKED,
                    role=role.role,
                    board_id=role.board_id,
                    detail=LEFT_GROUP,
                )
            )
    for (role_name, board_id), group in wanted.items():
        if (role_name, board_id) in held:
            continue  # already held, by hand or from a group
        role = BoardRole(user=user, role=role_name, board_id=board_id, source=RoleSource.GROUP)
        role.full_clean()
        role.save()
        changes.append(
            AccessChange(
                user=user,
                kind=AccessChange.Kind.GRANTED,
                role=role_name,
                board_id=board_id,
                detail=FROM_GROUP.format(group=group),
            )
        )
    AccessChange.objects.bulk_create(changes)
    return changes


def _create_user(identity: Identity) -> User:
    user_model = get_user_model()
    user = user_model(
        username=_free_username(identity),
        email=identity.email,
        first_name=identity.first_name[:150],
        last_name=identity.last_name[:150],
    )
    # No local password: this person signs in through the identity provider only.
    user.set_unusable_password()
    user.save()
    AccessChange.objects.create(
        user=user,
        kind=AccessChange.Kind.USER_CREATED,
        detail=CREATED_AT_LOGIN.format(provider=IdentityProvider(identity.provider).label),
    )
    return user


def _update_profile(user: User, identity: Identity) -> None:
    """Names and e-mail follow the provider, which owns them; only when it sends them."""
    fields = {
        "email": identity.email,
        "first_name": identity.first_name[:150],
        "last_name": identity.last_name[:150],
    }
    changed = [name for name, value in fields.items() if value and getattr(user, name) != value]
    for name in changed:
        setattr(user, name, fields[name])
    if changed:
        user.save(update_fields=changed)


def _free_username(identity: Identity) -> str:
    """A readable username that no one has: the provider's hint, else provider and subject."""
    base = USERNAME_UNSAFE.sub("", identity.username or identity.email)[:USERNAME_MAX]
    if not base:
        base = f"{identity.provider}-{USERNAME_UNSAFE.sub('', identity.subject)}"[:USERNAME_MAX]
    user_model = get_user_model()
    candidate, number = base, 1
    while user_model.objects.filter(username__iexact=candidate).exists():
        number += 1
        suffix = f"-{number}"
        candidate = f"{base[: USERNAME_MAX - len(suffix)]}{suffix}"
    return candidate


class IdentityProviderSessionBackend(ModelBackend):
    """Loads the user of a session that an identity provider's sign-in opened (SAML).

    It authenticates nothing itself (a password never reaches it); it only lets Django find the
    user of such a session again, for active users, whatever STYRKORT_PASSWORD_LOGIN says.
    """

    def authenticate(
        self, request: Any, username: Any = None, password: Any = None, **kwargs: Any
    ) -> None:
        return None
