from django.apps import AppConfig
from django.db.models.signals import m2m_changed


class GoalsConfig(AppConfig):
    name = "goals"
    verbose_name = "Mål och organisation"

    def ready(self) -> None:
        from goals.integrity import refuse_cross_board_goals
        from goals.models import Activity

        m2m_changed.connect(
            refuse_cross_board_goals,
            sender=Activity.board_goals.through,
            dispatch_uid="goals_activity_board_goals_integrity",
        )
