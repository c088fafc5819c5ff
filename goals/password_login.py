"""Local passwords as break-glass: STYRKORT_PASSWORD_LOGIN = on, admins or off.

Enforced here, in the authentication path (the login form, the Django admin's login, anything
that calls `authenticate`), and again for each request of a session opened with a password, so
switching to "admins" or "off" also ends password sessions that no longer qualify.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from core.security import SecurityEvent, log_security_event
from goals.access import Action, on_every_board


class PasswordLoginMode:
    ON = "on"
    ADMINS = "admins"
    OFF = "off"


def may_use_password(user: Any) -> bool:
    """Whether the password may sign this user in under the current setting."""
    mode = settings.STYRKORT_PASSWORD_LOGIN
    if mode == PasswordLoginMode.ON:
        return True
    if mode == PasswordLoginMode.ADMINS:
        return user.is_active and (user.is_superuser or on_every_board(user, Action.ADMINISTER))
    return False


class PasswordLoginBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if password is None:
            return None
        mode = settings.STYRKORT_PASSWORD_LOGIN
        if mode == PasswordLoginMode.OFF:
            log_security_event(
                SecurityEvent.ACCESS_DENIED,
                request=request,
                user=str(username or "")[:150] or None,
                reason="password_login_off",
            )
            # Stops the other backends; Django then reports a failed login (axes counts it).
            raise PermissionDenied("Inloggning med lösenord är avstängd.")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and not may_use_password(user):
            log_security_event(
                SecurityEvent.ACCESS_DENIED,
                request=request,
                user=user,
                reason="password_login_admins_only",
            )
            raise PermissionDenied("Inloggning med lösenord är bara för administratörer.")
        return user

    def get_user(self, user_id: Any) -> Any:
        user = super().get_user(user_id)
        if user is not None and not may_use_password(user):
            return None
        return user
