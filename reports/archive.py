"""Archived reports: the occasion's report stored at approval, never changed afterwards.

When an occasion is approved (goals.services.approve_occasion sends goals.signals
.occasion_approved inside its transaction), `archive_on_approval` builds the
document of the occasion's board and year as it stands at that moment, renders the workbook,
the JSON of the report model, the Word document (.docx) and its PDF, and stores each with its
SHA-256. The approval and its archived copy are written in the same transaction: if the copy
cannot be made, the approval is refused and nothing changes.

Every kind of occasion is archived, not only helår: the report is the occasion's document
(reports.report.documents.document_for_occasion): a delår's delårsrapport, otherwise the year's
verksamhetsberättelse of the board, so a quarter's copy records what that report showed when
the occasion's figures were approved. Reopening and approving again stores a new version; the
earlier versions stay.

The PDF needs LibreOffice and takes seconds (reports.renderers.pdf). Without LibreOffice, or
when the conversion fails, the copy is stored without a PDF and a warning logged: the approval
does not fail for it, and the archive shows "PDF saknas". STYRKORT_ARCHIVE_PDF=false leaves the
PDF out altogether (the test suite does, for its hundreds of approvals).

The copy's bytes are never produced again: a download serves what was stored, after checking
it against its SHA-256 (`verified_content`).
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet

from core.security import log_security_event
from core.types import AnyUser
from goals.models import OccasionTransition, ReportingOccasion
from reports.models import ArchivedReport
from reports.renderers.docx import render_docx
from reports.renderers.pdf import PdfUnavailable, docx_to_pdf
from reports.renderers.xlsx import render_xlsx
from reports.report import report_to_json
from reports.report.documents import build_document, document_for_occasion
from reports.report.model import Report

logger = logging.getLogger(__name__)

NOT_APPROVED = "Bara ett godkänt tillfälle arkiveras."
WRONG_TRANSITION = "Godkännandet hör inte till tillfället."
ARCHIVE_FAILED = (
    "Rapporten kunde inte arkiveras, så tillfället godkändes inte. Försök igen eller kontakta "
    "systemförvaltaren."
)
CHECKSUM_MISMATCH = (
    "Den arkiverade filen stämmer inte med sin kontrollsumma (SHA-256) och lämnas inte ut. "
    "Kontakta systemförvaltaren."
)
ARCHIVE_TAMPERED_EVENT = "archive_checksum_mismatch"
NO_PDF_STORED = "Den arkiverade rapporten har ingen PDF."
NO_DOCX_STORED = (
    "Den arkiverade rapporten har inget Worddokument: den arkiverades innan sådana sparades."
)
FORMATS = ("xlsx", "json", "docx", "pdf")

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


class ArchiveIntegrityError(Exception):
    """Stored bytes that no longer match their SHA-256."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def report_json_text(report: Report) -> str:
    """The report model as JSON text: stable key order, non-ASCII kept (å, ä, ö)."""
    return json.dumps(report_to_json(report), ensure_ascii=False, sort_keys=True, indent=1)


@transaction.atomic
def archive_occasion_report(
    *, occasion: ReportingOccasion, approval: OccasionTransition, user: AnyUser | None
) -> ArchivedReport:
    """Store the report of the occasion's board and year as it is now, as the next version."""
    occasion = (
        ReportingOccasion.objects.select_for_update(of=("self",))
        .select_related("board")
        .get(pk=occasion.pk)
    )
    if occasion.state != ReportingOccasion.State.APPROVED:
        raise ValidationError(NOT_APPROVED, code="state")
    if approval.occasion_id != occasion.pk or approval.to_state != occasion.State.APPROVED:
        raise ValidationError(WRONG_TRANSITION, code="transition")
    report = build_document(
        occasion.board, occasion.year, document_for_occasion(occasion.kind), now=approval.at
    )
    xlsx = render_xlsx(report)
    json_bytes = report_json_text(report).encode("utf-8")
    docx = render_docx(report)
    pdf = _archive_pdf(docx, report, occasion)
    last = ArchivedReport.objects.filter(occasion=occasion).aggregate(last=Max("version"))["last"]
    archive = ArchivedReport(
        occasion=occasion,
        approval=approval,
        board=occasion.board,
        year=occasion.year,
        kind=occasion.kind,
        version=(last or 0) + 1,
        created_at=approval.at,
        created_by=user if user is not None and user.is_authenticated else None,
        xlsx=xlsx,
        xlsx_sha256=sha256_hex(xlsx),
        xlsx_size=len(xlsx),
        json_text=json_bytes.decode("utf-8"),
        json_sha256=sha256_hex(json_bytes),
        json_size=len(json_bytes),
        docx=docx,
        docx_sha256=sha256_hex(docx),
        pdf=pdf,
        pdf_sha256=sha256_hex(pdf) if pdf is not None else "",
    )
    archive.full_clean()
    archive.save()
    return archive


def _archive_pdf(docx: bytes, report: Report, occasion: ReportingOccasion) -> bytes | None:
    """The PDF of the archived .docx, or None (with a warning) when none can be made."""
    if not settings.STYRKORT_ARCHIVE_PDF:
        return None
    try:
        return docx_to_pdf(docx, title=report.title)
    except PdfUnavailable as error:
        logger.warning("Arkiverar %s utan PDF: %s", occasion, error)
        return None


def archive_on_approval(
    sender: object,
    *,
    occasion: ReportingOccasion,
    user: AnyUser | None,
    transition: OccasionTransition,
    **kwargs: Any,
) -> None:
    """Receiver of goals.signals.occasion_approved (connected in ReportsConfig.ready)."""
    try:
        archive_occasion_report(occasion=occasion, approval=transition, user=user)
    except ValidationError:
        raise
    except Exception:
        logger.exception("Arkivering misslyckades för %s", occasion)
        raise ValidationError(ARCHIVE_FAILED, code="archive") from None


def archives_of(occasion: ReportingOccasion) -> QuerySet[ArchivedReport]:
    """The occasion's archived copies, newest first, without their bytes."""
    return (
        ArchivedReport.objects.filter(occasion=occasion)
        .without_content()
        .select_related("created_by", "board")
        .order_by("-version")
    )


def verified_content(archive: ArchivedReport, fmt: str, *, user: AnyUser | None = None) -> bytes:
    """The stored bytes of the copy ("xlsx", "json", "docx" or "pdf"), refused if they fail
    their SHA-256. LookupError for a .docx or PDF the copy does not have."""
    if fmt == "xlsx":
        data, expected = bytes(archive.xlsx), archive.xlsx_sha256
    elif fmt == "json":
        data, expected = archive.json_text.encode("utf-8"), archive.json_sha256
    elif fmt in ("docx", "pdf"):
        stored = getattr(archive, fmt)
        if stored is None:
            raise LookupError(NO_PDF_STORED if fmt == "pdf" else NO_DOCX_STORED)
        data, expected = bytes(stored), getattr(archive, f"{fmt}_sha256")
    else:
        raise ValueError(fmt)
    if sha256_hex(data) != expected:
        log_security_event(
            ARCHIVE_TAMPERED_EVENT,
            user=user,
            archive_id=archive.pk,
            format=fmt,
            board=archive.board.code,
        )
        raise ArchiveIntegrityError(CHECKSUM_MISMATCH)
    return data
