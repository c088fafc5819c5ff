"""django-filter forms of the list pages that reports owns (indicators, archived reports)."""

from __future__ import annotations

from dataclasses import dataclass

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest

from core.lists import SEARCH_LABEL, SEARCH_MAX, YearFilter, contains_text
from goals.access import Action, boards_for
from goals.filters import user_boards
from goals.models import Board, BoardGoal, GoalArea, YearRangeQuerySet
from goals.periods import OccasionKind, PeriodType
from indicators.models import Footnote, Indicator
from reports.dashboard.filters import default_year
from reports.dashboard.rows import IndicatorRow, latest_judgements
from reports.models import ArchivedReport

OFF_TARGET_LABEL = "Endast ej uppnådda"


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


class CheckboxFilter(django_filters.Filter):
    """A box to tick: unticked filters nothing."""

    field_class = forms.BooleanField


@dataclass
class JudgedIndicators:
    """The filtered indicators with their latest outcome of `year` judged against its target."""

    indicators: QuerySet[Indicator]
    judgements: dict[int, IndicatorRow]
    year: int
    only_off_target: bool


class IndicatorFilter(django_filters.FilterSet):
    """Board, year, målområde, nämndmål, category, unit, frequency, a search of every word in
    the name, the board, the nämndmål and the definition (the source and the footnotes that
    describe the indicator; it has no other definition), and "only off target"."""

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
    kategori = django_filters.ChoiceFilter(
        label="Kategori",
        field_name="category",
        choices=Indicator.Category.choices,
        empty_label="Alla kategorier",
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
    # Judged in judged() from the outcomes, after the other filters; a box, not a query.
    ej_uppnadda = CheckboxFilter(label=OFF_TARGET_LABEL, method="judged_later", required=False)

    class Meta:
        model = Indicator
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["namndmal"].label_from_instance = board_goal_label

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Every word somewhere in the row, in any order ("ekonomiskt AN bistånd")."""
        for word in value.split():
            notes = Footnote.objects.filter(indicator=OuterRef("pk")).filter(
                contains_text(["text"], word)
            )
            queryset = queryset.filter(
                contains_text(
                    ["name", "source", "board__name", "board__code", "board_goal__title"], word
                )
                | Exists(notes)
            )
        return queryset

    def judged_later(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset

    def judged(self) -> JudgedIndicators:
        """The filtered indicators judged in the chosen year (or the year followed up now);
        with "Endast ej uppnådda" only those whose latest outcome misses its målvärde."""
        self.form.is_valid()  # a bad field is left out of cleaned_data and keeps its error
        cleaned = getattr(self.form, "cleaned_data", {})
        boards = [cleaned["namnd"]] if cleaned.get("namnd") else list(user_boards(self.request))
        year = cleaned.get("ar") or default_year(boards)
        indicators = self.qs
        judgements = latest_judgements(indicators, year)
        only_off_target = bool(cleaned.get("ej_uppnadda"))
        if only_off_target:
            off_target = [pk for pk, row in judgements.items() if row.met is False]
            indicators = indicators.filter(pk__in=off_target)
        return JudgedIndicators(indicators, judgements, year, only_off_target)

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
