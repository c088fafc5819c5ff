"""Forms of the entry page. They parse and validate input; the services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from goals.models import AssessmentLevel, WorkStatus
from goals.periods import PeriodType
from indicators.models import Indicator, MissingReason
from indicators.parsing import is_missing_text, parse_value_for_unit
from indicators.services import TEXT_MAX_LENGTH

MISSING_REASON_REQUIRED = "Ange skäl till I.U."
REASON_WITH_VALUE = "Ange antingen ett värde eller ett skäl till I.U., inte båda."
REASON_REQUIRED = "Ange en motivering."


class ValueForm(forms.Form):
    """One breakdown field: a Swedish number or I.U. with a reason, a comment and a footnote."""

    indicator = forms.IntegerField(widget=forms.HiddenInput)
    breakdown = forms.IntegerField(widget=forms.HiddenInput)
    period_type = forms.ChoiceField(choices=PeriodType.choices, widget=forms.HiddenInput)
    period_number = forms.IntegerField(min_value=1, max_value=12, widget=forms.HiddenInput)
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    value = forms.CharField(label="Utfall", required=False, max_length=40, strip=True)
    missing_reason = forms.ChoiceField(
        label="Skäl till I.U.",
        choices=[("", "—"), *MissingReason.choices],
        required=False,
    )
    footnote = forms.CharField(label="Fotnot", required=False, max_length=1000)
    comment = forms.CharField(label="Kommentar", required=False, max_length=4000)

    def __init__(self, *args: Any, unit: str | None = None, **kwargs: Any) -> None:
        # The indicator's unit, where the caller knows it: % only on shares, no negative count.
        # A qualitative indicator (unit text) takes its outcome in words in the same field.
        self.unit = unit
        super().__init__(*args, **kwargs)
        if unit == Indicator.Unit.TEXT:
            self.fields["value"] = forms.CharField(
                label="Utfall (text)", required=False, max_length=TEXT_MAX_LENGTH, strip=True
            )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        text = (data.get("value") or "").strip()
        reason = data.get("missing_reason") or ""
        data["is_missing"] = False
        data["number"] = None
        data["text"] = ""
        if is_missing_text(text) or (not text and reason):
            data["is_missing"] = True
            if not reason:
                self.add_error("missing_reason", MISSING_REASON_REQUIRED)
            return data
        if text:
            if reason:
                self.add_error("value", REASON_WITH_VALUE)
                return data
            if self.unit == Indicator.Unit.TEXT:
                data["text"] = text  # the outcome in words, kept as written
                return data
            unit = self.unit
            if unit is None and "%" in text and data.get("indicator"):
                # Only a `%` needs the unit; looked up then, so a plain number costs no query.
                unit = (
                    Indicator.objects.filter(pk=data["indicator"])
                    .values_list("unit", flat=True)
                    .first()
                )
            try:
                data["number"] = parse_value_for_unit(text, unit=unit)
            except ValidationError as error:
                self.add_error("value", error)
        return data


class AssessmentForm(forms.Form):
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    level = forms.ChoiceField(
        label="Bedömning",
        choices=AssessmentLevel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Välj Uppnått, Delvis uppnått eller Ej uppnått."},
    )
    analysis = forms.CharField(label="Analys", required=False, widget=forms.Textarea)
    results = forms.CharField(label="Resultat som bidragit", required=False, widget=forms.Textarea)
    other_activities = forms.CharField(
        label="Övriga aktiviteter som bidragit", required=False, widget=forms.Textarea
    )
    deviations = forms.CharField(label="Avvikelser", required=False, widget=forms.Textarea)


class StatusForm(forms.Form):
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label="Status",
        choices=[("", "—"), *WorkStatus.choices],
        error_messages={"required": "Välj en status."},
    )
    comment = forms.CharField(label="Kommentar", required=False, widget=forms.Textarea)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Motivering",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": REASON_REQUIRED},
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Excelfil (.xlsx)",
        error_messages={"required": "Välj en fil att läsa in."},
    )
