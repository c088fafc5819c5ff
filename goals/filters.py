"""django-filter forms of the list pages that goals owns (users), and the boards a filter
may offer. The text search and the year filter every list shares are in `core.lists`."""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest

from core.lists import SEARCH_LABEL, SEARCH_MAX, contains_text
from goals.access import Action, boards_for
from goals.models import Board, BoardRole, Role
from goals.selectors import user_list_boards


def user_boards(request: HttpRequest | None) -> QuerySet[Board]:
    """The boards a filter may offer: those the user may see (every board for no request)."""
    if request is None:
        return Board.objects.none()
    return boards_for(request.user, Action.VIEW).order_by("order", "name")


class UserFilter(django_filters.FilterSet):
    """Search by name, username or e-mail; filter by a role held on a board."""

    q = django_filters.CharFilter(label=SEARCH_LABEL, method="search", max_length=SEARCH_MAX)
    namnd = django_filters.ModelChoiceFilter(
        label="Nämnd",
        queryset=lambda request: user_list_boards(request.user),
        method="by_role",
        empty_label="Alla nämnder",
    )
    roll = django_filters.ChoiceFilter(
        label="Roll", choices=Role.choices, method="by_role", empty_label="Alla roller"
    )

    class Meta:
        model = get_user_model()
        fields: list[str] = []

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value.strip():
            return queryset
        return queryset.filter(
            contains_text(["username", "first_name", "last_name", "email"], value)
        )

    def by_role(self, queryset: QuerySet, name: str, value: object) -> QuerySet:
        # Board and role narrow one role row together (a controller *of AN*), so both
        # filters are applied at once, in filter_queryset.
        return queryset

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        board, role = self.form.cleaned_data.get("namnd"), self.form.cleaned_data.get("roll")
        if board is None and not role:
            return queryset
        roles = BoardRole.objects.filter(user=OuterRef("pk"))
        if board is not None:
            # A role without a board applies to every board, AN's as well.
            roles = roles.filter(Q(board=board) | Q(board__isnull=True))
        if role:
            roles = roles.filter(role=role)
        return queryset.filter(Exists(roles))
