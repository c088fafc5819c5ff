from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app uses and that is not the domain: login and sessions, the security log,
    the source of each historical row, backup and restore, middleware and the outage pages.

    The lowest room: it imports no other app of the project.
    """

    name = "core"
    verbose_name = "Grund"

    def ready(self) -> None:
        # The audit source's receiver is connected when its module is imported.
        from core import audit, security  # noqa: F401

        security.connect_signals()
