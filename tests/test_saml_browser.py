"""The whole SAML login in Chromium: Styrkort's login page → pysaml2's IdP on loopback (its
own process, its own login form) → back in Styrkort with the roles of the user's groups;
logout ends the session, a user without a mapped group gets the no-role page, and a group
changed at the IdP changes the role at the next login."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from goals.models import BoardRole, GroupRoleMapping, Role
from tests import saml_idp_fixtures
from tests.browser import BLOCKING, WCAG_TAGS, watch_problems
from tests.saml_idp_fixtures import GUID_AN, GUID_BIN

# The IdP's fixtures, used by name.
saml_keys = saml_idp_fixtures.saml_keys
saml_idp_server = saml_idp_fixtures.saml_idp_server

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "idp-losen-1"


def user(subject: str, *groups: str, first_name: str = "Anna") -> dict:
    return {
        "password": PASSWORD,
        "subject": subject,
        "first_name": first_name,
        "last_name": "Andersson",
        "groups": list(groups),
    }


@pytest.fixture
def mappings(board_an, board_other):
    GroupRoleMapping.objects.create(group=GUID_AN, role=Role.CONTROLLER, board=board_an)
    GroupRoleMapping.objects.create(group=GUID_BIN, role=Role.CONTROLLER, board=board_other)


def sign_in_at_idp(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/logga-in/")
    page.get_by_role("link", name="Logga in med kommunens konto via SAML").click()
    page.wait_for_url(re.compile(r"/sso/redirect"))
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Logga in hos IdP").click()
    page.wait_for_url(lambda url: url.startswith(live_server.url) and "/saml2/" not in url)


def test_sign_in_through_the_idp_then_logout_and_a_changed_group(
    page, browser, live_server, saml_idp_server, mappings, board_an, board_other
):
    saml_idp_server.set_users({"anna@linkoping.se": user("anna-persistent-1", GUID_AN)})

    sign_in_at_idp(page, live_server, "anna@linkoping.se")

    assert page.url == f"{live_server.url}/"
    assert page.locator("main").get_by_text(board_an.name).first.is_visible()
    assert board_other.name not in page.content()
    anna = get_user_model().objects.get(username="anna@linkoping.se")
    assert set(BoardRole.objects.filter(user=anna).values_list("role", "board")) == {
        (Role.CONTROLLER, board_an.pk)
    }
    cookies = page.context.cookies()

    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url(re.compile(r"/logga-in/"))
    # The old session cookie opens nothing any more.
    replay = browser.new_context()
    replay.add_cookies(cookies)
    old = replay.new_page()
    old.goto(f"{live_server.url}/")
    assert "/logga-in/" in old.url
    replay.close()

    # The IdP moves Anna to Bildningsnämnden's group: the next login follows.
    saml_idp_server.set_users({"anna@linkoping.se": user("anna-persistent-1", GUID_BIN)})
    sign_in_at_idp(page, live_server, "anna@linkoping.se")

    assert page.locator("main").get_by_text(board_other.name).first.is_visible()
    assert board_an.name not in page.content()
    assert set(BoardRole.objects.filter(user=anna).values_list("role", "board")) == {
        (Role.CONTROLLER, board_other.pk)
    }
    assert get_user_model().objects.count() == 1


def axe_violations(page) -> list[str]:
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [v["id"] for v in results["violations"] if v["impact"] in BLOCKING]


def test_a_user_whose_groups_map_to_nothing_lands_on_the_no_role_page(
    page, live_server, saml_idp_server, mappings, axe_source
):
    page.add_init_script(script=axe_source)
    problems = watch_problems(page)
    page.goto(f"{live_server.url}/logga-in/")
    assert axe_violations(page) == []  # the login page with its SAML button
    saml_idp_server.set_users(
        {"bo@linkoping.se": user("bo-persistent", "okand-grupp", first_name="Bo")}
    )

    sign_in_at_idp(page, live_server, "bo@linkoping.se")

    assert page.url == f"{live_server.url}/inloggning/nekad/ingen-behorighet/"
    assert page.get_by_role("heading", name="Ingen behörighet i Styrkort").is_visible()
    assert axe_violations(page) == []
    # The refusal page answers 403 by design; nothing else failed, nothing broke the CSP.
    assert [p for p in problems if "/inloggning/nekad/" not in p and "favicon" not in p] == []
    page.goto(f"{live_server.url}/")
    assert "/logga-in/" in page.url
