"""Forms of the structure pages of the goal chain. They parse input and offer, in their
pickers, only what is valid for the board and the year; goals.structure_services writes."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q, QuerySet

from goals.models import (
    Board,
    BoardGoal,
    CouncilGoal,
    GoalArea,
    Municipality,
    PolicyDocument,
    StrategicAssignment,
)

AUTO_QUARTER = ""
QUARTER_CHOICES = [
    (AUTO_QUARTER, "Läs ut ur texten"),
    ("1", "Q1"),
    ("2", "Q2"),
    ("3", "Q3"),
    ("4", "Q4"),
]
REASON_HELP = "Året är godkänt: ändringen sparas som en rättelse med din motivering."
YEAR_MIN, YEAR_MAX = 2000, 2100


def _year_field(label: str, *, required: bool = True) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=required, min_value=YEAR_MIN, max_value=YEAR_MAX
    )


class ReasonMixin(forms.Form):
    """The correction reason, shown (and asked for by the service) when the year is approved."""

    reason = forms.CharField(
        label="Motivering till rättelsen",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=REASON_HELP,
        max_length=2000,
    )

    def __init__(self, *args: Any, needs_reason: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.needs_reason = needs_reason
        if not needs_reason:
            self.fields["reason"].widget = forms.HiddenInput()


class CouncilGoalChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: CouncilGoal) -> str:
        return f"{obj.goal_area.name}: {obj.title}"


class BoardGoalChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: BoardGoal) -> str:
        return obj.title


class AssignmentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: StrategicAssignment) -> str:
        text = obj.text if len(obj.text) <= 90 else obj.text[:89] + "…"
        return f"{obj.get_scope_display()}: {text}"


def council_goals_in(year: int) -> QuerySet[CouncilGoal]:
    return CouncilGoal.objects.valid_in(year).select_related("goal_area")


def board_goals_in(board: Board, year: int) -> QuerySet[BoardGoal]:
    return BoardGoal.objects.valid_in(year).filter(board=board)


def assignments_for(board: Board, year: int) -> QuerySet[StrategicAssignment]:
    """Common assignments of the board's municipality and the board's own, valid in the year."""
    return (
        StrategicAssignment.objects.valid_in(year)
        .filter(municipality_id=board.municipality_id)
        .filter(Q(board__isnull=True) | Q(board=board))
        .order_by("scope", "order", "pk")
    )


def policy_documents_for(municipality_id: int, year: int) -> QuerySet[PolicyDocument]:
    return PolicyDocument.objects.valid_in(year).filter(municipality_id=municipality_id)


def _order_field() -> forms.IntegerField:
    return forms.IntegerField(label="Ordning", min_value=0, max_value=32767, initial=0)


def _description_field(label: str) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": 3}))


def _valid_to_field() -> forms.IntegerField:
    return _year_field("Gäller till och med år (tomt: tills vidare)", required=False)


class RowForm(ReasonMixin):
    """A row that is valid from the page's year on: the fields in `create_only` (its end year,
    and what fixes where it belongs) are asked for only when it is created; an edit changes the
    row from the year (the service splits it)."""

    create_only: tuple[str, ...] = ("valid_to",)

    def __init__(self, *args: Any, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not creating:
            for name in self.create_only:
                del self.fields[name]


class BoardGoalForm(RowForm):
    council_goal = CouncilGoalChoice(
        label="Kommunövergripande mål", queryset=CouncilGoal.objects.none()
    )
    title = forms.CharField(label="Rubrik", max_length=200)
    description = _description_field("Beskrivande text")
    order = _order_field()
    valid_to = _valid_to_field()

    def __init__(self, *args: Any, year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["council_goal"]).queryset = council_goals_in(year)


class ActivityForm(ReasonMixin):
    title = forms.CharField(label="Aktivitet", max_length=300)
    board_goals = BoardGoalChoices(
        label="Nämndmål",
        queryset=BoardGoal.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    assignment = AssignmentChoice(
        label="Uppdrag", queryset=StrategicAssignment.objects.none(), required=False
    )
    policy_document = forms.ModelChoiceField(
        label="Prioriterat styrdokument", queryset=PolicyDocument.objects.none(), required=False
    )
    goal_area = forms.ModelChoiceField(
        label="Målområde (för en aktivitet som bara hör till ett målområde)",
        queryset=GoalArea.objects.all(),
        required=False,
    )
    deadline = forms.CharField(
        label="Klart senast (som planen skriver det)",
        max_length=100,
        required=False,
        help_text="T.ex. Q2, Kontinuerligt, Succesivt avslut Q4, Sept Q3.",
    )
    due_quarter = forms.TypedChoiceField(
        label="Kvartal att sortera och bedöma efter",
        choices=QUARTER_CHOICES,
        required=False,
        coerce=int,
        empty_value=None,
    )
    order = _order_field()

    def __init__(self, *args: Any, board: Board, year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = cast(dict[str, forms.ModelChoiceField], self.fields)
        fields["board_goals"].queryset = board_goals_in(board, year)
        fields["assignment"].queryset = assignments_for(board, year)
        fields["policy_document"].queryset = policy_documents_for(board.municipality_id, year)
        self.order_fields(["title", "board_goals", "assignment", "policy_document", "goal_area"])


class AssignmentForm(RowForm):
    scope = forms.ChoiceField(label="Typ", choices=StrategicAssignment.Scope.choices)
    text = forms.CharField(label="Uppdrag", widget=forms.Textarea(attrs={"rows": 3}))
    note = forms.CharField(label="Anmärkning", max_length=200, required=False)
    order = _order_field()
    valid_to = _valid_to_field()

    create_only = ("scope", "valid_to")

    def __init__(self, *args: Any, creating: bool, may_create_common: bool, **kwargs: Any) -> None:
        super().__init__(*args, creating=creating, **kwargs)
        if creating and not may_create_common:
            cast(forms.ChoiceField, self.fields["scope"]).choices = [
                choice
                for choice in StrategicAssignment.Scope.choices
                if choice[0] != StrategicAssignment.Scope.COMMON
            ]


class CouncilGoalForm(RowForm):
    goal_area = forms.ModelChoiceField(label="Målområde", queryset=GoalArea.objects.all())
    title = forms.CharField(label="Rubrik", max_length=200)
    description = _description_field("Beskrivning")
    order = _order_field()
    valid_to = _valid_to_field()


class PolicyDocumentForm(RowForm):
    municipality = forms.ModelChoiceField(label="Kommun", queryset=Municipality.objects.all())
    title = forms.CharField(label="Namn", max_length=200)
    description = _description_field("Beskrivning")
    order = _order_field()
    valid_to = _valid_to_field()

    create_only = ("municipality", "valid_to")


class MandatePeriodForm(forms.Form):
    municipality = forms.ModelChoiceField(label="Kommun", queryset=Municipality.objects.all())
    first_year = _year_field("Första år")
    last_year = _year_field("Sista år")

    def __init__(self, *args: Any, creating: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["municipality"]


class EndGoalForm(ReasonMixin):
    """Ending a nämndmål from the page's year (closed at the year before)."""
