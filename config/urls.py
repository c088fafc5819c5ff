"""URL wiring only: every app's URLs are included by their dotted path, so importing this
module imports no app module of the project until Django resolves them."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("core.urls")),
    path("admin/", admin.site.urls),
    path("", include("goals.urls")),
    path("", include("indicators.urls")),
    path("budget/", include("budget.urls")),
    path("", include("reports.urls")),
]

# Sign-in with SAML 2.0: routed only when an identity provider is configured.
if settings.SAML_ENABLED:
    urlpatterns.append(path("saml2/", include("goals.urls_saml")))

# A database outage raised outside a view (the session, the user) gets the Swedish 503 too.
handler400 = "core.database_outage.bad_request"
handler500 = "core.database_outage.server_error"
