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
        # indicators' pages list the occasion's archived copies and link to the indicator
        # page; indicators never imports reports or reverses its URLs, so we register both.
        from django.urls import reverse

        from indicators.pages import register_indicator_page, register_panel
        from reports.panels import archived_reports

        register_panel(archived_reports)
        register_indicator_page(lambda pk: reverse("reports:indicator_detail", args=[pk]))
        # The year rollover's page links to the new year's goal tree, which is ours.
        from goals.rollover import register_goal_tree_page

        register_goal_tree_page(
            lambda board, year: reverse("reports:goal_tree", args=[board.code, year])
        )
        # After every migrate (and flush): the triggers that keep cached outputs honest.
        from django.db.models.signals import post_migrate

        from core.signals import database_restored
        from reports.freshness import install_triggers_after_migrate, install_triggers_after_restore

        post_migrate.connect(
            install_triggers_after_migrate, dispatch_uid="reports.freshness.install_triggers"
        )
        database_restored.connect(
            install_triggers_after_restore, dispatch_uid="reports.freshness.after_restore"
        )
        # After a commit that changed a board's data: rebuild its pages in the background.
        from reports import warming

        warming.connect()
