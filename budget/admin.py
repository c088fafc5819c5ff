from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from budget import models
from goals.admin import (
    VALID_FROM,
    VALID_TO,
    YEAR,
    AuditedHistoryAdmin,
    LockedRowsAdminMixin,
    year_column,
)

DOCUMENT_YEAR = year_column("document_year", "dokumentets år")


class BudgetAmountInline(admin.TabularInline):
    """Read-only here: amounts are edited one by one, where the lock and versions apply."""

    model = models.BudgetAmount
    extra = 0
    fields = ("year_text", "kind", "month", "document_year_text", "amount", "revenues", "version")
    readonly_fields = fields
    ordering = ["-year", "kind", "month"]
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    # Read-only year fields would be shown localised ("2 022"): plain digits instead.
    @admin.display(description="år")
    def year_text(self, obj: models.BudgetAmount) -> str:
        return str(obj.year)

    @admin.display(description="dokumentets år")
    def document_year_text(self, obj: models.BudgetAmount) -> str:
        return "" if obj.document_year is None else str(obj.document_year)


class PlanChangeAmountInline(admin.TabularInline):
    model = models.PlanChangeAmount
    extra = 0


class InvestmentAmountInline(admin.TabularInline):
    model = models.InvestmentAmount
    extra = 0
    fields = ["year", "kind", "document_year", "amount"]
    ordering = ["-year", "kind"]


@admin.register(models.BudgetLine)
class BudgetLineAdmin(AuditedHistoryAdmin):
    list_display = ["name", "board", "scheme", "section", "order", VALID_FROM, VALID_TO]
    list_filter = ["board", "scheme", "section"]
    search_fields = ["name", "code"]
    list_select_related = ["board"]
    inlines = [BudgetAmountInline]


@admin.register(models.BudgetAmount)
class BudgetAmountAdmin(LockedRowsAdminMixin, AuditedHistoryAdmin):
    list_display = ["line", YEAR, "kind", "month", DOCUMENT_YEAR, "amount", "revenues"]
    list_filter = ["year", "kind", "line__board", "line__scheme"]
    search_fields = ["line__name"]
    list_select_related = ["line"]
    raw_id_fields = ["line"]
    readonly_fields = ["version", "updated_at", "updated_by"]

    def locking_occasion_of(self, obj):
        # Locked amounts are read-only; a new or changed amount in a locked year is refused.
        if obj.line_id is None:
            return None
        return obj.locking_occasion()


@admin.register(models.PlanChange)
class PlanChangeAdmin(AuditedHistoryAdmin):
    list_display = ["text", "board", DOCUMENT_YEAR, "kind", "line", "order"]
    list_filter = ["board", "document_year", "kind"]
    search_fields = ["text"]
    list_select_related = ["board", "line"]
    raw_id_fields = ["line"]
    inlines = [PlanChangeAmountInline]


@admin.register(models.InvestmentProject)
class InvestmentProjectAdmin(AuditedHistoryAdmin):
    list_display = [
        "name",
        "board",
        "decided_budget",
        year_column("completed_year", "färdigställt år"),
        VALID_FROM,
        VALID_TO,
    ]
    list_filter = ["board"]
    search_fields = ["name", "code"]
    list_select_related = ["board"]
    inlines = [InvestmentAmountInline]


@admin.register(models.InvestmentAmount)
class InvestmentAmountAdmin(AuditedHistoryAdmin):
    list_display = ["project", YEAR, "kind", DOCUMENT_YEAR, "amount"]
    list_filter = ["year", "kind", "project__board"]
    list_select_related = ["project"]
    raw_id_fields = ["project"]
