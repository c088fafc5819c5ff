"""STYRKORT_PASSWORD_LOGIN: passwords for everyone, for the break-glass administrator, or none.

Enforced in the authentication backend, so a POST without the form is refused as well, the
refusal is logged, and a password session that no longer qualifies ends at its next request.
"""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from goals.models import BoardRole, Role
from tests.conftest import PASSWORD, make_user

LOGIN = "/logga-in/"
BREAK_GLASS = "Nödinloggning för administratör"


def post_login(client, username, password=PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password})


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def board_admin(board_an):
    """An administrator of one board only: not a break-glass account."""
    return make_user("admin_an", Role.ADMINISTRATOR, board_an)


@pytest.fixture
def every_board_admin(db):
    return make_user("admin_alla", Role.ADMINISTRATOR, None)


def test_on_is_the_default_and_lets_everyone_in(client, controller_an):
    assert django_settings.STYRKORT_PASSWORD_LOGIN == "on"
    page = client.get(LOGIN).content.decode()
    assert 'id="id_password"' in page and BREAK_GLASS not in page
    assert post_login(client, "controller_an").status_code == 302
    assert logged_in(client)


def test_admins_lets_only_superusers_and_administrators_of_every_board_in(
    client, settings, admin_user, every_board_admin, board_admin, controller_an, security_log
):
    settings.STYRKORT_PASSWORD_LOGIN = "admins"
    page = client.get(LOGIN).content.decode()
    assert f"<summary>{BREAK_GLASS}</summary>" in page
    assert 'id="id_password"' in page

    for username in ("controller_an", "admin_an"):
        response = post_login(client, username)
        assert response.status_code == 200, username
        assert "Ange ett korrekt användarnamn och lösenord" in response.content.decode()
        assert '<details class="break-glass" open>' in response.content.decode()
        assert not logged_in(client)
    denied = security_log.events("access_denied")
    assert [(e["user"], e["detail"]["reason"]) for e in denied] == [
        ("controller_an", "password_login_admins_only"),
        ("admin_an", "password_login_admins_only"),
    ]
    assert len(security_log.events("login_failed")) == 2

    for username in ("admin", "admin_alla"):
        client.logout()
        assert post_login(client, username).status_code == 302, username
        assert logged_in(client)


def test_off_refuses_every_password_and_shows_no_form(client, settings, admin_user, security_log):
    settings.STYRKORT_PASSWORD_LOGIN = "off"
    page = client.get(LOGIN).content.decode()
    assert 'id="id_password"' not in page
    assert "Ingen inloggning är påslagen" in page  # and no OIDC either in this test

    response = post_login(client, "admin")
    assert response.status_code == 200
    assert not logged_in(client)
    assert [e["detail"]["reason"] for e in security_log.events("access_denied")] == [
        "password_login_off"
    ]
    # The Django admin's own login form goes through the same backend.
    client.post(reverse("admin:login"), {"username": "admin", "password": PASSWORD})
    assert not logged_in(client)


def test_off_with_oidc_shows_only_the_button(client, settings, db):
    settings.STYRKORT_PASSWORD_LOGIN = "off"
    settings.OIDC_ENABLED = True
    page = client.get(LOGIN).content.decode()
    assert "Logga in med kommunens konto" in page
    assert 'id="id_password"' not in page and "Ingen inloggning är påslagen" not in page


def test_switching_to_admins_ends_password_sessions_that_no_longer_qualify(
    client, settings, controller_an
):
    assert post_login(client, "controller_an").status_code == 302
    assert client.get(reverse("reports:home")).status_code == 200
    settings.STYRKORT_PASSWORD_LOGIN = "admins"
    response = client.get(reverse("reports:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_a_role_on_every_board_must_be_administrator(client, settings, db):
    settings.STYRKORT_PASSWORD_LOGIN = "admins"
    user = make_user("chef_alla", Role.MANAGER, None)
    assert post_login(client, "chef_alla").status_code == 200
    BoardRole.objects.create(user=user, role=Role.ADMINISTRATOR, board=None)
    assert post_login(client, "chef_alla").status_code == 302


def test_axes_still_locks_the_break_glass_login(client, settings, admin_user):
    settings.STYRKORT_PASSWORD_LOGIN = "admins"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = post_login(client, "admin", "fel-losenord-ett")
    assert response.status_code == 429
    assert post_login(client, "admin").status_code == 429
    assert not logged_in(client)
