"""Pages that belong to no domain app: the accessibility statement and password change."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy

from core.security import SecurityEvent, log_security_event


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
