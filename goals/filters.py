"""django-filter forms of the list pages that goals owns (users), and the text search they share.

`contains_text` is the one text search of every list page: case-insensitive for Swedish
letters too. SQLite's LIKE folds only ASCII (so "ÄLDRE" would miss "äldre"); a regular
expression with (?i) is folded by Python's re on SQLite and by PostgreSQL's ~* alike.
"""

from __future__ import annotations

import re

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest

from goals.access import Action, boards_for
from goals.models import Board, BoardRole, Role
from goals.selectors import user_list_boards

SEARCH_LABEL = "Sök"
SEARCH_MAX = 200  # a search text, not a document


def contains_text(fields: list[str], text: str) -> Q:
    """Rows where any of the fields holds the text, whatever its case (ä, å, ö as well)."""
    pattern = re.escape(text.strip())
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__iregex": pattern})
    return condition


class YearFilter(django_filters.NumberFilter):
    """A year: a whole number typed in a number field (not an amount with decimals)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.NumberInput(attrs={"min": 1900, "max": 2999}))
        kwargs.setdefault("min_value", 1900)
        kwargs.setdefault("max_value", 2999)
        super().__init__(*args, **kwargs)


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
