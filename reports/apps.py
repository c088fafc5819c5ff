from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Rapporter"

    def ready(self) -> None:
        # goals sends occasion_approved; reports archives the report (goals never imports reports).
        from goals.signals import occasion_approved
        from reports.archive import archive_on_approval

        occasion_approved.connect(
            archive_on_approval, dispatch_uid="reports.archive.archive_on_approval"
        )
