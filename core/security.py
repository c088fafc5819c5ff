"""Security events: who did what, when and from where, as one JSON line each.

Logins, failed logins, lockouts, logouts, refused access, expired sessions, password changes,
approvals and reopenings go to the logger "styrkort.security" (formatted by
core.security_log.SecurityJsonFormatter). Other code calls `log_security_event`; the auth
and django-axes signals are connected in CoreConfig.ready().

This module also stamps the login time into the session, which
core.middleware.AbsoluteSessionTimeoutMiddleware uses to end a session 12 hours after login.
"""

from __future__ import annotations

import ipaddress
import logging
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest
from django.utils import timezone

from core.security_log import RECORD_ATTRIBUTE

logger = logging.getLogger("styrkort.security")

# Unix time of the login, kept in the session.
SESSION_LOGIN_AT_KEY = "styrkort_login_at"
# Where the browser goes after logout, when sign-in was at a provider that has its own
# logout (set by the sign-in glue; read by core.views.LogoutView before the session ends).
SESSION_LOGOUT_REDIRECT_KEY = "styrkort_logout_redirect"


class SecurityEvent(StrEnum):
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    LOCKOUT = "lockout"
    LOCKOUT_RESET = "lockout_reset"
    ACCESS_DENIED = "access_denied"
    SESSION_EXPIRED = "session_expired"
    PASSWORD_CHANGED = "password_changed"
    OCCASION_SUBMITTED = "occasion_submitted"
    OCCASION_APPROVED = "occasion_approved"
    OCCASION_REOPENED = "occasion_reopened"
    # Single sign-on: a response or token refused (bad signature, audience, expiry, replay),
    # and a sign-in the identity provider vouched for but that maps to no role.
    SSO_REFUSED = "sso_refused"
    SSO_NO_ROLE = "sso_no_role"
    ACCESS_CHANGED = "access_changed"


# Events that suggest an attack or a mistake are warnings; the rest are information.
WARNING_EVENTS = {
    SecurityEvent.LOGIN_FAILED,
    SecurityEvent.LOCKOUT,
    SecurityEvent.ACCESS_DENIED,
    SecurityEvent.SSO_REFUSED,
    SecurityEvent.SSO_NO_ROLE,
}


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address.

    Behind TRUSTED_PROXY_COUNT reverse proxies the address is taken from X-Forwarded-For,
    counted from the right (each proxy appends the address it received the request from, so
    only those entries can be trusted); otherwise REMOTE_ADDR. django-axes uses the same
    function (AXES_CLIENT_IP_CALLABLE) so a lockout and its log line name the same address.
    """
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            candidate = forwarded[-proxies]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                return remote
    return remote


def _current_request() -> HttpRequest | None:
    """The request being handled, as simple-history's middleware keeps it, if any."""
    from simple_history.models import HistoricalRecords

    return getattr(HistoricalRecords.context, "request", None)


def _username(user: Any) -> str | None:
    if user is None:
        return None
    if isinstance(user, str):
        return user or None
    if not getattr(user, "is_authenticated", False):
        return None
    return user.get_username()


def log_security_event(
    event: SecurityEvent | str,
    request: HttpRequest | None = None,
    user: Any = None,
    **detail: Any,
) -> None:
    """Write one security event.

    `user` is a user object or a username (for failed logins); without it the request's
    user is used. Without a request, the request being handled (if any) gives the address.
    Keyword arguments go into the event's detail; never pass passwords or tokens.
    """
    if request is None:
        request = _current_request()
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if request is not None:
        detail.setdefault("path", request.path)
        detail.setdefault("method", request.method)
    event = str(event)
    fields = {
        "event": event,
        "user": _username(user),
        "ip": client_ip(request),
        "detail": detail,
    }
    level = logging.WARNING if event in WARNING_EVENTS else logging.INFO
    logger.log(level, event, extra={RECORD_ATTRIBUTE: fields})


# --- signal receivers, connected in CoreConfig.ready() -------------------------------------


def _on_logged_in(sender: object, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_LOGIN_AT_KEY] = timezone.now().timestamp()
    log_security_event(SecurityEvent.LOGIN, request=request, user=user)


def _on_logged_out(sender: object, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    log_security_event(SecurityEvent.LOGOUT, request=request, user=user)


def _on_login_failed(
    sender: object, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Django has already masked sensitive credentials; only the username is kept.
    username = str(credentials.get("username") or "")[:150]
    log_security_event(SecurityEvent.LOGIN_FAILED, request=request, user=username or None)


def _on_locked_out(
    sender: object, request: HttpRequest | None, username: str, ip_address: str, **kwargs: Any
) -> None:
    log_security_event(
        SecurityEvent.LOCKOUT,
        request=request,
        user=username or None,
        failure_limit=settings.AXES_FAILURE_LIMIT,
        locked_ip=ip_address,
    )


def _on_attempt_deleted(sender: object, instance: Any, **kwargs: Any) -> None:
    """An administrator (admin or axes_reset) cleared a lock before its cool-off ended.

    axes also deletes records whose cool-off has passed; those locks ended by themselves and
    are not logged.
    """
    from axes.helpers import get_cool_off

    cool_off = get_cool_off()
    expired = cool_off is not None and instance.attempt_time <= timezone.now() - cool_off
    if instance.failures_since_start >= settings.AXES_FAILURE_LIMIT and not expired:
        log_security_event(
            SecurityEvent.LOCKOUT_RESET,
            locked_user=instance.username,
            locked_ip=instance.ip_address,
        )


def connect_signals() -> None:
    from axes.models import AccessAttempt
    from axes.signals import user_locked_out
    from django.db.models.signals import post_delete

    user_logged_in.connect(_on_logged_in, dispatch_uid="styrkort_security_login")
    user_logged_out.connect(_on_logged_out, dispatch_uid="styrkort_security_logout")
    user_login_failed.connect(_on_login_failed, dispatch_uid="styrkort_security_login_failed")
    user_locked_out.connect(_on_locked_out, dispatch_uid="styrkort_security_locked_out")
    post_delete.connect(
        _on_attempt_deleted, sender=AccessAttempt, dispatch_uid="styrkort_security_unlock"
    )
