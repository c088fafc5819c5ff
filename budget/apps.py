from django.apps import AppConfig


class BudgetConfig(AppConfig):
    name = "budget"
    verbose_name = "Budget"

    def ready(self) -> None:
        from budget.computed import provide
        from indicators.computed import register

        register(provide)

        # The year rollover (goals.rollover) continues the budget lines and makes Plan N+1
        # the Budget N+1.
        from budget.rollover import register as register_rollover

        register_rollover()
