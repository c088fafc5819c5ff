"""Writes of user and role administration: grant and revoke roles, deactivate and activate
accounts, add and remove group mappings.

Only an administrator of every board calls these (the views check it, and so does each
service). Every change writes one AccessChange with the actor and a Swedish detail, and one
security-log line. The administrators of every board are locked while a change that could
remove one is checked, so two administrators cannot each remove the other at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from core.security import SecurityEvent, log_security_event
from core.sessions import end_sessions_of
from goals.access import Action, on_every_board
from goals.models import AccessChange, Board, BoardRole, GroupRoleMapping, Role, RoleSource

if TYPE_CHECKING:
    from django.contrib.auth.models import User

NOT_ADMINISTRATOR = "Bara en administratör för alla nämnder får ändra behörigheter."
ALREADY_HELD = "Användaren har redan rollen {role} för {board}."
ALREADY_EVERYWHERE = "Användaren har redan rollen {role} för alla nämnder."
LAST_ADMINISTRATOR = (
    "Det måste finnas minst en aktiv administratör för alla nämnder. Ge någon annan den "
    "rollen först."
)
NOT_YOURSELF = "Du kan inte inaktivera ditt eget konto."
ALREADY_INACTIVE = "Kontot är redan inaktiverat."
ALREADY_ACTIVE = "Kontot är redan aktivt."
GROUP_REQUIRED = "Ange gruppens id eller namn."

GRANTED = "Rollen {role} för {board} tilldelad för hand."
REVOKED = "Rollen {role} för {board} återkallad."
REVOKED_GROUP = (
    "Rollen {role} för {board} (från gruppen) återkallad; den kommer tillbaka vid nästa "
    "inloggning så länge en grupp ger den."
)
DEACTIVATED = "Kontot inaktiverat; {sessions} öppna sessioner avslutade."
ACTIVATED = "Kontot aktiverat."
MAPPING_ADDED = "Gruppen {group} ger rollen {role} för {board}."
MAPPING_REMOVED = "Gruppen {group} ger inte längre rollen {role} för {board}."


def board_label(board: Board | None) -> str:
    return board.code if board is not None else "alla nämnder"


def _require_administrator(actor: User) -> None:
    if not on_every_board(actor, Action.ADMINISTER):
        raise ValidationError(NOT_ADMINISTRATOR, code="no_right")


def _record(
    *,
    actor: User,
    user: User | None,
    kind: AccessChange.Kind,
    detail: str,
    role: str = "",
    board: Board | None = None,
) -> AccessChange:
    change = AccessChange(actor=actor, user=user, kind=kind, role=role, board=board, detail=detail)
    change.full_clean()
    change.save()
    log_security_event(
        SecurityEvent.ACCESS_CHANGED,
        user=actor,
        kind=kind.value,
        target=user.get_username() if user is not None else None,
        role=role or None,
        board=board.code if board is not None else None,
    )
    return change


def _lock_administrators() -> None:
    """Lock the administrator roles of every board, in one order, before anything else, so
    a concurrent removal waits for this one and then counts what it left (no deadlock)."""
    roles = BoardRole.objects.filter(role=Role.ADMINISTRATOR, board__isnull=True)
    list(roles.select_for_update().order_by("pk").values_list("pk", flat=True))


def _administrators_left(
    *, without_user: int | None = None, without_role: int | None = None
) -> int:
    """How many active administrators of every board remain once the user or role is gone
    (call `_lock_administrators` first)."""
    roles = BoardRole.objects.filter(role=Role.ADMINISTRATOR, board__isnull=True)
    remaining = roles.filter(user__is_active=True)
    if without_role is not None:
        remaining = remaining.exclude(pk=without_role)
    holders = set(remaining.values_list("user_id", flat=True))
    holders |= set(
        get_user_model()
        .objects.filter(is_active=True, is_superuser=True)
        .values_list("pk", flat=True)
    )
    if without_user is not None:
        holders.discard(without_user)
    return len(holders)


def _is_administrator_everywhere(user: User) -> bool:
    return (
        user.is_superuser
        or BoardRole.objects.filter(user=user, role=Role.ADMINISTRATOR, board__isnull=True).exists()
    )


@transaction.atomic
def grant_role(*, actor: User, user: User, role: str, board: Board | None) -> BoardRole:
    """Give the user a role on a board (None: every board) by hand (RoleSource.MANUAL)."""
    _require_administrator(actor)
    grant = BoardRole(user=user, role=role, board=board, source=RoleSource.MANUAL)
    grant.full_clean(validate_constraints=False)
    label = grant.get_role_display()
    held = BoardRole.objects.select_for_update().filter(user=user, role=role)
    if held.filter(board__isnull=True).exists():
        raise ValidationError({"board": ALREADY_EVERYWHERE.format(role=label)}, code="held")
    if board is not None and held.filter(board=board).exists():
        raise ValidationError(
            {"role": ALREADY_HELD.format(role=label, board=board.code)}, code="held"
        )
    grant.save()
    _record(
        actor=actor,
        user=user,
        kind=AccessChange.Kind.GRANTED,
        role=role,
        board=board,
        detail=GRANTED.format(role=label, board=board_label(board)),
    )
    return grant


@transaction.atomic
def revoke_role(*, actor: User, role: BoardRole) -> None:
    """Take the role away. A group role comes back at the next login while a group maps it."""
    _require_administrator(actor)
    _lock_administrators()
    role = (
        BoardRole.objects.select_for_update(of=("self",))
        .select_related("user", "board")
        .get(pk=role.pk)
    )
    if (
        role.role == Role.ADMINISTRATOR
        and role.board_id is None
        and role.user.is_active
        and not role.user.is_superuser
        and _administrators_left(without_role=role.pk) == 0
    ):
        raise ValidationError(LAST_ADMINISTRATOR, code="last_administrator")
    template = REVOKED_GROUP if role.source == RoleSource.GROUP else REVOKED
    detail = template.format(role=role.get_role_display(), board=board_label(role.board))
    role.delete()
    _record(
        actor=actor,
        user=role.user,
        kind=AccessChange.Kind.REVOKED,
        role=role.role,
        board=role.board,
        detail=detail,
    )


@transaction.atomic
def deactivate_user(*, actor: User, user: User) -> int:
    """Stop the account from signing in and end its open sessions; returns how many ended."""
    _require_administrator(actor)
    _lock_administrators()
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    if user.pk == actor.pk:
        raise ValidationError(NOT_YOURSELF, code="yourself")
    if not user.is_active:
        raise ValidationError(ALREADY_INACTIVE, code="inactive")
    if _is_administrator_everywhere(user) and _administrators_left(without_user=user.pk) == 0:
        raise ValidationError(LAST_ADMINISTRATOR, code="last_administrator")
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = end_sessions_of(user.pk)
    _record(
        actor=actor,
        user=user,
        kind=AccessChange.Kind.DEACTIVATED,
        detail=DEACTIVATED.format(sessions=ended),
    )
    return ended


@transaction.atomic
def activate_user(*, actor: User, user: User) -> None:
    _require_administrator(actor)
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        raise ValidationError(ALREADY_ACTIVE, code="active")
    user.is_active = True
    user.save(update_fields=["is_active"])
    _record(actor=actor, user=user, kind=AccessChange.Kind.ACTIVATED, detail=ACTIVATED)


@transaction.atomic
def add_group_mapping(
    *, actor: User, group: str, label: str, role: str, board: Board | None
) -> GroupRoleMapping:
    """Members of the group get the role at their next login (compared without case)."""
    _require_administrator(actor)
    group = group.strip()
    if not group:
        raise ValidationError({"group": GROUP_REQUIRED}, code="required")
    mapping = GroupRoleMapping(group=group, label=label.strip(), role=role, board=board)
    mapping.full_clean(validate_constraints=False)
    same = GroupRoleMapping.objects.filter(group__iexact=group, role=role)
    same = same.filter(Q(board=board) if board is not None else Q(board__isnull=True))
    if same.exists():
        # The database's constraint compares exactly; the login compares without case.
        message = (
            "Gruppen ger redan den rollen för nämnden."
            if board is not None
            else "Gruppen ger redan den rollen för alla nämnder."
        )
        raise ValidationError({"group": message}, code="duplicate")
    mapping.save()
    _record(
        actor=actor,
        user=None,
        kind=AccessChange.Kind.MAPPING_ADDED,
        role=role,
        board=board,
        detail=MAPPING_ADDED.format(
            group=_group_text(mapping), role=mapping.get_role_display(), board=board_label(board)
        ),
    )
    return mapping


@transaction.atomic
def remove_group_mapping(*, actor: User, mapping: GroupRoleMapping) -> None:
    """Members keep the role until their next login, when the sync removes it."""
    _require_administrator(actor)
    mapping = (
        GroupRoleMapping.objects.select_for_update(of=("self",))
        .select_related("board")
        .get(pk=mapping.pk)
    )
    detail = MAPPING_REMOVED.format(
        group=_group_text(mapping),
        role=mapping.get_role_display(),
        board=board_label(mapping.board),
    )
    board = mapping.board
    mapping.delete()
    _record(
        actor=actor,
        user=None,
        kind=AccessChange.Kind.MAPPING_REMOVED,
        role=mapping.role,
        board=board,
        detail=detail,
    )


def _group_text(mapping: GroupRoleMapping) -> str:
    return f"{mapping.group} ({mapping.label})" if mapping.label else mapping.group
