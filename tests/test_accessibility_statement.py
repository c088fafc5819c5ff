"""The accessibility statement (tillgänglighetsredogörelse) and the base template's basics:
lang="sv", a skip link, visible focus, labelled fields; axe-core finds nothing on our pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.browser import WCAG_TAGS
from tests.conftest import PASSWORD


def test_statement_is_public_and_swedish(db):
    response = Client().get("/tillganglighet/")
    assert response.status_code == 200
    text = response.content.decode()
    assert '<html lang="sv">' in text
    assert "<h1>Tillgänglighetsredogörelse för Styrkort</h1>" in text
    # What the law's model statement must contain.
    for part in [
        "lagen (2018:1937) om tillgänglighet till digital offentlig service",
        "Rapportera brister i tjänstens tillgänglighet",
        "Innehåll som inte är tillgängligt",
        "Tillsyn",
        "https://www.digg.se/tdosanmalan",
        "WCAG&nbsp;2.1 på nivå AA",
        "Hur vi testat tjänsten",
    ]:
        assert part in text, part


def test_statement_needs_no_database_for_a_visitor(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert Client().get("/tillganglighet/").status_code == 200


def test_statement_names_the_contact_address_when_configured(db, settings):
    settings.SUPPORT_EMAIL = "styrkort@example.se"
    text = Client().get("/tillganglighet/").content.decode()
    assert '<a href="mailto:styrkort@example.se">styrkort@example.se</a>' in text


def test_statement_without_address_says_whom_to_contact(db, settings):
    settings.SUPPORT_EMAIL = ""
    text = Client().get("/tillganglighet/").content.decode()
    assert "mailto:" not in text
    assert "systemförvaltaren" in text


def test_footer_links_to_the_statement_before_and_after_login(client, controller_an):
    link = f'<a href="{reverse("core:accessibility")}">Tillgänglighetsredogörelse</a>'
    assert link in client.get("/logga-in/").content.decode()
    client.force_login(controller_an)
    assert link in client.get("/byt-losenord/").content.decode()


def test_base_template_basics(client, controller_an):
    client.force_login(controller_an)
    text = client.get("/byt-losenord/").content.decode()
    assert '<html lang="sv">' in text
    body = text[text.index("<body>") :]
    # The skip link is the first thing in the body and points at the main content.
    assert body.split("<a ", 1)[1].startswith('class="skip-link" href="#main"')
    assert '<main id="main" tabindex="-1">' in text
    # Every input on the page has a label.
    for field in ["id_old_password", "id_new_password1", "id_new_password2"]:
        assert f'<label for="{field}">' in text
        assert f'id="{field}"' in text


def test_focus_is_visible_in_the_stylesheet():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "styrkort.css").read_text()
    assert ":focus-visible { outline: 3px solid" in css
    assert ".skip-link:focus { left: 1rem; }" in css


# --- in the browser -----------------------------------------------------------------------------


def axe_violations(page) -> list[str]:
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
        for v in result["violations"]
    ]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_our_pages_pass_axe(page, live_server, controller_an, axe_source):
    page.add_init_script(script=axe_source)
    checked = {}
    for path in ["/logga-in/", "/tillganglighet/", "/finns-inte/"]:
        page.goto(live_server.url + path)
        checked[path] = axe_violations(page)

    # A failed login, the lockout page and the password change form with errors.
    page.goto(live_server.url + "/logga-in/")
    page.fill("#id_username", "controller_an")
    page.fill("#id_password", "fel-losenord-ett")
    page.click("form.login-form button[type=submit]")
    page.wait_for_selector("#login-error")
    checked["failed login"] = axe_violations(page)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        page.fill("#id_password", "fel-losenord-ett")
        page.click("form.login-form button[type=submit]")
        page.wait_for_load_state()
    assert "tillfälligt låst" in page.content()
    checked["lockout"] = axe_violations(page)

    from django.core.management import call_command

    call_command("axes_reset", verbosity=0)
    page.goto(live_server.url + "/logga-in/")
    page.fill("#id_username", "controller_an")
    page.fill("#id_password", PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url(lambda url: "/logga-in/" not in url)
    page.goto(live_server.url + "/byt-losenord/")
    page.fill("#id_old_password", PASSWORD)
    page.fill("#id_new_password1", "kort1")
    page.fill("#id_new_password2", "kort1")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".errorlist")
    checked["password change with errors"] = axe_violations(page)

    assert {path: found for path, found in checked.items() if found} == {}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_keyboard_skip_link_and_visible_focus(page, live_server):
    page.goto(live_server.url + "/tillganglighet/")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        """() => { const e = document.activeElement; const r = e.getBoundingClientRect();
                   const s = getComputedStyle(e);
                   return {text: e.textContent.trim(), left: r.left, width: r.width,
                           outline: s.outlineStyle, outlineWidth: s.outlineWidth}; }"""
    )
    assert focused["text"] == "Hoppa till innehållet"
    assert focused["left"] >= 0 and focused["width"] > 0, "the skip link must show when focused"
    assert focused["outline"] != "none" and focused["outlineWidth"] != "0px"

    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
