from decimal import Decimal
from functools import reduce
from operator import and_, or_

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q

from goals.admin import (
    VALID_FROM,
    VALID_TO,
    YEAR,
    ApprovedStructureAdminMixin,
    AuditedHistoryAdmin,
    GoalPickerAdminMixin,
    LockedRowsAdminMixin,
    occasions_over,
    year_range_occasions,
)
from goals.locks import closed_occasion_covering
from goals.models import ReportingOccasion
from indicators import models
from indicators.formatting import format_exact
from indicators.parsing import allows_percent, parse_optional_swedish_number, read_value_text


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
            "text",
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


NO_TOTAL_BREAKDOWN = "Välj en uppdelning: det finns ingen rad för totalen."


class TargetForm(forms.ModelForm):
    """Målvärde and basvärde are typed as on the entry page: 88,9 with a decimal comma."""

    value = forms.CharField(label="värde", required=False, max_length=40, help_text="T.ex. 88,9.")
    base_value = forms.CharField(label="basvärde", required=False, max_length=40)

    class Meta:
        model = models.Target
        fields = [
            "indicator",
            "year",
            "breakdown",
            "kind",
            "operator",
            "value",
            "decimals",
            "trend",
            "base_value",
            "base_year",
            "text",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "breakdown" in self.fields:
            self.fields["breakdown"].required = False
            self.fields["breakdown"].help_text = "Tomt betyder totalen."
        if self.instance.pk and not self.is_bound:
            decimals = self.instance.shown_decimals
            for name in ("value", "base_value"):
                stored = getattr(self.instance, name)
                if stored is not None:
                    self.initial[name] = format_exact(stored, decimals)

    def clean_breakdown(self) -> models.Breakdown | None:
        # A target for the total needs no breakdown chosen: empty means the total.
        chosen = self.cleaned_data.get("breakdown")
        if chosen is not None:
            return chosen
        total = models.Breakdown.objects.filter(code=models.Breakdown.make_code()).first()
        if total is None:
            raise ValidationError(NO_TOTAL_BREAKDOWN)
        return total

    def _number(self, name: str) -> Decimal | None:
        indicator = self.cleaned_data.get("indicator") or (
            self.instance.indicator if self.instance.indicator_id else None
        )
        unit = getattr(indicator, "unit", None)
        try:
            return parse_optional_swedish_number(
                self.cleaned_data.get(name), allow_percent=allows_percent(unit)
            )
        except ValidationError as error:
            raise ValidationError(error.messages) from None

    def clean_value(self):
        return self._number("value")

    def clean_base_value(self):
        return self._number("base_value")


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
class IndicatorAdmin(ApprovedStructureAdminMixin, GoalPickerAdminMixin, AuditedHistoryAdmin):
    list_display = ["name", "board", "category", "board_goal", "unit", VALID_FROM, VALID_TO]
    list_filter = ["board", "category", "frequency", "mandatory"]
    search_fields = ["name"]
    list_select_related = ["board", "board_goal"]
    autocomplete_fields = ["predecessor"]
    picker_fields = ("board_goal", "parent")
    inlines = [IndicatorBreakdownInline, FootnoteInline]

    def covering_occasions(self, obj):
        if obj.board_id is None:
            return None
        return year_range_occasions(obj, board_id=obj.board_id, municipality_id=None)


# The words a user searches breakdowns by: the gender labels and "Totalt" (the total).
GENDER_WORDS = {label.casefold(): value for value, label in models.Breakdown.Gender.choices}


@admin.register(models.Breakdown)
class BreakdownAdmin(admin.ModelAdmin):
    """Breakdowns as the reports name them ("Kvinnor, UAF"), found by those words."""

    list_display = ["plain_label", "gender", "org_unit", "category", "order"]
    list_select_related = ["org_unit"]
    search_fields = ["code", "category", "org_unit__code", "org_unit__name"]
    search_help_text = "Sök på t.ex. Kvinnor, Män, Totalt, en enhet eller en kategori."

    @admin.display(description="uppdelning", ordering="code")
    def plain_label(self, obj: models.Breakdown) -> str:
        return obj.label

    def get_search_results(self, request, queryset, search_term):
        words = search_term.split()
        if not words:
            return super().get_search_results(request, queryset, search_term)
        conditions = []
        for word in words:
            condition = reduce(
                or_, (Q(**{f"{field}__icontains": word}) for field in self.search_fields)
            )
            gender = GENDER_WORDS.get(word.strip(",").casefold())
            if gender == "":  # Totalt: the row with no gender, unit or category
                condition |= Q(gender="", org_unit__isnull=True, category="")
            elif gender is not None:
                condition |= Q(gender=gender)
            conditions.append(condition)
        return queryset.filter(reduce(and_, conditions)), False


@admin.register(models.IndicatorValue)
class IndicatorValueAdmin(LockedRowsAdminMixin, AuditedHistoryAdmin):
    form = IndicatorValueForm
    list_display = [
        "indicator",
        YEAR,
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

    def covering_occasions(self, obj):
        if obj.indicator_id is None or obj.year is None:
            return None
        board_id = models.Indicator.objects.filter(pk=obj.indicator_id).values("board_id")
        return occasions_over(
            board_id=None, municipality_id=None, first=obj.year, last=obj.year
        ).filter(board_id__in=board_id)

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
class TargetAdmin(ApprovedStructureAdminMixin, AuditedHistoryAdmin):
    form = TargetForm
    list_display = ["indicator", YEAR, "breakdown", "kind", "operator", "value", "text"]
    list_filter = ["year", "kind"]
    search_fields = ["indicator__name"]
    list_select_related = ["indicator", "breakdown"]
    raw_id_fields = ["indicator"]

    def covering_occasions(self, obj):
        if obj.indicator_id is None or obj.year is None:
            return None
        board_id = models.Indicator.objects.filter(pk=obj.indicator_id).values("board_id")
        return occasions_over(
            board_id=None, municipality_id=None, first=obj.year, last=obj.year
        ).filter(board_id__in=board_id)


@admin.register(models.Footnote)
class FootnoteAdmin(AuditedHistoryAdmin):
    list_display = ["__str__", "indicator", "value", "target", "board_goal", YEAR]
    search_fields = ["text"]
    raw_id_fields = ["indicator", "value", "target", "board_goal"]
