"""Every page at a phone's width (390 × 844): nothing wider than the screen, and axe-core (no
serious or critical violation) at 390 px and at desktop width, for an administrator and a
manager (chef) of AN, over the demo data. The manager's walk measures every page and runs axe
on the pages this part changed (the administrator's walk runs it on all).

The pages are those of tests/test_a11y_pages.py (every route of our apps, built for the demo
data from its argument names) plus the list pages' own states (search, "Endast ej
uppnådda"). A page that scrolls sideways inside a wrapper (a wide table in `.table-scroll`)
is fine; the document itself must not. One browser page per user, one login.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from django.urls import reverse

from goals.models import Board, Role
from tests import test_a11y_pages
from tests.browser import log_in
from tests.conftest import make_user
from tests.test_a11y_pages import (
    DOWNLOAD_SUFFIXES,
    OBJECT_FOR_KWARG,
    QUERY_FOR_ROUTE,
    ROUTES,
    Checker,
)

demo_objects = test_a11y_pages.demo_objects  # the fixture: AN 2022's objects in the demo data

CHANGED_PAGES = {"reports:indicator_list", "reports:home", "reports:board_dashboard"}
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

# The elements that stick out of the screen (for the failure message), outside any wrapper
# that scrolls on its own.
OVERFLOW = """() => {
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  const scrolls = e => { for (let p = e.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden') return true; }
    return false; };
  const wide = [];
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (r.right > width + 1 && !scrolls(e)) {
      const inner = [...e.children].some(c => c.getBoundingClientRect().right > width + 1);
      if (!inner) wide.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
        + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '')
        + ' (' + Math.round(r.right) + ' px): ' + (e.textContent || '').trim().slice(0, 50));
    }
  }
  return ['scrollWidth ' + document.documentElement.scrollWidth + ' > ' + width, ...wide.slice(0, 5)];
}"""

# Pages whose own stylesheet (dashboard, indicator and report pages) part 19C reworks; the
# global CSS is ours. Filled from what the walk finds; the lead removes them after the merge.
OWN_CSS_OF_19C: set[str] = set()


def _paths(objects) -> list[tuple[str, str]]:
    """(URL name, path) of every page to open, the list pages' states last."""
    paths = []
    for _route, name, kwargs in ROUTES:
        path = reverse(name, kwargs={k: OBJECT_FOR_KWARG[k](objects) for k in kwargs})
        path += QUERY_FOR_ROUTE.get(name, "")
        if not path.endswith(DOWNLOAD_SUFFIXES):
            paths.append((name, path))
    board = objects["occasion"].board.pk
    listed = reverse("reports:indicator_list")
    paths += [
        ("reports:indicator_list", f"{listed}?q=ekonomiskt+bistånd"),
        ("reports:indicator_list", f"{listed}?namnd={board}&ar=2022&ej_uppnadda=on"),
    ]
    return paths


def _walk(
    page, base_url: str, objects, axe_source: str, *, axe_on: Callable[[str], bool]
) -> tuple[Checker, dict, list[str]]:
    """Open every page at 390 px and measure it; axe at 390 px and at desktop width where
    `axe_on(name)` says so."""
    page.add_init_script(script=axe_source)
    checker = Checker(page, base_url)
    overflowing: dict[str, list[str]] = {}
    opened: list[str] = []
    for name, path in _paths(objects):
        page.set_viewport_size(PHONE)
        status = checker.open(path)
        if status != 200:  # POST-only (405), or refused to this user (403/404)
            continue
        opened.append(name)
        if found := page.evaluate(OVERFLOW):
            overflowing[f"{name} {path}"] = found
        if axe_on(name):
            checker.check(f"{name} {path} (390 px)")
            page.set_viewport_size(DESKTOP)
            checker.check(f"{name} {path} (desktop)")
    return checker, overflowing, opened


def _assert_clean(checker: Checker, overflowing: dict) -> None:
    ours = {k: v for k, v in overflowing.items() if k.split()[0] not in OWN_CSS_OF_19C}
    problems = [f"{label}: bredare än skärmen:\n  " + "\n  ".join(v) for label, v in ours.items()]
    problems += [
        f"{label}:\n  " + "\n  ".join(found)
        for label, found in checker.failures.items()
        if label.split()[0] not in OWN_CSS_OF_19C
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_page_fits_a_phone_for_an_administrator(page, live_server, demo_objects, axe_source):
    admin = make_user("phone_admin", Role.ADMINISTRATOR, None, is_staff=True, is_superuser=True)
    log_in(page, live_server, admin.username)
    started = time.perf_counter()
    checker, overflowing, opened = _walk(
        page, live_server.url, demo_objects, axe_source, axe_on=lambda name: True
    )
    print(
        f"\n390 px: {len(opened)} sidor för administratören på {time.perf_counter() - started:.1f} s"
    )
    assert {"reports:home", "reports:indicator_list", "reports:report"} <= set(opened)
    assert len(opened) >= 20
    _assert_clean(checker, overflowing)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_page_fits_a_phone_for_a_manager(page, live_server, demo_objects, axe_source):
    manager = make_user("phone_chef", Role.MANAGER, Board.objects.get(code="AN"))
    log_in(page, live_server, manager.username)
    started = time.perf_counter()
    # The manager's pages are the administrator's, with less on them: axe runs on the list
    # pages this part changed; the walk measures the width of every page.
    checker, overflowing, opened = _walk(
        page, live_server.url, demo_objects, axe_source, axe_on=CHANGED_PAGES.__contains__
    )
    print(f"\n390 px: {len(opened)} sidor för chefen på {time.perf_counter() - started:.1f} s")
    assert {"reports:home", "reports:board_dashboard", "reports:indicator_list"} <= set(opened)
    _assert_clean(checker, overflowing)


@pytest.mark.browser
def test_the_overflow_check_finds_a_wide_page(page):
    """The same check on a page wider than the phone fails, so a pass above means something."""
    page.set_viewport_size(PHONE)
    page.set_content(
        '<html><body><div class="wide" style="width:600px">bred</div>'
        '<div style="overflow-x:auto"><table style="width:900px"><tr><td>rullar</td></tr>'
        "</table></div></body></html>"
    )
    found = page.evaluate(OVERFLOW)
    assert found[0].startswith("scrollWidth 6")
    assert any(line.startswith("div.wide (") for line in found[1:])
    assert not any("rullar" in line for line in found)
    page.set_content(
        '<html><body><div style="overflow-x:auto"><table style="width:900px">'
        "<tr><td>rullar</td></tr></table></div></body></html>"
    )
    assert page.evaluate(OVERFLOW) == []
