"""Pages that belong to no domain app: the accessibility statement and password change."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse_lazy

from core.security import SESSION_LOGOUT_REDIRECT_KEY, SecurityEvent, log_security_event


@login_not_required
def accessibility(request: HttpRequest) -> HttpResponse:
    """Tillgänglighetsredogörelse, readable without logging in."""
    return render(
        request,
        "accessibility.html",
        {"support_email": settings.SUPPORT_EMAIL},
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, which keeps this session and ends all others, and logs it."""

    success_url = reverse_lazy("core:password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        log_security_event(SecurityEvent.PASSWORD_CHANGED, request=self.request)
        return response


class LoginView(auth_views.LoginView):
    """Django's login, with a button per enabled identity provider; the password form only
    where STYRKORT_PASSWORD_LOGIN allows it (the backend enforces it either way)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["password_login"] = settings.STYRKORT_PASSWORD_LOGIN
        context["oidc_enabled"] = settings.OIDC_ENABLED
        context["saml_enabled"] = settings.SAML_ENABLED
        context["oidc_button_label"] = settings.OIDC_BUTTON_LABEL
        return context


class LogoutView(auth_views.LogoutView):
    """Django's logout (the session ends on the server); after a sign-in at a provider with
    its own logout, the browser is sent there too."""

    def post(self, request, *args, **kwargs):
        provider_logout = request.session.get(SESSION_LOGOUT_REDIRECT_KEY, "")
        response = super().post(request, *args, **kwargs)
        if provider_logout:
            return HttpResponseRedirect(provider_logout)
        return response
