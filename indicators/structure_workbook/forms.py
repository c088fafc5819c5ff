"""The upload form of the structure workbook."""

from __future__ import annotations

from django import forms


class WorkbookUploadForm(forms.Form):
    file = forms.FileField(
        label="Arbetsbok (.xlsx)",
        error_messages={"required": "Välj en arbetsbok att läsa in."},
    )
    dry_run = forms.BooleanField(
        label="Provkör (visa vad som skulle ändras, spara inget)", required=False
    )
    reason = forms.CharField(
        label="Motivering (krävs för ett godkänt år)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=(
            "En ändring av ett år som ett godkänt uppföljningstillfälle omfattar är en rättelse; "
            "motiveringen sparas med ändringarna."
        ),
    )
