"""The occasion workflow: submit, approve, send back, reopen. Thin views over goals.services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.types import AnyUser, AuthenticatedHttpRequest
from goals import services
from goals.access import Action, can
from goals.models import ReportingOccasion
from goals.providers import occasion_page

NO_RIGHT = "Du saknar behörighet för detta steg."


def _occasion_for_user(user: AnyUser, occasion_id: int, action: Action) -> ReportingOccasion:
    """404 outside the user's boards; 403 on the user's board without the right for the step."""
    occasion = ReportingOccasion.objects.select_related("board").filter(pk=occasion_id).first()
    if occasion is None or not can(user, Action.VIEW, occasion.board_id):
        raise Http404("Tillfället finns inte eller så saknar du behörighet.")
    if not can(user, action, occasion.board_id):
        raise PermissionDenied(NO_RIGHT)
    return occasion


def _back(occasion: ReportingOccasion) -> str:
    return occasion_page(occasion)


def _run(
    request: AuthenticatedHttpRequest,
    occasion: ReportingOccasion,
    step: Callable[..., object],
    success: str,
    **kwargs: Any,
) -> HttpResponse:
    try:
        step(user=request.user, occasion=occasion, **kwargs)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success.format(occasion=occasion))
    return redirect(_back(occasion))


def _seen(value: str) -> int | None:
    """The missing count the user confirmed on the page (None when the form did not say)."""
    try:
        return max(int(value), 0)
    except ValueError:
        return None


@require_POST
def submit(request: AuthenticatedHttpRequest, occasion_id: int) -> HttpResponse:
    """The page lists what is missing; the checkbox is the submitter's explicit confirmation."""
    occasion = _occasion_for_user(request.user, occasion_id, Action.ENTER)
    return _run(
        request,
        occasion,
        services.submit_occasion,
        "{occasion} är inskickat.",
        confirm_missing=request.POST.get("confirm_missing") == "ja",
        missing_seen=_seen(request.POST.get("missing_seen", "")),
    )


@require_POST
def approve(request: AuthenticatedHttpRequest, occasion_id: int) -> HttpResponse:
    occasion = _occasion_for_user(request.user, occasion_id, Action.APPROVE)
    return _run(request, occasion, services.approve_occasion, "{occasion} är godkänt och nu låst.")


@require_POST
def send_back(request: AuthenticatedHttpRequest, occasion_id: int) -> HttpResponse:
    occasion = _occasion_for_user(request.user, occasion_id, Action.APPROVE)
    return _run(
        request,
        occasion,
        services.return_occasion,
        "{occasion} är skickat tillbaka och öppet igen.",
        reason=request.POST.get("reason", ""),
    )


@require_http_methods(["GET", "POST"])
def reopen(request: AuthenticatedHttpRequest, occasion_id: int) -> HttpResponse:
    occasion = _occasion_for_user(request.user, occasion_id, Action.ADMINISTER)
    error = ""
    reason = request.POST.get("reason", "") if request.method == "POST" else ""
    if request.method == "POST":
        try:
            services.reopen_occasion(user=request.user, occasion=occasion, reason=reason)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(request, f"{occasion} är öppnat igen.")
            return redirect(_back(occasion))
    transitions = occasion.transitions.select_related("user").order_by("at")
    return render(
        request,
        "goals/reopen.html",
        {
            "occasion": occasion,
            "error": error,
            "reason": reason,
            "transitions": transitions,
            "back": _back(occasion),
        },
    )
