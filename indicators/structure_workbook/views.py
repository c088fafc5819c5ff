"""The structure workbook's download and upload for a board and year (administrators)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from core.types import AuthenticatedHttpRequest
from goals.access import Action, get_board_for_user
from indicators.importing import TOO_LARGE, ImportRefused
from indicators.structure_workbook.export import export_structure
from indicators.structure_workbook.forms import WorkbookUploadForm
from indicators.structure_workbook.importing import ImportResult, import_structure

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORTED = "Arbetsboken lästes in för {code} {year}: {summary}."
CORRECTIONS = "{count} rättelse(r) av godkända år sparades med motiveringen."
WARNING = "Varning: {warning}"


@require_GET
def download(request: AuthenticatedHttpRequest, board_code: str, year: int) -> HttpResponse:
    board = get_board_for_user(request.user, board_code, Action.ADMINISTER)
    response = HttpResponse(export_structure(board=board, year=year), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="struktur-{board.code}-{year}.xlsx"'
    return response


@require_http_methods(["GET", "POST"])
def upload(request: AuthenticatedHttpRequest, board_code: str, year: int) -> HttpResponse:
    board = get_board_for_user(request.user, board_code, Action.ADMINISTER)
    form = WorkbookUploadForm(request.POST or None, request.FILES or None)
    result: ImportResult | None = None
    refused = ""
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        limit = settings.IMPORT_MAX_BYTES
        if upload_file.size is not None and upload_file.size > limit:
            refused = TOO_LARGE.format(size=(upload_file.size + 1023) // 1024, limit=limit // 1024)
        else:
            try:
                result = import_structure(
                    data=upload_file.read(limit + 1),
                    user=request.user,
                    dry_run=form.cleaned_data["dry_run"],
                    expected_board=board,
                    expected_year=year,
                    reason=form.cleaned_data["reason"],
                    filename=upload_file.name or "",
                )
            except ImportRefused as error:
                refused = " ".join(error.messages)
            if result is not None and result.ok and result.written:
                messages.success(
                    request,
                    IMPORTED.format(
                        code=board.code, year=year, summary="; ".join(result.summary_lines())
                    ),
                )
                if result.corrections:
                    messages.info(request, CORRECTIONS.format(count=result.corrections))
                for warning in result.warnings:
                    messages.warning(request, WARNING.format(warning=warning))
                return redirect(
                    reverse("indicators:structure_workbook_upload", args=[board.code, year])
                )
    status = 400 if refused or (result is not None and not result.ok) else 200
    return render(
        request,
        "indicators/structure_workbook/upload.html",
        {"board": board, "year": year, "form": form, "result": result, "refused": refused},
        status=status,
    )
