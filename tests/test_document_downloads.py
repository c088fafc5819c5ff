"""A board's documents as .docx and PDF: downloads, the 503 without LibreOffice, the cache,
export_report --kind/--format, the archive's .docx and PDF, and render_pdf's own guards.

LibreOffice is replaced by tests/pdf_fakes.py here; tests/test_pdf.py converts for real.
"""

from __future__ import annotations

import hashlib
import io
import logging
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document

from goals import services
from goals.models import DocumentKind, ReportingOccasion
from reports.models import ArchivedReport
from reports.renderers import pdf as pdf_renderer
from reports.renderers.pdf import (
    CONVERSION_FAILED,
    NO_LIBREOFFICE,
    PdfUnavailable,
    docx_to_pdf,
)
from tests.pdf_fakes import FAKE_PDF, calls, fake_soffice
from tests.test_archive_views import _drop_update_trigger
from tests.test_report_fixtures import add_goal_with_indicators, mini_an  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def soffice(tmp_path, settings):
    script, log = fake_soffice(tmp_path)
    settings.STYRKORT_SOFFICE = str(script)
    return log


@pytest.fixture
def no_soffice(tmp_path, settings):
    settings.STYRKORT_SOFFICE = str(tmp_path / "finns-inte" / "soffice")


def url(name: str, document: str = "verksamhetsberattelse", year: int = 2022) -> str:
    return reverse(name, args=["AN", year, document])


def test_docx_download(client, mini_an, controller_an):  # noqa: F811
    client.force_login(controller_an)
    response = client.get(url("reports:document_docx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="verksamhetsberattelse-AN-2022.docx"' in response["Content-Disposition"]
    texts = [p.text for p in Document(io.BytesIO(response.content)).paragraphs]
    assert "Arbetsmarknadsnämnden" in texts


def test_plan_docx_download(client, mini_an, controller_an):  # noqa: F811
    client.force_login(controller_an)
    response = client.get(url("reports:document_docx", "internbudget"))
    assert response.status_code == 200
    assert "internbudget-AN-2022.docx" in response["Content-Disposition"]


def test_pdf_download_is_made_once_per_data_state(client, mini_an, controller_an, soffice):  # noqa: F811
    client.force_login(controller_an)
    first = client.get(url("reports:document_pdf"))
    assert first.status_code == 200
    assert first["Content-Type"] == "application/pdf"
    assert 'filename="verksamhetsberattelse-AN-2022.pdf"' in first["Content-Disposition"]
    assert first.content == FAKE_PDF
    assert client.get(url("reports:document_pdf")).content == FAKE_PDF
    assert len(calls(soffice)) == 1  # the second answer is the cached copy
    add_goal_with_indicators(mini_an.board, 1)  # the data changes: a new PDF
    assert client.get(url("reports:document_pdf")).status_code == 200
    assert len(calls(soffice)) == 2


def test_pdf_without_libreoffice_is_a_swedish_503(client, mini_an, controller_an, no_soffice):  # noqa: F811
    client.force_login(controller_an)
    response = client.get(url("reports:document_pdf"))
    assert response.status_code == 503
    page = response.content.decode()
    assert "LibreOffice saknas på servern" in page
    assert f'href="{url("reports:document_docx")}"' in page


@pytest.mark.parametrize("document", ["nope", "verksamhetsberattelse-x"])
def test_unknown_documents_are_404(client, mini_an, controller_an, document):  # noqa: F811
    client.force_login(controller_an)
    assert client.get(url("reports:document_docx", document)).status_code == 404
    assert client.get(url("reports:document_pdf", document)).status_code == 404


def test_a_kind_not_built_yet_is_404(client, mini_an, controller_an, monkeypatch):  # noqa: F811
    def not_yet(*args, **kwargs):
        raise NotImplementedError

    monkeypatch.setattr("reports.views.documents.build_document", not_yet)
    client.force_login(controller_an)
    assert client.get(url("reports:document_docx", "delar2")).status_code == 404


def test_docx_download_queries_do_not_grow(client, mini_an, controller_an):  # noqa: F811
    client.force_login(controller_an)

    def count() -> int:
        from django.core.cache import cache

        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("reports:document_docx")).status_code == 200
        return len(queries)

    small = count()
    add_goal_with_indicators(mini_an.board, 10)
    assert count() == small


def test_report_and_plan_pages_link_the_downloads(client, mini_an, controller_an):  # noqa: F811
    client.force_login(controller_an)
    report = client.get(reverse("reports:report", args=["AN", 2022])).content.decode()
    assert f'href="{url("reports:document_docx")}"' in report
    assert f'href="{url("reports:document_pdf")}"' in report
    assert "Ladda ner som Word (.docx)" in report
    plan = client.get(reverse("reports:internbudget", args=["AN", 2022])).content.decode()
    if "Ladda ner hela planen" in plan:  # a plan with tables has the buttons
        assert f'href="{url("reports:document_pdf", "internbudget")}"' in plan


# export_report --kind --format


def test_command_writes_docx_by_suffix(mini_an, tmp_path):  # noqa: F811
    output = tmp_path / "rapport.docx"
    call_command("export_report", board="AN", year=2022, output=str(output), verbosity=0)
    assert "Arbetsmarknadsnämnden" in [p.text for p in Document(str(output)).paragraphs]


def test_command_writes_pdf(mini_an, tmp_path, soffice):  # noqa: F811
    output = tmp_path / "ut.bin"
    call_command(
        "export_report",
        board="AN",
        year=2022,
        kind="verksamhetsplan",
        format="pdf",
        output=str(output),
        verbosity=0,
    )
    assert output.read_bytes() == FAKE_PDF


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"kind": "budget", "output": "x.docx"}, "Det finns inget dokument budget"),
        ({"format": "odt", "output": "x.odt"}, "Formatet odt finns inte"),
        ({"output": "rapport.txt"}, "Kan inte se formatet på filnamnet"),
        ({"json": True, "format": "pdf", "output": "x.pdf"}, "--json betyder --format json"),
        ({"table": "personal", "output": "x.docx"}, "--table går bara med formaten"),
    ],
)
def test_command_errors_are_swedish(mini_an, tmp_path, arguments, message):  # noqa: F811
    arguments["output"] = str(tmp_path / arguments["output"])
    with pytest.raises(CommandError, match=message):
        call_command("export_report", board="AN", year=2022, verbosity=0, **arguments)


def test_command_pdf_without_libreoffice(mini_an, tmp_path, no_soffice):  # noqa: F811
    output = tmp_path / "x.pdf"
    with pytest.raises(CommandError, match="LibreOffice saknas"):
        call_command("export_report", board="AN", year=2022, output=str(output), verbosity=0)
    assert not output.exists()


def test_every_document_kind_is_a_choice():
    assert set(DocumentKind.values) == {
        "verksamhetsberattelse",
        "delar1",
        "delar2",
        "internbudget",
        "verksamhetsplan",
    }


# The archive


def approve(mini, controller, secretary) -> ArchivedReport:
    occasion = ReportingOccasion.objects.create(board=mini.board, year=2023, kind="helar")
    services.submit_occasion(user=controller, occasion=occasion, confirm_missing=True)
    services.approve_occasion(user=secretary, occasion=occasion)
    return ArchivedReport.objects.get(occasion=occasion)


def test_approval_archives_docx_and_pdf(
    mini_an,  # noqa: F811
    controller_an,
    secretary_an,
    soffice,
    settings,
    client,
):
    settings.STYRKORT_ARCHIVE_PDF = True
    archive = approve(mini_an, controller_an, secretary_an)
    assert bytes(archive.pdf) == FAKE_PDF
    assert archive.pdf_sha256 == hashlib.sha256(FAKE_PDF).hexdigest()
    assert archive.docx_sha256 == hashlib.sha256(bytes(archive.docx)).hexdigest()
    client.force_login(secretary_an)
    docx = client.get(reverse("reports:archived_report_docx", args=[archive.pk]))
    assert docx.status_code == 200
    assert docx.content == bytes(archive.docx)
    assert docx["ETag"] == f'"{archive.docx_sha256}"'
    pdf = client.get(reverse("reports:archived_report_pdf", args=[archive.pk]))
    assert pdf.content == FAKE_PDF
    assert "-v1.pdf" in pdf["Content-Disposition"]
    listing = client.get(reverse("reports:archived_report_list")).content.decode()
    assert reverse("reports:archived_report_pdf", args=[archive.pk]) in listing
    assert "PDF saknas" not in listing


def test_approval_without_libreoffice_archives_without_pdf(
    mini_an,  # noqa: F811
    controller_an,
    secretary_an,
    no_soffice,
    settings,
    client,
    caplog,
):
    settings.STYRKORT_ARCHIVE_PDF = True
    with caplog.at_level(logging.WARNING, logger="reports.archive"):
        archive = approve(mini_an, controller_an, secretary_an)
    assert archive.occasion.state == "godkand"
    assert archive.pdf is None and archive.pdf_sha256 == ""
    assert archive.docx_sha256
    assert "utan PDF" in caplog.text
    client.force_login(secretary_an)
    assert client.get(reverse("reports:archived_report_pdf", args=[archive.pk])).status_code == 404
    listing = client.get(reverse("reports:archived_report_list")).content.decode()
    assert "PDF saknas" in listing


def test_archive_pdf_setting_off_makes_no_conversion(
    mini_an,  # noqa: F811
    controller_an,
    secretary_an,
    soffice,
):
    archive = approve(mini_an, controller_an, secretary_an)  # the suite's setting: off
    assert archive.pdf is None
    assert calls(soffice) == []


def test_a_changed_archived_docx_is_refused(mini_an, controller_an, secretary_an, client):  # noqa: F811
    archive = approve(mini_an, controller_an, secretary_an)
    _drop_update_trigger()  # the row cannot be changed otherwise
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE reports_archivedreport SET docx = %s WHERE id = %s", [b"changed", archive.pk]
        )
    client.force_login(secretary_an)
    response = client.get(reverse("reports:archived_report_docx", args=[archive.pk]))
    assert response.status_code == 500
    assert "kontrollsumma" in response.content.decode()


# render_pdf's guards


def test_missing_libreoffice_raises_in_swedish(no_soffice):
    with pytest.raises(PdfUnavailable, match="LibreOffice saknas"):
        docx_to_pdf(b"x")
    assert "saknas" in NO_LIBREOFFICE


def test_a_failing_conversion_raises(tmp_path, settings):
    script, _ = fake_soffice(tmp_path, body="exit 3")
    settings.STYRKORT_SOFFICE = str(script)
    with pytest.raises(PdfUnavailable) as error:
        docx_to_pdf(_tiny_docx())
    assert str(error.value) == CONVERSION_FAILED


def test_a_slow_conversion_is_killed_with_its_children(tmp_path, settings):
    child = tmp_path / "child.pid"
    script, _ = fake_soffice(tmp_path, body=f"sleep 30 & echo $! > {child}\nwait")
    settings.STYRKORT_SOFFICE = str(script)
    settings.STYRKORT_PDF_TIMEOUT = 1
    with pytest.raises(PdfUnavailable, match="längre än 1 sekunder"):
        docx_to_pdf(_tiny_docx())
    pid = int(child.read_text())
    with open(f"/proc/{pid}/stat") as stat:  # gone, or a zombie waiting for init
        assert stat.read().split()[2] == "Z"


def test_every_conversion_has_its_own_profile_and_folder(tmp_path, settings):
    script, log = fake_soffice(tmp_path)
    settings.STYRKORT_SOFFICE = str(script)
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(docx_to_pdf(_tiny_docx()))) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [FAKE_PDF, FAKE_PDF]
    profiles = [
        next(arg for arg in line.split() if arg.startswith("-env:UserInstallation="))
        for line in calls(log)
    ]
    assert len(set(profiles)) == 2
    assert all("/styrkort-pdf-" in profile for profile in profiles)


def test_language_and_title_are_set_for_libreoffice():
    prepared = Document(io.BytesIO(pdf_renderer._with_language_and_title(_tiny_docx(), "Titel")))
    assert prepared.core_properties.language == "sv-SE"
    assert prepared.core_properties.title == "Titel"
    lang = pdf_renderer._default_language_element(prepared)
    assert lang.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val") == "sv-SE"


def _tiny_docx() -> bytes:
    document = Document()
    document.add_paragraph("Hej")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
