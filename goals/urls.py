from django.urls import include, path

from goals import views, views_rollover, views_users

app_name = "goals"

followup_patterns = [
    path("anvandare/", views_users.user_list, name="user_list"),
    path("tillfalle/<int:occasion_id>/skicka-in/", views.submit, name="occasion_submit"),
    path("tillfalle/<int:occasion_id>/godkann/", views.approve, name="occasion_approve"),
    path(
        "tillfalle/<int:occasion_id>/skicka-tillbaka/",
        views.send_back,
        name="occasion_send_back",
    ),
    path("tillfalle/<int:occasion_id>/oppna-igen/", views.reopen, name="occasion_reopen"),
]

# The administrator's structure pages (/struktur/<nämnd>/<år>/…) that belong to the goal chain.
structure_patterns: list = [
    path(
        "<str:board_code>/<int:year>/skapa-nasta-ar/",
        views_rollover.structure_rollover,
        name="structure_rollover",
    ),
]

urlpatterns = [
    path("uppfoljning/", include(followup_patterns)),
    path("struktur/", include(structure_patterns)),
]
