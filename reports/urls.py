from django.urls import path

from reports.views import pages

urlpatterns = [
    path("", pages.home, name="home"),
    path("namnd/<str:board_code>/<int:year>/malstruktur/", pages.goal_tree, name="goal_tree"),
    path("indikator/<int:pk>/", pages.indicator_detail, name="indicator_detail"),
]
