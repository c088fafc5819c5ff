"""The administrator grants a role in Chromium at full typing speed, reloads, and the page and
the database agree; then revokes it. axe checks the user administration pages on the way."""

from __future__ import annotations

import pytest

from goals.models import AccessChange, BoardRole, GroupRoleMapping, Role, RoleSource
from tests.browser import BLOCKING, WCAG_TAGS, log_in, watch_problems
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def axe_violations(page) -> list[str]:
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {v['help']}"
        for v in results["violations"]
        if v["impact"] in BLOCKING
    ]


def test_grant_reload_and_revoke(page, live_server, admin_user, board_an, board_other, axe_source):
    person = make_user("eva_ek", None, None, first_name="Eva", last_name="Ek")
    BoardRole.objects.create(
        user=person, role=Role.MANAGER, board=board_other, source=RoleSource.GROUP
    )
    GroupRoleMapping.objects.create(
        group="6f1c2d3e-4a5b", label="BIN:s chefer", role=Role.MANAGER, board=board_other
    )
    page.add_init_script(script=axe_source)
    problems = watch_problems(page)
    log_in(page, live_server, admin_user.username)
    found: list[str] = []

    page.goto(f"{live_server.url}/uppfoljning/anvandare/")
    found += axe_violations(page)
    page.locator("#id_q").press_sequentially("eva")  # full speed, no delay
    page.get_by_role("button", name="Visa").click()
    page.get_by_role("link", name="eva_ek").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Eva Ek"
    found += axe_violations(page)

    # Grant with the keyboard only, as fast as Playwright types: the selects pick by typing.
    page.locator("#id_role").focus()
    page.keyboard.type("Controller")
    page.keyboard.press("Tab")
    page.keyboard.type("AN")
    assert page.input_value("#id_role") == Role.CONTROLLER
    assert page.input_value("#id_board") == str(board_an.pk)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.locator(".message.success").wait_for()
    assert "Tilldelad: Controller (AN)." in page.locator(".messages").inner_text()

    page.reload()
    rows = page.locator("section[aria-labelledby=roles] tbody tr").all_inner_texts()
    in_db = list(
        BoardRole.objects.filter(user=person)
        .order_by("board__order", "board__code", "role")
        .values_list("role", "board__code", "source")
    )
    assert in_db == [
        (Role.CONTROLLER, "AN", RoleSource.MANUAL),
        (Role.MANAGER, "BIN", RoleSource.GROUP),
    ]
    assert len(rows) == 2
    assert "Controller\tAN – Arbetsmarknadsnämnden\tTilldelad för hand" in rows[0]
    assert "Chef\tBIN – Bildningsnämnden\tFrån grupp i identitetstjänsten" in rows[1]
    assert (
        "Rollen Controller för AN tilldelad för hand."
        in page.locator("section[aria-labelledby=history]").inner_text()
    )

    # The same grant again is refused at the field, and nothing is written.
    page.select_option("#id_role", Role.CONTROLLER)
    page.select_option("#id_board", str(board_an.pk))
    page.get_by_role("button", name="Tilldela").click()
    page.locator("#id_role_error, .errorlist").first.wait_for()
    assert (
        "Användaren har redan rollen Controller för AN."
        in page.locator("form.structure-form").inner_text()
    )
    found += axe_violations(page)
    assert BoardRole.objects.filter(user=person).count() == 2

    # Revoke, with the confirmation page between.
    page.get_by_role("link", name="Återkalla Controller AN").click()
    found += axe_violations(page)
    page.get_by_role("button", name="Återkalla").click()
    page.locator(".message.success").wait_for()
    page.reload()
    rows = page.locator("section[aria-labelledby=roles] tbody tr").all_inner_texts()
    assert len(rows) == 1 and rows[0].startswith("Chef")
    assert list(BoardRole.objects.filter(user=person).values_list("role", flat=True)) == [
        Role.MANAGER
    ]
    assert list(
        AccessChange.objects.filter(user=person).values_list("kind", "actor__username")
    ) == [
        (AccessChange.Kind.REVOKED, "admin"),
        (AccessChange.Kind.GRANTED, "admin"),
    ]

    for path in ("/uppfoljning/gruppmappningar/", "/uppfoljning/behorighetslogg/"):
        page.goto(live_server.url + path)
        found += axe_violations(page)
    assert "BIN:s chefer" in page.goto(live_server.url + "/uppfoljning/gruppmappningar/").text()
    assert not found, "\n".join(found)
    assert not problems, problems
