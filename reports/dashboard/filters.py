"""The dashboards' filters (år, nämnd, målområde): a GET form, so every view is a shareable URL."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any, cast

from django import forms
from django.db.models import Count, Max, Q
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from goals.models import Board, BoardGoal, GoalArea, ReportingOccasion

INVALID_YEAR = "Välj ett år i listan."
INVALID_BOARD = "Välj en nämnd som du har behörighet till."
INVALID_GOAL_AREA = "Målområdet finns inte. Alla målområden visas."
FIRST_YEAR = 2019


def current_year() -> int:
    return datetime.date.today().year


def year_bounds(boards: Sequence[Board]) -> tuple[int, int]:
    """First and last selectable year: from the boards' start to this year or the latest occasion."""
    first = min((board.valid_from for board in boards), default=FIRST_YEAR)
    latest = ReportingOccasion.objects.filter(board__in=[b.pk for b in boards]).aggregate(
        latest=Max("year")
    )["latest"]
    return first, max(current_year(), latest or 0)


def default_year(boards: Sequence[Board]) -> int:
    """The year being followed up now: the latest year with a reporting occasion (not in the
    future), but not past the boards' last goal structure (a new mandate period whose goals are
    not entered yet would show an empty page)."""
    board_ids = [b.pk for b in boards]
    latest = (
        ReportingOccasion.objects.filter(board__in=board_ids, year__lte=current_year()).aggregate(
            latest=Max("year")
        )["latest"]
        or current_year()
    )
    goals = BoardGoal.objects.filter(board__in=board_ids).aggregate(
        open=Count("pk", filter=Q(valid_to__isnull=True)), last=Max("valid_to")
    )
    if goals["open"] or goals["last"] is None:
        return latest
    return min(latest, goals["last"])


class PlainSelect(forms.Select):
    """A select written in Python. Django's select template includes a template per option,
    and each dashboard request draws the form's three lists (every board and year shown),
    which made the page's time grow with the boards and years of the municipality."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                ("" if option["value"] is None else option["value"], SELECTED, option["label"])
                if option["selected"]
                else ("" if option["value"] is None else option["value"], "", option["label"])
                for _, group, _ in widget["optgroups"]
                for option in group
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options
        )


SELECTED = mark_safe(" selected")


class DashboardFilterForm(forms.Form):
    """År, målområde and (where the page can change board) nämnd."""

    namnd = forms.ChoiceField(
        label="Nämnd", widget=PlainSelect, error_messages={"invalid_choice": INVALID_BOARD}
    )
    ar = forms.TypedChoiceField(
        label="År", coerce=int, widget=PlainSelect, error_messages={"invalid_choice": INVALID_YEAR}
    )
    malomrade = forms.ModelChoiceField(
        label="Målområde",
        widget=PlainSelect,
        queryset=GoalArea.objects.order_by("order", "pk"),
        required=False,
        empty_label="Alla målområden",
        error_messages={"invalid_choice": INVALID_GOAL_AREA},
    )

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        boards: Sequence[Board],
        years: tuple[int, int],
        with_board: bool = True,
        with_goal_area: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        first, last = years
        # The fields are the class's choice fields; Form.fields is typed with the base Field.
        years_field = cast(forms.ChoiceField, self.fields["ar"])
        years_field.choices = [(year, str(year)) for year in range(last, first - 1, -1)]
        if with_board:
            board_field = cast(forms.ChoiceField, self.fields["namnd"])
            board_field.choices = [(b.code, f"{b.name} ({b.code})") for b in boards]
        else:
            del self.fields["namnd"]
        if not with_goal_area:
            del self.fields["malomrade"]
