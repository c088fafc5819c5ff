"""The form of the structure page of a board's plans (goals.views_plans): one per plan kind."""

from __future__ import annotations

from django import forms

from goals.periods import INVALID_DAY


class BoardPlanForm(forms.Form):
    decided_on = forms.DateField(
        label="Beslutsdatum",
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": INVALID_DAY},
        help_text="ÅÅÅÅ-MM-DD. Planens utfall visas som de var kända vid dagens slut; "
        "tomt: som de är i dag.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    decision = forms.CharField(
        label="Beslut",
        required=False,
        max_length=200,
        help_text="T.ex. ”Arbetsmarknadsnämnden § 85”.",
    )
