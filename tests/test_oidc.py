"""Sign-in with OpenID Connect against a real provider on loopback (tests/oidc_idp.py).

The provider's own codes and ID tokens go through Styrkort's callback; the refusals change the
real token (a payload byte, another client's token, a clock past its expiry, a used state) and
must each leave no user, no logged-in session and one SSO_REFUSED line.
"""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goals import oidc
from goals.models import BoardRole, ExternalIdentity, GroupRoleMapping, Role, RoleSource
from tests.oidc_idp import start_provider

GUID_AN = "5B1F0F7E-2C1A-4C55-9A4F-1D2E3F4A5B6C"  # Entra sends group ids; case differs below
FAILED = reverse("goals:sign_in_refused", args=["misslyckades"])


@pytest.fixture(scope="module")
def idp(tmp_path_factory):
    with start_provider(tmp_path_factory.mktemp("oidc"), ["http://testserver"]) as provider:
        yield provider


@pytest.fixture
def oidc_on(settings, idp, board_an):
    for name, value in idp.settings().items():
        setattr(settings, name, value)
    oidc._discovered.clear()
    GroupRoleMapping.objects.create(group=GUID_AN.lower(), role=Role.CONTROLLER, board=board_an)
    idp.set_account("anna", [GUID_AN, "okand-grupp"])
    return idp


def start(client) -> str:
    """Press the login button: the provider's authorization URL."""
    response = client.get(reverse("goals:oidc_login"))
    assert response.status_code == 302
    return response["Location"]


def logged_in_sessions() -> int:
    return sum("_auth_user_id" in s.get_decoded() for s in Session.objects.all())


def user_count() -> int:
    return get_user_model().objects.count()


def test_the_whole_login_creates_the_user_with_the_groups_role(
    client, oidc_on, board_an, security_log
):
    authorization = start(client)
    query = parse_qs(urlparse(authorization).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["nonce"][0] and query["state"][0]

    response = client.get(oidc_on.authorize(authorization, "anna"))

    assert response.status_code == 302
    assert response["Location"] == reverse("reports:home")
    user = get_user_model().objects.get(username="anna")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert (user.email, user.first_name, user.has_usable_password()) == (
        "anna@kommun.example",
        "Anna",
        False,
    )
    external = ExternalIdentity.objects.get(user=user)
    assert (external.provider, external.subject) == ("oidc", "anna")
    assert set(BoardRole.objects.filter(user=user).values_list("role", "board", "source")) == {
        (Role.CONTROLLER, board_an.pk, RoleSource.GROUP)
    }
    assert client.get(reverse("reports:home")).status_code == 200
    assert [e["user"] for e in security_log.events("login")] == ["anna"]
    assert security_log.events("sso_refused") == []


def test_discovery_gives_the_endpoints(client, oidc_on, settings):
    for name in ("ISSUER", "AUTHORIZATION_ENDPOINT", "TOKEN_ENDPOINT", "USER_ENDPOINT"):
        setattr(settings, f"OIDC_OP_{name}", "")
    settings.OIDC_OP_JWKS_ENDPOINT = ""
    settings.OIDC_OP_DISCOVERY_URL = f"{oidc_on.url}/.well-known/openid-configuration"

    authorization = start(client)
    assert authorization.startswith(f"{oidc_on.url}/auth?")
    client.get(oidc_on.authorize(authorization, "anna"))
    assert "_auth_user_id" in client.session


def assert_refused(client, response, security_log, reason, users_before):
    assert response.status_code == 302
    assert response["Location"] == FAILED
    assert "_auth_user_id" not in client.session
    assert logged_in_sessions() == 0
    assert user_count() == users_before
    refused = security_log.events("sso_refused")
    assert [e["detail"]["reason"] for e in refused] == [reason]
    assert security_log.events("login") == []
    page = client.get(FAILED)
    assert page.status_code == 403
    assert "Inloggningen misslyckades" in page.content.decode()


def with_token_response(monkeypatch, change):
    """The provider's real token response, changed on its way to the verifier."""
    real = oidc.OIDCBackend.get_token

    def get_token(self, payload):
        return change(real(self, payload))

    monkeypatch.setattr(oidc.OIDCBackend, "get_token", get_token)


def test_a_tampered_id_token_is_refused(client, oidc_on, monkeypatch, security_log):
    def tamper(token_response):
        header, payload, signature = token_response["id_token"].split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims["sub"] = "mallory"  # the signature is kept
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        return {**token_response, "id_token": f"{header}.{forged}.{signature}"}

    with_token_response(monkeypatch, tamper)
    users = user_count()
    response = client.get(oidc_on.authorize(start(client), "anna"))
    assert_refused(client, response, security_log, "bad_signature", users)
    assert not ExternalIdentity.objects.exists()
    # The token itself is never logged.
    assert "eyJ" not in "".join(security_log.lines)


def test_a_token_for_another_audience_is_refused(client, oidc_on, monkeypatch, security_log):
    authorization = start(client)
    nonce = parse_qs(urlparse(authorization).query)["nonce"][0]
    # Signed by the same provider, with our nonce even, but issued to the second client.
    other = oidc_on.token_for_other_client(login="anna", nonce=nonce)
    with_token_response(monkeypatch, lambda real: other)
    users = user_count()
    response = client.get(oidc_on.authorize(authorization, "anna"))
    assert_refused(client, response, security_log, "wrong_audience", users)


def test_an_expired_token_is_refused(client, oidc_on, monkeypatch, security_log):
    real_time = oidc.time.time

    class AfterExpiry:
        @staticmethod
        def time():
            return real_time() + 3600 + 31  # the provider's ID token lifetime, plus the leeway

    users = user_count()
    callback = oidc_on.authorize(start(client), "anna")
    monkeypatch.setattr(oidc, "time", AfterExpiry)
    response = client.get(callback)
    assert_refused(client, response, security_log, "expired", users)


def test_a_wrong_issuer_is_refused(client, oidc_on, settings, security_log):
    settings.OIDC_OP_ISSUER = "https://login.example/annan-tenant/v2.0"
    users = user_count()
    response = client.get(oidc_on.authorize(start(client), "anna"))
    assert_refused(client, response, security_log, "wrong_issuer", users)


def test_a_replayed_callback_is_refused(client, client_factory, oidc_on, security_log):
    callback = oidc_on.authorize(start(client), "anna")
    assert client.get(callback).status_code == 302
    assert "_auth_user_id" in client.session
    user_id = client.session["_auth_user_id"]
    security_log.lines.clear()

    # Someone who got hold of the callback URL, in their own browser.
    attacker = client_factory()
    response = attacker.get(callback)
    assert response["Location"] == FAILED
    assert "_auth_user_id" not in attacker.session
    # The same browser again: the state was used up; the session already open stays as it was.
    response = client.get(callback)
    assert response["Location"] == FAILED
    assert client.session["_auth_user_id"] == user_id
    assert logged_in_sessions() == 1
    reasons = [e["detail"]["reason"] for e in security_log.events("sso_refused")]
    assert reasons == ["unknown_state", "unknown_state"]
    assert security_log.events("login") == []


@pytest.fixture
def client_factory():
    from django.test import Client

    return Client


def test_an_error_from_the_provider_is_refused(client, oidc_on, security_log):
    authorization = start(client)
    state = parse_qs(urlparse(authorization).query)["state"][0]
    response = client.get(
        reverse("goals:oidc_callback"), {"error": "access_denied", "state": state}
    )
    assert response["Location"] == FAILED
    assert [e["detail"]["error"] for e in security_log.events("sso_refused")] == ["access_denied"]


def test_groups_that_map_to_nothing_give_the_no_role_page(client, oidc_on, security_log):
    oidc_on.set_account("bertil", ["grupp-utan-roll"])
    response = client.get(oidc_on.authorize(start(client), "bertil"))
    assert response["Location"] == reverse("goals:sign_in_refused", args=["ingen-behorighet"])
    assert "_auth_user_id" not in client.session
    assert logged_in_sessions() == 0
    assert len(security_log.events("sso_no_role")) == 1
    page = client.get(response["Location"])
    assert "Ingen behörighet i Styrkort" in page.content.decode()


def test_a_deactivated_user_gets_the_inactive_page(client, oidc_on, security_log):
    client.get(oidc_on.authorize(start(client), "anna"))
    client.logout()
    get_user_model().objects.filter(username="anna").update(is_active=False)
    response = client.get(oidc_on.authorize(start(client), "anna"))
    assert response["Location"] == reverse("goals:sign_in_refused", args=["inaktiverat"])
    assert "_auth_user_id" not in client.session
    assert [e["detail"]["reason"] for e in security_log.events("sso_refused")] == ["inactive_user"]


def test_logout_ends_the_session_and_goes_to_the_providers_logout(client, oidc_on, settings):
    settings.OIDC_OP_LOGOUT_URL = f"{oidc_on.url}/session/end"
    client.get(oidc_on.authorize(start(client), "anna"))
    session_key = client.session.session_key

    response = client.post(reverse("core:logout"))

    assert response.status_code == 302
    location = urlparse(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == settings.OIDC_OP_LOGOUT_URL
    query = parse_qs(location.query)
    assert query["post_logout_redirect_uri"] == ["http://testserver/logga-in/"]
    assert query["id_token_hint"][0].count(".") == 2
    assert not Session.objects.filter(session_key=session_key).exists()
    assert client.get(reverse("reports:home")).status_code == 302


def test_without_a_client_id_oidc_is_off(client, db, settings):
    settings.OIDC_ENABLED = False
    assert client.get(reverse("goals:oidc_login")).status_code == 404
    assert (
        client.get(reverse("goals:oidc_callback"), {"code": "x", "state": "y"}).status_code == 404
    )
    assert "Logga in med kommunens konto" not in client.get(reverse("core:login")).content.decode()


def test_the_login_page_shows_the_configured_button(client, oidc_on, settings):
    settings.OIDC_BUTTON_LABEL = "Logga in med Linköpings konto"
    text = client.get(reverse("core:login") + "?next=/uppfoljning/anvandare/").content.decode()
    assert "Logga in med Linköpings konto" in text
    assert 'href="/inloggning/oidc/?next=/uppfoljning/anvandare/"' in text


def test_next_is_kept_on_the_same_host_only(client, oidc_on):
    response = client.get(reverse("goals:oidc_login"), {"next": "/uppfoljning/anvandare/"})
    assert client.get(oidc_on.authorize(response["Location"], "anna"))["Location"] == (
        "/uppfoljning/anvandare/"
    )
    client.logout()
    response = client.get(reverse("goals:oidc_login"), {"next": "https://evil.example/"})
    assert client.get(oidc_on.authorize(response["Location"], "anna"))["Location"] == reverse(
        "reports:home"
    )


def test_a_login_costs_the_same_queries_however_many_groups_and_mappings(
    client, oidc_on, board_other
):
    def login_queries() -> int:
        client.logout()
        callback = oidc_on.authorize(start(client), "anna")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(callback).status_code == 302
        assert "_auth_user_id" in client.session
        return len(queries)

    login_queries()  # the first login creates the user and the role
    few = login_queries()
    for number in range(30):
        GroupRoleMapping.objects.create(
            group=f"grupp-{number}", role=Role.MANAGER, board=board_other
        )
    oidc_on.set_account("anna", [GUID_AN, *(f"annan-{number}" for number in range(30))])
    assert login_queries() == few
    print(f"\nQueries of a repeated OIDC login (callback): {few}")


def test_an_unsigned_id_token_is_refused(client, oidc_on, monkeypatch, security_log):
    def unsign(token_response):
        _, payload, _ = token_response["id_token"].split(".")
        none = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
        return {**token_response, "id_token": f"{none}.{payload}."}

    with_token_response(monkeypatch, unsign)
    users = user_count()
    response = client.get(oidc_on.authorize(start(client), "anna"))
    assert_refused(client, response, security_log, "wrong_algorithm", users)
