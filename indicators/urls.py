from django.urls import include, path

from indicators import (
    views_entry,
    views_history,
    views_import,
    views_kolada,
    views_occasions,
    views_structure,
)
from indicators.structure_workbook import views as structure_workbook_views

OCCASION = "<str:board_code>/<int:year>/<str:kind>/"
WORKBOOK = "<str:board_code>/<int:year>/arbetsbok"

app_name = "indicators"

entry_patterns = [
    path("", views_occasions.overview, name="entry_overview"),
    # Before the occasion patterns, whose first segment (a board code) would match "varde".
    path("varde/<int:value_id>/historik/", views_history.value_history, name="value_history"),
    path(OCCASION, views_entry.entry_page, name="entry_page"),
    path(OCCASION + "varde/", views_entry.save_value_view, name="entry_save_value"),
    path(OCCASION + "spara-alla/", views_entry.save_all_view, name="entry_save_all"),
    path(
        OCCASION + "malbedomning/<int:goal_id>/",
        views_entry.save_assessment_view,
        name="entry_save_assessment",
    ),
    path(
        OCCASION + "uppdrag/<int:assignment_id>/",
        views_entry.save_assignment_view,
        name="entry_save_assignment",
    ),
    path(
        OCCASION + "aktivitet/<int:activity_id>/",
        views_entry.save_activity_view,
        name="entry_save_activity",
    ),
    path(OCCASION + "andringslogg/", views_history.occasion_log, name="entry_occasion_log"),
    path(OCCASION + "mall.xlsx", views_import.template_download, name="entry_template"),
    path(OCCASION + "import/", views_import.import_upload, name="entry_import"),
]

# The administrator's structure pages (/struktur/<nämnd>/<år>/…): the goal tree with its
# indicators and targets, and the structure workbook.
BOARD_YEAR = "<str:board_code>/<int:year>/"

structure_patterns: list = [
    path("", views_structure.structure_index, name="structure_index"),
    path(BOARD_YEAR, views_structure.structure_tree, name="structure_tree"),
    path(
        BOARD_YEAR + "indikator/ny/<int:goal_id>/",
        views_structure.indicator_create,
        name="structure_indicator_create",
    ),
    path(
        BOARD_YEAR + "indikator/ny/",
        views_structure.indicator_create,
        name="structure_indicator_create_measure",
    ),
    path(
        BOARD_YEAR + "indikator/<int:pk>/",
        views_structure.indicator_edit,
        name="structure_indicator_edit",
    ),
]
structure_patterns += [
    path(WORKBOOK + ".xlsx", structure_workbook_views.download, name="structure_workbook"),
    path(
        WORKBOOK + "/ladda-upp/", structure_workbook_views.upload, name="structure_workbook_upload"
    ),
]

# The administrator's Kolada pages (/kolada/…): code, peer groups, links, revisions.
kolada_patterns = [
    path("", views_kolada.kolada_index, name="kolada_index"),
    path("kommunkod/", views_kolada.municipality_code, name="kolada_municipality_code"),
    path("revideringar/", views_kolada.revision_list, name="kolada_revisions"),
    path("<str:board_code>/jamforelsegrupp/", views_kolada.peer_group, name="kolada_peer_group"),
    path(BOARD_YEAR, views_kolada.board_links, name="kolada_links"),
    path(
        BOARD_YEAR + "indikator/<int:indicator_id>/",
        views_kolada.link_edit,
        name="kolada_link_edit",
    ),
]

urlpatterns = [
    path("utfall/", include(entry_patterns)),
    path("struktur/", include(structure_patterns)),
    path("kolada/", include(kolada_patterns)),
]
