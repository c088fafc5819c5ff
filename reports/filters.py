"""django-filter forms of the list pages that reports owns (indicators, archived reports)."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest

from core.lists import SEARCH_LABEL, SEARCH_MAX, YearFilter, contains_text
from goals.access import Action, boards_for
from goals.filters import user_boards
from goals.models import Board, BoardGoal, GoalArea, YearRangeQuerySet
from goals.periods import OccasionKind, PeriodType
from indicators.models import Footnote, Indicator
from reports.models import ArchivedReport


def board_goals(request: HttpRequest | None) -> QuerySet[BoardGoal]:
    """Nämndmål of the boards the user may see, in board and goal order."""
    return (
        BoardGoal.objects.filter(board__in=user_boards(request))
        .select_related("board")
        .order_by("board__order", "board__code", "order", "valid_from")
    )


def board_goal_label(goal: BoardGoal) -> str:
    return f"{goal.board.code}: {goal.title} ({goal.years_label})"


def export_boards(request: HttpRequest | None) -> QuerySet[Board]:
    """The boards whose archived reports the user may download."""
    if request is None:
        return Board.objects.none()
    return boards_for(request.user, Action.EXPORT).order_by("order", "name")


class IndicatorFilter(django_filters.FilterSet):
    """Board, year, målområde, nämndmål, unit, frequency and a search of name and definition
    (the source and the footnotes that describe the indicator; it has no other definition)."""

    q = django_filters.CharFilter(label=SEARCH_LABEL, method="search", max_length=SEARCH_MAX)
    namnd = django_filters.ModelChoiceFilter(
        label="Nämnd", field_name="board", queryset=user_boards, empty_label="Alla nämnder"
    )
    ar = YearFilter(label="Gäller år", method="valid_in")
    malomrade = django_filters.ModelChoiceFilter(
        label="Målområde",
        field_name="board_goal__council_goal__goal_area",
        queryset=GoalArea.objects.order_by("order"),
        empty_label="Alla målområden",
    )
    namndmal = django_filters.ModelChoiceFilter(
        label="Nämndmål",
        field_name="board_goal",
        queryset=board_goals,
        empty_label="Alla nämndmål",
    )
    enhet = django_filters.ChoiceFilter(
        label="Enhet", field_name="unit", choices=Indicator.Unit.choices, empty_label="Alla"
    )
    frekvens = django_filters.ChoiceFilter(
        label="Rapporteras",
        field_name="frequency",
        choices=PeriodType.choices,
        empty_label="Alla",
    )

    class Meta:
        model = Indicator
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["namndmal"].label_from_instance = board_goal_label

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value.strip():
            return queryset
        notes = Footnote.objects.filter(indicator=OuterRef("pk")).filter(
            contains_text(["text"], value)
        )
        return queryset.filter(contains_text(["name", "source"], value) | Exists(notes))

    def valid_in(self, queryset: YearRangeQuerySet, name: str, value: int) -> QuerySet:
        return queryset.valid_in(value)


class ArchivedReportFilter(django_filters.FilterSet):
    namnd = django_filters.ModelChoiceFilter(
        label="Nämnd", field_name="board", queryset=export_boards, empty_label="Alla nämnder"
    )
    ar = YearFilter(label="År", field_name="year")
    tillfalle = django_filters.ChoiceFilter(
        label="Tillfälle", field_name="kind", choices=OccasionKind.choices, empty_label="Alla"
    )

    class Meta:
        model = ArchivedReport
        fields: list[str] = []
