"""SAML 2.0 sign-in against pysaml2's own IdP: a verified assertion signs the user in with the
roles of their groups; every refused response leaves no user, no session, one SSO_REFUSED line
and the Swedish refusal page."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.urls import reverse

import core.cache as core_cache
from goals.models import BoardRole, ExternalIdentity, GroupRoleMapping, Role
from tests import saml_idp_fixtures
from tests.saml_idp_fixtures import GUID_AN, GUID_BIN, post_response, start_login

# The IdP's fixtures, used by name.
saml_keys = saml_idp_fixtures.saml_keys
saml = saml_idp_fixtures.saml

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
    # The request's state is spent: its cookie is dropped, so no page saves it again.
    assert response.cookies["saml_session"].value == ""
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


def signed_response(client, saml, user=ANNA, **options) -> tuple[str, str]:
    saml_request, relay = start_login(client)
    idp = saml.idp(
        options.pop("key", "idp"), options.pop("lifetime_minutes", 5), options.get("audience", "")
    )
    return idp.response_xml(idp.read_request(saml_request), user, **options), relay


def test_a_value_changed_after_signing_is_refused(client, saml, mappings, security_log):
    xml, relay = signed_response(client, saml, dict(ANNA, groups=["grupp-utan-roll"]))
    tampered = xml.replace("grupp-utan-roll", GUID_AN)
    assert tampered != xml

    assert_refused(post_response(client, tampered, relay), client, security_log, "Signature")


def test_a_changed_name_id_is_refused(client, saml, mappings, security_log):
    xml, relay = signed_response(client, saml)
    tampered = xml.replace(ANNA["subject"], "someone-else")

    assert_refused(post_response(client, tampered, relay), client, security_log, "Signature")


def test_an_unsigned_assertion_is_refused(client, saml, mappings, security_log, settings):
    settings.SAML_WANT_RESPONSE_SIGNED = False  # even so, the assertion itself must be signed
    xml, relay = signed_response(client, saml, sign_assertion=False, sign_response=False)

    assert_refused(post_response(client, xml, relay), client, security_log, "Signature")


def test_a_signed_response_around_an_unsigned_assertion_is_refused(
    client, saml, mappings, security_log
):
    xml, relay = signed_response(client, saml, sign_assertion=False, sign_response=True)

    assert_refused(post_response(client, xml, relay), client, security_log, "Signature")


def test_an_assertion_for_another_audience_is_refused(client, saml, mappings, security_log):
    xml, relay = signed_response(client, saml, audience="https://annan-tjanst.example/sp")

    assert_refused(post_response(client, xml, relay), client, security_log, "Audience")


def test_an_expired_assertion_is_refused(client, saml, mappings, security_log):
    xml, relay = signed_response(client, saml, lifetime_minutes=-5)

    assert_refused(post_response(client, xml, relay), client, security_log, "Condition not OK")


def test_a_response_signed_with_another_key_is_refused(client, saml, mappings, security_log):
    xml, relay = signed_response(client, saml, key="stranger")

    assert_refused(post_response(client, xml, relay), client, security_log, "Signature")


def test_a_transient_name_id_is_refused_as_it_would_make_a_new_user_each_time(
    client, saml, mappings, security_log
):
    from saml2.saml import NAMEID_FORMAT_TRANSIENT

    xml, relay = signed_response(client, saml, name_id_format=NAMEID_FORMAT_TRANSIENT)

    assert_refused(post_response(client, xml, relay), client, security_log, "transient NameID")


def test_an_unsolicited_response_is_refused(client, saml, mappings, security_log):
    xml, relay = signed_response(client, saml)

    stranger = client.__class__()  # another browser: Styrkort sent it no request

    assert_refused(post_response(stranger, xml, relay), stranger, security_log, "Unsolicited")


def test_a_replayed_response_is_refused(client, saml, mappings, security_log):
    xml, relay = signed_response(client, saml)
    first = post_response(client, xml, relay)
    assert first["Location"] == reverse("reports:home")
    client.post(reverse("core:logout"))
    user = get_user_model().objects.get()

    again = post_response(client, xml, relay)

    assert again["Location"] == REFUSED_PAGE
    assert str(user.pk) not in signed_in_users()
    [refused] = security_log.events("sso_refused")
    assert "Unsolicited" in refused["detail"]["reason"]
    assert client.get(reverse("reports:home")).status_code == 302


def test_a_replay_is_refused_even_with_unsolicited_responses_allowed(
    client, saml, mappings, security_log, settings
):
    settings.SAML_ALLOW_UNSOLICITED = True
    xml, relay = signed_response(client, saml)
    assert post_response(client, xml, relay)["Location"] == reverse("reports:home")
    stranger = client.__class__()

    again = post_response(stranger, xml, relay)

    assert again["Location"] == REFUSED_PAGE
    assert [e["detail"]["reason"] for e in security_log.events("sso_refused")] == [
        "assertion already used"
    ]
    assert stranger.get(reverse("reports:home")).status_code == 302


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10 if n > 1 else "&lol;" * 10}">'
        for n in range(1, 10)
    )
    + ']><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&lol9;'
    "</samlp:Response>"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&x;</samlp:Response>'
)


@pytest.mark.parametrize(
    "body",
    [
        b"inte xml alls",
        b"\x00\xff\xfe binary",
        BILLION_LAUGHS.encode(),
        EXTERNAL_ENTITY.encode(),
        b'<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">',
        b"<a>" * 20000 + b"</a>" * 20000,
    ],
    ids=["not-xml", "binary", "entity-expansion", "external-entity", "truncated", "deep"],
)
def test_hostile_xml_is_refused_without_an_error(client, saml, mappings, security_log, body):
    start_login(client)

    assert_refused(post_response(client, body), client, security_log, "")


def test_a_huge_document_is_refused_before_it_is_read(client, saml, mappings, security_log):
    start_login(client)
    huge = b'<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">'
    huge += b"<x>" + b"A" * (3 * 1024 * 1024) + b"</x></samlp:Response>"

    assert_refused(post_response(client, huge), client, security_log, "larger than")


def test_a_response_that_is_not_base64_is_refused(client, saml, mappings, security_log):
    start_login(client)
    response = client.post("/saml2/acs/", {"SAMLResponse": "%%%inte base64%%%"})

    assert_refused(response, client, security_log, "")


def test_a_user_whose_groups_map_to_nothing_gets_the_no_role_page(
    client, saml, mappings, security_log
):
    xml, relay = signed_response(client, saml, dict(ANNA, groups=["grupp-utan-roll"]))

    response = post_response(client, xml, relay)

    assert response["Location"] == "/inloggning/nekad/ingen-behorighet/"
    user = get_user_model().objects.get()  # recorded, so the administrator sees who tried
    assert ExternalIdentity.objects.get(user=user).groups == ["grupp-utan-roll"]
    assert str(user.pk) not in signed_in_users()
    assert [(e["event"], e["user"]) for e in security_log.events()] == [
        ("sso_no_role", ANNA["username"])
    ]
    page = client.get(response["Location"])
    assert "Ingen behörighet i Styrkort" in page.content.decode()


def test_a_deactivated_user_gets_the_inactive_page(client, saml, mappings, security_log):
    xml, relay = signed_response(client, saml)
    post_response(client, xml, relay)
    client.post(reverse("core:logout"))
    get_user_model().objects.update(is_active=False)
    xml, relay = signed_response(client, saml)

    response = post_response(client, xml, relay)

    assert response["Location"] == "/inloggning/nekad/inaktiverat/"
    assert [user for user in signed_in_users() if user] == []
    [refused] = security_log.events("sso_refused")
    assert (refused["user"], refused["detail"]["reason"]) == (ANNA["username"], "inactive account")


def test_sign_in_is_not_routed_unless_configured(client, db):
    assert client.get("/saml2/login/").status_code == 404
    assert client.post("/saml2/acs/", {"SAMLResponse": "x"}).status_code == 404


def test_the_metadata_names_the_acs_and_wants_signed_assertions(client, saml):
    response = client.get("/saml2/metadata/")

    assert response.status_code == 200
    text = response.content.decode()
    assert 'WantAssertionsSigned="true"' in text
    assert "http://testserver/saml2/acs/" in text


def test_the_login_page_offers_the_saml_button_only_when_configured(client, saml, settings):
    settings.SAML_BUTTON_LABEL = "Logga in med kommunens konto (SAML)"

    page = client.get(reverse("core:login") + "?next=/budget/").content.decode()

    assert 'href="/saml2/login/?next=%2Fbudget%2F"' in page
    assert "Logga in med kommunens konto (SAML)" in page
    settings.SAML_IDP_METADATA_FILE = ""
    assert "/saml2/login/" not in client.get(reverse("core:login")).content.decode()


def test_the_login_starts_a_request_the_idp_accepts(client, saml):
    saml_request, _ = start_login(client)

    request = saml.idp().read_request(saml_request)

    assert request.assertion_consumer_service_url == "http://testserver/saml2/acs/"
    assert request.issuer.text == "http://testserver/saml2/metadata/"
    assert request.signature is None  # the redirect binding signs the query string instead


def test_check_deploy_stays_clean_with_saml_configured(saml):
    from tests.test_deploy_check import manage, production_env

    env = production_env(
        SAML_IDP_METADATA_FILE=settings_value("SAML_IDP_METADATA_FILE"),
        SAML_SP_BASE_URL="https://styrkort.example.se",
        SAML_SP_KEY_FILE=saml.keys["sp"][0],
        SAML_SP_CERT_FILE=saml.keys["sp"][1],
    )
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def settings_value(name: str) -> str:
    from django.conf import settings

    return getattr(settings, name)


def test_the_acs_takes_the_idps_post_without_a_csrf_token(saml, mappings):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    xml, relay = signed_response(browser, saml)

    assert post_response(browser, xml, relay)["Location"] == reverse("reports:home")


def test_a_signed_assertion_is_refused_when_the_cache_of_used_ones_is_away(
    client, saml, mappings, security_log
):
    """Without the record of used assertions a replay cannot be told from a first use: the
    login is refused cleanly (no 500, no user), as the other refusals are."""
    from django.test import override_settings

    from config.settings import cache_from_url
    from tests.saml_idp_fixtures import free_port

    xml, relay = signed_response(client, saml)
    core_cache.resume()
    try:
        with override_settings(
            CACHES={"default": cache_from_url(f"redis://127.0.0.1:{free_port()}/0")}
        ):
            response = post_response(client, xml, relay)
    finally:
        core_cache.resume()

    assert_refused(response, client, security_log, "cache of used assertions")
