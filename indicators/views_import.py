"""Excel template download and import for a board and occasion."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from core.types import AuthenticatedHttpRequest
from goals.access import Action
from goals.models import OccasionLockedError
from indicators.forms import ImportForm
from indicators.importing import (
    LOCKED,
    TOO_LARGE,
    ImportRefused,
    build_template,
    read_and_import,
)
from indicators.views_entry import get_occasion_for_user, occasion_url

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_GET
def template_download(
    request: AuthenticatedHttpRequest, board_code: str, year: int, kind: str
) -> HttpResponse:
    occasion = get_occasion_for_user(request.user, board_code, year, kind, Action.ENTER)
    response = HttpResponse(build_template(occasion), content_type=XLSX)
    filename = f"utfall-{occasion.board.code}-{occasion.year}-{occasion.kind}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET", "POST"])
def import_upload(
    request: AuthenticatedHttpRequest, board_code: str, year: int, kind: str
) -> HttpResponse:
    occasion = get_occasion_for_user(request.user, board_code, year, kind, Action.ENTER)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    refused = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        limit = settings.IMPORT_MAX_BYTES
        if not occasion.is_open_for_entry:
            refused = LOCKED.format(lock=OccasionLockedError(occasion).messages[0])
        elif upload.size is not None and upload.size > limit:
            refused = TOO_LARGE.format(size=(upload.size + 1023) // 1024, limit=limit // 1024)
        else:
            # Read at most one byte over the limit: enough for the size check to refuse.
            data = upload.read(limit + 1)
            try:
                result = read_and_import(
                    user=request.user, occasion=occasion, data=data, filename=upload.name
                )
            except ImportRefused as error:
                refused = " ".join(error.messages)
            if result is not None and result.ok:
                messages.success(
                    request,
                    f"Inläst: {result.written} värden ändrade, {result.unchanged} oförändrade.",
                )
                for warning in result.warnings:
                    messages.warning(request, warning)
                return redirect(occasion_url(occasion))
    status = 400 if refused or (result is not None and not result.ok) else 200
    return render(
        request,
        "indicators/import.html",
        {"occasion": occasion, "form": form, "result": result, "refused": refused},
        status=status,
    )
