"""Forms of the structure pages' indicator side. They read input; structure_services writes.

The pickers offer only what is valid for the board and year (the board's nämndmål and main
indicators of the year, the units that work for the board that year), so a wrong link cannot
be chosen; the services check the same again for every other path.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from goals.models import Board, BoardGoal, OrganisationUnit
from goals.periods import PeriodType
from indicators.formatting import format_exact
from indicators.models import Breakdown, Indicator, Target
from indicators.structure_services import CHANGED_FIELDS, TargetInput, board_units, target_key

REASON_LABEL = "Motivering (krävs när året är godkänt)"

KIND_CHOICES = [("", "Inget målvärde"), *Target.Kind.choices]
OPERATOR_CHOICES = [("", "—"), *Target.Operator.choices]
TREND_CHOICES = [("", "—"), *Target.TrendDirection.choices]
TARGET_FIELDS = ("kind", "operator", "value", "trend", "base_value", "base_year", "text")
# Given to the service only when the form has them or they are filled in (IndicatorForm.changes).
LINK_FIELDS = ("board_goal", "parent", "order")


def _reason_field() -> forms.CharField:
    return forms.CharField(
        label=REASON_LABEL, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class GoalChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: BoardGoal) -> str:
        return f"{obj.title} ({obj.years_label})"


class ParentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Indicator) -> str:
        return obj.name


class IndicatorForm(forms.Form):
    """An indicator's definition: what is measured, in which unit, how often, how a year's
    value is formed."""

    name = forms.CharField(label="Namn", max_length=400)
    unit = forms.ChoiceField(label="Enhet", choices=Indicator.Unit.choices)
    decimals = forms.IntegerField(label="Antal decimaler som visas", min_value=0, max_value=4)
    direction = forms.ChoiceField(label="Önskvärd riktning", choices=Indicator.Direction.choices)
    source = forms.CharField(label="Källa", max_length=200, required=False)
    frequency = forms.ChoiceField(label="Rapporteringsfrekvens", choices=PeriodType.choices)
    aggregation = forms.ChoiceField(
        label="Årsvärdet bildas som", choices=Indicator.Aggregation.choices
    )
    mandatory = forms.BooleanField(label="Obligatorisk för alla nämnder (*)", required=False)
    order = forms.IntegerField(
        label="Ordning bland indikatorerna (lägre först; tomt: sist)",
        min_value=0,
        max_value=32767,
        required=False,
    )
    definition = forms.CharField(
        label="Definition eller hjälptext (skrivs som fotnot till indikatorn)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reason = _reason_field()

    def __init__(
        self,
        *args: Any,
        board: Board,
        year: int,
        category: str = Indicator.Category.GOAL,
        board_goal: BoardGoal | None = None,
        indicator: Indicator | None = None,
        definition: str = "",
        **kwargs: Any,
    ) -> None:
        if indicator is not None:
            kwargs.setdefault(
                "initial",
                {
                    **{name: getattr(indicator, name) for name in PLAIN_FIELDS},
                    "board_goal": indicator.board_goal_id,
                    "parent": indicator.parent_id,
                    "definition": definition,
                    "order": indicator.order,
                },
            )
        else:
            kwargs.setdefault(
                "initial",
                {"decimals": 0, "frequency": PeriodType.YEAR, "aggregation": "en_gang"},
            )
        super().__init__(*args, **kwargs)
        self.category = indicator.category if indicator is not None else category
        if self.category == Indicator.Category.GOAL:
            goals = BoardGoal.objects.valid_in(year).filter(board=board)
            self.fields["board_goal"] = GoalChoiceField(
                label="Nämndmål",
                queryset=goals.order_by(
                    "council_goal__goal_area__order", "council_goal__order", "order", "pk"
                ),
                initial=board_goal.pk if board_goal is not None else None,
            )
            parents = Indicator.objects.valid_in(year).filter(
                board=board, parent=None, category=Indicator.Category.GOAL
            )
            if board_goal is not None:
                parents = parents.filter(board_goal=board_goal)
            if indicator is not None:
                parents = parents.exclude(pk=indicator.pk)
            self.fields["parent"] = ParentChoiceField(
                label="Delindikator till",
                queryset=parents.order_by("order", "pk"),
                required=False,
                empty_label="— (en egen indikator)",
            )

    def changes(self) -> dict[str, Any]:
        """The service's arguments: the fields, `definition`, and the goal links when offered."""
        data = self.cleaned_data
        changes = {name: data[name] for name in PLAIN_FIELDS}
        changes["definition"] = data.get("definition") or ""
        if data.get("order") is not None:
            changes["order"] = data["order"]
        if "board_goal" in self.fields:
            changes["board_goal"] = data["board_goal"]
            changes["parent"] = data.get("parent")
        return changes


# The fields the service changes (its CHANGED_FIELDS) that the indicator form always has.
PLAIN_FIELDS = tuple(
    name for name in CHANGED_FIELDS if name in IndicatorForm.base_fields and name not in LINK_FIELDS
)


class EndForm(forms.Form):
    """The last year the indicator (with its sub-indicators and breakdowns) applies."""

    last_year = forms.IntegerField(label="Sista år indikatorn gäller", min_value=1900)
    reason = _reason_field()


class VolumeCategoryForm(forms.Form):
    category = forms.ChoiceField(
        label="Typ",
        choices=[
            (Indicator.Category.VOLUME.value, Indicator.Category.VOLUME.label),
            (Indicator.Category.STAFF.value, Indicator.Category.STAFF.label),
        ],
    )


class UnitChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: OrganisationUnit) -> str:
        return f"{obj.code} – {obj.name}"


class BreakdownForm(forms.Form):
    """How values are split: by kön, by the board's units, by free categories (one per line)."""

    by_gender = forms.BooleanField(
        label="Uppdelat på kön (Totalt, Kvinnor och Män)", required=False
    )
    gender_within = forms.BooleanField(
        label="Kvinnor och Män även inom varje enhet och kategori", required=False
    )
    categories = forms.CharField(
        label="Egna kategorier, en per rad (t.ex. Augusti, Oktober)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reason = _reason_field()

    def __init__(
        self,
        *args: Any,
        board: Board,
        year: int,
        current: Sequence[Breakdown] = (),
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault(
            "initial",
            {
                "by_gender": any(part.gender for part in current),
                "gender_within": any(
                    part.gender and (part.org_unit_id or part.category) for part in current
                ),
                "org_units": [part.org_unit_id for part in current if part.org_unit_id],
                "categories": "\n".join(
                    dict.fromkeys(part.category for part in current if part.category)
                ),
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["org_units"] = UnitChoiceField(
            label="Uppdelat på förvaltning eller enhet",
            queryset=board_units(board, year),
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        self.order_fields(["by_gender", "org_units", "categories", "gender_within", "reason"])

    def category_list(self) -> list[str]:
        text = self.cleaned_data.get("categories") or ""
        return [line.strip() for line in text.splitlines() if line.strip()]

    def chosen(self) -> dict[str, Any]:
        """The breakdowns chosen, as set_breakdowns takes them (without the reason)."""
        data = self.cleaned_data
        return {
            "by_gender": data["by_gender"],
            "org_units": list(data["org_units"]),
            "categories": self.category_list(),
            "gender_within": data["gender_within"],
        }


def _shown_number(value: Any, decimals: int) -> str:
    return "" if value is None else format_exact(value, decimals)


class TargetGridForm(forms.Form):
    """Targets for the year and the next, one cell per year × breakdown the indicator reports.

    The fields of a cell are named `<cell key>-<field>` (structure_services.target_key), so
    the service's refusals land at their field.
    """

    reason = _reason_field()

    def __init__(
        self,
        *args: Any,
        indicator: Indicator,
        cells: Sequence[tuple[int, Breakdown]],
        stored: dict[tuple[int, int], Target],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.cells = list(cells)
        self.grid: list[dict[str, Any]] = []
        for year, part in self.cells:
            key = target_key(year, part)
            target = stored.get((year, part.pk))
            decimals = target.shown_decimals if target is not None else indicator.decimals
            label = f"{part.label} {year}"
            fields = {
                "kind": forms.ChoiceField(
                    label=f"Typ av målvärde, {label}", choices=KIND_CHOICES, required=False
                ),
                "operator": forms.ChoiceField(
                    label=f"Jämförelse, {label}", choices=OPERATOR_CHOICES, required=False
                ),
                "value": forms.CharField(label=f"Värde, {label}", required=False, max_length=40),
                "trend": forms.ChoiceField(
                    label=f"Riktning, {label}", choices=TREND_CHOICES, required=False
                ),
                "base_value": forms.CharField(
                    label=f"Basvärde, {label}", required=False, max_length=40
                ),
                "base_year": forms.CharField(label=f"Basår, {label}", required=False, max_length=4),
                "text": forms.CharField(label=f"Text, {label}", required=False, max_length=300),
            }
            for name, form_field in fields.items():
                self.fields[f"{key}-{name}"] = form_field
                if target is not None:
                    stored_value = {
                        "value": _shown_number(target.value, decimals),
                        "base_value": _shown_number(target.base_value, decimals),
                        "base_year": target.base_year or "",
                    }.get(name, getattr(target, name, ""))
                    self.initial[f"{key}-{name}"] = stored_value
            self.grid.append(
                {
                    "year": year,
                    "breakdown": part,
                    "key": key,
                    "fields": [self[f"{key}-{name}"] for name in TARGET_FIELDS],
                }
            )

    def rows(self) -> list[TargetInput]:
        data = self.cleaned_data
        return [
            TargetInput(
                year=year,
                breakdown=part,
                **{
                    name: data.get(f"{target_key(year, part)}-{name}") or ""
                    for name in TARGET_FIELDS
                },
            )
            for year, part in self.cells
        ]

    def add_cell_errors(self, cells: dict[str, dict[str, str]]) -> None:
        for key, errors in cells.items():
            for name, message in errors.items():
                field_name = f"{key}-{name}"
                self.add_error(field_name if field_name in self.fields else None, message)
