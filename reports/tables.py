"""django-tables2 tables of the list pages that reports owns (indicators, archived reports).

Only list pages: the report tables keep their own model (reports/report), which both
renderers (HTML and .xlsx) read.
"""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.contrib.auth.models import User
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html

from goals.models import Board
from goals.users import user_label
from indicators.models import Indicator
from reports.dashboard.rows import NO_VALUE, IndicatorRow
from reports.models import ArchivedReport

NO_PDF = "PDF saknas"

YEAR = {"td": {"class": "num"}, "th": {"class": "num"}}


class IndicatorTable(tables.Table):
    caption = "Indikatorer"

    name = tables.Column(
        verbose_name="Indikator", linkify=("reports:indicator_detail", [tables.A("pk")])
    )
    board = tables.Column(
        verbose_name="Nämnd", order_by=("board__order", "board__code", "name", "pk")
    )
    goal_area = tables.Column(
        verbose_name="Målområde",
        accessor="board_goal__council_goal__goal_area__name",
        order_by=("board_goal__council_goal__goal_area__order", "board__order", "name", "pk"),
    )
    board_goal = tables.Column(
        verbose_name="Nämndmål",
        accessor="board_goal__title",
        order_by=("board_goal__title", "name", "pk"),
    )
    unit = tables.Column(verbose_name="Enhet", order_by=("unit", "name", "pk"))
    frequency = tables.Column(verbose_name="Rapporteras", order_by=("frequency", "name", "pk"))
    valid_from = tables.Column(
        verbose_name="Gäller", order_by=("valid_from", "valid_to", "name", "pk"), localize=False
    )
    # The latest outcome of the year, its target and the judgement (IndicatorRow, judged once
    # for the whole list); not sortable, as they are no columns of the database.
    outcome = tables.Column(
        verbose_name="Senaste utfall", accessor="pk", orderable=False, attrs=YEAR
    )
    target = tables.Column(verbose_name="Målvärde", accessor="pk", orderable=False, attrs=YEAR)
    status = tables.Column(verbose_name="Status", accessor="pk", orderable=False)

    class Meta:
        model = Indicator
        fields = (
            "name",
            "board",
            "goal_area",
            "board_goal",
            "category",
            "unit",
            "frequency",
            "valid_from",
            "outcome",
            "target",
            "status",
        )
        order_by = ("board", "name")
        empty_text = "Inga indikatorer matchar urvalet."

    def __init__(
        self,
        data: Any,
        *,
        judgements: dict[int, IndicatorRow],
        year: int,
        off_target: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        self.judgements = judgements
        self.caption = (
            f"Indikatorer vars senaste utfall {year} inte når målvärdet"
            if off_target
            else f"Indikatorer med senaste utfall och målvärde {year}"
        )

    def render_board(self, value: Board) -> str:
        return value.code

    def render_outcome(self, record: Indicator) -> str:
        row = self.judgements[record.pk]
        if not row.has_value:
            return NO_VALUE
        return f"{row.value_text} ({row.period_label})"

    def render_target(self, record: Indicator) -> str:
        return self.judgements[record.pk].target_text or "–"

    def render_status(self, record: Indicator) -> str:
        row = self.judgements[record.pk]
        return render_to_string("reports/_indicator_list_status.html", {"row": row})

    def render_valid_from(self, record: Indicator) -> str:
        return record.years_label


class ArchivedReportTable(tables.Table):
    caption = "Arkiverade verksamhetsberättelser, som de såg ut när tillfället godkändes"

    board = tables.Column(
        verbose_name="Nämnd", order_by=("board__order", "board__code", "year", "kind", "version")
    )
    year = tables.Column(
        verbose_name="År", localize=False, attrs=YEAR, order_by=("year", "board__code", "pk")
    )
    kind = tables.Column(verbose_name="Tillfälle", order_by=("kind", "board__code", "pk"))
    version = tables.Column(verbose_name="Version", attrs=YEAR)
    created_at = tables.DateTimeColumn(
        verbose_name="Godkänd", format="Y-m-d H:i", order_by=("created_at", "pk")
    )
    created_by = tables.Column(
        verbose_name="Godkänd av",
        order_by=("created_by__last_name", "created_by__username"),
        default="–",
    )
    files = tables.Column(verbose_name="Filer", accessor="pk", orderable=False)
    xlsx_sha256 = tables.Column(
        verbose_name="SHA-256 för Excelfilen", orderable=False, attrs={"td": {"class": "sha"}}
    )

    class Meta:
        model = ArchivedReport
        fields = (
            "board",
            "year",
            "kind",
            "version",
            "created_at",
            "created_by",
            "files",
            "xlsx_sha256",
        )
        order_by = ("-created_at",)
        empty_text = "Inga arkiverade rapporter matchar urvalet."

    def render_board(self, value: Board) -> str:
        return f"{value.name} ({value.code})"

    def render_created_by(self, value: User | None) -> str:
        return user_label(value)

    def render_files(self, record):
        files = format_html(
            '<a href="{}" download>Excelfil (.xlsx, {})</a> · '
            '<a href="{}" download>Data (JSON, {})</a>',
            reverse("reports:archived_report_xlsx", args=[record.pk]),
            filesizeformat(record.xlsx_size),
            reverse("reports:archived_report_json", args=[record.pk]),
            filesizeformat(record.json_size),
        )
        if not record.docx_sha256:  # archived before documents were
            return files
        pdf = (
            format_html(
                '<a href="{}" download>PDF</a>',
                reverse("reports:archived_report_pdf", args=[record.pk]),
            )
            if record.pdf_sha256
            else format_html('<span class="muted">{}</span>', NO_PDF)
        )
        return format_html(
            '{} · <a href="{}" download>Worddokument (.docx)</a> · {}',
            files,
            reverse("reports:archived_report_docx", args=[record.pk]),
            pdf,
        )

    def render_xlsx_sha256(self, value):
        return format_html("<code>{}</code>", value)
