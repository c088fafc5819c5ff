from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = "Indikatorer"

    def ready(self) -> None:
        # goals sends the user back to the occasion's page after a workflow step and lists
        # what is missing before a submit; the entry page and sheet are ours, so we register
        # them (goals never imports indicators or reverses its URLs).
        from goals.providers import register_entry_sheet, register_occasion_page
        from indicators.entry import entry_sheet
        from indicators.views_entry import occasion_url

        register_occasion_page(occasion_url)
        register_entry_sheet(entry_sheet)

        # A nämndmål split as of a year takes its indicators along (goals' structure services
        # call what the higher apps register).
        from goals.structure_services import register_split_hook
        from indicators.structure_services import follow_board_goal_split

        register_split_hook(follow_board_goal_split)

        # The year rollover (goals.rollover) continues the board's indicators.
        from indicators.rollover import register as register_rollover

        register_rollover()
