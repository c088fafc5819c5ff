from django.urls import path

from goals.models import DocumentKind, PlanKind
from reports.views import (
    archive,
    dashboard,
    documents,
    interim,
    lists,
    municipality_report,
    narratives,
    outlines,
    pages,
    plans,
)
from reports.views import report as report_views

app_name = "reports"

urlpatterns = [
    path("", pages.home, name="home"),
    path("namnd/<str:board_code>/<int:year>/malstruktur/", pages.goal_tree, name="goal_tree"),
    path("indikatorer/", lists.indicator_list, name="indicator_list"),
    path("indikator/<int:pk>/", pages.indicator_detail, name="indicator_detail"),
    path("oversikt/", dashboard.municipality_overview, name="municipality_overview"),
    path("namnd/valj/", dashboard.dashboard_select, name="dashboard_select"),
    path(
        "namnd/<str:board_code>/dashboard/",
        dashboard.board_dashboard_current,
        name="board_dashboard_current",
    ),
    path(
        "namnd/<str:board_code>/<int:year>/dashboard/",
        dashboard.board_dashboard,
        name="board_dashboard",
    ),
    path(
        "namnd/<str:board_code>/<int:year>/ekonomi/",
        dashboard.board_economy,
        name="board_economy",
    ),
    path(
        "namnd/<str:board_code>/<int:year>/verksamhetsberattelse/",
        report_views.report_page,
        name="report",
    ),
    path(
        "namnd/<str:board_code>/<int:year>/verksamhetsberattelse.xlsx",
        report_views.report_xlsx,
        name="report_xlsx",
    ),
    path(
        "namnd/<str:board_code>/<int:year>/verksamhetsberattelse/<slug:table_key>.xlsx",
        report_views.report_table_xlsx,
        name="report_table_xlsx",
    ),
    # The delårsrapporter (reports.views.interim): page and whole workbook.
    path(
        "namnd/<str:board_code>/<int:year>/delar1/",
        interim.interim_page,
        {"document": DocumentKind.DELAR1.value},
        name="delar1",
    ),
    path(
        "namnd/<str:board_code>/<int:year>/delar1.xlsx",
        interim.interim_xlsx,
        {"document": DocumentKind.DELAR1.value},
        name="delar1_xlsx",
    ),
    path(
        "namnd/<str:board_code>/<int:year>/delar2/",
        interim.interim_page,
        {"document": DocumentKind.DELAR2.value},
        name="delar2",
    ),
    path(
        "namnd/<str:board_code>/<int:year>/delar2.xlsx",
        interim.interim_xlsx,
        {"document": DocumentKind.DELAR2.value},
        name="delar2_xlsx",
    ),
    # Any of the board's documents (goals.models.DocumentKind) as Word and as accessible PDF.
    path(
        "namnd/<str:board_code>/<int:year>/<str:document>.docx",
        documents.document_docx,
        name="document_docx",
    ),
    path(
        "namnd/<str:board_code>/<int:year>/<str:document>.pdf",
        documents.document_pdf,
        name="document_pdf",
    ),
    # The plan documents (reports.views.plans): page, whole workbook, one table or sheet.
    path(
        "namnd/<str:board_code>/<int:year>/internbudget/",
        plans.plan_page,
        {"kind": PlanKind.INTERNBUDGET},
        name="internbudget",
    ),
    path(
        "namnd/<str:board_code>/<int:year>/internbudget.xlsx",
        plans.plan_xlsx,
        {"kind": PlanKind.INTERNBUDGET},
        name="internbudget_xlsx",
    ),
    path(
        "namnd/<str:board_code>/<int:year>/internbudget/<slug:internbudget_table>.xlsx",
        plans.internbudget_table_xlsx,
        name="internbudget_table_xlsx",
    ),
    path(
        "namnd/<str:board_code>/<int:year>/verksamhetsplan/",
        plans.plan_page,
        {"kind": PlanKind.VERKSAMHETSPLAN},
        name="verksamhetsplan",
    ),
    path(
        "namnd/<str:board_code>/<int:year>/verksamhetsplan.xlsx",
        plans.plan_xlsx,
        {"kind": PlanKind.VERKSAMHETSPLAN},
        name="verksamhetsplan_xlsx",
    ),
    path(
        "namnd/<str:board_code>/<int:year>/verksamhetsplan/<slug:verksamhetsplan_table>.xlsx",
        plans.verksamhetsplan_table_xlsx,
        name="verksamhetsplan_table_xlsx",
    ),
    # The narrative texts of a document (reports.views.narratives): the page and one section's save.
    path(
        "namnd/<str:board_code>/<int:year>/<str:document>/texter/",
        narratives.narratives_page,
        name="narratives",
    ),
    path(
        "namnd/<str:board_code>/<int:year>/<str:document>/texter/<slug:section>/",
        narratives.narrative_save,
        name="narrative_save",
    ),
    path(
        "verksamhetsberattelse/<int:year>/alla-namnder.xlsx",
        municipality_report.report_xlsx_all,
        name="report_xlsx_all",
    ),
    path("arkiv/", lists.archived_report_list, name="archived_report_list"),
    # Dokumentmallar: each document's outline, for administrators (reports.views.outlines).
    path("mallar/", outlines.outline_index, name="outline_index"),
    path("mallar/<str:document>/", outlines.outline_edit, name="outline_edit"),
    path("mallar/<str:document>/aterstall/", outlines.outline_reset, name="outline_reset"),
    path(
        "arkiv/<int:archive_id>/verksamhetsberattelse.xlsx",
        archive.archived_report_xlsx,
        name="archived_report_xlsx",
    ),
    path(
        "arkiv/<int:archive_id>/verksamhetsberattelse.json",
        archive.archived_report_json,
        name="archived_report_json",
    ),
    path(
        "arkiv/<int:archive_id>/verksamhetsberattelse.docx",
        archive.archived_report_docx,
        name="archived_report_docx",
    ),
    path(
        "arkiv/<int:archive_id>/verksamhetsberattelse.pdf",
        archive.archived_report_pdf,
        name="archived_report_pdf",
    ),
]
