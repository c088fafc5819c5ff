from django.urls import include, path

from goals import (
    views,
    views_identity,
    views_oidc,
    views_plans,
    views_rollover,
    views_structure,
    views_users,
)

app_name = "goals"

followup_patterns = [
    path("anvandare/", views_users.user_list, name="user_list"),
    # user-admin: one user's roles and account, the group mappings, the Behörighetslogg.
    path("anvandare/<int:user_id>/", views_users.user_detail, name="user_detail"),
    path(
        "anvandare/<int:user_id>/roller/<int:role_id>/aterkalla/",
        views_users.user_role_revoke,
        name="user_role_revoke",
    ),
    path(
        "anvandare/<int:user_id>/inaktivera/",
        views_users.user_deactivate,
        name="user_deactivate",
    ),
    path("anvandare/<int:user_id>/aktivera/", views_users.user_activate, name="user_activate"),
    path("gruppmappningar/", views_users.group_mapping_list, name="group_mapping_list"),
    path(
        "gruppmappningar/<int:mapping_id>/ta-bort/",
        views_users.group_mapping_remove,
        name="group_mapping_remove",
    ),
    path("behorighetslogg/", views_users.access_change_list, name="access_change_list"),
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
# structure-goals: the goal chain's structure pages (goals.views_structure).
_board_year = "<str:board_code>/<int:year>/"
structure_patterns: list = [
    path(f"{_board_year}mal/", views_structure.goal_list, name="structure_goal_list"),
    path(
        f"{_board_year}namndmal/ny/",
        views_structure.board_goal_create,
        name="structure_board_goal_create",
    ),
    path(
        f"{_board_year}namndmal/<int:goal_id>/",
        views_structure.board_goal_edit,
        name="structure_board_goal_edit",
    ),
    path(
        f"{_board_year}namndmal/<int:goal_id>/avsluta/",
        views_structure.board_goal_end,
        name="structure_board_goal_end",
    ),
    path(
        f"{_board_year}aktiviteter/ny/",
        views_structure.activity_create,
        name="structure_activity_create",
    ),
    path(
        f"{_board_year}aktiviteter/<int:activity_id>/",
        views_structure.activity_edit,
        name="structure_activity_edit",
    ),
    path(
        f"{_board_year}uppdrag/ny/",
        views_structure.assignment_create,
        name="structure_assignment_create",
    ),
    path(
        f"{_board_year}uppdrag/<int:assignment_id>/",
        views_structure.assignment_edit,
        name="structure_assignment_edit",
    ),
    path(
        f"{_board_year}uppdrag/<int:assignment_id>/avsluta/",
        views_structure.assignment_end,
        name="structure_assignment_end",
    ),
    path("kf-mal/<int:year>/", views_structure.council_goal_list, name="structure_council_goals"),
    path(
        "kf-mal/<int:year>/ny/",
        views_structure.council_goal_create,
        name="structure_council_goal_create",
    ),
    path(
        "kf-mal/<int:year>/<int:council_goal_id>/",
        views_structure.council_goal_edit,
        name="structure_council_goal_edit",
    ),
    path("styrdokument/<int:year>/", views_structure.policy_list, name="structure_policy_list"),
    path(
        "styrdokument/<int:year>/ny/",
        views_structure.policy_create,
        name="structure_policy_create",
    ),
    path(
        "styrdokument/<int:year>/<int:policy_id>/",
        views_structure.policy_edit,
        name="structure_policy_edit",
    ),
    path("mandatperioder/", views_structure.mandate_periods, name="structure_mandate_periods"),
    path(
        "mandatperioder/<int:mandate_period_id>/",
        views_structure.mandate_period_edit,
        name="structure_mandate_period_edit",
    ),
    # pages: each plan's decision date, its figures' cut-off (goals.views_plans).
    path(f"{_board_year}planer/", views_plans.board_plans, name="structure_plans"),
    # rollover: draft year N+1 from N, review, publish (goals.views_rollover).
    path(
        f"{_board_year}skapa-nasta-ar/",
        views_rollover.structure_rollover,
        name="structure_rollover",
    ),
]

urlpatterns = [
    path("uppfoljning/", include(followup_patterns)),
    path("struktur/", include(structure_patterns)),
    path("inloggning/nekad/<str:reason>/", views_identity.sign_in_refused, name="sign_in_refused"),
    # OpenID Connect (goals.views_oidc): the callback is the redirect URI to register.
    path("inloggning/oidc/", views_oidc.oidc_login, name="oidc_login"),
    path("inloggning/oidc/callback/", views_oidc.oidc_callback, name="oidc_callback"),
]
