"""SAML 2.0 sign-in against pysaml2's own IdP: a verified assertion signs the user in with the
roles of their groups; every refused response leaves no user, no session, one SSO_REFUSED line
and the Swedish refusal page."""

from __future__ import annotations

import base64

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.urls import reverse

from goals.models import BoardRole, ExternalIdentity, GroupRoleMapping, Role
from tests.saml_idp_fixtures import (  # noqa: F401 (fixtures)
    GUID_AN,
    GUID_BIN,
    post_response,
    saml,
    saml_keys,
    start_login,
)

ANNA = {
    "username": "anna.andersson@linkoping.se",
    "subject": "a3f1c2d4-anna-persistent",
    "email": "anna.andersson@linkoping.se",
    "first_name": "Anna",
    "last_name": "Andersson",
    "groups": [GUID_AN],
}
REFUSED_PAGE = "/inloggning/nekad/misslyckades/"


@pytest.fixture
def mappings(board_an, board_other):
    GroupRoleMapping.objects.create(group=GUID_AN, role=Role.CONTROLLER, board=board_an)
    GroupRoleMapping.objects.create(group=GUID_BIN, role=Role.CONTROLLER, board=board_other)


def signed_in_users() -> list[str]:
    return [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]


def assert_refused(response, client, security_log, why: str) -> None:
    assert response.status_code == 302
    assert response["Location"] == REFUSED_PAGE
    assert get_user_model().objects.count() == 0
    assert ExternalIdentity.objects.count() == 0
    assert [user for user in signed_in_users() if user] == []
    events = security_log.events("sso_refused")
    assert len(events) == 1, events
    assert why in events[0]["detail"]["reason"], events[0]["detail"]
    assert "<" not in str(events[0])  # never the XML itself
    page = client.get(response["Location"])
    assert page.status_code == 403
    assert "Inloggningen misslyckades" in page.content.decode()
    assert client.get(reverse("reports:home")).status_code == 302  # still signed out


def test_a_signed_assertion_signs_the_user_in_with_the_roles_of_their_groups(
    client, saml, mappings, board_an, security_log
):
    saml_request, relay = start_login(client)
    idp = saml.idp()
    xml = idp.response_xml(idp.read_request(saml_request), ANNA)

    response = post_response(client, xml, relay)

    assert response.status_code == 302, response.content[:500]
    assert response["Location"] == reverse("reports:home")
    user = get_user_model().objects.get()
    assert user.username == ANNA["username"]
    assert user.get_full_name() == "Anna Andersson"
    assert ExternalIdentity.objects.get(user=user).subject == ANNA["subject"]
    assert set(BoardRole.objects.filter(user=user).values_list("role", "board")) == {
        (Role.CONTROLLER, board_an.pk)
    }
    assert str(user.pk) in signed_in_users()
    assert client.get(reverse("reports:home")).status_code == 200
    assert [e["event"] for e in security_log.events()] == ["login"]
