"""Session lifetime: never more than SESSION_ABSOLUTE_MAX_SECONDS (12 hours) after login.

The idle limit (30 minutes) is Django's own: SESSION_COOKIE_AGE with SESSION_SAVE_EVERY_REQUEST
moves the session's expiry forward on every request, and the server refuses a session whose
expiry has passed. Activity keeps a session alive only until the absolute limit, which this
middleware enforces from the login time that core.security stamps into the session.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils import timezone

from core.security import SESSION_LOGIN_AT_KEY, SecurityEvent, log_security_event

SESSION_EXPIRED_MESSAGE = (
    "Du har loggats ut eftersom det har gått mer än 12 timmar sedan du loggade in. "
    "Logga in igen för att fortsätta."
)


class AbsoluteSessionTimeoutMiddleware:
    """Log out a user whose login is older than the absolute limit.

    Goes after AuthenticationMiddleware and MessageMiddleware. A session without a recorded
    login time (one that predates this middleware) is treated as expired: it cannot prove
    its age.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            login_at = request.session.get(SESSION_LOGIN_AT_KEY)
            now = timezone.now().timestamp()
            if (
                not isinstance(login_at, int | float)
                or now - login_at > settings.SESSION_ABSOLUTE_MAX_SECONDS
            ):
                log_security_event(
                    SecurityEvent.SESSION_EXPIRED,
                    request=request,
                    user=user,
                    reason="absolute_limit" if login_at is not None else "no_login_time",
                )
                logout(request)
                messages.info(request, SESSION_EXPIRED_MESSAGE)
        return self.get_response(request)


class HtmxLoginRedirectMiddleware:
    """Send an htmx request whose session has ended to the login page as a whole page.

    The browser follows a redirect inside an htmx request by itself and htmx would swap the
    login form into the middle of the page. Instead the answer carries HX-Redirect, which
    makes htmx load the login page in the window.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.headers.get("HX-Request") == "true"
            and response.status_code == 302
            and response["Location"].startswith(resolve_url(settings.LOGIN_URL))
        ):
            redirect = HttpResponse(status=200)
            redirect["HX-Redirect"] = response["Location"]
            return redirect
        return response
