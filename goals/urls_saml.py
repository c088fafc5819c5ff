"""SAML 2.0 sign-in (goals.saml), routed under /saml2/ only when an identity provider is
configured (config/urls.py)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from goals import saml

app_name = "saml"

urlpatterns = [
    path("login/", login_not_required(saml.LoginView.as_view()), name="login"),
    path("acs/", login_not_required(saml.AcsView.as_view()), name="acs"),
    path("metadata/", login_not_required(saml.MetadataView.as_view()), name="metadata"),
]
