"""django-tables2 tables of the list pages that goals owns (users, access changes)."""

from __future__ import annotations

import django_tables2 as tables
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils.html import format_html_join

from goals.models import AccessChange, BoardRole, RoleSource
from goals.users import SYSTEM, user_label


def role_label(role: BoardRole) -> str:
    """ "Controller (AN)", "Administratör (alla nämnder)"; plain text, escaped where shown."""
    return f"{role.get_role_display()} ({role.board.code if role.board else 'alla nämnder'})"


class UserTable(tables.Table):
    """The users and their roles; each username links to the user's page."""

    caption = "Användare och deras roller"

    username = tables.Column(
        verbose_name="Användarnamn", linkify=("goals:user_detail", [tables.A("pk")])
    )
    name = tables.Column(
        verbose_name="Namn",
        accessor="last_name",
        order_by=("last_name", "first_name"),
        empty_values=(),
    )
    email = tables.Column(verbose_name="E-post", default="–")
    roles = tables.Column(verbose_name="Roller", accessor="pk", orderable=False)
    is_active = tables.BooleanColumn(verbose_name="Aktiv", yesno="Ja,Nej")
    last_login = tables.DateTimeColumn(
        verbose_name="Senast inloggad", format="Y-m-d H:i", default="Aldrig"
    )

    class Meta:
        model = get_user_model()
        fields = ("username", "name", "email", "roles", "is_active", "last_login")
        empty_text = "Inga användare matchar urvalet."

    def render_name(self, record: User) -> str:
        return record.get_full_name() or "–"

    def render_roles(self, record):
        roles = record.shown_roles
        if not roles:
            return "–"
        # format_html_join escapes each part: role and board names are never markup.
        return format_html_join(
            ", ",
            "{}{}",
            ((role_label(r), " från grupp" if r.source == RoleSource.GROUP else "") for r in roles),
        )


class AccessChangeTable(tables.Table):
    """The Behörighetslogg: who changed whose access, when, newest first."""

    caption = "Behörighetsändringar, senaste först"

    at = tables.DateTimeColumn(verbose_name="Tidpunkt", format="Y-m-d H:i")
    kind = tables.Column(verbose_name="Ändring")
    user = tables.Column(
        verbose_name="Användare",
        linkify=lambda record: (
            reverse("goals:user_detail", args=[record.user_id]) if record.user_id else None
        ),
        order_by=("user__username",),
        default="–",
    )
    role = tables.Column(verbose_name="Roll", default="–")
    board = tables.Column(verbose_name="Nämnd", accessor="board__code", default="–")
    actor = tables.Column(verbose_name="Ändrad av", empty_values=(), order_by=("actor__username",))
    detail = tables.Column(verbose_name="Detaljer", orderable=False, default="–")

    class Meta:
        model = AccessChange
        fields = ("at", "kind", "user", "role", "board", "actor", "detail")
        empty_text = "Inga behörighetsändringar matchar urvalet."

    def render_user(self, record: AccessChange) -> str:
        return user_label(record.user)

    def render_actor(self, record: AccessChange) -> str:
        # No actor: the role sync at an identity provider login made the change.
        return user_label(record.actor, missing=f"{SYSTEM} (inloggning)")
