"""The Dokumentmallar form: one row per outline line, reordered by number, extra rows to add."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from reports.outline import OutlineLine
from reports.report.model import OutlineKind

KIND_CHOICES = [
    (OutlineKind.HEADING.value, "Rubrik"),
    (OutlineKind.NARRATIVE.value, "Textavsnitt"),
    (OutlineKind.TABLE.value, "Tabell"),
]


class OutlineLineForm(forms.Form):
    kind = forms.ChoiceField(label="Slag", choices=KIND_CHOICES)
    level = forms.TypedChoiceField(
        label="Nivå", choices=[(n, str(n)) for n in range(1, 5)], coerce=int, initial=1
    )
    title = forms.CharField(label="Rubrik eller namn", max_length=200, required=False)
    key = forms.CharField(label="Textnyckel", max_length=60, required=False)
    table = forms.ChoiceField(label="Tabell", required=False)

    def __init__(self, *args: Any, tables: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["table"]).choices = [("", "–"), *tables.items()]

    def line(self) -> OutlineLine:
        data = self.cleaned_data
        kind = OutlineKind(data["kind"])
        key = data["table"] if kind == OutlineKind.TABLE else data["key"].strip()
        if kind == OutlineKind.HEADING:
            key = ""
        return OutlineLine(kind, data["title"].strip(), data["level"], key)

    @classmethod
    def initial_for(cls, line: OutlineLine) -> dict:
        return {
            "kind": line.kind.value,
            "level": line.level,
            "title": line.title,
            "key": line.key if line.kind == OutlineKind.NARRATIVE else "",
            "table": line.key if line.kind == OutlineKind.TABLE else "",
        }


class BaseOutlineFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, tables: dict[str, str], **kwargs: Any) -> None:
        self.tables = tables
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {"tables": self.tables}

    def lines(self) -> list[OutlineLine]:
        """The rows kept, in the order their numbers give; deleted and untouched empty rows go."""
        return [form.line() for form in self.ordered_forms]


OutlineFormSet = cast(
    type[BaseOutlineFormSet],
    forms.formset_factory(
        OutlineLineForm, formset=BaseOutlineFormSet, extra=3, can_order=True, can_delete=True
    ),
)
