from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from config import views as config_views

urlpatterns = [
    path("logga-in/", login_not_required(auth_views.LoginView.as_view()), name="login"),
    path("logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("byt-losenord/", config_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "byt-losenord/klart/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("tillganglighet/", config_views.accessibility, name="accessibility"),
    path("admin/", admin.site.urls),
    path("uppfoljning/", include("goals.urls")),
    path("utfall/", include("indicators.urls")),
    path("budget/", include("budget.urls")),
    path("", include("reports.urls")),
]

# A database outage raised outside a view (the session, the user) gets the Swedish 503 too.
handler400 = "config.database_outage.bad_request"
handler500 = "config.database_outage.server_error"
