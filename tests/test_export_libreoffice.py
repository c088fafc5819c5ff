"""The exported workbook opens in LibreOffice (soffice --headless --convert-to pdf) without error.

Skips with a reason when LibreOffice is missing, unless STYRKORT_REQUIRE_BROWSER is true (CI
installs libreoffice-calc), in which case a missing soffice fails the test.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from reports.renderers.xlsx import render_xlsx
from reports.report import build_report
from tests.conftest import BROWSER_REQUIRED

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
    workbook = tmp_path / "verksamhetsberattelse-AN-2022.xlsx"
    workbook.write_bytes(render_xlsx(build_report(demo_data, 2022)))
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
