"""User text never becomes markup: not on a page, not in a chart, not in an export.

Every CharField and TextField of the models of goals, indicators, budget and reports (found
through apps.get_models(), so a new model's text is covered the moment it exists; fields with
choices and the codes that name objects in URLs are left out) is set to a text holding a link,
a script, an image with onerror, an Excel formula and Django template tags. Then every URL of
our apps is requested as an administrator (the walk of tests/test_access_matrix.py), and:

- no HTML answer holds the markup unescaped;
- no chart figure (the JSON in the pages) holds it unescaped: plotly renders its texts as a
  subset of HTML, so they must hold `&lt;a`, never `<a`;
- no workbook holds it as a formula: every cell with the text is a string cell;
- the escaped text does appear where the text is shown (the indicator page and its chart).
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import models
from django.db.models import Value
from django.db.models.functions import Cast, Concat
from openpyxl import load_workbook

from demo.loaders import budget as budget_loader
from goals.models import ActivityStatus, AssignmentStatus, GoalAssessment
from goals.periods import PeriodType
from indicators.models import Footnote, IndicatorValue, Target
from tests.entry_data import breakdown
from tests.routes import our_routes
from tests.test_access_matrix import APPS, OBJECT_FOR_KWARG, YEAR, an_objects  # noqa: F401

MARKUP = (
    '<a href="https://evil.example/">x</a><script>alert(1)</script>'
    '<img src=x onerror=alert(1)>{{ 7|add:1 }}{% now "Y" %}'
)
FORMULA = '=HYPERLINK("https://evil.example/";"x")' + MARKUP
SHORT = "<img src=x onerror=alert(1)>"  # for fields too short for the whole text
RAW = ("<script>alert", '<a href="https://evil', "<img src=x onerror")
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"

# Text fields that are identifiers, not shown text: codes in URLs and keys, hashes, tokens.
NOT_TEXT = {
    ("goals", "board", "code"),
    ("goals", "municipality", "code"),  # SCB:s kommunkod, four digits (a Kolada key)
    ("goals", "organisationunit", "code"),
    ("indicators", "breakdown", "code"),
    ("budget", "budgetline", "code"),
    ("budget", "historicalbudgetline", "code"),
    ("budget", "investmentproject", "code"),
    ("budget", "historicalinvestmentproject", "code"),
    ("reports", "archivedreport", "xlsx_sha256"),
    ("reports", "archivedreport", "json_text"),
    ("reports", "archivedreport", "json_sha256"),
    ("reports", "datatoken", "token"),
}
APP_LABELS = [label.rstrip(".") for label in APPS]


# Text fields that only some rows may hold (a database constraint refuses the others).
ONLY_WHERE_GIVEN = {"indicators.IndicatorValue": ("text",)}


def text_fields():
    """(model, field) of every free-text field of our apps."""
    for label in APP_LABELS:
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.concrete_fields:
                if not isinstance(field, models.CharField | models.TextField) or field.choices:
                    continue
                if (label, model._meta.model_name, field.name) in NOT_TEXT:
                    continue
                yield model, field


def hostile_text(field):
    """The text, ended by the row's id (unique constraints hold text: PlanChange, goals)."""
    room = None if field.max_length is None else field.max_length - 8
    text = next(
        (t for t in (FORMULA, MARKUP, SHORT) if room is None or len(t) <= room), SHORT[:room]
    )
    return Concat(Value(text), Cast("pk", models.CharField()), output_field=field.__class__())


@pytest.fixture
def hostile(an_objects, board_an):  # noqa: F811
    """AN's objects (the access matrix's), with values, footnotes, targets, assessments,
    statuses and the budget; then every text field of every row set to hostile text."""
    indicator, occasion = an_objects["indicator"], an_objects["occasion"]
    for year in (YEAR - 1, YEAR):
        for gender in ("", "K", "M"):
            for quarter in (1, 2, 3, 4):
                value = IndicatorValue.objects.update_or_create(
                    indicator=indicator,
                    year=year,
                    period_type=PeriodType.QUARTER,
                    period_number=quarter,
                    breakdown=breakdown(gender),
                    defaults={"value": Decimal(10 + quarter), "comment": "k"},
                )[0]
                Footnote.objects.create(value=value, text="f")
        missing = IndicatorValue.objects.create(
            indicator=indicator,
            year=year,
            breakdown=breakdown(),
            value=None,
            missing_reason="annat",
        )
        Footnote.objects.create(value=missing, text="f")  # an I.U.'s footnote is in its hover
        # A text outcome (a qualitative result), so IndicatorValue.text holds hostile text too.
        IndicatorValue.objects.create(
            indicator=indicator, year=year, breakdown=breakdown("K"), text="t"
        )
    Target.objects.create(
        indicator=indicator, year=YEAR - 1, breakdown=breakdown(), kind="text", text="t"
    )
    GoalAssessment.objects.create(
        occasion=occasion, board_goal=an_objects["goal"], level="delvis", analysis="a"
    )
    AssignmentStatus.objects.create(
        occasion=occasion, assignment=an_objects["assignment"], status="pagar", comment="c"
    )
    ActivityStatus.objects.create(
        occasion=occasion, activity=an_objects["activity"], status="pagar", comment="c"
    )
    budget_loader.load()
    filled = []
    for model, field in text_fields():
        manager = model._base_manager
        if field.name in ONLY_WHERE_GIVEN.get(model._meta.label, ()):
            # A value is a number, a text or I.U.: only a text outcome's text may be set.
            manager = manager.exclude(**{field.name: ""})
        if manager.exists():
            manager.update(**{field.name: hostile_text(field)})
            filled.append((model._meta.label, field.name))
    an_objects["filled"] = filled
    return an_objects


def figures(page: str) -> list:
    """The JSON blocks of a page (json_script), parsed."""
    blocks = re.findall(r'<script[^>]*type="application/json"[^>]*>(.*?)</script>', page, re.S)
    return [json.loads(block) for block in blocks]


def strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for item in node.values():
            yield from strings(item)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)


def check_workbook(url: str, content: bytes) -> int:
    workbook = load_workbook(io.BytesIO(content))
    found = 0
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and "evil.example" in cell.value:
                    found += 1
                    where = f"{url} {ws.title}!{cell.coordinate}"
                    assert cell.data_type == "s", f"{where}: formel"
                    if cell.value.startswith("="):
                        # Excel reads a leading = as a formula again when the cell is edited.
                        assert cell.quotePrefix, f"{where}: = utan citattecken först"
    return found


def check_document(url: str, content: bytes) -> None:
    """A .docx holds the user's text as text: no hyperlink, field or raw markup made of it."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = "".join(
            archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.endswith((".xml", ".rels"))
        )
    for raw in RAW:
        assert raw not in xml, f"{url}: {raw!r} som märkning i Worddokumentet"
    assert 'Target="https://evil' not in xml, f"{url}: länk i Worddokumentet"
    # Outside text runs and the tables' accessible captions (an escaped attribute, read aloud,
    # never a field), user text may not appear: there it would be a field code.
    rest = re.sub(r'<w:t[^>]*>[^<]*</w:t>|<w:tbl(Caption|Description) w:val="[^"]*"/>', "", xml)
    assert "HYPERLINK" not in rest, f"{url}: fältkod"


def test_every_text_field_is_filled(hostile):
    filled = set(hostile["filled"])
    for label in (
        "goals.BoardGoal",
        "indicators.Indicator",
        "indicators.Footnote",
        "indicators.IndicatorValue",
        "indicators.Target",
        "goals.GoalAssessment",
        "budget.BudgetLine",
    ):
        assert any(model == label for model, _ in filled), label


def test_no_user_text_becomes_markup_on_any_page_chart_or_export(client, hostile, admin_user):
    client.force_login(admin_user)
    pages, charts, workbooks, cells = 0, 0, 0, 0
    for route, name, kwargs in our_routes(APPS):
        url = _reverse(name, kwargs, hostile)
        response = client.get(url)
        if response.status_code in (301, 302, 405):
            continue
        # The SSO refusal page answers 403 by design (goals.views_identity); still checked.
        expected = (200, 400, 404, 403) if name == "goals:sign_in_refused" else (200, 400, 404)
        assert response.status_code in expected, f"{route}: {response.status_code}"
        kind = response.get("Content-Type", "")
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if "spreadsheetml" in kind:
            workbooks += 1
            cells += check_workbook(url, body)
            continue
        if "json" in kind:
            assert "html" not in kind
            continue
        if "wordprocessingml" in kind:
            check_document(url, body)
            continue
        if kind == "application/pdf":
            # A link only the user's text could have made would be a /URI action. The text
            # itself is there, as text and in a table's alternative text (/Alt).
            assert not re.search(rb"/URI\s*\([^)]*evil\.example", body), f"{url}: länk i PDF:en"
            continue
        page = body.decode()
        pages += 1
        for raw in RAW:
            assert raw not in page, f"{url}: {raw!r} som märkning"
        for figure in figures(page):
            for text in strings(figure):
                charts += 1
                for raw in RAW:
                    assert raw not in text, f"{url}: {raw!r} i diagrammets JSON: {text[:200]}"
    assert pages > 10 and workbooks >= 2 and cells > 0, (pages, workbooks, cells)
    assert charts > 0


def _reverse(name, kwargs, objects):
    from django.urls import reverse

    return reverse(name, kwargs={kwarg: OBJECT_FOR_KWARG[kwarg](objects) for kwarg in kwargs})


def test_the_indicator_page_shows_the_escaped_text_in_page_and_chart(client, hostile, admin_user):
    from django.urls import reverse

    client.force_login(admin_user)
    page = client.get(
        reverse("reports:indicator_detail", args=[hostile["indicator"].pk])
    ).content.decode()
    assert ESCAPED in page
    assert "{{ 7|add:1 }}" in html.unescape(page)  # shown as typed, never rendered
    texts = [text for figure in figures(page) for text in strings(figure)]
    assert any("I.U." in text and "&lt;a href=" in text for text in texts), "fotnot saknas"
    assert not any("<a href" in text for text in texts)
