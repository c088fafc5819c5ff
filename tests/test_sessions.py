"""Sessions end after 30 minutes idle, 12 hours after login, at logout and at a password change.

Time is moved by patching django.utils.timezone.now, which both the session store (expiry)
and the absolute-timeout middleware read; nothing sleeps.
"""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.middleware import SESSION_EXPIRED_MESSAGE
from core.security import SESSION_LOGIN_AT_KEY, SecurityEvent
from tests.conftest import PASSWORD

# A page only a logged-in user sees, owned by this part of the app.
PAGE = "/byt-losenord/"
LOGIN = "/logga-in/"


class Clock:
    """A controllable now() for the session store and the middleware."""

    def __init__(self):
        self.now = timezone.now()

    def advance(self, **kwargs):
        self.now += timedelta(**kwargs)

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    fake = Clock()
    with mock.patch("django.utils.timezone.now", fake):
        yield fake


def login(client, username):
    response = client.post(LOGIN, {"username": username, "password": PASSWORD})
    assert response.status_code == 302, "login failed"
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def is_logged_in(client) -> bool:
    response = client.get(PAGE)
    if response.status_code == 200:
        return True
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)
    return False


def test_the_configuration_is_what_the_issue_asks_for():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_ABSOLUTE_MAX_SECONDS == 12 * 60 * 60
    # Database sessions (core.sessions only lets a read-only database still show pages).
    assert settings.SESSION_ENGINE == "core.sessions"
    from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

    from core.sessions import SessionStore

    assert issubclass(SessionStore, DatabaseSessionStore)


def test_idle_for_more_than_30_minutes_ends_the_session(client, controller_an, clock):
    key = login(client, "controller_an")
    clock.advance(minutes=29)
    assert is_logged_in(client)
    clock.advance(minutes=29)  # 58 minutes after login, but only 29 idle
    assert is_logged_in(client)
    clock.advance(minutes=30, seconds=1)
    assert not is_logged_in(client)
    # The server refuses the session itself, whatever the browser keeps.
    assert not Session.objects.filter(session_key=key, expire_date__gt=clock.now).exists()


def test_activity_keeps_a_session_only_until_12_hours_after_login(
    client, controller_an, clock, security_log
):
    login(client, "controller_an")
    for step in range(1, 12 * 3 + 1):  # a request every 20 minutes: never 30 idle
        clock.advance(minutes=20)
        assert is_logged_in(client), f"logged out after {step * 20} minutes"
    # Exactly 12 hours after login the user is still in; the next request is too late.
    clock.advance(minutes=20)
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)

    login_page = client.get(response.url)
    assert SESSION_EXPIRED_MESSAGE in login_page.content.decode()
    [event] = security_log.events(SecurityEvent.SESSION_EXPIRED)
    assert event["user"] == "controller_an"
    assert event["detail"]["reason"] == "absolute_limit"


def test_a_new_login_starts_a_new_12_hours(client, controller_an, clock):
    login(client, "controller_an")
    clock.advance(hours=11, minutes=50)
    client.post(reverse("core:logout"))
    login(client, "controller_an")
    clock.advance(minutes=20)
    assert is_logged_in(client)


def test_login_time_is_stamped_at_login(client, controller_an):
    before = timezone.now().timestamp()
    login(client, "controller_an")
    stamped = client.session[SESSION_LOGIN_AT_KEY]
    assert before <= stamped <= timezone.now().timestamp()


def test_session_without_login_time_is_ended(client, controller_an, security_log):
    client.force_login(controller_an)
    session = client.session
    del session[SESSION_LOGIN_AT_KEY]
    session.save()
    assert not is_logged_in(client)
    [event] = security_log.events(SecurityEvent.SESSION_EXPIRED)
    assert event["detail"]["reason"] == "no_login_time"


def test_logout_ends_the_session_on_the_server(client, controller_an):
    key = login(client, "controller_an")
    assert Session.objects.filter(session_key=key).exists()
    client.post(reverse("core:logout"))
    assert not Session.objects.filter(session_key=key).exists()

    # Someone who copied the cookie before logout gets nothing with it.
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = key
    assert not is_logged_in(thief)


def test_password_change_keeps_this_session_and_ends_the_others(controller_an):
    laptop, phone = Client(), Client()
    login(laptop, "controller_an")
    login(phone, "controller_an")
    assert is_logged_in(phone)

    response = laptop.post(
        reverse("core:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "ett-helt-nytt-langt-losenord",
            "new_password2": "ett-helt-nytt-langt-losenord",
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("core:password_change_done")

    assert is_logged_in(laptop)
    assert not is_logged_in(phone)


def test_password_set_by_an_administrator_ends_all_sessions(controller_an):
    browser = Client()
    login(browser, "controller_an")
    controller_an.set_password("administratoren-satte-detta")
    controller_an.save()
    assert not is_logged_in(browser)


def test_session_cookie_is_httponly(client, controller_an):
    login(client, "controller_an")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["max-age"] == 30 * 60


def test_htmx_request_after_the_session_ended_loads_the_login_page(client, controller_an, clock):
    login(client, "controller_an")
    clock.advance(minutes=31)
    response = client.get(PAGE, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{LOGIN}?next={PAGE}"
    assert response.content == b""
    # Without htmx the ordinary redirect is kept.
    response = client.get(PAGE)
    assert response.status_code == 302
