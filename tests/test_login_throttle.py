"""Failed logins are throttled per username and address (django-axes); passwords must be strong."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from tests.conftest import PASSWORD

LOGIN = "/logga-in/"
WRONG = "fel-losenord-ett"
LOCKED_TITLE = "Inloggningen är tillfälligt låst"


def attempt(client, password, username="controller_an", ip="10.1.2.3"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail_until_locked(client, **kwargs):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = attempt(client, WRONG, **kwargs)
    return response


def test_the_limit_is_five_failures_per_username_and_address():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_wrong_password_shows_a_swedish_error(client, controller_an):
    response = attempt(client, WRONG)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Ange ett korrekt användarnamn och lösenord" in text
    assert 'aria-invalid="true"' in text
    assert not is_logged_in(client)


def test_five_failures_lock_even_the_right_password_out(client, controller_an):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, WRONG).status_code == 200

    response = attempt(client, WRONG)
    assert response.status_code == 429
    text = response.content.decode()
    assert LOCKED_TITLE in text
    assert "30 minuter" in text
    assert "systemförvaltaren" in text

    response = attempt(client, PASSWORD)
    assert response.status_code == 429
    assert LOCKED_TITLE in response.content.decode()
    assert not is_logged_in(client)


def test_lock_is_per_username_and_address(client, controller_an, secretary_an):
    fail_until_locked(client)
    # The same user from another address, and another user from the same address, may log in.
    assert attempt(client, PASSWORD, ip="10.9.9.9").status_code == 302
    client.logout()
    assert attempt(client, PASSWORD, username="sekreterare_an").status_code == 302


def test_success_before_the_limit_clears_the_failures(client, controller_an):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, WRONG)
    assert attempt(client, PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, WRONG).status_code == 200


def test_axes_reset_command_unlocks(client, controller_an):
    fail_until_locked(client)
    call_command("axes_reset", verbosity=0)
    response = attempt(client, PASSWORD)
    assert response.status_code == 302
    assert is_logged_in(client)


def test_axes_reset_username_unlocks_one_user(client, controller_an):
    fail_until_locked(client)
    call_command("axes_reset_username", "controller_an", verbosity=0)
    assert attempt(client, PASSWORD).status_code == 302


def test_administrator_unlocks_in_the_admin(client, admin_user, controller_an):
    fail_until_locked(client)
    [locked] = AccessAttempt.objects.filter(username="controller_an")

    admin = type(client)()
    admin.force_login(admin_user)
    listing = admin.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200
    assert "controller_an" in listing.content.decode()
    response = admin.post(
        reverse("admin:axes_accessattempt_delete", args=[locked.pk]), {"post": "yes"}
    )
    assert response.status_code == 302

    assert attempt(client, PASSWORD).status_code == 302


def test_the_lock_ends_after_the_cool_off(client, controller_an):
    fail_until_locked(client)
    # Move the failures 31 minutes into the past instead of waiting.
    for row in AccessAttempt.objects.all():
        row.attempt_time -= timedelta(minutes=31)
        row.save()
    assert attempt(client, PASSWORD).status_code == 302


def test_a_user_who_is_not_an_administrator_cannot_unlock(client, controller_an):
    client.force_login(controller_an)
    response = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert response.status_code == 302  # to the admin login, not the list


class TestPasswordStrength:
    def test_weak_passwords_are_refused_with_swedish_messages(self, db):
        user = get_user_model()(username="anna.andersson", email="anna@example.se")
        cases = {
            "kort1": "Det här lösenordet är för kort. Det måste innehålla minst 12 tecken.",
            "123456789012": "Detta lösenord är enbart numeriskt.",
            "password1234": "Detta lösenord är alldeles för vanligt.",
            "anna.andersson1": "Ditt lösenord är alltför likt användarnamn.",
        }
        for password, message in cases.items():
            with pytest.raises(ValidationError) as refused:
                password_validation.validate_password(password, user)
            assert message in refused.value.messages, (password, refused.value.messages)

    def test_a_long_unusual_password_is_accepted(self, db):
        user = get_user_model()(username="anna.andersson")
        password_validation.validate_password("korrekt-hast-batteri-42", user)

    def test_password_change_form_refuses_a_weak_password_and_keeps_the_old(
        self, client, controller_an
    ):
        client.force_login(controller_an)
        response = client.post(
            reverse("core:password_change"),
            {"old_password": PASSWORD, "new_password1": "kort1", "new_password2": "kort1"},
        )
        assert response.status_code == 200
        text = response.content.decode()
        assert "Det här lösenordet är för kort" in text
        assert 'aria-invalid="true"' in text
        controller_an.refresh_from_db()
        assert controller_an.check_password(PASSWORD)
