"""The report as an accessible PDF: the .docx (reports.renderers.docx) converted by LibreOffice.

LibreOffice Writer runs headless with the tagged-PDF and PDF/UA export options, so the PDF has
a structure tree (headings, tables with their header rows), its fonts embedded and the
document's title in its info, as DOS-lagen and EN 301 549 ask of a published document.

Each conversion runs in its own temporary directory with its own LibreOffice user profile:
two requests converting at once must not share a profile (LibreOffice locks it, and the second
would fail or wait). A conversion that takes longer than STYRKORT_PDF_TIMEOUT seconds is killed
with all its processes.

The contents (a TOC field in the .docx) are updated with their page numbers by a small macro,
reports/renderers/libreoffice/styrkort_pdf.py, copied into the private profile and run through
LibreOffice's Python script provider (Debian: libreoffice-script-provider-python). Without the
provider the plain `--convert-to` export is used, with the contents as the .docx has them (a
placeholder that Word fills in), and a warning in the log.

The PDF's /Lang comes from the document's default text language, not from the .docx core
property "language" that Word shows: LibreOffice 7.4 ignores the latter. So before converting,
the default language (w:docDefaults) is set to the core property's language (sv-SE when the
.docx has none), and an empty title gets the report's title.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from reports.renderers.docx import render_docx
from reports.report.model import Report

logger = logging.getLogger(__name__)

PDF_CONTENT_TYPE = "application/pdf"
DEFAULT_LANGUAGE = "sv-SE"
# LibreOffice 7.4's JSON form of the filter options (verified with pdfinfo: "Tagged: yes").
EXPORT_FILTER = (
    "pdf:writer_pdf_Export:{"
    '"UseTaggedPDF":{"type":"boolean","value":"true"},'
    '"PDFUACompliance":{"type":"boolean","value":"true"},'
    '"EmbedStandardFonts":{"type":"boolean","value":"true"}'
    "}"
)

NO_LIBREOFFICE = (
    "PDF kan inte skapas just nu: LibreOffice saknas på servern. Ladda ner Worddokumentet "
    "(.docx) i stället och kontakta systemförvaltaren."
)
CONVERSION_FAILED = (
    "PDF kunde inte skapas: konverteringen i LibreOffice misslyckades. Ladda ner "
    "Worddokumentet (.docx) i stället och kontakta systemförvaltaren."
)
CONVERSION_TIMED_OUT = (
    "PDF kunde inte skapas: konverteringen tog längre än {seconds} sekunder. Försök igen senare "
    "eller ladda ner Worddokumentet (.docx)."
)


MACRO = Path(__file__).with_name("libreoffice") / "styrkort_pdf.py"
MACRO_URL = "vnd.sun.star.script:styrkort_pdf.py$export_pdf?language=Python&location=user"


class PdfUnavailable(Exception):
    """No PDF could be made (LibreOffice missing, failed or too slow); str() is Swedish."""


def soffice_binary() -> str | None:
    """LibreOffice's soffice: the STYRKORT_SOFFICE setting, else the one on PATH."""
    configured = getattr(settings, "STYRKORT_SOFFICE", "")
    if configured:
        return configured if Path(configured).is_file() else None
    return shutil.which("soffice")


def render_pdf(report: Report) -> bytes:
    """The report's .docx as a tagged PDF/UA; PdfUnavailable when it cannot be made."""
    return docx_to_pdf(render_docx(report), title=report.title)


def docx_to_pdf(docx: bytes, *, title: str = "") -> bytes:
    soffice = soffice_binary()
    if soffice is None:
        raise PdfUnavailable(NO_LIBREOFFICE)
    timeout = int(getattr(settings, "STYRKORT_PDF_TIMEOUT", 120))
    with tempfile.TemporaryDirectory(prefix="styrkort-pdf-") as work:
        folder = Path(work)
        source = folder / "dokument.docx"
        source.write_bytes(_with_language_and_title(docx, title))
        out = folder / "ut"
        profile = folder / "profil"
        common = [soffice, "--headless", "--norestore", "--nologo", "--nodefault"]
        common.append(f"-env:UserInstallation={profile.as_uri()}")
        result = out / "dokument.pdf"
        env: dict[str, str] = {}
        if has_python_macros(soffice):
            scripts = profile / "user" / "Scripts" / "python"
            scripts.mkdir(parents=True)
            shutil.copy(MACRO, scripts / MACRO.name)
            out.mkdir()
            command = [*common, MACRO_URL]
            env = {"STYRKORT_PDF_SOURCE": str(source), "STYRKORT_PDF_TARGET": str(result)}
        else:
            logger.warning(
                "LibreOffice saknar Python-makron: PDF:ens innehållsförteckning uppdateras inte"
            )
            command = [*common, "--convert-to", EXPORT_FILTER, "--outdir", str(out), str(source)]
        _run(command, timeout=timeout, cwd=folder, env=env)
        if not result.is_file():
            logger.error("LibreOffice skrev ingen PDF för %s", title)
            raise PdfUnavailable(CONVERSION_FAILED)
        content = result.read_bytes()
    if not content.startswith(b"%PDF"):
        raise PdfUnavailable(CONVERSION_FAILED)
    return content


def has_python_macros(soffice: str) -> bool:
    """Whether this LibreOffice runs Python macros (its script provider beside soffice)."""
    return (Path(soffice).resolve().parent / "pythonscript.py").is_file()


def _run(command: list[str], *, timeout: int, cwd: Path, env: dict[str, str]) -> None:
    """Run soffice in its own process group, killing the whole group on a timeout."""
    # HOME in the work folder: nothing of LibreOffice's ends up in a real home.
    env = {**os.environ, "HOME": str(cwd), **env}
    try:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as error:
        logger.error("LibreOffice kunde inte startas: %s", error)
        raise PdfUnavailable(NO_LIBREOFFICE) from None
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise PdfUnavailable(CONVERSION_TIMED_OUT.format(seconds=timeout)) from None
    if process.returncode != 0:
        logger.error(
            "LibreOffice avslutades med %s: %s %s",
            process.returncode,
            stdout.decode(errors="replace")[-2000:],
            stderr.decode(errors="replace")[-2000:],
        )
        raise PdfUnavailable(CONVERSION_FAILED)


def _kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()


def _with_language_and_title(docx: bytes, title: str) -> bytes:
    """The .docx with its default text language set to its core language (the PDF's /Lang)
    and a title when it has none (the PDF's title in its info)."""
    document = Document(io.BytesIO(docx))
    properties = document.core_properties
    language = properties.language or DEFAULT_LANGUAGE
    changed = False
    if not properties.language:
        properties.language = language
        changed = True
    if not properties.title and title:
        properties.title = title
        changed = True
    lang = _default_language_element(document)
    if lang.get(qn("w:val")) != language:
        lang.set(qn("w:val"), language)
        changed = True
    if not changed:
        return docx
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _default_language_element(document: DocxDocument) -> Any:
    """<w:lang> of the styles' default run properties, made when the template has none."""
    styles = document.styles.element
    parent = styles
    for tag in ("w:docDefaults", "w:rPrDefault", "w:rPr"):
        child = parent.find(qn(tag))
        if child is None:
            child = OxmlElement(tag)
            if tag == "w:docDefaults":
                parent.insert(0, child)
            else:
                parent.append(child)
        parent = child
    lang = parent.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        parent.append(lang)
    return lang
