"""The whole OpenID Connect login in Chromium: Styrkort → the provider's login form → back in.

The provider is tests/idp/oidc_provider.mjs on loopback (tests/oidc_idp.py); Styrkort is
live_server. Each sign-in runs in a fresh browser context, so the provider asks for the login
again (as a new day's first login would).
"""

from __future__ import annotations

import copy

import pytest
from django.contrib.auth import get_user_model

from goals import oidc
from goals.models import BoardRole, GroupRoleMapping, Role, RoleSource
from tests.browser import BLOCKING, WCAG_TAGS
from tests.oidc_idp import start_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GROUP_AN = "7d3c2b1a-0000-4000-8000-00000000a001"
GROUP_BIN = "7d3c2b1a-0000-4000-8000-00000000b002"


@pytest.fixture(scope="module")
def idp(tmp_path_factory, live_server):
    with start_provider(tmp_path_factory.mktemp("oidc-browser"), [live_server.url]) as provider:
        yield provider


@pytest.fixture
def oidc_on(settings, idp, board_an, board_other):
    for name, value in idp.settings().items():
        setattr(settings, name, value)
    settings.OIDC_OP_LOGOUT_URL = f"{idp.url}/session/end"
    # As config/settings.py does for OIDC_OP_LOGOUT_URL: the logout form may redirect there.
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"].append(idp.url)
    settings.CONTENT_SECURITY_POLICY = policy
    oidc._discovered.clear()
    GroupRoleMapping.objects.create(group=GROUP_AN, role=Role.CONTROLLER, board=board_an)
    GroupRoleMapping.objects.create(group=GROUP_BIN, role=Role.MANAGER, board=board_other)
    return idp


def sso_login(page, live_server, idp, login: str) -> None:
    page.goto(f"{live_server.url}/logga-in/")
    page.get_by_role("link", name="Logga in med kommunens konto").click()
    page.wait_for_url(f"{idp.url}/**")
    page.fill('input[name="login"]', login)
    page.fill('input[name="password"]', "valfritt")
    page.click("button.login-submit")
    page.locator("button.login-submit", has_text="Continue").click()  # the consent page
    page.wait_for_url(f"{live_server.url}/**")


def test_login_shows_the_groups_board_and_logout_ends_the_session(
    browser, live_server, oidc_on, board_an, board_other
):
    oidc_on.set_account("karin", [GROUP_AN.upper()])
    context = browser.new_context()
    page = context.new_page()

    sso_login(page, live_server, oidc_on, "karin")

    assert page.url == f"{live_server.url}/"
    page.get_by_text(board_an.name).first.wait_for()
    assert board_other.name not in page.content()
    header = page.locator(".site-header").inner_text()
    assert "Karin Testsson" in header
    assert "Byt lösenord" not in header  # no local password to change
    cookies = context.cookies()

    page.click("form.logout button")
    page.wait_for_url(f"{oidc_on.url}/session/end**")  # the provider asks; its session ends too
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{live_server.url}/logga-in/")
    page.get_by_role("heading", name="Logga in").wait_for()

    # The old session cookie opens nothing any more.
    replay = browser.new_context()
    replay.add_cookies(cookies)
    old = replay.new_page()
    old.goto(f"{live_server.url}/")
    assert "/logga-in/" in old.url
    replay.close()
    context.close()


def test_groups_that_map_to_nothing_land_on_the_no_role_page(browser, live_server, oidc_on):
    oidc_on.set_account("olle", ["grupp-utan-roll"])
    context = browser.new_context()
    page = context.new_page()

    sso_login(page, live_server, oidc_on, "olle")

    page.get_by_role("heading", name="Ingen behörighet i Styrkort").wait_for()
    page.goto(f"{live_server.url}/")
    assert "/logga-in/" in page.url
    assert not BoardRole.objects.filter(user__username="olle").exists()
    context.close()


def test_a_changed_group_changes_the_role_at_the_next_login(
    browser, live_server, oidc_on, board_an, board_other
):
    oidc_on.set_account("per", [GROUP_AN])
    first = browser.new_context()
    page = first.new_page()
    sso_login(page, live_server, oidc_on, "per")
    page.get_by_text(board_an.name).first.wait_for()
    first.close()

    oidc_on.set_account("per", [GROUP_BIN])  # moved to the other board's group at the provider
    second = browser.new_context()
    page = second.new_page()
    sso_login(page, live_server, oidc_on, "per")
    page.get_by_text(board_other.name).first.wait_for()
    assert board_an.name not in page.content()
    user = get_user_model().objects.get(username="per")
    assert set(BoardRole.objects.filter(user=user).values_list("role", "board", "source")) == {
        (Role.MANAGER, board_other.pk, RoleSource.GROUP)
    }
    second.close()


def test_the_login_page_with_the_button_and_break_glass_passes_axe(
    page, live_server, oidc_on, settings, axe_source
):
    settings.STYRKORT_PASSWORD_LOGIN = "admins"
    page.add_init_script(script=axe_source)
    page.goto(f"{live_server.url}/logga-in/")
    assert not page.locator("#id_password").is_visible()
    page.get_by_text("Nödinloggning för administratör").click()
    page.locator("#id_password").wait_for()
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    blocking = [v["id"] for v in results["violations"] if v["impact"] in BLOCKING]
    assert blocking == []
    page.get_by_role("link", name="Logga in med kommunens konto").wait_for()
