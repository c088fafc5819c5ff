"""django-tables2 tables of the list pages that goals owns (users)."""

from __future__ import annotations

import django_tables2 as tables
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.utils.html import format_html_join


class UserTable(tables.Table):
    """Read-only list of users and the roles shown to the administrator (issue 18 edits)."""

    caption = "Användare och deras roller"

    username = tables.Column(verbose_name="Användarnamn")
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
            "{} ({})",
            ((r.get_role_display(), r.board.code if r.board else "alla nämnder") for r in roles),
        )
