from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

urlpatterns = [
    path("logga-in/", login_not_required(auth_views.LoginView.as_view()), name="login"),
    path("logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("uppfoljning/", include("goals.urls")),
    path("utfall/", include("indicators.urls")),
    path("budget/", include("budget.urls")),
    path("", include("reports.urls")),
]
