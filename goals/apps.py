from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_migrate


class GoalsConfig(AppConfig):
    name = "goals"
    verbose_name = "Mål och organisation"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        from goals.integrity import install_link_triggers_after_migrate, refuse_cross_board_goals
        from goals.models import Activity
        from goals.saml import end_saml_session

        m2m_changed.connect(
            refuse_cross_board_goals,
            sender=Activity.board_goals.through,
            dispatch_uid="goals_activity_board_goals_integrity",
        )
        # SQLite drops a table's triggers when a migration rebuilds it: installed again.
        post_migrate.connect(
            install_link_triggers_after_migrate, dispatch_uid="goals.integrity.link_triggers"
        )
        user_logged_out.connect(end_saml_session, dispatch_uid="goals.saml.end_saml_session")
