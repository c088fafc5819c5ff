"""The exported workbook opens in LibreOffice (soffice --headless --convert-to pdf) without error,
and prints whole: no word beyond the page, every goal text and every long text to its last words.

Skips with a reason when LibreOffice is missing, unless STYRKORT_REQUIRE_BROWSER is true (CI
installs libreoffice-calc), in which case a missing soffice fails the test.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from reports.renderers.xlsx import render_xlsx
from reports.report import RowKind, build_report
from tests.conftest import BROWSER_REQUIRED
from tests.pdf_words import pdf_pages

pytestmark = pytest.mark.django_db


def soffice_path() -> str:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        if BROWSER_REQUIRED:
            pytest.fail("LibreOffice (soffice) krävs men finns inte: installera libreoffice-calc")
        pytest.skip("LibreOffice saknas: installera Debians paket libreoffice-calc för detta test")
    return path


def test_an_2022_workbook_converts_to_pdf_in_libreoffice(demo_data, tmp_path):
    soffice = soffice_path()
    report = build_report(demo_data, 2022)
    workbook = tmp_path / "verksamhetsberattelse-AN-2022.xlsx"
    workbook.write_bytes(render_xlsx(report))
    profile = tmp_path / "lo-profile"
    result = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(workbook),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    pdf = tmp_path / "verksamhetsberattelse-AN-2022.pdf"
    assert result.returncode == 0, result.stderr
    assert pdf.exists(), f"ingen PDF: {result.stdout} {result.stderr}"
    content = pdf.read_bytes()
    assert content.startswith(b"%PDF")
    assert content.count(b"/Type /Page") + content.count(b"/Type/Page") >= 8

    pages = pdf_pages(pdf)
    for page in pages:
        outside = page.outside()
        assert not outside, f"sidan {page.number}: {[w.text for w in outside][:10]}"

    def plain(words: list[str]) -> list[str]:
        return [word for word in words if word.strip("⁰¹²³⁴⁵⁶⁷⁸⁹")]  # footnote marks left out

    printed = plain([word.text for page in pages for word in page.words])
    text = " ".join(printed)

    def ends_in_print(value: str, count: int = 6) -> bool:
        """The value's last words, in order, close together in the printed text.

        pdftotext reads a page line by line across its columns, so the words of one cell come
        in order with the neighbouring cells' words between them.
        """
        tail = plain(value.split())[-count:]
        for start, word in enumerate(printed):
            if word != tail[0]:
                continue
            window = iter(printed[start + 1 : start + 200])
            if all(any(seen == wanted for seen in window) for wanted in tail[1:]):
                return True
        return False

    # Every goal text (Nämndindikatorer's merged blocks, Målredovisning) to its last words, and
    # every long text of Målredovisning (which continues over several rows) to its end.
    checked = 0
    for key in ("namndindikatorer", "malredovisning"):
        for table in report.tables_for(key):
            for row in table.rows:
                if row.kind == RowKind.SECTION:
                    continue
                for cell in row.cells:
                    value = cell.text
                    if cell.is_number or len(value) < 80:
                        continue
                    assert ends_in_print(value), f"{table.key}: slutet saknas: {value[-80:]!r}"
                    checked += 1
    assert checked >= 30
    # The footnote of the driftsammandrag, whole (issue 15).
    assert "utan tillhörde Leanlink." in text
