"""Every page of the app passes axe-core (WCAG 2.1 A/AA) in Chromium, with the demo data.

The pages are enumerated from the URL configuration, as tests/test_access_matrix.py does:
every route of our apps (goals, indicators, budget, reports, config and the login pages) is
built for the Linköping demo data from the names of its arguments, opened as an administrator
and checked. A route whose argument name is unknown fails the test, so a new page is checked
the moment it is routed. Routes that only take POST (405 on GET) and downloads (.xlsx, .json)
are no pages; they are skipped, and the skip is checked (405, or a non-HTML content type).
Django's own admin is not enumerated.

Besides the routes, the states a user reaches by acting are checked: an open occasion's entry
page, a field with an error kept at it, the fallback pages without JavaScript, a refused
import and the budget entry with errors.

Each page must have no serious or critical axe violation, lang="sv", a skip link to #main as
the first focusable element, no form field without a label, and no script error or
Content-Security-Policy violation. One browser context, one login.
"""

from __future__ import annotations

import time

import pytest
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError

from goals.models import (
    Activity,
    BoardGoal,
    ReportingOccasion,
    Role,
    StrategicAssignment,
)
from indicators.models import Indicator, IndicatorValue
from tests.browser import BLOCKING, WCAG_TAGS
from tests.conftest import PASSWORD, make_user
from tests.routes import our_routes

VIEWS = ("core.", "goals.", "indicators.", "budget.", "reports.", "django.contrib.auth.")
DOWNLOAD_SUFFIXES = (".xlsx", ".json", ".docx", ".pdf")
BOARD, YEAR, KIND = "AN", 2022, "helar"
OPEN_YEAR, OPEN_KIND = 2023, "d1"

# What a page must have beyond axe's rules: lang, the skip link first, labels on every field.
PAGE_BASICS = """() => {
  const problems = [];
  if (document.documentElement.lang !== 'sv') problems.push('lang=' + document.documentElement.lang);
  const focusable = document.querySelector(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])');
  if (!focusable || !focusable.matches('a.skip-link[href="#main"]')) {
    problems.push('first focusable is not the skip link: ' + (focusable ? focusable.outerHTML.slice(0, 80) : 'none'));
  }
  if (!document.getElementById('main')) problems.push('no #main');
  const fields = document.querySelectorAll(
    'input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=reset]):not([type=image]), select, textarea');
  for (const field of fields) {
    const labelled = (field.labels && [...field.labels].some(l => l.textContent.trim()))
      || (field.getAttribute('aria-label') || '').trim()
      || (field.getAttribute('aria-labelledby') || '').split(/\\s+/).some(id => {
           const e = id && document.getElementById(id); return e && e.textContent.trim(); });
    if (!labelled) problems.push('unlabelled field: ' + field.outerHTML.slice(0, 120));
  }
  return problems;
}"""


ROUTES = our_routes(VIEWS)


def _table_key(objects) -> str:
    from reports.report.build import build_report

    return build_report(objects["occasion"].board, YEAR).download_keys[0]


def _policy_document(objects):  # structure-goals
    from goals.models import PolicyDocument

    board = objects["occasion"].board
    return PolicyDocument.objects.get_or_create(
        municipality=board.municipality, title="Upphandlingspolicy", valid_from=2019
    )[0].pk


def _mandate_period(objects):  # structure-goals
    from goals.models import MandatePeriod

    board = objects["occasion"].board
    return MandatePeriod.objects.get_or_create(
        municipality=board.municipality, first_year=2019, defaults={"last_year": 2022}
    )[0].pk


def _plan_table_key(kind):  # pages: the first table of the demo's plan document of that kind
    def key(objects):
        from reports.report.plans import build_plan

        keys = build_plan(objects["occasion"].board, YEAR, kind).download_keys
        return keys[0] if keys else "saknas"

    return key


def _demo_role(objects):  # user-admin: a role of the demo's (or a new) controller of AN
    from goals.models import BoardRole

    role = BoardRole.objects.filter(board=objects["occasion"].board).first()
    if role is None:
        role = BoardRole.objects.create(
            user=make_user("a11y_controller", None, None),
            role=Role.CONTROLLER,
            board=objects["occasion"].board,
        )
    return role


def _demo_mapping(objects):  # user-admin
    from goals.models import GroupRoleMapping

    return GroupRoleMapping.objects.get_or_create(
        group="6f1c2d3e-4a5b-6c7d-8e9f-0a1b2c3d4e5f",
        role=Role.CONTROLLER,
        board=objects["occasion"].board,
        defaults={"label": "AN controllers"},
    )[0]


# How to build each URL argument for the demo data (AN 2022, helår). Add new names here.
OBJECT_FOR_KWARG = {
    "board_code": lambda objects: BOARD,
    "year": lambda objects: YEAR,
    "kind": lambda objects: KIND,
    "occasion_id": lambda objects: objects["occasion"].pk,
    "goal_id": lambda objects: objects["goal"].pk,
    "indicator_id": lambda objects: objects["indicator"].pk,
    "pk": lambda objects: objects["indicator"].pk,
    "value_id": lambda objects: objects["value"].pk,
    "assignment_id": lambda objects: objects["assignment"].pk,
    "activity_id": lambda objects: objects["activity"].pk,
    "table_key": _table_key,
    "archive_id": lambda objects: objects["archive"].pk,
    "council_goal_id": lambda objects: objects["goal"].council_goal_id,  # structure-goals
    "policy_id": _policy_document,  # structure-goals
    "mandate_period_id": _mandate_period,  # structure-goals
    "internbudget_table": _plan_table_key("internbudget"),  # pages
    "verksamhetsplan_table": _plan_table_key("verksamhetsplan"),  # pages
    "document": lambda objects: "verksamhetsberattelse",  # a DocumentKind value (issue 15)
    "section": lambda objects: "bedomning",  # narratives: a section of its outline
    "reason": lambda objects: "ingen-behorighet",  # the SSO refusal page
    "user_id": lambda objects: _demo_role(objects).user_id,  # user-admin
    "role_id": lambda objects: _demo_role(objects).pk,  # user-admin
    "mapping_id": lambda objects: _demo_mapping(objects).pk,  # user-admin
}

# Pages that answer with another status by design (still checked with axe).
EXPECTED_STATUS = {"goals:sign_in_refused": 403}
# 18A: OIDC is off here (tests/test_oidc_browser.py checks its login page with axe).
EXPECTED_STATUS |= {"goals:oidc_login": 404, "goals:oidc_callback": 404}

# Query strings a route needs to show a page (the board filter form's redirect).
QUERY_FOR_ROUTE = {"reports:dashboard_select": f"?namnd={BOARD}&ar={YEAR}"}


def test_every_route_argument_is_known():
    unknown = sorted(
        {(r, k) for r, _, kwargs in ROUTES for k in kwargs}
        - {(r, k) for r, _, kwargs in ROUTES for k in kwargs if k in OBJECT_FOR_KWARG}
    )
    assert not unknown, (
        f"Okända URL-argument {unknown}: lägg till dem i OBJECT_FOR_KWARG i "
        "tests/test_a11y_pages.py med hur demodatans objekt hittas."
    )
    names = {name for _, name, _ in ROUTES}
    assert {
        "reports:home",
        "indicators:entry_page",
        "reports:report",
        "budget:budget_entry",
        "core:accessibility",
        "core:login",
    } <= names


@pytest.fixture
def demo_objects(demo_data):
    from reports.models import ArchivedReport

    occasion = ReportingOccasion.objects.select_related("board").get(
        board__code=BOARD, year=YEAR, kind=KIND
    )
    indicator = Indicator.objects.filter(board=occasion.board).valid_in(YEAR).first()
    # The demo approves its occasions as any approval does, so the occasion has its copy.
    archive = ArchivedReport.objects.get(occasion=occasion)
    return {
        "occasion": occasion,
        "indicator": indicator,
        "goal": BoardGoal.objects.filter(board=occasion.board).valid_in(YEAR).first(),
        "value": IndicatorValue.objects.filter(indicator__board=occasion.board, year=YEAR).first(),
        "assignment": StrategicAssignment.objects.valid_in(YEAR).first(),
        "activity": Activity.objects.filter(board=occasion.board).first(),
        "archive": archive,
    }


class Checker:
    def __init__(self, page, base_url: str):
        self.page = page
        self.base_url = base_url
        self.failures: dict[str, list[str]] = {}
        self.checked: list[str] = []
        self.seconds: dict[str, float] = {}
        self.problems: list[str] = []
        page.on(
            "console",
            lambda message: (
                self.problems.append(message.text)
                if message.type == "error"
                and not message.text.startswith("Failed to load resource")
                else None
            ),
        )
        page.on("pageerror", lambda error: self.problems.append(str(error)))

    def check(self, label: str) -> None:
        page = self.page
        page.wait_for_load_state("load")
        started = time.perf_counter()
        results = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
        )
        found = [
            f"{v['id']} ({v['impact']}): {v['help']} – "
            + "; ".join(str(n["target"][0]) for n in v["nodes"][:4])
            for v in results["violations"]
            if v["impact"] in BLOCKING
        ]
        found += page.evaluate(PAGE_BASICS)
        found += self.problems
        self.problems = []
        self.checked.append(label)
        self.seconds[label] = time.perf_counter() - started
        if found:
            self.failures[label] = found

    def open(self, path: str) -> int:
        self.problems = []
        try:
            response = self.page.goto(self.base_url + path)
        except PlaywrightError:
            # Chromium shows no page for an empty error answer (a 405 of a POST-only view).
            return self.page.request.get(self.base_url + path).status
        return response.status if response is not None else 0


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_page_passes_axe(page, live_server, demo_objects, axe_source):
    admin = make_user("a11y_admin", Role.ADMINISTRATOR, None, is_staff=True, is_superuser=True)
    page.add_init_script(script=axe_source)
    checker = Checker(page, live_server.url)
    page.goto(f"{live_server.url}/logga-in/")
    checker.check("login (utloggad)")
    page.fill("#id_username", admin.username)
    page.fill("#id_password", PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url(lambda url: "/logga-in/" not in url)

    started = time.perf_counter()
    post_only, downloads, unexpected = [], [], {}
    for _route, name, kwargs in ROUTES:
        path = reverse(name, kwargs={k: OBJECT_FOR_KWARG[k](demo_objects) for k in kwargs})
        path += QUERY_FOR_ROUTE.get(name, "")
        if path.endswith(DOWNLOAD_SUFFIXES):
            response = page.request.get(live_server.url + path)
            if name == "reports:archived_report_pdf" and not demo_objects["archive"].pdf_sha256:
                assert response.status == 404, path  # the suite archives no PDF
                continue
            assert response.status == 200, f"{path}: {response.status}"
            assert "text/html" not in response.headers["content-type"], path
            downloads.append(name)
            continue
        status = checker.open(path)
        if status == 405:
            post_only.append(name)
            continue
        if status != EXPECTED_STATUS.get(name, 200):
            unexpected[path] = status
            continue
        checker.check(f"{name} {path}")
        if name == "indicators:entry_page":  # the approved occasion lists its archived copy
            assert page.locator(".archived-reports li").count() == 1

    # States reached by acting on the pages.
    for label, path, act in _interactions(demo_objects):
        checker.open(path)
        act(page)
        checker.check(label)

    elapsed = time.perf_counter() - started
    slowest = sorted(checker.seconds.items(), key=lambda item: -item[1])[:5]
    print(
        f"\naxe: {len(checker.checked)} sidor på {elapsed:.1f} s; POST-only {post_only}; "
        f"nedladdningar {downloads}; längst axe-tid {[(k, round(v, 1)) for k, v in slowest]}"
    )
    assert not unexpected, f"Sidor som inte svarade 200 för en administratör: {unexpected}"
    assert {
        "goals:occasion_submit",
        "goals:occasion_approve",
        "indicators:entry_save_value",
        "core:logout",
    } <= set(post_only)
    assert {
        "reports:report_xlsx",
        "reports:report_xlsx_all",
        "reports:archived_report_xlsx",
        "reports:archived_report_json",
        "reports:archived_report_docx",
        "reports:document_docx",
        "reports:document_pdf",
    } <= set(downloads)
    assert len(checker.checked) >= 20
    assert not checker.failures, "\n".join(
        f"{label}:\n  " + "\n  ".join(found) for label, found in checker.failures.items()
    )


def _interactions(objects):
    open_entry = reverse("indicators:entry_page", args=[BOARD, OPEN_YEAR, OPEN_KIND])
    import_url = reverse("indicators:entry_import", args=[BOARD, OPEN_YEAR, OPEN_KIND])
    budget_url = reverse("budget:budget_entry", args=[BOARD, OPEN_YEAR]) + "?tidpunkt=augusti"
    workbook_url = reverse("indicators:structure_workbook_upload", args=[BOARD, YEAR])

    def nothing(page):
        pass

    def first_value_field(page):
        return page.locator("tr.entry-field td.ef-input input[type=text]").first

    def error_at_field(page):
        field = first_value_field(page)
        key = field.get_attribute("id").removesuffix("-value")
        field.fill("12.5")
        field.press("Tab")
        page.locator(f"#f-{key} .ef-msg .error").wait_for()

    def without_javascript(page):
        # form.submit() posts the grid the plain way (the page's script listens to submit
        # events), as the field's own Spara button does: to the one-field URL with its key.
        field = first_value_field(page)
        field.fill("tolv")
        script = """e => { const b = document.getElementById(e.id.replace(/-value$/, '-save'));
          const f = e.form; f.action = b.formAction; const k = document.createElement('input');
          k.type = 'hidden'; k.name = 'field'; k.value = b.value; f.appendChild(k); f.submit(); }"""
        with page.expect_navigation():
            page.evaluate(script, field.element_handle())
        assert "/varde/" in page.url

    def refused_import(page):
        page.set_input_files(
            "#id_file",
            files=[{"name": "utfall.xlsx", "mimeType": "text/plain", "buffer": b"inte en xlsx"}],
        )
        page.click("main form button[type=submit]")
        page.locator("main .message.error").wait_for()

    def workbook_errors(page):
        from tests.structure_workbook_data import write_workbook

        data = write_workbook({"goals": [["NM-1", "Okänt KF-mål", None]]}, year=YEAR)
        page.set_input_files(
            "#id_file", files=[{"name": "a.xlsx", "mimeType": "x", "buffer": data}]
        )
        page.click("main form button[type=submit]")
        page.locator("main .message.error table").first.wait_for()

    def budget_errors(page):
        field = page.locator("main form[method=post] input.num").first
        field.fill("abc")
        page.click("main form[method=post] button[type=submit]")
        page.locator("main .error").first.wait_for()

    def plan_decision_errors(page):  # pages: a decision date that has not yet been
        page.fill("#id_internbudget-decided_on", "2099-01-01")
        page.click("#plan-internbudget ~ form button[type=submit]")
        page.locator("main .errorlist").first.wait_for()

    plan_url = reverse("reports:internbudget", args=[BOARD, YEAR])  # pages
    plans_url = reverse("goals:structure_plans", args=[BOARD, YEAR])  # pages
    return [
        ("entry_page, öppet tillfälle", open_entry, nothing),
        ("entry_page, fel vid fältet", open_entry, error_at_field),
        ("value_page (utan JavaScript, fel)", open_entry, without_javascript),
        ("entry_import, fel filtyp", import_url, refused_import),
        ("budget_entry, fel belopp", budget_url, budget_errors),
        ("structure_workbook_upload, fel i celler", workbook_url, workbook_errors),
        ("internbudget, fel datum", plan_url + "?per=2021-13-45", nothing),  # pages
        ("structure_plans, fel beslutsdatum", plans_url, plan_decision_errors),  # pages
    ]


@pytest.mark.browser
def test_the_checks_find_what_they_look_for(page, axe_source):
    """The same checks on a bad page fail, so a pass above means something."""
    page.set_content(
        '<html lang="en"><head><title>x</title></head><body>'
        '<a href="/">Start</a><main id="main"><p style="color:#eee;background:#fff">grått</p>'
        '<input name="belopp" type="text"><select name="s"><option>a</option></select>'
        "</main></body></html>"
    )
    page.add_script_tag(content=axe_source)
    checker = Checker(page, "")
    checker.check("dålig sida")
    found = "\n".join(checker.failures["dålig sida"])
    assert "label (critical)" in found
    assert "color-contrast (serious)" in found
    assert "lang=en" in found
    assert "first focusable is not the skip link" in found
    assert found.count("unlabelled field") == 2
