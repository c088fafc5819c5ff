"""The entry form: one tkr field per line, typed the Swedish way, stored in kronor."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from budget.formatting import kronor_as_tkr_text
from budget.models import STANDARD_FORECAST_MONTHS, AmountKind, forecast_label
from budget.services import AmountInput
from budget.tables import EntryRow
from goals.periods import MONTH_NAMES
from indicators.parsing import parse_optional_swedish_number

WHOLE_KRONOR = "Ange beloppet i tkr med högst tre decimaler (hela kronor), t.ex. 1 349,5."
OUTCOME_POINT = "bokslut"


def amount_field(line_id: int) -> str:
    return f"belopp_{line_id}"


def version_field(line_id: int) -> str:
    return f"version_{line_id}"


def parse_tkr(text: str) -> int | None:
    """'1 349' → 1 349 000 kr, '−677' → −677 000, '12,5' → 12 500, '' → None."""
    tkr = parse_optional_swedish_number(text)
    if tkr is None:
        return None
    kronor = tkr * 1000
    if kronor != kronor.to_integral_value():
        raise ValidationError(WHOLE_KRONOR, code="whole_kronor")
    return int(kronor)


def entry_points(year: int) -> list[tuple[str, str]]:
    """(value, label) of the entry form's date selector: the follow-up dates first."""
    standard = [
        (MONTH_NAMES[m], f"Prognos {forecast_label(year, m)}") for m in STANDARD_FORECAST_MONTHS
    ]
    others = [
        (MONTH_NAMES[m], f"Prognos {forecast_label(year, m)}")
        for m in range(1, 12)
        if m not in STANDARD_FORECAST_MONTHS
    ]
    return [*standard, (OUTCOME_POINT, f"Bokslut {year}"), *others]


def parse_point(value: str) -> tuple[str, int | None] | None:
    """'augusti' → (prognos, 8), 'bokslut' → (bokslut, None); None when unknown."""
    if value == OUTCOME_POINT:
        return AmountKind.OUTCOME, None
    if value in MONTH_NAMES[1:12]:
        return AmountKind.FORECAST, MONTH_NAMES.index(value)
    return None


class AmountEntryForm(forms.Form):
    """Fields belopp_<line id> (tkr text) and version_<line id> (hidden)."""

    def __init__(self, rows: list[EntryRow], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            self.fields[amount_field(row.line_id)] = forms.CharField(
                label=f"{row.label}, tkr",
                required=False,
                max_length=40,
                initial=kronor_as_tkr_text(row.current),
                widget=forms.TextInput(
                    attrs={
                        "inputmode": "decimal",
                        "autocomplete": "off",
                        "class": "num",
                        "size": 12,
                    }
                ),
            )
            self.fields[version_field(row.line_id)] = forms.IntegerField(
                required=False, initial=row.version, widget=forms.HiddenInput
            )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        for row in self.rows:
            name = amount_field(row.line_id)
            if name in self.errors:
                continue
            try:
                cleaned[name] = parse_tkr(cleaned.get(name) or "")
            except ValidationError as error:
                self.add_error(name, error)
        return cleaned

    def inputs(self) -> list[AmountInput]:
        return [
            AmountInput(
                line_id=row.line_id,
                amount=self.cleaned_data.get(amount_field(row.line_id)),
                version=self.cleaned_data.get(version_field(row.line_id)),
            )
            for row in self.rows
        ]

    def bound_rows(self):
        """(row, amount field, version field) for the template."""
        return [
            (row, self[amount_field(row.line_id)], self[version_field(row.line_id)])
            for row in self.rows
        ]
