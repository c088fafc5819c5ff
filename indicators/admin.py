from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from goals.admin import AuditedHistoryAdmin, LockedRowsAdminMixin
from goals.locks import closed_occasion_covering
from goals.models import ReportingOccasion
from indicators import models
from indicators.formatting import format_exact
from indicators.parsing import read_value_text


class IndicatorValueForm(forms.ModelForm):
    """The admin reads and shows a value like the entry page: Swedish text, exact figure."""

    value = forms.CharField(
        label="värde",
        required=False,
        max_length=40,
        help_text="Som på inmatningssidan: 3 327, 88,9, -4,1 eller I.U. (med skäl).",
    )

    class Meta:
        model = models.IndicatorValue
        fields = [
            "indicator",
            "year",
            "period_type",
            "period_number",
            "breakdown",
            "value",
            "decimals",
            "missing_reason",
            "comment",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = self.instance.value if self.instance.pk else None
        if stored is not None and not self.is_bound:
            decimals = self.instance.indicator.decimals if self.instance.indicator_id else 0
            self.initial["value"] = format_exact(stored, decimals)

    def clean_value(self):
        text = self.cleaned_data.get("value") or ""
        indicator = self.cleaned_data.get("indicator") or (
            self.instance.indicator if self.instance.indicator_id else None
        )
        try:
            _missing, number = read_value_text(text, unit=getattr(indicator, "unit", None))
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        return number


def closed_occasion_of(value: models.IndicatorValue) -> ReportingOccasion | None:
    return closed_occasion_covering(
        board_id=models.Indicator.objects.filter(pk=value.indicator_id)
        .values_list("board_id", flat=True)
        .first(),
        year=value.year,
        period_type=value.period_type,
        period_number=value.period_number,
    )


class IndicatorBreakdownInline(admin.TabularInline):
    model = models.IndicatorBreakdown
    extra = 0
    autocomplete_fields = ["breakdown"]


class FootnoteInline(admin.TabularInline):
    model = models.Footnote
    fk_name = "indicator"
    extra = 0
    fields = ["text", "year", "order"]


@admin.register(models.Indicator)
class IndicatorAdmin(AuditedHistoryAdmin):
    list_display = ["name", "board", "category", "board_goal", "unit", "valid_from", "valid_to"]
    list_filter = ["board", "category", "frequency", "mandatory"]
    search_fields = ["name"]
    list_select_related = ["board", "board_goal"]
    autocomplete_fields = ["parent", "predecessor", "board_goal"]
    inlines = [IndicatorBreakdownInline, FootnoteInline]


@admin.register(models.Breakdown)
class BreakdownAdmin(admin.ModelAdmin):
    list_display = ["code", "gender", "org_unit", "category", "order"]
    search_fields = ["code", "category"]


@admin.register(models.IndicatorValue)
class IndicatorValueAdmin(LockedRowsAdminMixin, AuditedHistoryAdmin):
    form = IndicatorValueForm
    list_display = [
        "indicator",
        "year",
        "period_type",
        "period_number",
        "breakdown",
        "value",
        "missing_reason",
    ]
    list_filter = ["year", "period_type", "indicator__board"]
    search_fields = ["indicator__name"]
    list_select_related = ["indicator", "breakdown"]
    raw_id_fields = ["indicator"]
    readonly_fields = ["version", "updated_at", "updated_by"]

    def locking_occasion_of(self, obj):
        if obj.indicator_id is None:
            return None
        occasion = closed_occasion_of(obj)  # inskickad or godkänd
        if occasion is None and obj.pk is not None:
            stored = models.IndicatorValue.objects.filter(pk=obj.pk).first()
            occasion = closed_occasion_of(stored) if stored is not None else None
        return occasion


@admin.register(models.Target)
class TargetAdmin(AuditedHistoryAdmin):
    list_display = ["indicator", "year", "breakdown", "kind", "operator", "value", "text"]
    list_filter = ["year", "kind"]
    search_fields = ["indicator__name"]
    list_select_related = ["indicator", "breakdown"]
    raw_id_fields = ["indicator"]


@admin.register(models.Footnote)
class FootnoteAdmin(AuditedHistoryAdmin):
    list_display = ["__str__", "indicator", "value", "target", "board_goal", "year"]
    search_fields = ["text"]
    raw_id_fields = ["indicator", "value", "target", "board_goal"]
