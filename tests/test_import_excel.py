"""Excel template and import: validate every cell first, write all or nothing, refuse bad files."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from goals.models import ReportingOccasion
from goals.periods import Period, PeriodType
from indicators import importing
from indicators.importing import COLUMN, SHEET
from indicators.models import IndicatorValue
from indicators.services import save_value
from tests.entry_data import breakdown, goal_chain, set_value

Q = PeriodType.QUARTER


@pytest.fixture
def occasion(board_an):
    return ReportingOccasion.objects.create(board=board_an, year=2023, kind="k3")


@pytest.fixture
def indicators(board_an):
    items = goal_chain(board_an, goals=1, indicators_per_goal=2)
    set_value(items[0], year=2022, period_type=Q, number=3, value=2917)
    return items


def urls(occasion):
    args = [occasion.board.code, occasion.year, occasion.kind]
    return reverse("indicators:entry_template", args=args), reverse(
        "indicators:entry_import", args=args
    )


def download(client, occasion) -> bytes:
    response = client.get(urls(occasion)[0])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return response.content


def rows_by_label(workbook):
    ws = workbook[SHEET]
    found = {}
    for row in range(2, ws.max_row + 1):
        name = ws.cell(row=row, column=COLUMN["name"]).value
        part = ws.cell(row=row, column=COLUMN["breakdown"]).value
        found[(name, part)] = row
    return found


def fill(data: bytes, changes: dict) -> bytes:
    """changes: {(indicator name, breakdown label): {column key: value}}"""
    workbook = load_workbook(io.BytesIO(data))
    rows = rows_by_label(workbook)
    ws = workbook[SHEET]
    for key, cells in changes.items():
        for column, value in cells.items():
            ws.cell(row=rows[key], column=COLUMN[column]).value = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, occasion, data: bytes, name="utfall.xlsx"):
    return client.post(urls(occasion)[1], {"file": SimpleUploadedFile(name, data)})


def stored(indicator, gender=""):
    return IndicatorValue.objects.filter(
        indicator=indicator, year=2023, period_type=Q, period_number=3, breakdown=breakdown(gender)
    ).first()


def test_template_has_a_row_per_field_with_references(client, controller_an, occasion, indicators):
    client.force_login(controller_an)
    workbook = load_workbook(io.BytesIO(download(client, occasion)))
    ws = workbook[SHEET]
    rows = rows_by_label(workbook)
    assert set(rows) == {
        (indicator.name, part) for indicator in indicators for part in ("Totalt", "Kvinnor", "Män")
    }
    first = rows[("Indikator 1.1", "Totalt")]
    assert ws.cell(row=first, column=COLUMN["target"]).value == "3\xa0300"
    assert ws.cell(row=first, column=COLUMN["last_year"]).value == 2917
    assert ws.cell(row=first, column=COLUMN["last_year"]).number_format == "#,##0"
    assert ws.cell(row=first, column=COLUMN["period_label"]).value == "2023 K3"
    assert ws.column_dimensions["A"].hidden
    info = {row[0]: row[1] for row in workbook["Information"].iter_rows(values_only=True)}
    assert (info["Nämnd"], info["År"], info["Tillfälle"]) == ("AN", "2023", "k3")


def test_text_that_looks_like_a_formula_is_written_as_text(
    client, controller_an, occasion, board_an
):
    items = goal_chain(board_an, goals=1, indicators_per_goal=1)
    items[0].name = '=HYPERLINK("http://example.com")'
    items[0].save()
    client.force_login(controller_an)
    workbook = load_workbook(io.BytesIO(download(client, occasion)))
    ws = workbook[SHEET]
    cell = ws.cell(row=2, column=COLUMN["name"])
    assert cell.data_type == "s" and cell.value.startswith("=")


def test_filled_template_is_imported(client, controller_an, occasion, indicators):
    client.force_login(controller_an)
    data = fill(
        download(client, occasion),
        {
            ("Indikator 1.1", "Totalt"): {"value": 3327},
            ("Indikator 1.1", "Kvinnor"): {"value": "1 200,5"},
            ("Indikator 1.1", "Män"): {"value": "I.U.", "missing_reason": "För litet underlag"},
            ("Indikator 1.2", "Totalt"): {"value": -4.1, "comment": "Minskning"},
        },
    )
    response = upload(client, occasion, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert stored(indicators[0]).value == Decimal(3327)
    assert stored(indicators[0], "K").value == Decimal("1200.5")
    men = stored(indicators[0], "M")
    assert men.value is None and men.missing_reason == "for_litet_underlag"
    minus = stored(indicators[1])
    assert minus.value == Decimal("-4.1") and minus.comment == "Minskning"
    history = stored(indicators[0]).history.first()
    assert history.history_source == "import" and history.history_user == controller_an
    # The same file again says what is stored already: nothing is written or refused.
    versions = sorted(IndicatorValue.objects.values_list("version", flat=True))
    again = upload(client, occasion, data)
    assert again.status_code == 302
    assert sorted(IndicatorValue.objects.values_list("version", flat=True)) == versions
    # A changed figure in the old file is refused: it would overwrite without seeing the save.
    changed = fill(data, {("Indikator 1.1", "Totalt"): {"value": 4000}})
    refused = upload(client, occasion, changed)
    assert refused.status_code == 400
    assert "ändrats sedan mallen" in refused.content.decode()
    assert stored(indicators[0]).value == Decimal(3327)


def test_any_error_writes_nothing_and_is_reported_by_row_and_column(
    client, controller_an, occasion, indicators
):
    client.force_login(controller_an)
    template = download(client, occasion)
    rows = rows_by_label(load_workbook(io.BytesIO(template)))
    data = fill(
        template,
        {
            ("Indikator 1.1", "Totalt"): {"value": 3327},  # fine on its own
            ("Indikator 1.1", "Kvinnor"): {"value": "12.5"},
            ("Indikator 1.1", "Män"): {"value": "I.U."},
            ("Indikator 1.2", "Totalt"): {"missing_reason": "Glömde"},
            ("Indikator 1.2", "Kvinnor"): {"value": 5, "missing_reason": "Mättes inte"},
        },
    )
    response = upload(client, occasion, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert not IndicatorValue.objects.filter(year=2023).exists()
    result_errors = response.context["result"].errors
    found = {(error.sheet, error.row, error.column.split(" ")[0]) for error in result_errors}
    assert found == {
        (SHEET, rows[("Indikator 1.1", "Kvinnor")], "K"),
        (SHEET, rows[("Indikator 1.1", "Män")], "L"),
        (SHEET, rows[("Indikator 1.2", "Totalt")], "L"),
        (SHEET, rows[("Indikator 1.2", "Kvinnor")], "K"),
    }
    assert "Använd decimalkomma" in html
    assert importing.REASON_REQUIRED in html
    assert importing.UNKNOWN_REASON in html
    assert importing.VALUE_AND_REASON in html
    assert "Inget lästes in" in html


def test_formula_in_a_value_cell_is_refused(client, controller_an, occasion, indicators):
    client.force_login(controller_an)
    data = fill(download(client, occasion), {("Indikator 1.1", "Totalt"): {"value": "=1+2"}})
    response = upload(client, occasion, data)
    assert response.status_code == 400
    assert importing.FORMULA in response.content.decode()
    assert not IndicatorValue.objects.filter(year=2023).exists()


def test_value_changed_since_download_is_refused(
    client, controller_an, admin_user, occasion, indicators
):
    client.force_login(controller_an)
    template = download(client, occasion)
    save_value(
        user=admin_user,
        indicator=indicators[0],
        period=Period(2023, PeriodType(Q), 3),
        breakdown=breakdown(),
        value=Decimal(1),
        expected_version=0,
    )
    data = fill(template, {("Indikator 1.1", "Totalt"): {"value": 2}})
    response = upload(client, occasion, data)
    assert response.status_code == 400
    assert "admin har sparat 1" in response.content.decode()
    assert stored(indicators[0]).value == Decimal(1)


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("utfall.csv", b"a;b\n1;2\n", importing.NOT_XLSX),
        ("utfall.xlsx", b"a;b\n1;2\n", importing.NOT_XLSX),
        ("utfall.xlsm", b"PK", importing.MACROS),
        (
            "utfall.xlsx",
            _zip(
                {
                    "[Content_Types].xml": b"<Types/>",
                    "xl/workbook.xml": b"<workbook/>",
                    "xl/vbaProject.bin": b"macro",
                }
            ),
            importing.MACROS,
        ),
        (
            "utfall.xlsx",
            _zip(
                {
                    "[Content_Types].xml": b"<Types/>",
                    "xl/workbook.xml": b"<workbook/>",
                    "xl/worksheets/sheet1.xml": b"0" * (importing.MAX_UNPACKED_BYTES + 1),
                }
            ),
            importing.UNPACKS_TOO_LARGE,
        ),
        ("utfall.xlsx", _zip({"hello.txt": b"hej"}), importing.NOT_XLSX),
    ],
    ids=["csv", "not-a-zip", "xlsm", "vba-project", "zip-bomb", "zip-not-excel"],
)
def test_bad_files_are_refused(client, controller_an, occasion, indicators, name, data, message):
    client.force_login(controller_an)
    response = upload(client, occasion, data, name=name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not IndicatorValue.objects.filter(year=2023).exists()


def test_file_over_the_size_limit_is_refused(client, controller_an, occasion, indicators, settings):
    settings.IMPORT_MAX_BYTES = 1024
    client.force_login(controller_an)
    data = download(client, occasion)
    assert len(data) > 1024
    response = upload(client, occasion, data)
    assert response.status_code == 400
    assert "Filen är för stor" in response.content.decode()


def test_locked_occasion_refuses_import(client, controller_an, occasion, indicators):
    client.force_login(controller_an)
    data = fill(download(client, occasion), {("Indikator 1.1", "Totalt"): {"value": 1}})
    ReportingOccasion.objects.filter(pk=occasion.pk).update(state="godkand")
    response = upload(client, occasion, data)
    assert response.status_code == 400
    assert "godkänt och låst" in response.content.decode()
    assert stored(indicators[0]) is None


def test_template_of_another_occasion_is_refused(
    client, controller_an, board_an, occasion, indicators
):
    other = ReportingOccasion.objects.create(board=board_an, year=2023, kind="k2")
    client.force_login(controller_an)
    data = fill(download(client, occasion), {("Indikator 1.1", "Totalt"): {"value": 1}})
    response = upload(client, other, data)
    assert response.status_code == 400
    assert "Filen gäller AN Kvartal 3 2023" in response.content.decode()


def test_other_board_cannot_download_or_import(
    client, controller_other, controller_an, occasion, indicators
):
    client.force_login(controller_an)
    data = fill(download(client, occasion), {("Indikator 1.1", "Totalt"): {"value": 1}})
    client.force_login(controller_other)
    template_url = urls(occasion)[0]
    assert client.get(template_url).status_code == 404
    assert upload(client, occasion, data).status_code == 404
    assert stored(indicators[0]) is None
