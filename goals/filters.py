"""django-filter forms of the list pages that goals owns (users, access changes), and the boards a filter
may offer. The text search and the year filter every list shares are in `core.lists`."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest

from core.lists import SEARCH_LABEL, SEARCH_MAX, contains_text
from goals.access import Action, boards_for
from goals.models import AccessChange, Board, BoardRole, Role, RoleSource
from goals.selectors import user_list_boards


def user_boards(request: HttpRequest | None) -> QuerySet[Board]:
    """The boards a filter may offer: those the user may see (every board for no request)."""
    if request is None:
        return Board.objects.none()
    return boards_for(request.user, Action.VIEW).order_by("order", "name")


ACTIVE_CHOICES = [("ja", "Aktiva"), ("nej", "Inaktiverade")]


class UserFilter(django_filters.FilterSet):
    """Search by name, username or e-mail; filter by a role held on a board, by where the role
    comes from, and by whether the account is active."""

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
    ursprung = django_filters.ChoiceFilter(
        label="Rollens ursprung",
        choices=RoleSource.choices,
        method="by_role",
        empty_label="Alla ursprung",
    )
    aktiv = django_filters.ChoiceFilter(
        label="Konto", choices=ACTIVE_CHOICES, method="by_active", empty_label="Alla konton"
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

    def by_active(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(is_active=value == "ja") if value else queryset

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        board, role, source = data.get("namnd"), data.get("roll"), data.get("ursprung")
        if board is None and not role and not source:
            return queryset
        roles = BoardRole.objects.filter(user=OuterRef("pk"))
        if board is not None:
            # A role without a board applies to every board, AN's as well.
            roles = roles.filter(Q(board=board) | Q(board__isnull=True))
        if role:
            roles = roles.filter(role=role)
        if source:
            roles = roles.filter(source=source)
        return queryset.filter(Exists(roles))


class AccessChangeFilter(django_filters.FilterSet):
    """The Behörighetslogg: by the user changed (name, username), kind, board and date."""

    anvandare = django_filters.CharFilter(
        label="Användare", method="by_user", max_length=SEARCH_MAX
    )
    andring = django_filters.ChoiceFilter(
        label="Ändring",
        field_name="kind",
        choices=AccessChange.Kind.choices,
        empty_label="Alla ändringar",
    )
    namnd = django_filters.ModelChoiceFilter(
        label="Nämnd",
        field_name="board",
        queryset=lambda request: user_list_boards(request.user),
        empty_label="Alla nämnder",
    )
    fran = django_filters.DateFilter(
        label="Från och med datum",
        field_name="at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    till = django_filters.DateFilter(
        label="Till och med datum",
        field_name="at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AccessChange
        fields: list[str] = []

    def by_user(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value.strip():
            return queryset
        return queryset.filter(
            contains_text(["user__username", "user__first_name", "user__last_name"], value)
        )
