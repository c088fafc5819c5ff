"""The structured security log: one JSON line per login, failure, lockout, refusal and change."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.db.models import F
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse

from core.security import SecurityEvent, client_ip, log_security_event
from core.security_log import SecurityJsonFormatter
from goals.access import Action, get_board_for_user, require
from tests.conftest import PASSWORD

LOGIN = "/logga-in/"


def post_login(client, username, password, ip="10.1.2.3"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_is_logged_with_user_time_and_address(client, controller_an, security_log):
    before = datetime.now(UTC)
    response = post_login(client, "controller_an", PASSWORD, ip="10.1.2.3")
    assert response.status_code == 302

    [event] = security_log.events(SecurityEvent.LOGIN)
    assert event["user"] == "controller_an"
    assert event["ip"] == "10.1.2.3"
    logged_at = datetime.fromisoformat(event["time"])
    assert logged_at.utcoffset().total_seconds() == 0, "time must be UTC"
    assert before.replace(microsecond=0) <= logged_at <= datetime.now(UTC)
    assert event["detail"]["path"] == LOGIN


def test_failed_login_logs_the_username_but_never_the_password(client, controller_an, security_log):
    post_login(client, "controller_an", "fel-losenord-ett")

    [event] = security_log.events(SecurityEvent.LOGIN_FAILED)
    assert event["user"] == "controller_an"
    assert event["ip"] == "10.1.2.3"
    assert "fel-losenord-ett" not in "\n".join(security_log.lines)
    assert not security_log.events(SecurityEvent.LOGIN)


def test_failed_login_for_unknown_user_is_logged(client, db, security_log):
    post_login(client, "finns-inte", "vad-som-helst-1")
    [event] = security_log.events(SecurityEvent.LOGIN_FAILED)
    assert event["user"] == "finns-inte"


def test_lockout_is_logged(client, controller_an, security_log, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "controller_an", "fel-losenord-ett")

    [event] = security_log.events(SecurityEvent.LOCKOUT)
    assert event["user"] == "controller_an"
    assert event["ip"] == "10.1.2.3"
    assert event["detail"]["failure_limit"] == settings.AXES_FAILURE_LIMIT
    assert len(security_log.events(SecurityEvent.LOGIN_FAILED)) == settings.AXES_FAILURE_LIMIT


def test_unlocking_is_logged(client, controller_an, security_log, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "controller_an", "fel-losenord-ett")
    call_command("axes_reset", verbosity=0)

    [event] = security_log.events(SecurityEvent.LOCKOUT_RESET)
    assert event["detail"]["locked_user"] == "controller_an"
    assert event["detail"]["locked_ip"] == "10.1.2.3"


def test_a_lock_that_ends_by_itself_is_not_logged_as_unlocked(
    client, controller_an, security_log, settings
):
    from datetime import timedelta

    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "controller_an", "fel-losenord-ett")
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=31))
    assert post_login(client, "controller_an", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.exists()
    assert security_log.events(SecurityEvent.LOCKOUT_RESET) == []


def test_logout_is_logged(client, controller_an, security_log):
    client.force_login(controller_an)
    client.post(reverse("core:logout"), REMOTE_ADDR="10.9.9.9")

    [event] = security_log.events(SecurityEvent.LOGOUT)
    assert event["user"] == "controller_an"
    assert event["ip"] == "10.9.9.9"


def test_refused_board_is_logged(controller_other, board_an, security_log):
    with pytest.raises(Http404):
        get_board_for_user(controller_other, "AN", Action.VIEW)

    [event] = security_log.events(SecurityEvent.ACCESS_DENIED)
    assert event["user"] == "controller_bin"
    assert event["detail"]["board"] == "AN"
    assert event["detail"]["action"] == "view"


def test_refused_action_is_logged(secretary_an, board_an, security_log):
    with pytest.raises(Http404):
        require(secretary_an, Action.ENTER, board_an)

    [event] = security_log.events(SecurityEvent.ACCESS_DENIED)
    assert event["user"] == "sekreterare_an"
    assert event["detail"] == {"board": "AN", "action": "enter"}


def test_allowed_access_logs_nothing(controller_an, board_an, security_log):
    assert get_board_for_user(controller_an, "AN", Action.ENTER) == board_an
    require(controller_an, Action.VIEW, board_an)
    assert security_log.lines == []


def test_refusal_inside_a_request_has_the_address(client, controller_other, board_an, security_log):
    """Without an explicit request, the request being handled gives the address."""
    client.force_login(controller_other)
    response = client.get(reverse("reports:goal_tree", args=["AN", 2022]), REMOTE_ADDR="10.7.7.7")
    assert response.status_code == 404

    [event] = security_log.events(SecurityEvent.ACCESS_DENIED)
    assert event["ip"] == "10.7.7.7"
    assert event["detail"]["board"] == "AN"


def test_password_change_is_logged(client, controller_an, security_log):
    client.force_login(controller_an)
    response = client.post(
        reverse("core:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "ett-helt-nytt-langt-losenord",
            "new_password2": "ett-helt-nytt-langt-losenord",
        },
    )
    assert response.status_code == 302
    [event] = security_log.events(SecurityEvent.PASSWORD_CHANGED)
    assert event["user"] == "controller_an"
    assert "ett-helt-nytt-langt-losenord" not in "\n".join(security_log.lines)


def test_log_security_event_for_other_helpers(secretary_an, security_log):
    """The call the approval workflow makes."""
    request = RequestFactory().post("/uppfoljning/AN/2022/helar/godkann/", REMOTE_ADDR="10.0.0.5")
    request.user = secretary_an
    log_security_event(SecurityEvent.OCCASION_APPROVED, request=request, occasion="AN helår 2022")

    [event] = security_log.events("occasion_approved")
    assert event["user"] == "sekreterare_an"
    assert event["ip"] == "10.0.0.5"
    assert event["detail"]["occasion"] == "AN helår 2022"
    assert event["detail"]["method"] == "POST"


def test_formatter_writes_one_json_object_per_line_with_the_fields():
    record = logging.LogRecord("styrkort.security", logging.WARNING, "", 0, "x", None, None)
    record.security_event = {
        "event": "login_failed",
        "user": "åsa",
        "ip": "::1",
        "detail": {"note": "rad\nbrytning"},
    }
    line = SecurityJsonFormatter().format(record)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["event"] == "login_failed"
    assert parsed["user"] == "åsa"
    assert parsed["ip"] == "::1"
    assert parsed["detail"] == {"note": "rad\nbrytning"}
    assert parsed["level"] == "warning"
    assert parsed["time"].endswith("+00:00")


class TestClientIp:
    def make(self, remote="192.0.2.1", forwarded=None):
        meta = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            meta["HTTP_X_FORWARDED_FOR"] = forwarded
        return RequestFactory().get("/", **meta)

    def test_without_proxies_forwarded_for_is_ignored(self, settings):
        settings.TRUSTED_PROXY_COUNT = 0
        assert client_ip(self.make(forwarded="203.0.113.9")) == "192.0.2.1"

    def test_behind_one_proxy_the_rightmost_forwarded_address_counts(self, settings):
        settings.TRUSTED_PROXY_COUNT = 1
        # A client can put anything first; only what our proxy appended is trusted.
        request = self.make(remote="127.0.0.1", forwarded="6.6.6.6, 203.0.113.9")
        assert client_ip(request) == "203.0.113.9"

    def test_behind_two_proxies(self, settings):
        settings.TRUSTED_PROXY_COUNT = 2
        request = self.make(remote="127.0.0.1", forwarded="6.6.6.6, 203.0.113.9, 10.0.0.2")
        assert client_ip(request) == "203.0.113.9"

    def test_garbage_or_missing_forwarded_falls_back_to_remote_addr(self, settings):
        settings.TRUSTED_PROXY_COUNT = 1
        assert client_ip(self.make(forwarded="inte-en-adress")) == "192.0.2.1"
        assert client_ip(self.make()) == "192.0.2.1"

    def test_axes_locks_the_same_address_the_log_names(self, client, controller_an, settings):
        settings.TRUSTED_PROXY_COUNT = 1
        for _ in range(settings.AXES_FAILURE_LIMIT):
            client.post(
                LOGIN,
                {"username": "controller_an", "password": "fel-losenord-ett"},
                REMOTE_ADDR="127.0.0.1",
                HTTP_X_FORWARDED_FOR="203.0.113.9",
            )
        from axes.models import AccessAttempt

        assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.9"]
