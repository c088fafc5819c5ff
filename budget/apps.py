from django.apps import AppConfig


class BudgetConfig(AppConfig):
    name = "budget"
    verbose_name = "Budget"

    def ready(self) -> None:
        from budget.computed import provide
        from indicators.computed import register

        register(provide)
