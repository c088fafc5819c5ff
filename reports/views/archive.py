"""Downloads of an occasion's archived report copies: the .xlsx, the JSON of its data, the Word
document (.docx) and its PDF (copies archived without one answer 404 for it).

Access is that of the report export (goals.access Action.EXPORT on the copy's board); anyone
else, and any id that does not exist, gets 404. The bytes served are the stored ones, checked
against their SHA-256 first; the SHA-256 is also sent in the Repr-Digest header (RFC 9530).
"""

from __future__ import annotations

import base64

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from core.types import AnyUser
from goals.access import Action, require
from reports.archive import (
    JSON_CONTENT_TYPE,
    ArchiveIntegrityError,
    verified_content,
)
from reports.models import ArchivedReport
from reports.renderers.docx import DOCX_CONTENT_TYPE
from reports.renderers.pdf import PDF_CONTENT_TYPE
from reports.renderers.xlsx import XLSX_CONTENT_TYPE
from reports.views.report import attachment_header

CONTENT_TYPES = {
    "xlsx": XLSX_CONTENT_TYPE,
    "json": JSON_CONTENT_TYPE,
    "docx": DOCX_CONTENT_TYPE,
    "pdf": PDF_CONTENT_TYPE,
}

NO_SUCH_ARCHIVE = "Den arkiverade rapporten finns inte eller så saknar du behörighet."


def _archive_for_user(user: AnyUser, archive_id: int) -> ArchivedReport:
    archive = ArchivedReport.objects.select_related("board").filter(pk=archive_id).first()
    if archive is None:
        raise Http404(NO_SUCH_ARCHIVE)
    require(user, Action.EXPORT, archive.board)
    return archive


def _download(request: HttpRequest, archive_id: int, fmt: str) -> HttpResponse:
    archive = _archive_for_user(request.user, archive_id)
    try:
        content = verified_content(archive, fmt, user=request.user)
    except ArchiveIntegrityError as error:
        return HttpResponse(str(error), status=500, content_type="text/plain; charset=utf-8")
    except LookupError as missing:
        raise Http404(str(missing)) from None
    sha = getattr(archive, f"{fmt}_sha256")
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = attachment_header(f"{archive.filename_stem}.{fmt}")
    response["Repr-Digest"] = f"sha-256=:{base64.b64encode(bytes.fromhex(sha)).decode()}:"
    response["ETag"] = f'"{sha}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def archived_report_xlsx(request: HttpRequest, archive_id: int) -> HttpResponse:
    return _download(request, archive_id, "xlsx")


@require_GET
def archived_report_json(request: HttpRequest, archive_id: int) -> HttpResponse:
    return _download(request, archive_id, "json")


@require_GET
def archived_report_docx(request: HttpRequest, archive_id: int) -> HttpResponse:
    return _download(request, archive_id, "docx")


@require_GET
def archived_report_pdf(request: HttpRequest, archive_id: int) -> HttpResponse:
    return _download(request, archive_id, "pdf")
