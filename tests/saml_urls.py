"""The project's URLs with SAML sign-in routed, as config/urls.py does when it is configured."""

from django.urls import include, path

from config.urls import handler400, handler500
from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [*project_urlpatterns, path("saml2/", include("goals.urls_saml"))]

__all__ = ["handler400", "handler500", "urlpatterns"]
