from django.contrib import admin

from goals.admin import AuditedHistoryAdmin, LockedRowsAdminMixin
from indicators import models


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
        occasion = obj.locking_occasion()
        if occasion is None and obj.pk is not None:
            stored = models.IndicatorValue.objects.filter(pk=obj.pk).first()
            occasion = stored.locking_occasion() if stored is not None else None
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
