from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "goals"
    verbose_name = "Mål och organisation"

    def ready(self) -> None:
        from goals import security

        security.connect_signals()
