"""The structure workbook's download and upload pages: administrators only, errors by sheet."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from indicators.models import Indicator
from indicators.structure_workbook import importing as wb
from tests.entry_data import goal_chain
from tests.structure_workbook_data import EVERY_KIND, YEAR, structure_prerequisites, write_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def prepared(board_an, municipality):
    structure_prerequisites(municipality)
    return board_an


def urls(code="AN", year=YEAR):
    return (
        reverse("indicators:structure_workbook", args=[code, year]),
        reverse("indicators:structure_workbook_upload", args=[code, year]),
    )


def upload(client, data, *, dry_run=False, name="arbetsbok.xlsx", code="AN"):
    post = {"file": SimpleUploadedFile(name, data, content_type=XLSX)}
    if dry_run:
        post["dry_run"] = "on"
    return client.post(urls(code)[1], post)


def test_paths():
    assert urls() == ("/struktur/AN/2023/arbetsbok.xlsx", "/struktur/AN/2023/arbetsbok/ladda-upp/")


def test_only_administrators(client, prepared, controller_an, secretary_an, outsider):
    for user in (controller_an, secretary_an, outsider):
        client.force_login(user)
        for url in urls():
            assert client.get(url).status_code == 404
        response = upload(client, write_workbook(EVERY_KIND))
        assert response.status_code == 404
    assert not Indicator.objects.exists()


def test_dry_run_shows_counts_then_upload_writes_and_download_returns_it(
    client, prepared, admin_user
):
    client.force_login(admin_user)
    page = client.get(urls()[1])
    assert page.status_code == 200
    assert "Provkör" in page.content.decode()

    response = upload(client, write_workbook(EVERY_KIND), dry_run=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Provkörning: inget sparades." in html
    assert '<th scope="row">Indikatorer</th><td class="num">4</td>' in html
    assert not Indicator.objects.exists()

    response = upload(client, write_workbook(EVERY_KIND))
    assert response.status_code == 302
    follow = client.get(response["Location"])
    assert "Arbetsboken lästes in för AN 2023: nämndmål: 2 nya" in follow.content.decode()
    assert Indicator.objects.count() == 4

    download = client.get(urls()[0])
    assert download.status_code == 200
    assert download["Content-Type"] == XLSX
    assert 'filename="struktur-AN-2023.xlsx"' in download["Content-Disposition"]
    book = load_workbook(io.BytesIO(download.content))
    assert book["Nämnd och år"]["A2"].value == "AN"
    assert book["Nämndmål"]["D2"].value == "=inte en formel"
    assert book["Nämndmål"]["D2"].data_type == "s"
    again = upload(client, download.content, dry_run=True)
    assert (
        '<td class="num">0</td><td class="num">0</td><td class="num">4</td>'
        in again.content.decode()
    )


def test_errors_are_shown_by_sheet_row_and_column(client, prepared, admin_user):
    client.force_login(admin_user)
    rows = {
        **EVERY_KIND,
        "indicators": [
            [*EVERY_KIND["indicators"][0][:5], "Liter", *EVERY_KIND["indicators"][0][6:]]
        ],
    }
    response = upload(client, write_workbook(rows))
    assert response.status_code == 400
    html = response.content.decode()
    assert "<h2>Blad Indikatorer</h2>" in html
    assert '<td class="num">2</td><td>Enhet</td><td>Okänt värde ”Liter”.' in html
    assert not Indicator.objects.exists()


def test_refused_files(client, prepared, board_other, admin_user):
    client.force_login(admin_user)
    response = upload(client, b"inte en arbetsbok")
    assert response.status_code == 400
    assert "inte en Excelfil" in response.content.decode()
    response = upload(client, write_workbook(EVERY_KIND, board="BIN"))
    assert response.status_code == 400
    assert wb.WRONG_BOARD.format(found="BIN", expected="AN") in response.content.decode()
    response = upload(client, write_workbook(EVERY_KIND, year=2024))
    assert wb.WRONG_YEAR.format(found=2024, expected=YEAR) in response.content.decode()
    assert not Indicator.objects.exists()


def test_a_valid_workbook_under_a_wrong_name_is_refused_by_its_name(client, prepared, admin_user):
    from indicators.importing import MACROS, NOT_XLSX

    client.force_login(admin_user)
    response = upload(client, write_workbook(EVERY_KIND), name="arbetsbok.xlsm")
    assert response.status_code == 400
    assert MACROS in response.content.decode()
    response = upload(client, write_workbook(EVERY_KIND), name="arbetsbok.csv")
    assert NOT_XLSX in response.content.decode()
    assert not Indicator.objects.exists()


def test_download_runs_the_same_queries_with_more_rows(client, board_an, admin_user):
    client.force_login(admin_user)
    goal_chain(board_an, goals=1, indicators_per_goal=1, value_years=(YEAR,))
    with CaptureQueriesContext(connection) as few:
        assert client.get(urls()[0]).status_code == 200
    goal_chain(board_an, goals=3, indicators_per_goal=3, value_years=(YEAR,))
    with CaptureQueriesContext(connection) as many:
        assert client.get(urls()[0]).status_code == 200
    assert len(few) == len(many)
