"""A board's year from a plan written by hand to every output (GitHub issue 13, "Done when").

A structure workbook is written cell by cell in this test, with the sheet and column
definitions of `indicators/structure_workbook/sheets.py`, holding every value kind of the
issue. It is imported with `import_structure` into an empty board-year (a new nämnd), a helår
occasion is opened, and the goal tree, the entry page, the report (HTML and xlsx) and the
indicator pages are read back: each kind is shown as the plan wrote it.
"""

from __future__ import annotations

import io
import re
from html import unescape
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse
from openpyxl import load_workbook

from goals.models import Activity, Board, BoardGoal, ReportingOccasion, Role
from indicators.models import Footnote, Indicator, IndicatorValue
from indicators.structure_workbook import sheets
from indicators.structure_workbook.importing import import_structure
from tests.conftest import make_user
from tests.structure_workbook_data import structure_prerequisites, write_workbook

pytestmark = pytest.mark.django_db

YEAR = 2023
CODE = "TRN"
DASH = "\u2013"

TEXT_OUTCOME = "Vissa smärre skillnader kan utläsas."
TEXT_NAME = "Upplevt bemötande i mötet med förvaltningen"
NOT_INCREASE_NAME = "Antal klagomål på bemötandet"
NOT_DECREASE_NAME = "Andel nöjda besökare"
NOT_GIVEN_NAME = "Antal genomförda trygghetsmätningar"
IU_NAME = "Antal anmälda incidenter"
BASELINE_NAME = "Andel ärenden via e-tjänst"
SHARED_NOTE = "Ny mätmetod från 2021; gäller alla tre åren."
IU_REASON = "for_litet_underlag"
DEADLINES = {
    "Samverkan med arbetsgivare": "Succesivt avslut Q4",
    "Medarbetarenkät": "Kontinuerligt, uppföljning Q4",
    "Trygghetsvandringar": "Sept Q3",
    "Samlad ingång för arbetssökande": "Redovisat till KS hösten -18",
    "Ny rutin för klagomål": "Våren",
}
# The due quarter read from the deadline (goals.deadlines.due_quarter): hösten is Q4, våren Q2.
QUARTERS = {
    "Samverkan med arbetsgivare": 4,
    "Medarbetarenkät": 4,
    "Trygghetsvandringar": 3,
    "Samlad ingång för arbetssökande": 4,
    "Ny rutin för klagomål": 2,
}
ASSIGNMENT_TEXT = "Utred en samlad ingång för arbetssökande"
POLICY_TITLE = "Program för trygghet och säkerhet"


def indicator(ident, goal, name, unit, *, decimals=0, direction="Ingen riktning", order=0):
    return {
        "id": ident,
        "goal": goal,
        "name": name,
        "category": "Nämndindikator",
        "unit": unit,
        "decimals": decimals,
        "direction": direction,
        "frequency": "År",
        "aggregation": "Mäts en gång per år",
        "mandatory": "Nej",
        "order": order,
    }


# Every row as a person types it, by column key (never by header text).
PLAN: dict[str, list[dict[str, Any]]] = {
    "goals": [
        {"id": "NM-1", "council_goal": "Fler i arbete", "title": "Fler i egen försörjning"},
        {"id": "NM-2", "council_goal": "Trygg kommun", "title": "Ett gott bemötande", "order": 2},
    ],
    "indicators": [
        indicator("IND-1", "NM-2", TEXT_NAME, "Text", order=1),
        indicator(
            "IND-2", "NM-2", NOT_INCREASE_NAME, "Antal", direction="Lägre är bättre", order=2
        ),
        indicator("IND-3", "NM-2", NOT_DECREASE_NAME, "%", decimals=1, order=3),
        indicator("IND-4", "NM-1", NOT_GIVEN_NAME, "Antal", order=4),
        indicator("IND-5", "NM-1", IU_NAME, "Antal", order=5),
        indicator("IND-6", "NM-1", BASELINE_NAME, "%", decimals=1, order=6),
    ],
    "breakdowns": [
        {"indicator": ident, "gender": "Totalt", "order": 0}
        for ident in ("IND-1", "IND-2", "IND-3", "IND-4", "IND-5", "IND-6")
    ],
    "targets": [
        {"indicator": "IND-2", "year": YEAR, "kind": "Riktning", "trend": "Ska inte öka"},
        {
            "indicator": "IND-3",
            "year": YEAR,
            "kind": "Riktning",
            "trend": "Ska inte minska",
            "base_value": "72,5",
            "base_year": YEAR - 1,
        },
        {"indicator": "IND-1", "year": YEAR, "kind": "Text", "text": "Inga skillnader"},
    ],
    "values": [
        {"indicator": "IND-1", "year": YEAR, "breakdown": "Totalt", "text": TEXT_OUTCOME},
        {"indicator": "IND-2", "year": YEAR - 2, "value": 14},
        {"indicator": "IND-2", "year": YEAR - 1, "value": 12},
        {"indicator": "IND-2", "year": YEAR, "value": 11},
        {"indicator": "IND-3", "year": YEAR, "value": "74,2"},
        # IND-4: 2021 given, 2022 and 2023 empty: not given, "–".
        {"indicator": "IND-4", "year": YEAR - 2, "value": 3},
        {"indicator": "IND-5", "year": YEAR, "value": "I.U.", "missing_reason": IU_REASON},
        # Baselines: the two years before IND-6 starts (it starts with the plan, in 2023).
        {"indicator": "IND-6", "year": YEAR - 2, "value": "41,5"},
        {"indicator": "IND-6", "year": YEAR - 1, "value": "47,3"},
        {"indicator": "IND-6", "year": YEAR, "value": 52},
    ],
    "footnotes": [
        {
            "id": "FN-1",
            "text": SHARED_NOTE,
            "refs": "; ".join(f"IND-2 utfall {year} Totalt" for year in (YEAR - 2, YEAR - 1, YEAR)),
            "order": 1,
        },
    ],
    "assignments": [
        {"id": "UPP-1", "scope": "Nämnduppdrag", "text": ASSIGNMENT_TEXT, "order": 1},
        {"id": "UPP-2", "scope": "Nämndspecifikt", "text": "Minska väntetiderna", "order": 2},
    ],
    "policies": [{"id": "SD-1", "title": POLICY_TITLE, "order": 1}],
    "activities": [
        # Two nämndmål.
        {"id": "AKT-1", "title": "Samverkan med arbetsgivare", "goals": "NM-1; NM-2"},
        # Only a målområde.
        {"id": "AKT-2", "title": "Medarbetarenkät", "goal_area": "Medarbetare"},
        # A prioriterat styrdokument.
        {"id": "AKT-3", "title": "Trygghetsvandringar", "policy": "SD-1"},
        # A nämnduppdrag.
        {"id": "AKT-4", "title": "Samlad ingång för arbetssökande", "assignment": "UPP-1"},
        # An assignment (nämndspecifikt).
        {"id": "AKT-5", "title": "Ny rutin för klagomål", "assignment": "UPP-2"},
    ],
}
for number, row in enumerate(PLAN["activities"], start=1):
    row["deadline"] = DEADLINES[row["title"]]
    row["order"] = number


def write_plan(plan: dict[str, list[dict[str, Any]]], *, board: str, year: int) -> bytes:
    """The plan's rows, each by column key, put in the sheets' column order (write_workbook)."""
    rows = {}
    for sheet in sheets.SHEETS:
        if sheet is sheets.BOARD_SHEET:
            continue
        for row in plan.get(sheet.key, []):
            unknown = set(row) - set(sheet.column)
            assert not unknown, (sheet.key, unknown)
        rows[sheet.key] = [
            [row.get(column.key) for column in sheet.columns] for row in plan.get(sheet.key, [])
        ]
    return write_workbook(rows, board=board, year=year)


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


@pytest.fixture
def imported(municipality, admin_user):
    structure_prerequisites(municipality)
    board = Board.objects.create(
        municipality=municipality, code=CODE, name="Trygghetsnämnden", valid_from=YEAR
    )
    result = import_structure(
        data=write_plan(PLAN, board=CODE, year=YEAR), user=admin_user, dry_run=False
    )
    assert result.ok, [str(error) for error in result.errors]
    assert result.written
    ReportingOccasion.objects.create(board=board, year=YEAR, kind="helar")
    return board


@pytest.fixture
def controller(imported):
    return make_user("controller_trn", Role.CONTROLLER, imported)


def named(name: str) -> Indicator:
    return Indicator.objects.get(board__code=CODE, name=name)


def text_of(html: str) -> str:
    """The page's text, tags dropped and whitespace folded, entities read."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def row_of(html: str, name: str) -> str:
    """The text of the table row (<tr>) that names `name`."""
    for row in re.findall(r"<tr[^>]*>.*?</tr>", html, re.S):
        if name in unescape(row):
            return text_of(row)
    raise AssertionError(f"no row {name!r}")


def get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# -- what the import stored ---------------------------------------------------------------------
def test_the_plan_is_stored_as_written(imported):
    assert IndicatorValue.objects.get(indicator=named(TEXT_NAME)).text == TEXT_OUTCOME
    missing = IndicatorValue.objects.get(indicator=named(IU_NAME))
    assert (missing.value, missing.missing_reason) == (None, IU_REASON)
    assert not IndicatorValue.objects.filter(indicator=named(NOT_GIVEN_NAME), year__gt=YEAR - 2)
    baseline = named(BASELINE_NAME)
    assert baseline.valid_from == YEAR
    assert sorted(v.year for v in IndicatorValue.objects.filter(indicator=baseline)) == [
        YEAR - 2,
        YEAR - 1,
        YEAR,
    ]
    note = Footnote.objects.get(text=SHARED_NOTE)
    assert note.shared_values.count() == 2
    activities = {a.title: a for a in Activity.objects.filter(board=imported, year=YEAR)}
    assert {title: a.deadline for title, a in activities.items()} == DEADLINES
    assert {title: a.due_quarter for title, a in activities.items()} == QUARTERS
    two = activities["Samverkan med arbetsgivare"]
    assert sorted(goal.title for goal in two.board_goals.all()) == [
        "Ett gott bemötande",
        "Fler i egen försörjning",
    ]
    assert activities["Medarbetarenkät"].goal_area.name == "Medarbetare"
    assert activities["Trygghetsvandringar"].policy_document.title == POLICY_TITLE
    own = activities["Samlad ingång för arbetssökande"].assignment
    assert (own.scope, own.text) == ("namnduppdrag", ASSIGNMENT_TEXT)
    assert activities["Ny rutin för klagomål"].assignment.scope == "namndspecifikt"


# -- the goal tree ------------------------------------------------------------------------------
def test_the_goal_tree_shows_each_kind_as_written(client, controller):
    client.force_login(controller)
    html = get(client, reverse("reports:goal_tree", args=[CODE, YEAR]))
    page = text_of(html)
    assert "Fler i egen försörjning" in page and "Ett gott bemötande" in page
    for name in (TEXT_NAME, NOT_INCREASE_NAME, NOT_DECREASE_NAME, NOT_GIVEN_NAME, IU_NAME):
        assert name in page
    assert TEXT_OUTCOME in page
    assert "Ska inte öka" in page and "Ska inte minska" in page
    assert "I.U." in row_of(html, IU_NAME)
    not_given = row_of(html, NOT_GIVEN_NAME)
    assert DASH in not_given and "I.U." not in not_given
    # The activities, by due quarter, with the deadline verbatim and what each serves.
    for title, deadline in DEADLINES.items():
        assert f"{title} {deadline} Q{QUARTERS[title]}" in row_of(html, title)
    assert "Nämndmål: Fler i egen försörjning Nämndmål: Ett gott bemötande" in row_of(
        html, "Samverkan med arbetsgivare"
    )
    assert "Målområde: Medarbetare" in row_of(html, "Medarbetarenkät")
    assert f"Styrdokument: {POLICY_TITLE}" in row_of(html, "Trygghetsvandringar")
    assert f"Uppdrag: {ASSIGNMENT_TEXT}" in row_of(html, "Samlad ingång för arbetssökande")
    order = [page.index(f"{title} {DEADLINES[title]}") for title in DEADLINES]
    by_quarter = sorted(
        DEADLINES, key=lambda title: (QUARTERS[title], list(DEADLINES).index(title))
    )
    assert [title for _, title in sorted(zip(order, DEADLINES, strict=True))] == by_quarter


def test_the_goal_tree_query_count_does_not_grow_with_activities(client, controller, imported):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(controller)
    url = reverse("reports:goal_tree", args=[CODE, YEAR])

    def count() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    goal = BoardGoal.objects.filter(board=imported).first()
    for number in range(20):
        activity = Activity.objects.create(
            board=imported, year=YEAR, title=f"Aktivitet {number}", deadline="Sept Q3", order=9
        )
        activity.board_goals.add(goal)
    many = count()
    assert many == few, f"queries grew from {few} to {many}"
    assert "Aktivitet 19" in client.get(url).content.decode()


# -- the entry page -----------------------------------------------------------------------------
def test_the_entry_page_shows_each_kind_as_written(client, controller):
    client.force_login(controller)
    html = get(client, reverse("indicators:entry_page", args=[CODE, YEAR, "helar"]))
    page = text_of(html)
    assert TEXT_OUTCOME in page
    assert "Ska inte öka" in page and "Ska inte minska" in page
    # The not-given field is empty and offers no I.U.; the I.U. field says I.U.
    not_given = named(NOT_GIVEN_NAME)
    field = re.search(rf'<input[^>]*name="v{not_given.pk}-\d+-ar-1-value"[^>]*>', html)
    assert field is not None and 'value="I.U."' not in field.group(0)
    iu = named(IU_NAME)
    field = re.search(rf'<input[^>]*name="v{iu.pk}-\d+-ar-1-value"[^>]*>', html)
    assert field is not None and 'value="I.U."' in field.group(0)
    for deadline in DEADLINES.values():
        assert deadline in page, deadline


# -- the report, HTML and xlsx ------------------------------------------------------------------
def test_the_report_shows_each_kind_as_written(client, controller):
    client.force_login(controller)
    html = get(client, reverse("reports:report", args=[CODE, YEAR]))
    page = text_of(html)
    assert TEXT_OUTCOME in row_of(html, TEXT_NAME)
    assert "Ska inte öka" in row_of(html, NOT_INCREASE_NAME)
    assert "Ska inte minska" in row_of(html, NOT_DECREASE_NAME)
    not_given = row_of(html, NOT_GIVEN_NAME)
    assert DASH in not_given and "I.U." not in not_given
    assert "I.U." in row_of(html, IU_NAME)
    baseline = row_of(html, BASELINE_NAME)
    assert "41,5" in baseline and "47,3" in baseline and "52,0" in baseline
    assert page.count(SHARED_NOTE) == 1
    # The nämnduppdrag under its own heading, the nämndspecifika under theirs.
    assert re.search(r"<h\d[^>]*>\s*Nämnduppdrag\s*</h\d>", html)
    assert ASSIGNMENT_TEXT in row_of(html, ASSIGNMENT_TEXT)
    assert "Minska väntetiderna" in page


def xlsx_rows(content: bytes) -> list[list[Any]]:
    book = load_workbook(io.BytesIO(content))
    return [list(row) for ws in book.worksheets for row in ws.iter_rows(values_only=True)]


def after(rows: list[list[Any]], name: str) -> list[Any]:
    for row in rows:
        for index, value in enumerate(row):
            if isinstance(value, str) and value.startswith(name):
                return row[index + 1 :]
    raise AssertionError(f"no row {name!r}")


def test_the_report_xlsx_has_each_kind_as_written(client, controller):
    client.force_login(controller)
    response = client.get(reverse("reports:report_xlsx", args=[CODE, YEAR]))
    assert response.status_code == 200
    rows = xlsx_rows(response.content)
    assert TEXT_OUTCOME in after(rows, TEXT_NAME)
    assert "Ska inte öka" in after(rows, NOT_INCREASE_NAME)
    assert "Ska inte minska (basvärde 2022 = 72,5)" in after(rows, NOT_DECREASE_NAME)
    not_given = after(rows, NOT_GIVEN_NAME)
    assert DASH in not_given and "I.U." not in not_given and 3 in not_given
    assert "I.U." in after(rows, IU_NAME)
    assert [v for v in after(rows, NOT_INCREASE_NAME) if isinstance(v, int)][:3] == [14, 12, 11]
    cells = [str(value) for row in rows for value in row if value is not None]
    assert len([value for value in cells if SHARED_NOTE in value]) == 1
    assert "Nämnduppdrag" in cells and ASSIGNMENT_TEXT in cells
    assert "Minska väntetiderna" in cells


# -- the indicator pages ------------------------------------------------------------------------
def test_the_indicator_pages_show_each_kind_as_written(client, controller):
    client.force_login(controller)

    def page(name):
        return get(client, reverse("reports:indicator_detail", args=[named(name).pk]))

    html = page(TEXT_NAME)
    assert TEXT_OUTCOME in text_of(html) and "I.U." not in html
    html = page(NOT_INCREASE_NAME)
    assert "Ska inte öka" in text_of(html)
    assert text_of(html).count(SHARED_NOTE) == 1
    assert "Ska inte minska" in text_of(page(NOT_DECREASE_NAME))
    html = page(NOT_GIVEN_NAME)
    assert "I.U." not in html and DASH in text_of(html)
    assert "I.U." in text_of(page(IU_NAME))
    baseline = text_of(page(BASELINE_NAME))
    assert "41,5" in baseline and "47,3" in baseline
