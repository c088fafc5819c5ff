"""Archived reports in the admin: listed and shown, never added, changed or deleted."""

from typing import cast

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from reports.models import ArchivedReport, ArchivedReportQuerySet


@admin.register(ArchivedReport)
class ArchivedReportAdmin(admin.ModelAdmin):
    list_display = ["__str__", "created_at", "created_by", "xlsx_size", "xlsx_sha256"]
    list_filter = ["board", "year", "kind"]
    list_select_related = ["board", "created_by"]
    date_hierarchy = "created_at"
    fields = (
        "occasion",
        "approval",
        "board",
        "year",
        "kind",
        "version",
        "created_at",
        "created_by",
        "xlsx_size",
        "xlsx_sha256",
        "json_size",
        "json_sha256",
        "docx_sha256",
        "pdf_sha256",
        "downloads",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> ArchivedReportQuerySet:
        # The model's manager is an ArchivedReportQuerySet; the admin's stub says QuerySet.
        return cast(ArchivedReportQuerySet, super().get_queryset(request)).without_content()

    @admin.display(description="Ladda ner")
    def downloads(self, obj):
        links = format_html(
            '<a href="{}">Excelfil (.xlsx)</a> · <a href="{}">JSON</a>',
            reverse("reports:archived_report_xlsx", args=[obj.pk]),
            reverse("reports:archived_report_json", args=[obj.pk]),
        )
        if obj.docx_sha256:
            links = format_html(
                '{} · <a href="{}">Word (.docx)</a>',
                links,
                reverse("reports:archived_report_docx", args=[obj.pk]),
            )
        if obj.pdf_sha256:
            links = format_html(
                '{} · <a href="{}">PDF</a>',
                links,
                reverse("reports:archived_report_pdf", args=[obj.pk]),
            )
        return links

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
