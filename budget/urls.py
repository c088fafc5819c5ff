from django.urls import path

from budget import views

app_name = "budget"

urlpatterns = [
    path("<str:board_code>/<int:year>/", views.overview, name="budget_overview"),
    path("<str:board_code>/<int:year>/prognos/", views.entry, name="budget_entry"),
    path("<str:board_code>/<int:year>/internbudget/", views.plan, name="budget_plan"),
]
