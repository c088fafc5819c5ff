"""Pages that belong to no domain app: login, logout, password change, accessibility."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path

from core import views

app_name = "core"

urlpatterns = [
    path("logga-in/", login_not_required(views.LoginView.as_view()), name="login"),
    path("logga-ut/", views.LogoutView.as_view(), name="logout"),
    path("byt-losenord/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "byt-losenord/klart/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("tillganglighet/", views.accessibility, name="accessibility"),
]
