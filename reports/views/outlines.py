"""Dokumentmallar: the administrator adjusts each document's outline without code."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.security import SecurityEvent, log_security_event
from goals.access import Action, on_every_board
from goals.models import DocumentKind
from reports.forms_outline import OutlineFormSet, OutlineLineForm
from reports.outline import is_customised, outline_lines, table_choices
from reports.outline_services import (
    CHANGED_MEANWHILE,
    OutlineInvalid,
    outline_digest,
    reset_outline,
    save_outline,
)

NOT_ADMINISTRATOR = "Sidan finns inte eller så saknar du behörighet."
SAVED = "Mallen för {document} är sparad. Dokumenten följer den från och med nu."
RESET = "{document} följer standardmallen igen."


def _require_administrator(request: HttpRequest) -> None:
    if not on_every_board(request.user, Action.ADMINISTER):
        log_security_event(SecurityEvent.ACCESS_DENIED, user=request.user, action="outline")
        raise Http404(NOT_ADMINISTRATOR)


def _document(value: str) -> DocumentKind:
    try:
        return DocumentKind(value)
    except ValueError:
        raise Http404("Det finns inget sådant dokument.") from None


def outline_index(request: HttpRequest) -> HttpResponse:
    _require_administrator(request)
    documents = [(kind, is_customised(kind.value)) for kind in DocumentKind]
    return render(request, "reports/outline_index.html", {"documents": documents})


@require_http_methods(["GET", "POST"])
def outline_edit(request: HttpRequest, document: str) -> HttpResponse:
    _require_administrator(request)
    kind = _document(document)
    tables = table_choices(kind.value)
    lines = outline_lines(kind.value)
    error = ""
    if request.method == "POST":
        formset = OutlineFormSet(request.POST, tables=tables, prefix="rad")
        digest = request.POST.get("digest", "")
        if formset.is_valid():
            try:
                save_outline(
                    user=request.user,
                    document=kind.value,
                    lines=formset.lines(),
                    expected_digest=digest,
                )
            except OutlineInvalid as invalid:
                error = invalid.messages[0]
                kept = list(formset.ordered_forms)
                for index, message in invalid.row_errors.items():
                    kept[index].add_error(None, message)
                if error == CHANGED_MEANWHILE:
                    # Saving again now overwrites the other save knowingly.
                    digest = outline_digest(lines)
            else:
                messages.success(request, SAVED.format(document=kind.label))
                return redirect("reports:outline_edit", document=kind.value)
    else:
        formset = OutlineFormSet(
            initial=[OutlineLineForm.initial_for(line) for line in lines],
            tables=tables,
            prefix="rad",
        )
        digest = outline_digest(lines)
    status = 200 if request.method == "GET" else 409 if error == CHANGED_MEANWHILE else 400
    return render(
        request,
        "reports/outline_edit.html",
        {
            "document": kind,
            "formset": formset,
            "digest": digest,
            "error": error,
            "customised": is_customised(kind.value),
            "tables": tables,
        },
        status=status,
    )


@require_POST
def outline_reset(request: HttpRequest, document: str) -> HttpResponse:
    _require_administrator(request)
    kind = _document(document)
    reset_outline(user=request.user, document=kind.value)
    messages.success(request, RESET.format(document=kind.label))
    return redirect("reports:outline_edit", document=kind.value)
