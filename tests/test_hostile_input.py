"""Hostile input: every bad request gets a clear answer and changes nothing.

- Numbers: huge, malformed and Unicode-confusable text in the outcome entry, the budget entry
  and the Excel import. The parser either reads the correct number (digits of other scripts
  are digits: "٣٣٢٧" and "３３２７" are 3327; U+2212 and the en dash are minus signs) or refuses
  with a Swedish message at the field; never a 500, never a stored wrong value.
- Other boards' ids, in the URL or in the form: a controller of BIN posting valid data to AN's
  write endpoints, and AN's controller naming BIN's indicator, goal, assignment, activity or
  budget line in AN's forms, are refused (404) or ignored.
- POSTs without a CSRF token: 403 with the Swedish page, nothing changed.
- Uploads: not an xlsx (a PDF or text renamed .xlsx), oversized, formulas, macros (.xlsm, a
  vbaProject), zip bombs (honest and lying sizes, too many entries), an XML entity bomb, numbers
  Excel cannot hold.

Each case compares the database before and after: the rows and the history rows of what the
request could touch, and the occasion's state.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from budget.formatting import kronor_as_tkr_text
from budget.models import AmountKind, BudgetAmount, BudgetLine
from budget.services import MAX_KRONOR
from budget.services import TOO_LARGE as BUDGET_TOO_LARGE
from budget.tables import entry_rows
from budget.views import FORM_ERRORS
from demo.loaders import budget as budget_loader
from goals.models import (
    Activity,
    ActivityStatus,
    AssignmentStatus,
    GoalAssessment,
    OccasionTransition,
    ReportingOccasion,
    StrategicAssignment,
)
from goals.periods import PeriodType
from indicators import importing
from indicators.importing import COLUMN, SHEET
from indicators.models import IndicatorValue
from indicators.parsing import (
    DECIMAL_POINT,
    INVALID_NUMBER,
    TOO_LARGE,
    TOO_MANY_DECIMALS,
)
from reports.models import ArchivedReport
from tests.conftest import PASSWORD
from tests.entry_data import breakdown, field_post, goal_chain

Q = PeriodType.QUARTER
YEAR = 2023

# Text a user (or a script) might type into a number field, and the answer.
REFUSED = [
    ("1e400", INVALID_NUMBER),
    ("99999999999999999999999", TOO_LARGE),
    ("1 000 000 000 000", TOO_LARGE),  # 13 digits before the comma: more than is stored
    ("12,3,4", INVALID_NUMBER),
    ("1 2 3,", INVALID_NUMBER),
    ("NaN", INVALID_NUMBER),
    ("Infinity", INVALID_NUMBER),
    ("-Infinity", INVALID_NUMBER),
    ("0x10", INVALID_NUMBER),
    ("1e5", INVALID_NUMBER),
    ("1E5", INVALID_NUMBER),
    ("+5", INVALID_NUMBER),
    ("--5", INVALID_NUMBER),
    ("12.5", DECIMAL_POINT.format(suggestion="12,5")),
    ("0,00001", TOO_MANY_DECIMALS.format(decimals=4)),
    ("\u20125", INVALID_NUMBER),  # figure dash
    ("\ufe635", INVALID_NUMBER),  # small hyphen-minus
    ("\uff0d5", INVALID_NUMBER),  # fullwidth hyphen-minus
    ("³³²⁷", INVALID_NUMBER),  # superscripts are not digits
    ("3\u200b327", INVALID_NUMBER),  # zero-width space
    ("١٢٫٥", INVALID_NUMBER),  # Arabic decimal separator
    ("٣٣٢٧٫٥", INVALID_NUMBER),
    ("<script>alert(1)</script>", INVALID_NUMBER),
    ("1'; DROP TABLE x; --", INVALID_NUMBER),
]
# Read as the number they show (digits of any script are digits; the minus signs people paste).
ACCEPTED = [
    ("٣٣٢٧", Decimal(3327)),  # Arabic-Indic digits
    ("۳۳۲۷", Decimal(3327)),  # Extended Arabic-Indic (Persian) digits
    ("３３２７", Decimal(3327)),  # fullwidth digits
    ("３ ３２７", Decimal(3327)),
    ("\u22124,1", Decimal("-4.1")),  # U+2212 minus sign
    ("\u20134,1", Decimal("-4.1")),  # en dash, as Word autocorrects
    ("3\u00a0327", Decimal(3327)),  # no-break space
    ("3\u202f327", Decimal(3327)),  # narrow no-break space
    ("٣,٥", Decimal("3.5")),
    ("999 999 999 999", Decimal(999_999_999_999)),  # the largest whole number stored
]
REFUSED_IDS = [f"refused-{i}" for i in range(len(REFUSED))]
ACCEPTED_IDS = [f"accepted-{i}" for i in range(len(ACCEPTED))]


def page_text(response) -> str:
    return html.unescape(response.content.decode())


# --- data ------------------------------------------------------------------------------------


@pytest.fixture
def an(board_an, municipality):
    indicators = goal_chain(board_an, goals=1, indicators_per_goal=2)
    occasion = ReportingOccasion.objects.create(board=board_an, year=YEAR, kind="k3")
    helar = ReportingOccasion.objects.create(board=board_an, year=YEAR, kind="helar")
    assignment = StrategicAssignment.objects.create(
        municipality=municipality,
        scope="namndspecifikt",
        board=board_an,
        text="AN",
        valid_from=2020,
    )
    activity = Activity.objects.create(board=board_an, year=YEAR, title="AN:s aktivitet")
    activity.board_goals.add(indicators[0].board_goal)
    return {
        "board": board_an,
        "indicator": indicators[0],
        "occasion": occasion,
        "helar": helar,
        "goal": indicators[0].board_goal,
        "assignment": assignment,
        "activity": activity,
    }


@pytest.fixture
def bin_(board_other, municipality, an):
    indicators = goal_chain(board_other, goals=1, indicators_per_goal=1, area_name="Samhälle")
    occasion = ReportingOccasion.objects.create(board=board_other, year=YEAR, kind="k3")
    assignment = StrategicAssignment.objects.create(
        municipality=municipality,
        scope="namndspecifikt",
        board=board_other,
        text="BIN",
        valid_from=2020,
    )
    activity = Activity.objects.create(board=board_other, year=YEAR, title="BIN:s aktivitet")
    activity.board_goals.add(indicators[0].board_goal)
    line = BudgetLine.objects.create(
        board=board_other, scheme="drift", code="skola", name="Skola", valid_from=2019
    )
    amount = BudgetAmount.objects.create(
        line=line, year=2022, kind=AmountKind.FORECAST, month=10, amount=5_000_000
    )
    return {
        "board": board_other,
        "indicator": indicators[0],
        "occasion": occasion,
        "goal": indicators[0].board_goal,
        "assignment": assignment,
        "activity": activity,
        "line": line,
        "amount": amount,
    }


def snapshot() -> dict:
    """What a write could change: rows, history rows, versions and occasion states."""
    return {
        "values": sorted(
            IndicatorValue.objects.values_list(
                "indicator_id",
                "breakdown_id",
                "period_number",
                "value",
                "missing_reason",
                "comment",
                "version",
            )
        ),
        "value_history": IndicatorValue.history.count(),
        "amounts": sorted(
            BudgetAmount.objects.values_list("line_id", "kind", "month", "amount", "version")
        ),
        "amount_history": BudgetAmount.history.count(),
        "occasions": sorted(ReportingOccasion.objects.values_list("pk", "state")),
        "transitions": OccasionTransition.objects.count(),
        "assessments": GoalAssessment.objects.count(),
        "statuses": AssignmentStatus.objects.count() + ActivityStatus.objects.count(),
        "archives": ArchivedReport.objects.count(),
    }


# --- the outcome entry -----------------------------------------------------------------------


def save_url(occasion) -> str:
    return reverse(
        "indicators:entry_save_value", args=[occasion.board.code, occasion.year, occasion.kind]
    )


@pytest.fixture
def client_an(client, controller_an):
    client.force_login(controller_an)
    return client


@pytest.mark.parametrize(("text", "message"), REFUSED, ids=REFUSED_IDS)
def test_entry_refuses_bad_numbers_at_the_field(client_an, an, text, message):
    before = snapshot()
    response = client_an.post(
        save_url(an["occasion"]), field_post(an["indicator"], text), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    shown = page_text(response)
    assert message in shown
    assert 'aria-invalid="true"' in shown
    assert "<script>alert" not in response.content.decode()  # typed text is escaped
    assert snapshot() == before


@pytest.mark.parametrize(("text", "number"), ACCEPTED, ids=ACCEPTED_IDS)
def test_entry_reads_confusable_digits_as_their_number(client_an, an, text, number):
    response = client_an.post(
        save_url(an["occasion"]), field_post(an["indicator"], text), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "Sparat" in page_text(response)
    stored = IndicatorValue.objects.get(indicator=an["indicator"], breakdown=breakdown())
    assert stored.value == number
    assert stored.history.count() == 1


# Found by this suite: 16 significant digits came back changed from SQLite (it reads decimals
# through a double). The parser now refuses more than 15 significant digits everywhere.


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("123 456 789 012,1234", Decimal("123456789012.1234")),
        ("999 999 999 999,9999", Decimal("999999999999.9999")),
    ],
)
def test_entry_with_sixteen_digits_is_stored_exactly_or_refused(client_an, an, text, number):
    response = client_an.post(
        save_url(an["occasion"]), field_post(an["indicator"], text), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    stored = IndicatorValue.objects.filter(indicator=an["indicator"]).first()
    if stored is not None:
        assert stored.value == number
    page = client_an.get(reverse("indicators:entry_page", args=["AN", YEAR, "k3"]))
    assert page.status_code == 200


@pytest.mark.parametrize(
    ("field", "text", "expected"),
    [
        ("value", "9" * 10_000, "som mest 40 tecken"),
        ("value", "3\x00327", "Null-tecken"),
        ("comment", "x" * 4001, "som mest 4000 tecken"),
        ("footnote", "x" * 1001, "som mest 1000 tecken"),
        ("missing_reason", "rm -rf", "Välj ett giltigt alternativ"),
        ("version", "-1", "större än eller lika med 0"),
        ("version", "1e3", "Fyll i ett heltal"),
    ],
)
def test_entry_refuses_oversized_and_malformed_fields(client_an, an, field, text, expected):
    before = snapshot()
    data = field_post(an["indicator"], "3 327")
    data[field] = text
    response = client_an.post(save_url(an["occasion"]), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    shown = page_text(response)
    assert re.search(expected, shown), shown[-1500:]
    assert snapshot() == before


def test_entry_with_a_version_far_in_the_future_is_a_conflict(client_an, an):
    before = snapshot()
    response = client_an.post(
        save_url(an["occasion"]),
        field_post(an["indicator"], "3 327", version=str(10**30)),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "is-conflict" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    "fields",
    [
        {"indicator": "abc"},
        {"indicator": str(10**30)},
        {"breakdown": "-1"},
        {"period_type": "decennium"},
        {"period_number": "99"},
        {"period_type": "ar", "period_number": "1"},  # not due at kvartal 3
    ],
)
def test_entry_refuses_fields_that_do_not_exist(client_an, an, fields):
    before = snapshot()
    response = client_an.post(
        save_url(an["occasion"]), field_post(an["indicator"], "3 327", **fields)
    )
    assert response.status_code == 404
    assert snapshot() == before


def test_the_page_without_javascript_shows_the_error(client_an, an):
    response = client_an.post(save_url(an["occasion"]), field_post(an["indicator"], "1e400"))
    assert response.status_code == 200
    assert INVALID_NUMBER in page_text(response)
    assert not IndicatorValue.objects.exists()


# --- the budget entry ------------------------------------------------------------------------


@pytest.fixture
def budget(board_an):
    budget_loader.load()
    return board_an


def budget_post(board, changes: dict[int, str] | None = None) -> dict:
    """The whole form as the page sends it, with some amounts changed (by line position)."""
    rows = entry_rows(board, 2022, AmountKind.FORECAST, 10)
    data = {"tidpunkt": "oktober"}
    for index, row in enumerate(rows):
        data[f"belopp_{row.line_id}"] = kronor_as_tkr_text(row.current)
        data[f"version_{row.line_id}"] = row.version if row.version is not None else ""
        if changes and index in changes:
            data[f"belopp_{row.line_id}"] = changes[index]
    return data


def budget_url(board) -> str:
    return reverse("budget:budget_entry", args=[board.code, 2022]) + "?tidpunkt=oktober"


@pytest.mark.parametrize(("text", "message"), REFUSED, ids=REFUSED_IDS)
def test_budget_entry_refuses_bad_amounts(client_an, budget, text, message):
    before = snapshot()
    response = client_an.post(budget_url(budget), budget_post(budget, {0: text}))
    assert response.status_code == 200
    shown = page_text(response)
    if message == TOO_MANY_DECIMALS.format(decimals=4):
        message = "högst tre decimaler"  # a tkr amount is whole kronor
    assert message in shown, shown[-2000:]
    assert FORM_ERRORS in shown
    assert "<script>alert" not in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(("text", "number"), ACCEPTED, ids=ACCEPTED_IDS)
def test_budget_entry_reads_confusable_digits_as_their_number(client_an, budget, text, number):
    before = snapshot()
    response = client_an.post(budget_url(budget), budget_post(budget, {0: text}))
    kronor = number * 1000
    if abs(kronor) >= MAX_KRONOR:
        # A number, but larger than any budget: the service refuses it with its own message.
        assert response.status_code == 200
        assert BUDGET_TOO_LARGE in page_text(response)
        assert snapshot() == before
        return
    assert response.status_code == 302, page_text(response)[-1500:]
    line = entry_rows(budget, 2022, AmountKind.FORECAST, 10)[0]
    assert line.current == int(kronor)


def test_budget_entry_with_a_huge_post_is_refused(client_an, budget):
    before = snapshot()
    data = budget_post(budget)
    data.update({f"extra_{i}": "1" for i in range(25_000)})  # DATA_UPLOAD_MAX_NUMBER_FIELDS
    response = client_an.post(budget_url(budget), data)
    assert response.status_code == 400
    assert snapshot() == before


# --- other boards' ids -----------------------------------------------------------------------


@pytest.fixture
def an_workflow(an, controller_an, secretary_an):
    """AN's occasions in every state a workflow step starts from: each step would change one."""
    from goals import services

    services.submit_occasion(user=controller_an, occasion=an["helar"], confirm_missing=True)
    approved = ReportingOccasion.objects.create(board=an["board"], year=YEAR, kind="d1")
    services.submit_occasion(user=controller_an, occasion=approved, confirm_missing=True)
    services.approve_occasion(user=secretary_an, occasion=approved)
    return {**an, "submitted": an["helar"], "approved": approved}


def _write_requests(target):
    """(description, url, data) of every write endpoint, aimed at `target`'s objects: the open
    k3 occasion, the submitted helår and the approved delår 1."""
    occasion, helar = target["occasion"], target["helar"]
    submitted, approved = target["submitted"], target["approved"]
    args = [occasion.board.code, occasion.year, occasion.kind]
    helar_args = [helar.board.code, helar.year, helar.kind]
    return [
        (
            "värde",
            reverse("indicators:entry_save_value", args=args),
            field_post(target["indicator"], "3 327"),
        ),
        ("skicka in", reverse("goals:occasion_submit", args=[occasion.pk]), {}),
        ("godkänn", reverse("goals:occasion_approve", args=[submitted.pk]), {}),
        (
            "skicka tillbaka",
            reverse("goals:occasion_send_back", args=[submitted.pk]),
            {"reason": "x"},
        ),
        ("öppna igen", reverse("goals:occasion_reopen", args=[approved.pk]), {"reason": "x"}),
        (
            "bedömning",
            reverse("indicators:entry_save_assessment", args=[*helar_args, target["goal"].pk]),
            {"version": 0, "level": "uppnatt", "analysis": "x"},
        ),
        (
            "uppdrag",
            reverse("indicators:entry_save_assignment", args=[*args, target["assignment"].pk]),
            {"version": 0, "status": "pagar"},
        ),
        (
            "aktivitet",
            reverse("indicators:entry_save_activity", args=[*args, target["activity"].pk]),
            {"version": 0, "status": "pagar"},
        ),
        (
            "budget",
            reverse("budget:budget_entry", args=[occasion.board.code, 2022]),
            {"tidpunkt": "oktober"},
        ),
    ]


def test_another_boards_controller_cannot_write_to_an(client, an_workflow, bin_, controller_other):
    client.force_login(controller_other)
    before = snapshot()
    for label, url, data in _write_requests(an_workflow):
        response = client.post(url, data)
        assert response.status_code == 404, (label, response.status_code)
    template = client.get(
        reverse("indicators:entry_template", args=[bin_["board"].code, YEAR, "k3"])
    )
    response = client.post(
        reverse("indicators:entry_import", args=["AN", YEAR, "k3"]),
        {"file": SimpleUploadedFile("utfall.xlsx", template.content)},
    )
    assert response.status_code == 404
    assert snapshot() == before


def test_an_form_naming_another_boards_objects_is_refused(client_an, an, bin_):
    """AN's URLs, BIN's ids in the form or the path."""
    before = snapshot()
    args = ["AN", YEAR, "k3"]
    requests = [
        (reverse("indicators:entry_save_value", args=args), field_post(bin_["indicator"], "3 327")),
        (
            reverse(
                "indicators:entry_save_assessment", args=["AN", YEAR, "helar", bin_["goal"].pk]
            ),
            {"version": 0, "level": "uppnatt"},
        ),
        (
            reverse("indicators:entry_save_assignment", args=[*args, bin_["assignment"].pk]),
            {"version": 0, "status": "pagar"},
        ),
        (
            reverse("indicators:entry_save_activity", args=[*args, bin_["activity"].pk]),
            {"version": 0, "status": "pagar"},
        ),
        # AN's occasion id with BIN's board code, and the other way round.
        (
            reverse("indicators:entry_save_value", args=["BIN", YEAR, "k3"]),
            field_post(an["indicator"], "3 327"),
        ),
        (reverse("goals:occasion_submit", args=[bin_["occasion"].pk]), {}),
    ]
    for url, data in requests:
        response = client_an.post(url, data)
        assert response.status_code == 404, url
    assert snapshot() == before


def test_an_budget_form_with_another_boards_line_leaves_it_alone(client_an, budget, bin_):
    data = budget_post(budget)
    data[f"belopp_{bin_['line'].pk}"] = "1"
    data[f"version_{bin_['line'].pk}"] = "1"
    response = client_an.post(budget_url(budget), data)
    assert response.status_code == 302
    bin_["amount"].refresh_from_db()
    assert (bin_["amount"].amount, bin_["amount"].version) == (5_000_000, 1)


def test_an_import_with_another_boards_rows_writes_nothing(
    client, an, bin_, controller_an, admin_user
):
    client.force_login(admin_user)
    bin_template = client.get(
        reverse("indicators:entry_template", args=["BIN", YEAR, "k3"])
    ).content
    an_template = client.get(reverse("indicators:entry_template", args=["AN", YEAR, "k3"])).content
    # BIN's rows copied into AN's template (its Information sheet says AN).
    bin_rows = list(
        load_workbook(io.BytesIO(bin_template))[SHEET].iter_rows(min_row=2, values_only=True)
    )
    workbook = load_workbook(io.BytesIO(an_template))
    ws = workbook[SHEET]
    for offset, row in enumerate(bin_rows):
        target = ws.max_row + 1
        for column, value in enumerate(row, start=1):
            ws.cell(row=target, column=column).value = value
        ws.cell(row=target, column=COLUMN["value"]).value = 100 + offset
    buffer = io.BytesIO()
    workbook.save(buffer)
    client.force_login(controller_an)
    before = snapshot()
    response = upload(client, an["occasion"], buffer.getvalue())
    assert response.status_code == 400
    assert importing.UNKNOWN_ROW in page_text(response)
    assert snapshot() == before


# --- CSRF ------------------------------------------------------------------------------------


@pytest.fixture
def csrf_client(controller_an):
    client = Client(enforce_csrf_checks=True)
    client.force_login(controller_an)
    return client


def test_posts_without_a_csrf_token_are_refused(csrf_client, an_workflow, budget, admin_user):
    before = snapshot()
    csrf_client.force_login(admin_user)  # may do every step: only the token is missing
    for label, url, data in _write_requests(an_workflow):
        response = csrf_client.post(url, data)
        assert response.status_code == 403, label
        assert "Formuläret kunde inte skickas" in page_text(response), label
    response = csrf_client.post(
        reverse("indicators:entry_import", args=["AN", YEAR, "k3"]),
        {"file": SimpleUploadedFile("utfall.xlsx", b"PK")},
    )
    assert response.status_code == 403
    assert snapshot() == before
    # A token from another session is no token either.
    response = csrf_client.post(
        save_url(an_workflow["occasion"]),
        field_post(an_workflow["indicator"], "3 327", csrfmiddlewaretoken="x" * 64),
        HTTP_X_CSRFTOKEN="y" * 32,
    )
    assert response.status_code == 403
    assert snapshot() == before


def test_logout_password_change_and_login_need_the_token(csrf_client, controller_an):
    assert csrf_client.post(reverse("core:logout")).status_code == 403
    assert csrf_client.get(reverse("core:password_change")).status_code == 200  # still logged in
    response = csrf_client.post(
        reverse("core:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "nytt-langt-losen-99",
            "new_password2": "nytt-langt-losen-99",
        },
    )
    assert response.status_code == 403
    controller_an.refresh_from_db()
    assert controller_an.check_password(PASSWORD)
    anonymous = Client(enforce_csrf_checks=True)
    response = anonymous.post(
        reverse("core:login"), {"username": "controller_an", "password": PASSWORD}
    )
    assert response.status_code == 403


def test_a_post_with_the_token_goes_through(csrf_client, an):
    """The control: the same POST with the page's token is accepted."""
    page = csrf_client.get(reverse("indicators:entry_page", args=["AN", YEAR, "k3"]))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    response = csrf_client.post(
        save_url(an["occasion"]), field_post(an["indicator"], "3 327", csrfmiddlewaretoken=token)
    )
    assert response.status_code == 302
    assert (
        IndicatorValue.objects.get(indicator=an["indicator"], breakdown=breakdown()).value == 3327
    )


# --- uploads ---------------------------------------------------------------------------------


def upload(client, occasion, data: bytes, name: str = "utfall.xlsx"):
    return client.post(
        reverse(
            "indicators:entry_import", args=[occasion.board.code, occasion.year, occasion.kind]
        ),
        {"file": SimpleUploadedFile(name, data)},
    )


def template(client, occasion) -> bytes:
    response = client.get(
        reverse(
            "indicators:entry_template", args=[occasion.board.code, occasion.year, occasion.kind]
        )
    )
    assert response.status_code == 200
    return response.content


def filled(data: bytes, cells: dict[tuple[int, str], object]) -> bytes:
    """The template with cells changed: {(row, column key): value}; row 2 is the first field."""
    workbook = load_workbook(io.BytesIO(data))
    ws = workbook[SHEET]
    for (row, column), value in cells.items():
        ws.cell(row=row, column=COLUMN[column]).value = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rezip(
    data: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None
) -> bytes:
    """The xlsx with some entries replaced or added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = (replace or {}).get(info.filename, source.read(info.filename))
            target.writestr(info.filename, content)
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return buffer.getvalue()


def lying_zip_bomb(data: bytes, entry: str, real: bytes) -> bytes:
    """Replace an entry with `real` but declare it 1 000 bytes in both zip headers."""
    packed = bytearray(rezip(data, replace={entry: real}))
    declared = (1000).to_bytes(4, "little")
    name = entry.encode()
    # Local file header: signature, then uncompressed size at offset 22.
    local = packed.find(b"PK\x03\x04" + b"", 0)
    while local != -1:
        name_length = int.from_bytes(packed[local + 26 : local + 28], "little")
        if bytes(packed[local + 30 : local + 30 + name_length]) == name:
            packed[local + 22 : local + 26] = declared
        local = packed.find(b"PK\x03\x04", local + 4)
    central = packed.find(b"PK\x01\x02")
    while central != -1:
        name_length = int.from_bytes(packed[central + 28 : central + 30], "little")
        if bytes(packed[central + 46 : central + 46 + name_length]) == name:
            packed[central + 24 : central + 28] = declared
        central = packed.find(b"PK\x01\x02", central + 4)
    return bytes(packed)


SHEET_XML = "xl/worksheets/sheet1.xml"
EMPTY_FILE = "Den skickade filen är tom"  # Django's own message, in Swedish
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ENTITY_BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row r="2"><c r="K2" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
)


@pytest.fixture
def an_template(client_an, an) -> bytes:
    return template(client_an, an["occasion"])


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("utfall.xlsx", lambda t: PDF, importing.NOT_XLSX),
        ("utfall.xlsx", lambda t: b"Indikator;Utfall\n1;3327\n", importing.NOT_XLSX),
        ("utfall.pdf", lambda t: PDF, importing.NOT_XLSX),
        ("utfall.xlsx", lambda t: b"", EMPTY_FILE),
        ("utfall.xlsm", lambda t: t, importing.MACROS),
        (
            "utfall.xlsx",
            lambda t: rezip(t, add={"xl/vbaProject.bin": b"\x00" * 100}),
            importing.MACROS,
        ),
        (
            "utfall.xlsx",
            lambda t: rezip(
                t,
                replace={
                    "[Content_Types].xml": zipfile.ZipFile(io.BytesIO(t))
                    .read("[Content_Types].xml")
                    .replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml")
                },
            ),
            importing.MACROS,
        ),
        (
            "utfall.xlsx",
            lambda t: rezip(
                t, add={"xl/media/bomb.bin": b"\x00" * (importing.MAX_UNPACKED_BYTES + 1)}
            ),
            importing.UNPACKS_TOO_LARGE,
        ),
        (
            "utfall.xlsx",
            lambda t: rezip(
                t, add={f"xl/extra/{i}.xml": b"<a/>" for i in range(importing.MAX_ZIP_ENTRIES)}
            ),
            importing.UNPACKS_TOO_LARGE,
        ),
        (
            "utfall.xlsx",
            lambda t: lying_zip_bomb(t, SHEET_XML, b" " * (importing.MAX_UNPACKED_BYTES + 1)),
            importing.UNREADABLE,
        ),
        ("utfall.xlsx", lambda t: rezip(t, replace={SHEET_XML: ENTITY_BOMB}), importing.UNREADABLE),
        ("utfall.xlsx", lambda t: t[: len(t) // 2], importing.NOT_XLSX),  # truncated
    ],
    ids=[
        "pdf-renamed",
        "csv-renamed",
        "pdf",
        "empty",
        "xlsm",
        "vba-project",
        "macro-content-type",
        "zip-bomb",
        "too-many-entries",
        "zip-bomb-lying-size",
        "xml-entity-bomb",
        "truncated",
    ],
)
def test_bad_files_are_refused_with_a_clear_message(
    client_an, an, an_template, name, make, message
):
    before = snapshot()
    response = upload(client_an, an["occasion"], make(an_template), name=name)
    # An empty file is refused by the form (200, the error at the field); the rest by the
    # import (400).
    assert response.status_code == (200 if message == EMPTY_FILE else 400)
    assert message in page_text(response)
    assert snapshot() == before


def test_an_oversized_file_is_refused_before_it_is_read(client_an, an, an_template, settings):
    settings.IMPORT_MAX_BYTES = len(an_template) - 1
    before = snapshot()
    response = upload(client_an, an["occasion"], an_template)
    assert response.status_code == 400
    assert "Filen är för stor" in page_text(response)
    assert snapshot() == before


@pytest.mark.parametrize(
    "cells",
    [
        {(2, "value"): "=1+1"},
        {(2, "value"): '=HYPERLINK("http://example.com","3327")'},
        {(2, "value"): "=cmd|' /C calc'!A0"},  # DDE
        {(2, "comment"): '=WEBSERVICE("http://example.com")'},
        {(2, "missing_reason"): "=A1"},
        {(2, "indicator_id"): "=A3"},
        {(2, "value"): 3327, (3, "value"): "=B2*2"},  # one bad cell stops the whole file
    ],
    ids=["sum", "hyperlink", "dde", "comment", "reason", "hidden-id", "one-of-two"],
)
def test_formulas_are_refused_and_nothing_is_written(client_an, an, an_template, cells):
    before = snapshot()
    response = upload(client_an, an["occasion"], filled(an_template, cells))
    assert response.status_code == 400
    assert importing.FORMULA in page_text(response)
    assert snapshot() == before


@pytest.mark.parametrize(("text", "message"), REFUSED, ids=REFUSED_IDS)
def test_import_refuses_bad_numbers_by_row_and_column(client_an, an, an_template, text, message):
    before = snapshot()
    response = upload(client_an, an["occasion"], filled(an_template, {(2, "value"): text}))
    if text.startswith("'"):
        # A leading apostrophe is Excel's "this is text" mark; the rest is still no number.
        message = INVALID_NUMBER
    assert response.status_code == 400, page_text(response)[-1000:]
    shown = page_text(response)
    assert message in shown
    assert "rad 2" in shown.lower() or ">2<" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(("text", "number"), ACCEPTED, ids=ACCEPTED_IDS)
def test_import_reads_confusable_digits_as_their_number(client_an, an, an_template, text, number):
    response = upload(client_an, an["occasion"], filled(an_template, {(2, "value"): text}))
    assert response.status_code == 302, page_text(response)[-1000:]
    stored = IndicatorValue.objects.get(indicator=an["indicator"], breakdown=breakdown())
    assert stored.value == number


# Found by this suite: numeric cells too large for a Decimal (1e308, inf) and numeric cells that
# are no number (<v>0x10</v>) were 500s in the import; now they are refused cell or file errors.


@pytest.mark.parametrize(
    "number",
    [
        pytest.param(1e308, id="1e308"),
        pytest.param(1e16, id="1e16"),
        pytest.param(-1e13, id="minus-1e13"),
        pytest.param(123456789012.12345, id="more-digits-than-excel-keeps"),
    ],
)
def test_import_refuses_numbers_too_large_to_store(client_an, an, an_template, number):
    data = filled(an_template, {(2, "value"): number})
    in_file = load_workbook(io.BytesIO(data))[SHEET].cell(row=2, column=COLUMN["value"]).value
    before = snapshot()
    response = upload(client_an, an["occasion"], data)
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        # Accepted only when stored exactly as the file holds it (Excel keeps 15 digits).
        stored = IndicatorValue.objects.get(indicator=an["indicator"], breakdown=breakdown())
        assert stored.value == Decimal(repr(in_file)).quantize(Decimal("0.0001"))
        return
    assert "Blad Utfall, rad 2" in page_text(response) or ">2<" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    "raw",
    [pytest.param(raw) for raw in (b"inf", b"nan", b"1e999", b"-1e999", b"0x10", b"1,5")],
    ids=["inf", "nan", "1e999", "minus-1e999", "0x10", "comma"],
)
def test_import_refuses_numeric_cells_no_excel_writes(client_an, an, an_template, raw):
    """Numeric cells (<c><v>) holding what Excel never writes."""
    workbook = filled(an_template, {(2, "value"): 424242})
    sheet = zipfile.ZipFile(io.BytesIO(workbook)).read(SHEET_XML)
    assert b"<v>424242</v>" in sheet
    crafted = rezip(
        workbook, replace={SHEET_XML: sheet.replace(b"<v>424242</v>", b"<v>" + raw + b"</v>")}
    )
    before = snapshot()
    response = upload(client_an, an["occasion"], crafted)
    assert response.status_code == 400, page_text(response)[-1000:]
    assert snapshot() == before
