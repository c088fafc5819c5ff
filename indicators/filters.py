"""django-filter forms of the list pages that indicators owns (the occasions to report)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.http import QueryDict

from goals.filters import user_boards
from goals.models import ReportingOccasion
from goals.periods import OccasionKind


class OccasionFilter(django_filters.FilterSet):
    """Board, year, kind and state. The year is always one year (the latest by default): each
    occasion's missing fields are worked out for the rows shown."""

    namnd = django_filters.ModelChoiceFilter(
        label="Nämnd", field_name="board", queryset=user_boards, empty_label="Alla nämnder"
    )
    ar = django_filters.ChoiceFilter(label="År", field_name="year", empty_label=None)
    tillfalle = django_filters.ChoiceFilter(
        label="Tillfälle", field_name="kind", choices=OccasionKind.choices, empty_label="Alla"
    )
    status = django_filters.ChoiceFilter(
        label="Status",
        field_name="state",
        choices=ReportingOccasion.State.choices,
        empty_label="Alla",
    )

    class Meta:
        model = ReportingOccasion
        fields: list[str] = []

    def __init__(self, data: QueryDict, *args: Any, years: list[int], **kwargs: Any) -> None:
        if years and not data.get("ar"):
            data = data.copy()
            data["ar"] = str(years[0])
        super().__init__(data, *args, **kwargs)
        # A year with no occasion is no choice; an unknown one is an error at the field.
        self.filters["ar"].extra["choices"] = [(str(year), str(year)) for year in years]
